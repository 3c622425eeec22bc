/**
 * The shop service and the shop read routes over HTTP, against the real PostgreSQL: every route,
 * every role, every refusal; bad input never gives a 500 nor writes anything.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describeWithServer, requireServerUrl } from '../../test/servers';
import type { Actor, Answer } from './marketplaceHarness';
import { TestMarketplace } from './marketplaceHarness';

const PROBLEM = 'application/problem+json';

interface Command {
  id: string;
  revision: number;
  position: string;
}

interface ShopView {
  id: string;
  ownerId: string;
  name: string;
  slug: string;
  status: string;
  suspendedReason?: string | null;
  pickupAddress?: Record<string, unknown>;
  branding: { logoUrl: string | null; bannerUrl: string | null };
  revision: number;
}

interface ShopPage {
  items: Array<{ id: string; name: string; slug: string; status: string; division: string }>;
  nextCursor: string | null;
}

const tag = () => randomBytes(3).toString('hex');

const shopBody = (name: string, overrides: Record<string, unknown> = {}) => ({
  name,
  description: 'Saris, salwar kameez and panjabis.',
  branding: { logoUrl: 'https://cdn.bdbazar.com.bd/logo.png', bannerUrl: null },
  contact: { phone: '+8801811000000', email: 'hello@shop.com.bd' },
  location: { division: 'Dhaka', district: 'Dhaka', addressLine: 'Bashundhara City, Level 4' },
  pickupAddress: { label: 'Warehouse', recipient: 'Mim Akter', phone: '+8801811000000', division: 'Dhaka', district: 'Dhaka', line1: 'House 7, Road 3, Bashundhara R/A' },
  ...overrides,
});

describeWithServer('postgres', 'the shops API', () => {
  let t: TestMarketplace;
  let admin: Actor;
  let seller: Actor;
  let other: Actor;
  let buyer: Actor;
  let unapproved: Actor;

  beforeAll(async () => {
    t = await TestMarketplace.start(requireServerUrl('postgres'));
    admin = await t.createAdmin();
    [seller, other, buyer, unapproved] = await Promise.all([t.approvedSeller(admin), t.approvedSeller(admin), t.register('buyer'), t.register('seller')]);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  const expectProblem = (answer: Answer<unknown>, status: number) => {
    expect({ status: answer.status, type: answer.headers.get('content-type')?.split(';')[0] }).toEqual({ status, type: PROBLEM });
    expect(answer.body).toEqual(expect.objectContaining({ status, title: expect.any(String), detail: expect.any(String) }));
  };
  const open = async (owner: Actor, name: string, overrides: Record<string, unknown> = {}) => {
    const answer = await t.call<Command>('POST', '/v1/shops', { token: owner.accessToken, body: shopBody(name, overrides) });
    if (answer.status !== 201) throw new Error(`open ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const asAdmin = (what: 'approve' | 'suspend' | 'reinstate', id: string, body?: unknown) => t.call<Command>('PUT', `/v1/admin/shops/${id}/${what}`, { token: admin.accessToken, body });
  const read = (id: string, token: string | undefined, after: string) => t.call<ShopView>('GET', `/v1/shops/${id}`, { token, headers: { 'X-Consistent-After': after } });

  describe('opening a shop', () => {
    it('lets an approved seller open a shop: 201, Location, ETag, pending until approved', async () => {
      const name = `Mim Fashion ${tag()}`;
      const answer = await t.call<Command>('POST', '/v1/shops', { token: seller.accessToken, body: shopBody(name) });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ id: expect.any(String), revision: 0, position: expect.stringMatching(/^\d{20}\/\d{20}$/) });
      expect(answer.headers.get('location')).toBe(`/v1/shops/${answer.body.id}`);
      expect(answer.headers.get('etag')).toBe('"0"');

      const mine = await read(answer.body.id, seller.accessToken, answer.body.position);
      expect(mine.status).toBe(200);
      expect(mine.headers.get('etag')).toBe('"0"');
      expect(mine.body).toEqual(
        expect.objectContaining({
          id: answer.body.id,
          ownerId: seller.id,
          name,
          slug: name.toLowerCase().replace(/ /g, '-'),
          status: 'pending',
          suspendedReason: null,
          pickupAddress: { label: 'Warehouse', recipient: 'Mim Akter', phone: '+8801811000000', division: 'Dhaka', district: 'Dhaka', area: null, line1: 'House 7, Road 3, Bashundhara R/A', line2: null, postcode: null },
          location: { division: 'Dhaka', district: 'Dhaka', addressLine: 'Bashundhara City, Level 4' },
        }),
      );
    });

    it.each([
      ['anonymous', () => undefined, 401, /needs an access token/],
      ['a buyer', () => buyer.accessToken, 403, /Only seller accounts may do this; yours is a buyer account/],
      ['a seller not yet approved', () => unapproved.accessToken, 403, /has not been approved yet/],
      ['an admin (shops belong to sellers)', () => admin.accessToken, 403, /Only seller accounts/],
    ])('refuses %s, writing nothing', async (_who, token, status, detail) => {
      const before = await t.head();
      const answer = await t.call<{ detail: string }>('POST', '/v1/shops', { token: token(), body: shopBody(`Refused ${tag()}`) });
      expectProblem(answer, status);
      expect(answer.body.detail).toMatch(detail);
      expect(await t.head()).toBe(before);
    });

    it('refuses a second shop whose name gives the same slug, in any case and spacing, with 409', async () => {
      const name = `Rupa Boutique ${tag()}`;
      await open(seller, name);
      const before = await t.head();
      const again = await t.call<{ detail: string }>('POST', '/v1/shops', { token: other.accessToken, body: shopBody(`  ${name.toUpperCase().replace(/ /g, '   ')} `) });
      expectProblem(again, 409);
      expect(again.body.detail).toMatch(/Another shop already has this name/);
      expect(await t.head()).toBe(before);
    });

    it('opens two shops of one Bangla name, each with a slug of its own', async () => {
      const first = await open(seller, 'মিম ফ্যাশন');
      const second = await open(other, 'মিম ফ্যাশন');
      const a = await read(first.id, seller.accessToken, second.position);
      const b = await read(second.id, other.accessToken, second.position);
      expect(a.body.slug).toMatch(/^shop-[0-9a-f]{12}$/);
      expect(b.body.slug).toMatch(/^shop-[0-9a-f]{12}$/);
      expect(a.body.slug).not.toBe(b.body.slug);
    });

    it('replays an opening retried with its Idempotency-Key, and refuses the key with another body', async () => {
      const key = randomUUID();
      const body = shopBody(`Idem Shop ${tag()}`);
      const first = await t.call<Command>('POST', '/v1/shops', { token: seller.accessToken, body, headers: { 'Idempotency-Key': key } });
      const again = await t.call<Command>('POST', '/v1/shops', { token: seller.accessToken, body, headers: { 'Idempotency-Key': key } });
      expect(first.status).toBe(201);
      expect(again).toEqual(expect.objectContaining({ status: 201, body: first.body }));
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expectProblem(await t.call('POST', '/v1/shops', { token: seller.accessToken, body: { ...body, description: 'Other' }, headers: { 'Idempotency-Key': key } }), 422);
    });
  });

  describe('changing a shop', () => {
    it('lets the owner change it, honouring If-Match: the current revision passes, a stale one is a 412', async () => {
      const { id } = await open(seller, `Karim Books ${tag()}`);
      const name = `Karim Books Chattogram ${tag()}`;
      const body = shopBody(name, { location: { division: 'Chattogram', district: 'Chattogram', addressLine: 'GEC Circle' } });
      const changed = await t.call<Command>('PUT', `/v1/shops/${id}`, { token: seller.accessToken, body, headers: { 'If-Match': '"0"' } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).toBe('"1"');

      const before = await t.head();
      const stale = await t.call<{ detail: string }>('PUT', `/v1/shops/${id}`, { token: seller.accessToken, body: shopBody(`Stale ${tag()}`), headers: { 'If-Match': '"0"' } });
      expectProblem(stale, 412);
      expect(stale.body.detail).toMatch(/has changed since you read it/);
      expect(await t.head()).toBe(before);

      const shop = await read(id, seller.accessToken, changed.body.position);
      expect(shop.body).toEqual(expect.objectContaining({ name, location: { division: 'Chattogram', district: 'Chattogram', addressLine: 'GEC Circle' }, revision: 1 }));
    });

    it('moves the name: the old one is free for another shop, the new one taken', async () => {
      const oldName = `Nila Crafts ${tag()}`;
      const newName = `Nila Handicrafts ${tag()}`;
      const { id } = await open(seller, oldName);
      expect((await t.call('PUT', `/v1/shops/${id}`, { token: seller.accessToken, body: shopBody(newName) })).status).toBe(200);
      expect((await t.call('POST', '/v1/shops', { token: other.accessToken, body: shopBody(oldName) })).status).toBe(201);
      expectProblem(await t.call('POST', '/v1/shops', { token: other.accessToken, body: shopBody(newName) }), 409);
    });

    it("refuses a rename to another shop's name with 409, writing nothing", async () => {
      const taken = `Taken Name ${tag()}`;
      await open(other, taken);
      const { id } = await open(seller, `Free Name ${tag()}`);
      const before = await t.head();
      expectProblem(await t.call('PUT', `/v1/shops/${id}`, { token: seller.accessToken, body: shopBody(taken) }), 409);
      expect(await t.head()).toBe(before);
    });

    it('lets only the owner and admins change a shop', async () => {
      const { id } = await open(seller, `Owned Shop ${tag()}`);
      const statuses: Record<string, number> = {};
      for (const [who, token] of [
        ['anonymous', undefined],
        ['buyer', buyer.accessToken],
        ['other seller', other.accessToken],
        ['unapproved seller', unapproved.accessToken],
        ['owner', seller.accessToken],
        ['admin', admin.accessToken],
      ] as const) {
        const before = await t.head();
        const answer = await t.call('PUT', `/v1/shops/${id}`, { token, body: shopBody(`Owned Shop ${who} ${tag()}`) });
        statuses[who] = answer.status;
        if (answer.status >= 400) {
          expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(await t.head()).toBe(before);
        }
      }
      expect(statuses).toEqual({ anonymous: 401, buyer: 403, 'other seller': 403, 'unapproved seller': 403, owner: 200, admin: 200 });
    });

    it('refuses a shop that does not exist with 404', async () => {
      expectProblem(await t.call('PUT', `/v1/shops/${randomUUID()}`, { token: seller.accessToken, body: shopBody(`Nowhere ${tag()}`) }), 404);
    });
  });

  describe('admin decisions', () => {
    it('approves, suspends with a reason and reinstates; the public sees the shop only while active', async () => {
      const { id, position } = await open(seller, `Standing Shop ${tag()}`);
      expectProblem(await read(id, undefined, position), 404);

      const approved = await asAdmin('approve', id);
      expect(approved.status).toBe(200);
      expect(approved.headers.get('etag')).toBe('"1"');
      const visible = await read(id, undefined, approved.body.position);
      expect(visible.status).toBe(200);
      expect(visible.body.status).toBe('active');
      expect(visible.body).not.toHaveProperty('pickupAddress');
      expect(visible.body).not.toHaveProperty('suspendedReason');

      const suspended = await asAdmin('suspend', id, { reason: 'Counterfeit goods reported by buyers.' });
      expect(suspended.status).toBe(200);
      expectProblem(await read(id, undefined, suspended.body.position), 404);
      expectProblem(await read(id, buyer.accessToken, suspended.body.position), 404);
      expect((await read(id, seller.accessToken, suspended.body.position)).body).toEqual(expect.objectContaining({ status: 'suspended', suspendedReason: 'Counterfeit goods reported by buyers.' }));
      expect((await read(id, admin.accessToken, suspended.body.position)).body.status).toBe('suspended');

      expectProblem(await asAdmin('approve', id), 409);

      const reinstated = await asAdmin('reinstate', id);
      expect(reinstated.status).toBe(200);
      expect((await read(id, undefined, reinstated.body.position)).body.status).toBe('active');
    });

    it('treats a decision already in force as done, with the same revision', async () => {
      const { id } = await open(seller, `Twice Shop ${tag()}`);
      const first = await asAdmin('approve', id);
      const again = await asAdmin('approve', id);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
    });

    it.each(['approve', 'suspend', 'reinstate'] as const)('lets only admins %s a shop', async (what) => {
      const { id } = await open(seller, `Guarded Shop ${tag()}`);
      const body = what === 'suspend' ? { reason: 'Selling counterfeit goods.' } : undefined;
      const statuses: Record<string, number> = {};
      const before = await t.head();
      for (const [who, token] of [
        ['anonymous', undefined],
        ['buyer', buyer.accessToken],
        ['owner', seller.accessToken],
        ['other seller', other.accessToken],
      ] as const) {
        const answer = await t.call('PUT', `/v1/admin/shops/${id}/${what}`, { token, body });
        statuses[who] = answer.status;
        expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        if (answer.status === 401) expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      expect(statuses).toEqual({ anonymous: 401, buyer: 403, owner: 403, 'other seller': 403 });
      expect(await t.head()).toBe(before);
      expectProblem(await t.call('PUT', `/v1/admin/shops/${randomUUID()}/${what}`, { token: admin.accessToken, body }), 404);
    });
  });

  describe('bad input: a 4xx problem, never a 500, nothing written', () => {
    let shopId: string;
    beforeAll(async () => {
      shopId = (await open(seller, `Bad Input Target ${tag()}`)).id;
    });

    const routes = (): Array<[string, string, () => string]> => [
      ['POST', '/v1/shops', () => seller.accessToken],
      ['PUT', `/v1/shops/${shopId}`, () => seller.accessToken],
      ['PUT', `/v1/admin/shops/${shopId}/suspend`, () => admin.accessToken],
    ];

    it.each([
      ['malformed JSON', { rawBody: '{"name": "Mim", ' }, 400],
      ['a JSON array', { rawBody: '[1,2,3]' }, 400],
      ['wrong types', { body: { name: 42, description: true, branding: 'x', contact: [], location: 7, pickupAddress: 'here', reason: false } }, 400],
      ['missing fields', { body: {} }, 400],
      ['an unknown field', { body: { surprise: 'field' } }, 400],
      ['an oversized body', { body: { name: 'x'.repeat(200_000) } }, 413],
    ])('refuses %s on every command route', async (_what, request, status) => {
      const before = await t.head();
      for (const [method, path, token] of routes()) {
        const answer = await t.call(method, path, { token: token(), ...request });
        expect({ route: `${method} ${path}`, status: answer.status }).toEqual({ route: `${method} ${path}`, status });
        expectProblem(answer, status);
      }
      expect(await t.head()).toBe(before);
    });

    it.each([
      ['an http:// logo', { branding: { logoUrl: 'http://cdn.bdbazar.com.bd/logo.png' } }, /logoUrl/],
      ['a banner on a private host', { branding: { bannerUrl: 'https://192.168.1.5/banner.jpg' } }, /branding\.bannerUrl must point at a public host/],
      ['a banner on localhost', { branding: { bannerUrl: 'https://localhost/banner.jpg' } }, /branding\.bannerUrl must point at a public host/],
      ['a logo on the IPv6 loopback', { branding: { logoUrl: 'https://[::1]/logo.png' } }, /branding\.logoUrl must point at a public host/],
      ['a logo on the cloud metadata address', { branding: { logoUrl: 'https://169.254.169.254/latest/meta-data/' } }, /branding\.logoUrl must point at a public host/],
      ['a logo that is not a URL', { branding: { logoUrl: 'logo.png' } }, /logoUrl/],
      ['a name of 2 characters once trimmed', { name: '  ab   ' }, /needs 3 to 80 characters/],
      ['a name of 81 characters', { name: 'x'.repeat(81) }, /name/],
      ['a blank name', { name: '      ' }, /name/],
      ['a description of 2,001 characters', { description: 'x'.repeat(2001) }, /description/],
      ['a phone that is not Bangladeshi', { contact: { phone: '+15551234567', email: 'hello@shop.com.bd' } }, /phone/],
      ['an email that is not one', { contact: { phone: '+8801811000000', email: 'not-an-email' } }, /email/],
      ['a division that does not exist', { location: { division: 'Kolkata', district: 'Dhaka', addressLine: 'Somewhere' } }, /division/],
      ['a pickup address without a recipient', { pickupAddress: { label: 'W', phone: '+8801811000000', division: 'Dhaka', district: 'Dhaka', line1: 'House 7' } }, /recipient/],
      ['a pickup address with a field too many', { pickupAddress: { ...shopBody('x').pickupAddress, gps: '23.8,90.4' } }, /must NOT have additional properties/],
    ])('refuses %s when opening and when changing, naming the field', async (_what, overrides, named) => {
      const before = await t.head();
      for (const [method, path] of [
        ['POST', '/v1/shops'],
        ['PUT', `/v1/shops/${shopId}`],
      ] as const) {
        const answer = await t.call('POST' === method ? 'POST' : 'PUT', path, { token: seller.accessToken, body: shopBody(`Fine Name ${tag()}`, overrides) });
        expectProblem(answer, 400);
        expect(JSON.stringify(answer.body)).toMatch(named);
      }
      expect(await t.head()).toBe(before);
    });

    it('refuses a suspension without a reason', async () => {
      const before = await t.head();
      // No body at all has no media type either: 415, still a problem a person can act on.
      expectProblem(await t.call('PUT', `/v1/admin/shops/${shopId}/suspend`, { token: admin.accessToken }), 415);
      expectProblem(await t.call('PUT', `/v1/admin/shops/${shopId}/suspend`, { token: admin.accessToken, body: {} }), 400);
      expectProblem(await t.call('PUT', `/v1/admin/shops/${shopId}/suspend`, { token: admin.accessToken, body: { reason: '     ' } }), 400);
      expect(await t.head()).toBe(before);
    });

    it('refuses a malformed shop id with 400 on every route', async () => {
      expectProblem(await t.call('PUT', '/v1/shops/not-a-uuid', { token: seller.accessToken, body: shopBody(`Fine ${tag()}`) }), 400);
      for (const what of ['approve', 'suspend', 'reinstate']) expectProblem(await t.call('PUT', `/v1/admin/shops/not-a-uuid/${what}`, { token: admin.accessToken, body: { reason: 'A good reason.' } }), 400);
      expectProblem(await t.call('GET', '/v1/shops/not-a-uuid'), 400);
      expectProblem(await t.call('GET', '/v1/sellers/not-a-uuid/shops', { token: admin.accessToken }), 400);
    });

    it('refuses an If-Match that is not an ETag', async () => {
      expectProblem(await t.call('PUT', `/v1/shops/${shopId}`, { token: seller.accessToken, body: shopBody(`Fine ${tag()}`), headers: { 'If-Match': 'three' } }), 400);
    });
  });

  describe('the shop read routes', () => {
    let pending: Command;
    let suspendedShop: Command;
    const made: Command[] = [];
    const word = `Kantha${tag()}`;
    let last: string;

    beforeAll(async () => {
      for (let n = 0; n < 5; n++) {
        const shop = await open(n % 2 === 0 ? seller : other, `${word} Stitches ${n}`, n === 4 ? { location: { division: 'Sylhet', district: 'Sylhet', addressLine: 'Zindabazar' } } : {});
        made.push(shop);
        last = (await asAdmin('approve', shop.id)).body.position;
      }
      pending = await open(seller, `${word} Pending`);
      suspendedShop = await open(seller, `${word} Suspended`);
      await asAdmin('approve', suspendedShop.id);
      last = (await asAdmin('suspend', suspendedShop.id, { reason: 'Misleading product photos.' })).body.position;
    });

    it('lists active shops only, newest first, found by a part of the name in any case, page by page', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const path: string = `/v1/shops?q=${encodeURIComponent(word.toUpperCase())}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page: Answer<ShopPage> = await t.call<ShopPage>('GET', path, { headers: { 'X-Consistent-After': last } });
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        expect(page.body.items.every((s) => s.status === 'active')).toBe(true);
        seen.push(...page.body.items.map((s) => s.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(made.map((m) => m.id).reverse());
    });

    it('filters the directory by division', async () => {
      const page = await t.call<ShopPage>('GET', `/v1/shops?q=${word}&division=Sylhet`, { headers: { 'X-Consistent-After': last } });
      expect(page.body.items.map((s) => s.id)).toEqual([made[4]!.id]);
    });

    it("shows a pending shop to its owner and admins, to no one else", async () => {
      const statuses: Record<string, number> = {};
      for (const [who, token] of [
        ['anonymous', undefined],
        ['buyer', buyer.accessToken],
        ['other seller', other.accessToken],
        ['owner', seller.accessToken],
        ['admin', admin.accessToken],
      ] as const) {
        statuses[who] = (await read(pending.id, token, last)).status;
      }
      expect(statuses).toEqual({ anonymous: 404, buyer: 404, 'other seller': 404, owner: 200, admin: 200 });
      expectProblem(await read(randomUUID(), admin.accessToken, last), 404);
    });

    it("lists a seller's own shops in every state, to the seller and admins only", async () => {
      const mine = async (token: string | undefined) => {
        const ids: Array<[string, string]> = [];
        let cursor: string | null = null;
        let status = 0;
        do {
          const page: Answer<ShopPage> = await t.call<ShopPage>('GET', `/v1/sellers/${seller.id}/shops?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { token, headers: { 'X-Consistent-After': last } });
          status = page.status;
          if (status !== 200) return { status, ids };
          ids.push(...page.body.items.map((s): [string, string] => [s.id, s.status]));
          cursor = page.body.nextCursor;
        } while (cursor);
        return { status, ids };
      };
      const own = await mine(seller.accessToken);
      expect(own.status).toBe(200);
      expect(own.ids).toEqual(expect.arrayContaining([[pending.id, 'pending'], [suspendedShop.id, 'suspended'], [made[0]!.id, 'active']]));
      expect(own.ids.map(([id]) => id)).not.toContain(made[1]!.id);
      expect((await mine(admin.accessToken)).ids).toEqual(own.ids);
      expect((await mine(other.accessToken)).status).toBe(403);
      expect((await mine(buyer.accessToken)).status).toBe(403);
      expect((await mine(undefined)).status).toBe(401);
    });

    it('refuses a bad query: an unknown parameter, a limit above 100, a forged cursor, an unknown division', async () => {
      expectProblem(await t.call('GET', '/v1/shops?colour=blue'), 400);
      expectProblem(await t.call('GET', '/v1/shops?limit=500'), 400);
      expectProblem(await t.call('GET', '/v1/shops?limit=0'), 400);
      expectProblem(await t.call('GET', '/v1/shops?cursor=bm9wZQ'), 400);
      expectProblem(await t.call('GET', '/v1/shops?division=Kolkata'), 400);
      expectProblem(await t.call('GET', `/v1/sellers/${seller.id}/shops?limit=101`, { token: seller.accessToken }), 400);
    });

    it('reads its own write with X-Consistent-After, and answers 503 with Retry-After when the read model cannot catch up in time', async () => {
      const name = `${word} Renamed ${tag()}`;
      const changed = await t.call<Command>('PUT', `/v1/shops/${made[0]!.id}`, { token: seller.accessToken, body: shopBody(name) });
      const shop = await read(made[0]!.id, undefined, changed.body.position);
      expect(shop.body).toEqual(expect.objectContaining({ name, revision: changed.body.revision }));
      expect(shop.headers.get('etag')).toBe(`"${changed.body.revision}"`);

      const farAhead = `${'9'.repeat(20)}/${'0'.repeat(20)}`;
      const late = await t.call('GET', `/v1/shops/${made[0]!.id}`, { headers: { 'X-Consistent-After': farAhead } });
      expectProblem(late, 503);
      expect(late.headers.get('retry-after')).toBe('1');
    });
  });
});
