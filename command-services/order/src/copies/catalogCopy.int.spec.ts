/**
 * What checkout keeps of the catalogue copy: details read once serve the next checkouts, and a
 * change committed by this process's copies consumer is seen by the next checkout at once.
 * Stock is never served from what is kept. On PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { createInProcessBus, DEFAULT_RUNTIME_SCHEMA, integrationMessageId, migrateRuntimeSchema, outboundMessage, openDatabase, poisha, silentLogger, type Database, type IntegrationEvent, type InProcessBus } from '@bdbazar/shared-kernel';
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../../../test/servers';
import { migrateAddressBookCopy, openAddressBookCopy } from './addressBookCopy';
import { migrateCatalogCopy, openCatalogCopy, variantKey } from './catalogCopy';
import { startCopiesConsumer } from './copiesConsumer';

let revision = 0;
function message(type: string, streamId: string, data: Record<string, unknown>): IntegrationEvent {
  const eventId = randomUUID();
  return {
    messageId: integrationMessageId(eventId, type),
    type,
    occurredAt: new Date().toISOString(),
    correlationId: null,
    source: { eventId, streamId, revision: ++revision, position: `${String(revision).padStart(20, '0')}/${String(revision).padStart(20, '0')}` },
    data: data as IntegrationEvent['data'],
  };
}

describeWithServer('postgres', 'the catalogue and address book copies as checkout reads them', () => {
  let db: Database;
  let schema: string;
  let bus: InProcessBus;
  const shopId = randomUUID();
  const productId = randomUUID();
  const buyerId = randomUUID();

  const shop = (status: string) =>
    message('shop.ShopApproved.v1', `shop-${shopId}`, { shopId, ownerId: randomUUID(), name: 'Mim Fashion House', status, division: 'Dhaka', district: 'Dhaka' });
  const product = (type: string, price: number, available = 5) =>
    message(type, `product-${productId}`, {
      productId,
      shopId,
      title: 'Jamdani saree',
      image: null,
      status: 'published',
      variants: [{ sku: 'JS-RED', options: { colour: 'red' }, price: poisha(price), weightGrams: 500, available }],
    });
  const address = (line1: string) =>
    message('account.AddressChanged.v1', `account-${buyerId}`, {
      accountId: buyerId,
      address: { addressId: 'home', label: 'Home', recipient: 'Rahim', phone: '+8801711000000', division: 'Dhaka', district: 'Dhaka', area: 'Mirpur', line1, line2: null, postcode: '1216' },
    });
  const key = [{ productId, sku: 'js-red' }];

  beforeAll(async () => {
    db = await openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres') });
    // the consumer's inbox
    await migrateRuntimeSchema(db, DEFAULT_RUNTIME_SCHEMA);
  });

  beforeEach(async () => {
    schema = uniqueSchema('order_copies');
    await migrateCatalogCopy(db.knex, schema);
    await migrateAddressBookCopy(db.knex, schema);
    bus = createInProcessBus({ logger: silentLogger() });
  });

  afterEach(async () => {
    await bus.close();
    await db.knex.raw(`drop schema if exists "${schema}" cascade`);
  });

  afterAll(async () => {
    await db.close();
  });

  it('serves details it read before until the copy changes here, and shows the change at once when it does', async () => {
    const catalog = openCatalogCopy(db, schema, { cacheTtlMs: 60_000 });
    const addressBooks = openAddressBookCopy(db, schema, { cacheTtlMs: 60_000 });
    const consumer = await startCopiesConsumer({ db, schema, transport: bus, logger: silentLogger(), kept: { catalog, addressBooks } });
    try {
      await bus.publish([shop('active'), product('product.ProductListed.v1', 100_000), address('House 1, Road 2')].map((m) => outboundMessage(m)));
      expect((await catalog.orderable(key)).get(variantKey(productId, 'JS-RED'))?.price).toEqual(poisha(100_000));
      expect((await addressBooks.shippingAddress(buyerId, 'home')).line1).toBe('House 1, Road 2');

      // Written behind the copies' back (as another replica's consumer would): the kept details still serve.
      await db.knex.raw(`update "${schema}".products set variants = jsonb_set(variants, '{0,price,amount}', '125000')`);
      await db.knex.raw(`update "${schema}".addresses set address = jsonb_set(address, '{line1}', '"elsewhere"')`);
      expect((await catalog.orderable(key)).get(variantKey(productId, 'JS-RED'))?.price).toEqual(poisha(100_000));
      expect((await addressBooks.shippingAddress(buyerId, 'home')).line1).toBe('House 1, Road 2');

      // Through this process's consumer: seen by the next read, once committed.
      await bus.publish([product('product.ProductDetailsChanged.v1', 150_000), address('House 9, Road 9')].map((m) => outboundMessage(m)));
      expect((await catalog.orderable(key)).get(variantKey(productId, 'JS-RED'))?.price).toEqual(poisha(150_000));
      expect((await addressBooks.shippingAddress(buyerId, 'home')).line1).toBe('House 9, Road 9');

      // A shop suspended: its products are not on sale at the next checkout.
      await bus.publish([shop('suspended')].map((m) => outboundMessage(m)));
      expect((await catalog.orderable(key)).get(variantKey(productId, 'JS-RED'))?.notOnSale).toMatch(/not selling/);
    } finally {
      await consumer.stop();
    }
  });

  it('never serves stock from what it kept, and forgets details after the time it may keep them', async () => {
    const catalog = openCatalogCopy(db, schema, { cacheTtlMs: 200 });
    const consumer = await startCopiesConsumer({ db, schema, transport: bus, logger: silentLogger(), kept: { catalog, addressBooks: openAddressBookCopy(db, schema) } });
    try {
      await bus.publish([shop('active'), product('product.ProductListed.v1', 100_000, 5)].map((m) => outboundMessage(m)));
      expect((await catalog.orderable(key)).get(variantKey(productId, 'JS-RED'))?.price).toEqual(poisha(100_000));
      await db.knex.raw(`update "${schema}".variant_stock set available = 2`);
      await db.knex.raw(`update "${schema}".products set variants = jsonb_set(variants, '{0,price,amount}', '125000')`);
      expect((await catalog.variants(key)).get(variantKey(productId, 'JS-RED'))?.available).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect((await catalog.orderable(key)).get(variantKey(productId, 'JS-RED'))?.price).toEqual(poisha(125_000));
    } finally {
      await consumer.stop();
    }
  });

  it('writes the stock of a batch of reservations in one statement, each variant at its newest level whatever the order', async () => {
    const catalog = openCatalogCopy(db, schema);
    const consumer = await startCopiesConsumer({ db, schema, transport: bus, logger: silentLogger() });
    try {
      await bus.publish([shop('active'), product('product.ProductListed.v1', 100_000, 50)].map((m) => outboundMessage(m)));
      const reservations = [49, 48, 47, 46, 45].map((available) => message('product.StockReserved.v1', `product-${productId}`, { productId, levels: [{ sku: 'JS-RED', available }] }));
      const stockStatements: string[] = [];
      const count = (query: { sql: string }) => {
        if (query.sql.includes('variant_stock')) stockStatements.push(query.sql);
      };
      db.knex.on('query', count);
      try {
        // delivered newest first but for the last: only the highest revision counts
        const [r49, r48, r47, r46, r45] = reservations as [IntegrationEvent, IntegrationEvent, IntegrationEvent, IntegrationEvent, IntegrationEvent];
        await bus.publish([r48, r45, r49, r47, r46].map((m) => outboundMessage(m)));
      } finally {
        db.knex.off('query', count);
      }
      expect((await catalog.variants(key)).get(variantKey(productId, 'JS-RED'))?.available).toBe(45);
      expect(stockStatements.length).toBeLessThan(reservations.length);
      // a level older than the one written, delivered late, changes nothing; a newer one does
      const stale = message('product.StockAdjusted.v1', `product-${productId}`, { productId, sku: 'JS-RED', available: 7 });
      await bus.publish([outboundMessage({ ...stale, source: { ...stale.source, revision: reservations[0]!.source.revision } })]);
      expect((await catalog.variants(key)).get(variantKey(productId, 'JS-RED'))?.available).toBe(45);
      await bus.publish([outboundMessage(message('product.StockAdjusted.v1', `product-${productId}`, { productId, sku: 'JS-RED', available: 7 }))]);
      expect((await catalog.variants(key)).get(variantKey(productId, 'JS-RED'))?.available).toBe(7);
    } finally {
      await consumer.stop();
    }
  });

  it('writes a batch of listings, details, standings and shop changes in one statement a register, each at its newest whatever the order', async () => {
    const catalog = openCatalogCopy(db, schema);
    const consumer = await startCopiesConsumer({ db, schema, transport: bus, logger: silentLogger() });
    const otherProductId = randomUUID();
    try {
      const approved = shop('active');
      const suspended = shop('suspended');
      const listed = product('product.ProductListed.v1', 100_000);
      const changed = product('product.ProductDetailsChanged.v1', 150_000);
      const published = message('product.ProductPublished.v1', `product-${productId}`, { productId, status: 'published' });
      const unpublished = message('product.ProductUnpublished.v1', `product-${productId}`, { productId, status: 'unpublished' });
      const other = message('product.ProductListed.v1', `product-${otherProductId}`, {
        productId: otherProductId,
        shopId,
        title: 'Nakshi kantha',
        image: null,
        status: 'published',
        variants: [{ sku: 'NK-1', options: {}, price: poisha(80_000), weightGrams: 900, available: 3 }],
      });
      const statements: string[] = [];
      const count = (query: { sql: string }) => statements.push(query.sql);
      db.knex.on('query', count);
      try {
        await bus.publish([unpublished, suspended, changed, other, listed, approved, published].map((m) => outboundMessage(m)));
      } finally {
        db.knex.off('query', count);
      }
      const writesOf = (table: string) => statements.filter((sql) => sql.includes(`insert into "${schema}".${table} `)).length;
      // seven events, each of which wrote one or two statements before
      expect(writesOf('products') + writesOf('product_standing') + writesOf('shops') + writesOf('variant_stock')).toBeLessThan(7);

      const found = await catalog.variants([...key, { productId: otherProductId, sku: 'NK-1' }]);
      expect(found.get(variantKey(productId, 'JS-RED'))).toMatchObject({ price: poisha(150_000), shopName: 'Mim Fashion House', notOnSale: expect.stringMatching(/unpublished/) as unknown });
      expect(found.get(variantKey(otherProductId, 'NK-1'))).toMatchObject({ price: poisha(80_000), available: 3, notOnSale: expect.stringMatching(/not selling/) as unknown });
      const { rows } = (await db.knex.raw(`select status, revision from "${schema}".shops`)) as { rows: Array<{ status: string; revision: number }> };
      expect(rows).toEqual([{ status: 'suspended', revision: suspended.source.revision }]);
    } finally {
      await consumer.stop();
    }
  });

  it('does not keep a read that was under way when the copy changed', async () => {
    const catalog = openCatalogCopy(db, schema, { cacheTtlMs: 60_000 });
    const consumer = await startCopiesConsumer({ db, schema, transport: bus, logger: silentLogger(), kept: { catalog, addressBooks: openAddressBookCopy(db, schema) } });
    try {
      await bus.publish([shop('active'), product('product.ProductListed.v1', 100_000)].map((m) => outboundMessage(m)));
      const underWay = catalog.orderable(key);
      catalog.forget({ productId });
      await underWay;
      await db.knex.raw(`update "${schema}".products set variants = jsonb_set(variants, '{0,price,amount}', '125000')`);
      expect((await catalog.orderable(key)).get(variantKey(productId, 'JS-RED'))?.price).toEqual(poisha(125_000));
    } finally {
      await consumer.stop();
    }
  });
});
