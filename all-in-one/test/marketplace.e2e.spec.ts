/**
 * End to end through the running all-in-one process on its embedded default (what `npm start`
 * runs): the first admin from the `admin:create` CLI, a seller registers, logs in and submits KYC,
 * the admin approves, and the query API shows it with read-your-writes; a buyer fills a cart from
 * two shops and checks out, and every party sees the orders that are theirs; data survives a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const TS = ['-r', '@swc-node/register'];

function env(dataDir: string, port: number): NodeJS.ProcessEnv {
  return { ...process.env, BDBAZAR_DATA_DIR: dataDir, PORT: String(port), BDBAZAR_BCRYPT_COST: '6', LOG_LEVEL: 'warn', SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json') };
}

function run(script: string, args: string[], environment: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TS, join(ROOT, script), ...args], { env: environment, cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startProcess(dataDir: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [...TS, join(ROOT, 'all-in-one/src/main.ts')], { env: env(dataDir, port), cwd: ROOT });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bdbazar exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false);
    if (ready) return { child, output: () => output };
    if (Date.now() > deadline) throw new Error(`bdbazar did not get ready:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stopProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('the marketplace process', () => {
  let dataDir: string;
  let port: number;
  let running: { child: ChildProcess; output: () => string } | undefined;
  let jamdani: { productId: string; shopId: string } | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bdbazar-e2e-'));
    port = await freePort();
  });
  afterAll(async () => {
    if (running) await stopProcess(running.child);
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = async <T = Record<string, unknown>>(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { ...(options.body ? { 'content-type': 'application/json' } : {}), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
      body: options.body ? JSON.stringify(options.body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  it('creates the first admin from the CLI, before the marketplace starts', async () => {
    const created = await run('command-services/account/src/adminCli.ts', ['--email', 'Admin@BdBazar.test', '--password', 'an admin password'], env(dataDir, port));
    expect(created).toEqual({ code: 0, output: expect.stringMatching(/^Created the admin admin@bdbazar\.test \(account [0-9a-f-]{36}\)\./) });
    const refused = await run('command-services/account/src/adminCli.ts', ['--email', 'admin@bdbazar.test'], env(dataDir, port));
    expect(refused).toEqual({ code: 2, output: expect.stringContaining('usage: npm run admin:create') });
  }, 60_000);

  it('takes a seller from registration to approval, and shows it with read-your-writes', async () => {
    running = await startProcess(dataDir, port);
    expect((await fetch(`http://127.0.0.1:${port}/docs/`)).status).toBe(200);

    const registered = await call<{ id: string }>('POST', '/v1/auth/register', { body: { email: 'rupa@example.com.bd', password: 'a good password', name: 'রূপা বুটিক', phone: '+8801911000000', role: 'seller' } });
    expect(registered.status).toBe(201);
    const seller = await call<{ accessToken: string; accountId: string }>('POST', '/v1/auth/login', { body: { email: 'rupa@example.com.bd', password: 'a good password' } });
    expect(seller.status).toBe(200);
    const kyc = await call('POST', `/v1/vendors/${seller.body.accountId}/kyc`, {
      token: seller.body.accessToken,
      body: { nationalIdNumber: '19901234567890123', tradeLicenceNumber: 'TRAD/CTG/4455/2026', documents: [{ kind: 'national_id_front', reference: 'kyc/rupa-nid.jpg' }] },
    });
    expect(kyc.status).toBe(200);

    const admin = await call<{ accessToken: string }>('POST', '/v1/auth/login', { body: { email: 'admin@bdbazar.test', password: 'an admin password' } });
    expect(admin.status).toBe(200);
    expect((await call('PUT', `/v1/admin/kyc/${seller.body.accountId}/approve`, { token: admin.body.accessToken })).status).toBe(200);
    const approved = await call<{ position: string }>('PUT', `/v1/vendors/${seller.body.accountId}/approve`, { token: admin.body.accessToken });
    expect(approved.status).toBe(200);

    const profile = await call('GET', `/v1/users/${seller.body.accountId}`, { token: seller.body.accessToken, headers: { 'X-Consistent-After': approved.body.position } });
    expect(profile).toEqual({ status: 200, body: expect.objectContaining({ name: 'রূপা বুটিক', sellerApproved: true, kyc: { status: 'approved', reason: null } }) });
    const listed = await call<{ items: Array<{ id: string; sellerApproved: boolean }> }>('GET', '/v1/admin/users?role=seller', { token: admin.body.accessToken, headers: { 'X-Consistent-After': approved.body.position } });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: seller.body.accountId, sellerApproved: true })]);
  }, 120_000);

  it('takes a product from a new shop to the storefront search, in Bangla and in English', async () => {
    const admin = await call<{ accessToken: string }>('POST', '/v1/auth/login', { body: { email: 'admin@bdbazar.test', password: 'an admin password' } });
    const seller = await call<{ accessToken: string; accountId: string }>('POST', '/v1/auth/login', { body: { email: 'rupa@example.com.bd', password: 'a good password' } });
    const shop = await call<{ id: string }>('POST', '/v1/shops', {
      token: seller.body.accessToken,
      body: {
        name: 'Rupa Boutique',
        contact: { phone: '+8801911000000', email: 'shop@rupa.com.bd' },
        location: { division: 'Dhaka', district: 'Dhaka', addressLine: 'Bashundhara City, Level 4' },
        pickupAddress: { label: 'Warehouse', recipient: 'Rupa', phone: '+8801911000000', division: 'Dhaka', district: 'Dhaka', line1: 'House 7, Road 3, Bashundhara R/A' },
      },
    });
    expect(shop.status).toBe(201);
    expect((await call('PUT', `/v1/admin/shops/${shop.body.id}/approve`, { token: admin.body.accessToken })).status).toBe(200);
    const category = await call<{ id: string }>('POST', '/v1/admin/categories', { token: admin.body.accessToken, body: { name: 'Saree' } });
    expect(category.status).toBe(201);

    const product = {
      shopId: shop.body.id,
      title: 'জামদানি শাড়ি, hand-woven cotton',
      categoryId: category.body.id,
      brand: 'Rupa',
      images: ['https://cdn.example.com/jamdani.jpg'],
      variants: [{ sku: 'JAM-RED', options: { colour: 'Red' }, price: { amount: 185000, currency: 'BDT' }, stock: 4 }],
      publish: true,
    };
    // The product service learns of the new shop from its integration events, a moment after it opened.
    let listed = await call<{ id: string; position: string }>('POST', '/v1/products', { token: seller.body.accessToken, body: product });
    for (let i = 0; listed.status === 404 && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      listed = await call<{ id: string; position: string }>('POST', '/v1/products', { token: seller.body.accessToken, body: product });
    }
    expect(listed.status).toBe(201);

    const after = { 'X-Consistent-After': listed.body.position };
    for (const q of ['শাড়ি', 'cottons', 'জামদানি cotton']) {
      const found = await call<{ items: Array<{ id: string }> }>('GET', `/v1/products?q=${encodeURIComponent(q)}`, { headers: after });
      expect({ q, status: found.status, ids: found.body.items.map((p) => p.id) }).toEqual({ q, status: 200, ids: [listed.body.id] });
    }
    const page = await call<{ title: string; variants: Array<{ sku: string; available: number }> }>('GET', `/v1/products/${listed.body.id}`, { headers: after });
    expect(page).toEqual({ status: 200, body: expect.objectContaining({ title: product.title, variants: [expect.objectContaining({ sku: 'JAM-RED', available: 4 })] }) });
    jamdani = { productId: listed.body.id, shopId: shop.body.id };
  }, 120_000);

  /** Sends a request until it is no longer a 404: the services learn of new shops, products and addresses a moment later. */
  const once404Passes = async <T>(send: () => Promise<{ status: number; body: T }>) => {
    let answer = await send();
    for (let i = 0; answer.status === 404 && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await send();
    }
    return answer;
  };

  it('takes a cart from two shops through checkout to an order per shop, each seen by its buyer and its seller only', async () => {
    const admin = await call<{ accessToken: string }>('POST', '/v1/auth/login', { body: { email: 'admin@bdbazar.test', password: 'an admin password' } });
    const rupa = await call<{ accessToken: string; accountId: string }>('POST', '/v1/auth/login', { body: { email: 'rupa@example.com.bd', password: 'a good password' } });
    // A second seller with a shop in Chattogram and one product.
    await call('POST', '/v1/auth/register', { body: { email: 'karim@example.com.bd', password: 'a good password', name: 'Karim Traders', role: 'seller' } });
    const karim = await call<{ accessToken: string; accountId: string }>('POST', '/v1/auth/login', { body: { email: 'karim@example.com.bd', password: 'a good password' } });
    await call('POST', `/v1/vendors/${karim.body.accountId}/kyc`, {
      token: karim.body.accessToken,
      body: { nationalIdNumber: '19851234567890123', tradeLicenceNumber: 'TRAD/CTG/9911/2026', documents: [{ kind: 'trade_licence', reference: 'kyc/karim.pdf' }] },
    });
    expect((await call('PUT', `/v1/admin/kyc/${karim.body.accountId}/approve`, { token: admin.body.accessToken })).status).toBe(200);
    expect((await call('PUT', `/v1/vendors/${karim.body.accountId}/approve`, { token: admin.body.accessToken })).status).toBe(200);
    const karimAgain = await call<{ accessToken: string }>('POST', '/v1/auth/login', { body: { email: 'karim@example.com.bd', password: 'a good password' } });
    const shop = await call<{ id: string }>('POST', '/v1/shops', {
      token: karimAgain.body.accessToken,
      body: {
        name: 'Karim Traders',
        contact: { phone: '+8801811000000', email: 'shop@karim.com.bd' },
        location: { division: 'Chattogram', district: 'Chattogram', addressLine: 'GEC Circle' },
        pickupAddress: { label: 'Shop', recipient: 'Karim', phone: '+8801811000000', division: 'Chattogram', district: 'Chattogram', line1: 'GEC Circle' },
      },
    });
    expect((await call('PUT', `/v1/admin/shops/${shop.body.id}/approve`, { token: admin.body.accessToken })).status).toBe(200);
    const category = await call<{ id: string }>('POST', '/v1/admin/categories', { token: admin.body.accessToken, body: { name: 'Tea' } });
    const tea = await once404Passes(() =>
      call<{ id: string }>('POST', '/v1/products', {
        token: karimAgain.body.accessToken,
        body: { shopId: shop.body.id, title: 'Sylhet green tea 200 g', categoryId: category.body.id, images: [], variants: [{ sku: 'TEA-200', options: {}, price: { amount: 45000, currency: 'BDT' }, weightGrams: 250, stock: 30 }], publish: true },
      }),
    );
    expect(tea.status).toBe(201);

    // A buyer with an address fills a cart from both shops and checks out, cash on delivery.
    await call('POST', '/v1/auth/register', { body: { email: 'nila@example.com.bd', password: 'a good password', name: 'Nila', role: 'buyer' } });
    const buyer = await call<{ accessToken: string; accountId: string }>('POST', '/v1/auth/login', { body: { email: 'nila@example.com.bd', password: 'a good password' } });
    const token = buyer.body.accessToken;
    const address = await fetch(`http://127.0.0.1:${port}/v1/users/${buyer.body.accountId}/addresses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ label: 'Home', recipient: 'Nila', phone: '+8801711000000', division: 'Dhaka', district: 'Dhaka', line1: 'House 3, Road 2, Mirpur' }),
    });
    expect(address.status).toBe(201);
    const addressId = address.headers.get('location')!.split('/').pop()!;
    expect((await once404Passes(() => call('POST', '/v1/cart/items', { token, body: { productId: jamdani!.productId, sku: 'JAM-RED', quantity: 2 } }))).status).toBe(201);
    expect((await once404Passes(() => call('POST', '/v1/cart/items', { token, body: { productId: tea.body.id, sku: 'TEA-200', quantity: 3 } }))).status).toBe(201);
    const checkout = await once404Passes(() =>
      call<{ checkoutId: string; position: string; orders: Array<{ orderId: string; shopId: string; total: { amount: number } }> }>('POST', '/v1/orders', {
        token,
        body: { addressId, paymentMethod: 'cash_on_delivery' },
        headers: { 'Idempotency-Key': 'nila-first-checkout' },
      }),
    );
    expect(checkout.status).toBe(201);
    expect(checkout.body.orders.map((o) => o.shopId)).toEqual([jamdani!.shopId, shop.body.id]);
    const after = { 'X-Consistent-After': checkout.body.position };

    const history = await call<{ items: Array<{ id: string; status: string }> }>('GET', `/v1/users/${buyer.body.accountId}/orders`, { token, headers: after });
    expect(history.status).toBe(200);
    expect(history.body.items.map((o) => o.id).sort()).toEqual(checkout.body.orders.map((o) => o.orderId).sort());
    const summary = await call<{ orders: Array<{ orderId: string }>; total: { amount: number } }>('GET', `/v1/checkouts/${checkout.body.checkoutId}`, { token, headers: after });
    expect(summary.body.total.amount).toBe(checkout.body.orders.reduce((sum, o) => sum + o.total.amount, 0));

    const rupasOrders = await call<{ items: Array<{ id: string }> }>('GET', `/v1/vendors/${rupa.body.accountId}/orders`, { token: rupa.body.accessToken, headers: after });
    const karimsOrders = await call<{ items: Array<{ id: string }> }>('GET', `/v1/vendors/${karim.body.accountId}/orders`, { token: karimAgain.body.accessToken, headers: after });
    expect(rupasOrders.body.items.map((o) => o.id)).toEqual([checkout.body.orders[0]!.orderId]);
    expect(karimsOrders.body.items.map((o) => o.id)).toEqual([checkout.body.orders[1]!.orderId]);
    expect((await call('GET', `/v1/orders/${checkout.body.orders[1]!.orderId}`, { token: rupa.body.accessToken })).status).toBe(404);
    expect((await call('GET', `/v1/vendors/${karim.body.accountId}/orders`, { token: rupa.body.accessToken })).status).toBe(403);

    // Cash on delivery: each order is confirmed once its stock is held.
    for (const { orderId } of checkout.body.orders) {
      let order = await call<{ status: string }>('GET', `/v1/orders/${orderId}`, { token });
      for (let i = 0; order.body.status === 'pending' && i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        order = await call<{ status: string }>('GET', `/v1/orders/${orderId}`, { token });
      }
      expect(order.body.status).toBe('confirmed');
    }
  }, 120_000);

  it('refuses a second process on the same data folder, naming the first', async () => {
    const refused = await run('command-services/account/src/adminCli.ts', ['--email', 'second@bdbazar.test', '--password', 'an admin password'], env(dataDir, port));
    expect(refused.code).toBe(2);
    expect(refused.output).toMatch(/is in use by process \d+ \(npm start\)\. Stop it first/);
  }, 60_000);

  it('stops gracefully on SIGTERM and keeps everything across a restart', async () => {
    expect(await stopProcess(running!.child)).toBe(0);
    running = await startProcess(dataDir, port);
    const seller = await call<{ accessToken: string; accountId: string }>('POST', '/v1/auth/login', { body: { email: 'rupa@example.com.bd', password: 'a good password' } });
    expect(seller.status).toBe(200);
    const vendor = await call('GET', `/v1/vendors/${seller.body.accountId}`);
    expect(vendor).toEqual({ status: 200, body: expect.objectContaining({ name: 'রূপা বুটিক', approved: true }) });
    const found = await call<{ items: Array<{ title: string }> }>('GET', `/v1/products?q=${encodeURIComponent('শাড়ি')}`);
    expect(found.body.items.map((p) => p.title)).toEqual(['জামদানি শাড়ি, hand-woven cotton']);
  }, 120_000);
});
