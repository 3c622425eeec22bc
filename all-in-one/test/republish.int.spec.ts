/**
 * The order service's copies of the catalogue, the shops and the buyers' address books, lost and
 * rebuilt with `npm run projections -- republish` while the marketplace runs: what an operator does
 * for a consumer that joined late or lost its tables. Against the real PostgreSQL.
 */
import { openProjectionStores, projectors } from '@bdbazar/projections';
import { DEFAULT_RUNTIME_SCHEMA, openConfiguredReadModelDatabase } from '@bdbazar/shared-kernel';
import { COPIES_CONSUMER, ORDER_SCHEMA } from '@bdbazar/order-service';
import { projectionsCliOutput } from '../../shared-kernel/test/projections/cliOutput';
import { describeWithServer, requireServerUrl } from '../../test/servers';
import { TestMarketplace } from './marketplaceHarness';
import { eventually, OrderFixture } from './orderFixture';

const COPIES = ['products', 'product_standing', 'variant_stock', 'shops', 'addresses'];

describeWithServer('postgres', 'republishing to a consumer that lost its tables', () => {
  let t: TestMarketplace;

  beforeAll(async () => {
    t = await TestMarketplace.start(requireServerUrl('postgres'));
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  // As `npm run projections` does: stores of its own, from the same configuration.
  const cli = (...argv: string[]): Promise<string> =>
    projectionsCliOutput(argv, { definitions: projectors, runtimeSchema: DEFAULT_RUNTIME_SCHEMA, open: () => openProjectionStores(t.config) });

  it("rebuilds the order service's copies from what the projectors published, while the marketplace runs", async () => {
    const admin = await t.createAdmin();
    const f = new OrderFixture(t, admin);
    const seller = await t.approvedSeller(admin);
    const shopId = await f.shop(seller);
    const [variant] = await f.product(seller, shopId, [{ stock: 7, price: 99_000 }]);
    const { buyer, addressId } = await f.buyer();

    const db = await openConfiguredReadModelDatabase(t.config);
    try {
      const copies = async () => ({
        product: Boolean(await db.knex(`${ORDER_SCHEMA}.products`).where({ product_id: variant!.productId }).first()),
        stock: (await db.knex(`${ORDER_SCHEMA}.variant_stock`).where({ product_id: variant!.productId, sku: variant!.sku }).first<{ available: number } | undefined>())?.available ?? null,
        shop: Boolean(await db.knex(`${ORDER_SCHEMA}.shops`).where({ shop_id: shopId }).first()),
        address: Boolean(await db.knex(`${ORDER_SCHEMA}.addresses`).where({ account_id: buyer.id, address_id: addressId }).first()),
      });
      const whole = { product: true, stock: 7, shop: true, address: true };
      expect(await copies()).toEqual(whole);

      // The copies and the consumer's inbox are lost (a restore from an old backup, a new service).
      await db.knex.transaction(async (trx) => {
        for (const table of COPIES) await trx.raw(`truncate ${ORDER_SCHEMA}.${table}`);
        await trx(`${DEFAULT_RUNTIME_SCHEMA}.inbox`).where({ consumer: COPIES_CONSUMER }).delete();
      });
      expect(await copies()).toEqual({ product: false, stock: null, shop: false, address: false });

      for (const projector of ['accounts', 'shops', 'catalog']) {
        expect(await cli('republish', projector, '--to', COPIES_CONSUMER)).toMatch(new RegExp(`^Republished [1-9][\\d,]* integration events of ${projector} to ${COPIES_CONSUMER}`));
      }
      await eventually('the copies to be whole again', async () => JSON.stringify(await copies()) === JSON.stringify(whole) && (await copies()));
      expect(await copies()).toEqual(whole);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('rebuilds from the CLI with personal data read as the workers read it, decrypted', async () => {
    const buyer = await t.register('buyer', 'Nusrat Jahan');
    expect(await cli('rebuild', 'accounts')).toContain('Rebuilt accounts generation');
    const profile = await t.call<{ name: string; email: string }>('GET', `/v1/users/${buyer.id}`, { token: buyer.accessToken });
    expect({ status: profile.status, name: profile.body.name, email: profile.body.email }).toEqual({ status: 200, name: 'Nusrat Jahan', email: buyer.email });
  }, 120_000);
});
