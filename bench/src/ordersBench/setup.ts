/**
 * The orders bench's set-up, over HTTP as people do it (the admin and the sellers' shops as the
 * catalogue bench makes them): published products with plenty of stock in every shop, and buyers
 * with an address each, signed in. Then it waits until the order service's copies (fed by the
 * other services' integration events) sell every variant and know every address, so that no
 * checkout is refused for something the order service has not heard of yet.
 */
import type { RunningMarketplace } from '@bdbazar/all-in-one';
import { approvedSellers, createAdmin, openShops, signIn, waitUntilShopsActive, type Account, type SeededShop } from '../catalogBench/setup';
import { DIVISIONS } from '../catalogBench/catalogData';
import { random } from '../catalogBench/random';
import { runCount, sleep } from '../eventStoreBench/measure';
import { call } from '../httpBench/workloads';

/** A variant a checkout can order. */
export interface Variant {
  productId: string;
  sku: string;
  shopId: string;
}

export interface Buyer extends Account {
  addressId: string;
}

export interface OrdersSetup {
  admin: Account;
  sellers: Account[];
  shops: SeededShop[];
  /** Every variant, by shop. */
  variantsByShop: Map<string, Variant[]>;
  variants: Variant[];
  buyers: Buyer[];
  /** How long each step took, ms. */
  ms: Record<string, number>;
}

export interface SetupOptions {
  seed: number;
  sellers: number;
  shopsPerSeller: number;
  productsPerShop: number;
  stockPerVariant: number;
  buyers: number;
  password: string;
  concurrency: number;
  /** How long the order service may take to hear of everything. */
  copiesTimeoutMs: number;
}

const NOUNS = ['Cotton panjabi', 'Jamdani saree', 'Leather sandals', 'Nakshi kantha', 'Hilsa curry masala', 'Power bank', 'Earbuds', 'Ceramic mug', 'Rice cooker', 'School bag'];
const SIZES = ['S', 'M', 'L', 'XL'];

type Answer = Awaited<ReturnType<typeof call>>;

function expectStatus(answer: Answer, status: number, what: string): Record<string, unknown> {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
  return answer.body;
}

/** POST /v1/users/{id}/addresses answers the new address's id only in its Location header. */
async function addAddress(url: string, buyer: Account, division: string): Promise<string> {
  const response = await fetch(`${url}/v1/users/${buyer.id}/addresses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${buyer.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ label: 'Home', recipient: 'Rahim Uddin', phone: '+8801711000000', division, district: division, area: 'Sadar', line1: 'House 12, Road 5', postcode: '1205', makeDefault: true }),
  });
  const text = await response.text();
  const location = response.headers.get('location');
  if (response.status !== 201 || !location) throw new Error(`adding an address for ${buyer.email}: ${response.status} ${text.slice(0, 300)}`);
  return location.split('/').pop() as string;
}

/** Polls `probe` until it holds for every item (in order; most are ready by the time they are asked). */
async function waitForEach<T>(what: string, items: readonly T[], probe: (item: T) => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (const item of items) {
    while (!(await probe(item).catch(() => false))) {
      if (performance.now() > deadline) throw new Error(`the order service still does not know ${what} ${JSON.stringify(item)} after ${timeoutMs / 1000} s`);
      await sleep(20);
    }
  }
}

export async function setUpOrders(marketplace: RunningMarketplace, url: string, options: SetupOptions, progress: (message: string) => void): Promise<OrdersSetup> {
  const ms: Record<string, number> = {};
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const began = performance.now();
    const result = await work();
    ms[name] = performance.now() - began;
    return result;
  };
  const r = random(options.seed, 0x0dde5);

  const admin = await step('admin', () => createAdmin(marketplace, url, options.password));
  const sellers = await step('sellers', () => approvedSellers(url, admin, options.sellers, options.password, options.concurrency));
  const shops = await step('shops', () => openShops(url, admin, sellers, options.shopsPerSeller, options.concurrency));
  await step('shopsKnown', () =>
    waitUntilShopsActive(
      marketplace,
      shops.map((shop) => shop.id),
      options.copiesTimeoutMs,
    ),
  );
  progress(`${sellers.length} approved sellers, ${shops.length} shops the product service knows (${Math.round((ms['sellers'] ?? 0) + (ms['shops'] ?? 0) + (ms['shopsKnown'] ?? 0))} ms)`);

  const categoryId = String(expectStatus(await call(url, 'POST', '/v1/admin/categories', admin.accessToken, { name: 'Bench goods', slug: 'bench-goods', parentId: null }), 201, 'creating the category')['id']);
  const products = shops.flatMap((shop, s) =>
    Array.from({ length: options.productsPerShop }, (_, p) => {
      const number = s * options.productsPerShop + p;
      const price = 100 * r.int(150, 5_000); // ৳150 to ৳5,000, whole taka
      const variants = SIZES.slice(0, r.int(1, 3)).map((size, v) => ({
        sku: `ORD-${number.toString(36).toUpperCase()}-${size}`,
        options: { size },
        price: { amount: price + v * 5_000, currency: 'BDT' },
        weightGrams: r.int(100, 2_500),
        stock: options.stockPerVariant,
      }));
      return { shop, body: { shopId: shop.id, title: `${r.pick(NOUNS)} ${number + 1}`, description: 'For the orders bench.', categoryId, images: [`https://cdn.bdbazar.com.bd/bench/orders/${number + 1}.jpg`], attributes: {}, variants, publish: true } };
    }),
  );
  const variants: Variant[] = [];
  await step('products', () =>
    runCount(products.length, options.concurrency, async (index) => {
      const { shop, body } = products[index] as (typeof products)[number];
      const listed = expectStatus(await call(url, 'POST', '/v1/products', (sellers[shop.owner] as Account).accessToken, body), 201, `listing ${body.title}`);
      for (const variant of body.variants) variants.push({ productId: String(listed['id']), sku: variant.sku, shopId: shop.id });
    }),
  );
  progress(`${products.length} published products, ${variants.length} variants with ${options.stockPerVariant.toLocaleString('en-US')} each in stock (${Math.round(ms['products'] ?? 0)} ms)`);

  const buyers: Buyer[] = new Array<Buyer>(options.buyers);
  await step('buyers', () =>
    runCount(options.buyers, options.concurrency, async (index) => {
      const email = `buyer${index + 1}@bench.bdbazar.com.bd`;
      expectStatus(await call(url, 'POST', '/v1/auth/register', null, { email, password: options.password, name: `Bench Buyer ${index + 1}`, role: 'buyer' }), 201, `registering ${email}`);
      const buyer = await signIn(url, email, options.password);
      buyers[index] = { ...buyer, addressId: await addAddress(url, buyer, DIVISIONS[index % DIVISIONS.length] as string) };
    }),
  );
  progress(`${buyers.length} buyers signed in, an address each (${Math.round(ms['buyers'] ?? 0)} ms)`);

  await step('copiesKnown', async () => {
    await waitForEach('the variant', variants, async (v) => (await marketplace.order.catalog.variant(v.productId, v.sku)).notOnSale === null, options.copiesTimeoutMs);
    await waitForEach('the address', buyers, async (b) => Boolean(await marketplace.order.addressBooks.shippingAddress(b.id, b.addressId)), options.copiesTimeoutMs);
  });
  progress(`the order service sells every variant and knows every address (${Math.round(ms['copiesKnown'] ?? 0)} ms more)`);

  const variantsByShop = new Map<string, Variant[]>();
  for (const variant of variants) variantsByShop.set(variant.shopId, [...(variantsByShop.get(variant.shopId) ?? []), variant]);
  // The order of listing depends on which request finished first; sort for the same checkouts every run.
  for (const list of variantsByShop.values()) list.sort((a, b) => a.sku.localeCompare(b.sku));
  variants.sort((a, b) => a.sku.localeCompare(b.sku));
  return { admin, sellers, shops, variantsByShop, variants, buyers, ms };
}
