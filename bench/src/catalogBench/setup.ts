/**
 * The catalogue bench's set-up, over HTTP as people do it (an admin only from the module, as the
 * admin:create CLI does): approved sellers, their shops approved and known to the product service,
 * and the category tree. Not measured, beyond how long it took.
 */
import type { RunningMarketplace } from '@bdbazar/all-in-one';
import { runCount, sleep } from '../eventStoreBench/measure';
import { call } from '../httpBench/workloads';
import { CATEGORY_TREE, DIVISIONS, type CategoryIds } from './catalogData';

export interface Account {
  id: string;
  email: string;
  accessToken: string;
}

export interface SeededShop {
  id: string;
  /** Index into the sellers. */
  owner: number;
}

const KYC = { nationalIdNumber: '1990123456789', tradeLicenceNumber: 'TRAD/DNCC/123456/2026', documents: [{ kind: 'trade_licence', reference: 'kyc/licence.pdf' }] };
const SHOP_KINDS = ['Bazar', 'Fashion House', 'Gadget Point', 'Mart', 'Store', 'Emporium', 'Collection', 'Corner', 'Traders', 'Outlet'];

type Answer = Awaited<ReturnType<typeof call>>;

function expectStatus(answer: Answer, status: number, what: string): Record<string, unknown> {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
  return answer.body;
}

export async function signIn(url: string, email: string, password: string): Promise<Account> {
  const body = expectStatus(await call(url, 'POST', '/v1/auth/login', null, { email, password }), 200, `login ${email}`);
  return { id: String(body['accountId']), email, accessToken: String(body['accessToken']) };
}

export async function createAdmin(marketplace: RunningMarketplace, url: string, password: string): Promise<Account> {
  const email = 'admin@bench.bdbazar.com.bd';
  const context = { correlationId: 'bench', causationId: 'bench', actor: { id: 'bench', role: 'system' as const } };
  await marketplace.account.service.createAdmin({ email, password, name: 'Bench Admin' }, context);
  return signIn(url, email, password);
}

/** Sellers registered, KYC submitted and approved, approved as vendors; signed in afterwards, so that their tokens carry the approval. */
export async function approvedSellers(url: string, admin: Account, count: number, password: string, concurrency: number): Promise<Account[]> {
  const sellers: Account[] = new Array<Account>(count);
  await runCount(count, concurrency, async (index) => {
    const email = `seller${index + 1}@bench.bdbazar.com.bd`;
    const registered = expectStatus(
      await call(url, 'POST', '/v1/auth/register', null, { email, password, name: `Bench Seller ${index + 1}`, role: 'seller' }),
      201,
      `registering ${email}`,
    );
    const id = String(registered['id']);
    const first = await signIn(url, email, password);
    expectStatus(await call(url, 'POST', `/v1/vendors/${id}/kyc`, first.accessToken, KYC), 200, `KYC of ${email}`);
    expectStatus(await call(url, 'PUT', `/v1/admin/kyc/${id}/approve`, admin.accessToken), 200, `approving the KYC of ${email}`);
    expectStatus(await call(url, 'PUT', `/v1/vendors/${id}/approve`, admin.accessToken), 200, `approving ${email}`);
    sellers[index] = await signIn(url, email, password);
  });
  return sellers;
}

/** Fresh tokens for the sellers (an access token lasts 15 minutes; seeding may start later than that). */
export async function signInAgain(url: string, sellers: readonly Account[], password: string, concurrency: number): Promise<Account[]> {
  const fresh: Account[] = new Array<Account>(sellers.length);
  await runCount(sellers.length, concurrency, async (index) => {
    fresh[index] = await signIn(url, (sellers[index] as Account).email, password);
  });
  return fresh;
}

function shopBody(number: number) {
  const division = DIVISIONS[number % DIVISIONS.length] as string;
  return {
    name: `${division} ${SHOP_KINDS[Math.floor(number / DIVISIONS.length) % SHOP_KINDS.length]} ${number + 1}`,
    description: 'Sarees, panjabis, gadgets and groceries, delivered across Bangladesh.',
    branding: { logoUrl: 'https://cdn.bdbazar.com.bd/bench/logo.png', bannerUrl: null },
    contact: { phone: '+8801811000000', email: `shop${number + 1}@bench.bdbazar.com.bd` },
    location: { division, district: division, addressLine: `Shop ${number + 1}, New Market` },
    pickupAddress: { label: 'Warehouse', recipient: 'Mim Akter', phone: '+8801811000000', division, district: division, line1: `House ${number + 1}, Road 3` },
  };
}

/** `perSeller` shops for each seller, each approved by the admin. */
export async function openShops(url: string, admin: Account, sellers: readonly Account[], perSeller: number, concurrency: number): Promise<SeededShop[]> {
  const shops: SeededShop[] = new Array<SeededShop>(sellers.length * perSeller);
  await runCount(shops.length, concurrency, async (number) => {
    const owner = Math.floor(number / perSeller);
    const opened = expectStatus(await call(url, 'POST', '/v1/shops', (sellers[owner] as Account).accessToken, shopBody(number)), 201, `opening shop ${number + 1}`);
    const id = String(opened['id']);
    expectStatus(await call(url, 'PUT', `/v1/admin/shops/${id}/approve`, admin.accessToken), 200, `approving shop ${number + 1}`);
    shops[number] = { id, owner };
  });
  return shops;
}

/** Waits until the product service's copy of the shops (kept from integration events) has every one of them active. */
export async function waitUntilShopsActive(marketplace: RunningMarketplace, shopIds: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (const shopId of shopIds) {
    for (;;) {
      const status = await marketplace.product.shops.get(shopId).then(
        (shop) => shop.status,
        () => 'unknown',
      );
      if (status === 'active') break;
      if (performance.now() > deadline) throw new Error(`the product service still has shop ${shopId} as ${status} after ${timeoutMs / 1000} s`);
      await sleep(20);
    }
  }
}

/** The tree of CATEGORY_TREE, one request at a time (the tree is one stream). */
export async function createCategories(url: string, admin: Account): Promise<CategoryIds> {
  const create = async (name: string, slug: string, parentId: string | null): Promise<string> =>
    String(expectStatus(await call(url, 'POST', '/v1/admin/categories', admin.accessToken, { name, slug, parentId }), 201, `creating the category ${name}`)['id']);
  const ids: CategoryIds = { roots: [], leaves: [] };
  for (const root of CATEGORY_TREE) {
    const rootId = await create(root.name, root.slug, null);
    const leaves: string[] = [];
    for (const leaf of root.leaves) leaves.push(await create(leaf.name, leaf.slug, rootId));
    ids.roots.push(rootId);
    ids.leaves.push(leaves);
  }
  return ids;
}
