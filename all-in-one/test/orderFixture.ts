/**
 * What order tests need on a test marketplace: shops that sell, published products with stock,
 * buyers with an address, all known to the order service (whose copies follow the other
 * services' integration events a moment later), and a way to wait for an order to move on.
 */
import { randomBytes } from 'node:crypto';
import type { Actor, Answer, TestMarketplace } from './marketplaceHarness';
import { addressBody } from './marketplaceHarness';

export interface Command {
  id: string;
  revision: number;
  position: string;
}

export const tag = () => randomBytes(3).toString('hex');

export const ok = <T>(answer: Answer<T>, status = 200): T => {
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
};

export async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface Place {
  division: string;
  district: string;
}

export interface ListedVariant {
  productId: string;
  sku: string;
  price: number;
}

export class OrderFixture {
  private categoryId: string | null = null;

  constructor(
    readonly t: TestMarketplace,
    readonly admin: Actor,
  ) {}

  /** An approved shop of the seller, at `place`, that the order service knows sells. */
  async shop(seller: Actor, place: Place = { division: 'Dhaka', district: 'Dhaka' }): Promise<string> {
    const body = {
      name: `Shop ${tag()}`,
      contact: { phone: '+8801811000000', email: 'hello@shop.com.bd' },
      location: { ...place, addressLine: 'Level 4, City Centre' },
      pickupAddress: { label: 'Warehouse', recipient: 'Mim Akter', phone: '+8801811000000', ...place, line1: 'House 7, Road 3' },
    };
    const opened = ok(await this.t.call<Command>('POST', '/v1/shops', { token: seller.accessToken, body }), 201);
    ok(await this.t.call('PUT', `/v1/admin/shops/${opened.id}/approve`, { token: this.admin.accessToken }));
    await eventually('the product service to know the shop', async () => (await this.t.market.product.shops.get(opened.id)).status === 'active');
    return opened.id;
  }

  async category(): Promise<string> {
    this.categoryId ??= ok(await this.t.call<Command>('POST', '/v1/admin/categories', { token: this.admin.accessToken, body: { name: `Clothing ${tag()}`, parentId: null } }), 201).id;
    return this.categoryId;
  }

  /** A published product with one variant per entry of `variants`, once the order service can sell it. */
  async product(seller: Actor, shopId: string, variants: Array<{ stock: number; price?: number; weightGrams?: number | null }> = [{ stock: 10 }]): Promise<ListedVariant[]> {
    const skus = variants.map(() => `SKU-${tag().toUpperCase()}`);
    const body = {
      shopId,
      title: `Cotton panjabi ${tag()}`,
      description: 'Hand-stitched cotton panjabi.',
      categoryId: await this.category(),
      images: ['https://cdn.bdbazar.com.bd/panjabi/1.jpg'],
      brand: 'Aarong',
      attributes: {},
      publish: true,
      variants: variants.map((v, i) => ({
        sku: skus[i],
        options: { size: ['S', 'M', 'L', 'XL'][i % 4]! },
        price: { amount: v.price ?? 150_000, currency: 'BDT' },
        weightGrams: v.weightGrams === undefined ? 400 : v.weightGrams,
        stock: v.stock,
      })),
    };
    const listed = ok(await this.t.call<Command>('POST', '/v1/products', { token: seller.accessToken, body }), 201);
    const result = variants.map((v, i) => ({ productId: listed.id, sku: skus[i]!, price: v.price ?? 150_000 }));
    await this.sellable(result[0]!.productId, result[0]!.sku);
    return result;
  }

  /** Waits until the order service's copy offers the variant. */
  async sellable(productId: string, sku: string, check: (variant: { available: number; price: { amount: number } }) => boolean = () => true): Promise<void> {
    await eventually(`the order service to sell ${sku}`, async () => {
      const variant = await this.t.market.order.catalog.variant(productId, sku);
      return variant.notOnSale === null && check(variant);
    });
  }

  /** A buyer with one address (at `place`), known to the order service. */
  async buyer(place: Place = { division: 'Dhaka', district: 'Dhaka' }): Promise<{ buyer: Actor; addressId: string }> {
    const buyer = await this.t.register('buyer');
    const added = await this.t.call('POST', `/v1/users/${buyer.id}/addresses`, { token: buyer.accessToken, body: { ...addressBody(), ...place } });
    ok(added, 201);
    const addressId = added.headers.get('location')!.split('/').pop()!;
    await eventually('the order service to know the address', () => this.t.market.order.addressBooks.shippingAddress(buyer.id, addressId));
    return { buyer, addressId };
  }

  checkout(buyer: Actor, body: Record<string, unknown>, key = `key-${tag()}`) {
    return this.t.call<CheckoutBody>('POST', '/v1/orders', { token: buyer.accessToken, body, headers: { 'Idempotency-Key': key } });
  }

  /** The order's status once the reservation process has answered it (or whatever `until` waits for). */
  async orderStatus(orderId: string, until: (status: string) => boolean = (s) => s !== 'pending'): Promise<string> {
    return eventually(`order ${orderId} to move on`, async () => {
      const { state } = await this.t.market.order.orders.loadOrder(orderId);
      return state.status !== 'none' && until(state.status) ? state.status : null;
    });
  }

  /** The product's stock per SKU as its aggregate has it. */
  async stock(productId: string): Promise<Record<string, { onHand: number; reserved: number }>> {
    const { state } = await this.t.market.product.products.load(productId);
    if (state.status === 'none') throw new Error(`no product ${productId}`);
    return state.stock;
  }
}

export interface CheckoutBody {
  id: string;
  checkoutId: string;
  position: string;
  paymentMethod: string;
  paymentDueBy: string;
  orders: Array<{
    orderId: string;
    shopId: string;
    shopName: string;
    lines: Array<{ productId: string; sku: string; title: string; quantity: number; unitPrice: { amount: number }; lineTotal: { amount: number } }>;
    itemsTotal: { amount: number; currency: string };
    shippingFee: { amount: number; currency: string };
    total: { amount: number; currency: string };
  }>;
  itemsTotal: { amount: number; currency: string };
  shippingFee: { amount: number; currency: string };
  total: { amount: number; currency: string };
}
