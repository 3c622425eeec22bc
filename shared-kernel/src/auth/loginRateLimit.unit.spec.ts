import { TooManyRequestsError } from './errors';
import { loginRateLimit } from './loginRateLimit';
import { createRateLimiter } from './rateLimiter';

function setUp() {
  let now = new Date('2025-03-01T10:00:00.000Z').getTime();
  const clock = () => new Date(now);
  const limits = loginRateLimit({
    perAccount: createRateLimiter({ limit: 3, windowSeconds: 300, clock }),
    perAddress: createRateLimiter({ limit: 5, windowSeconds: 60, clock }),
  });
  return { limits, advance: (seconds: number) => (now += seconds * 1000) };
}

async function refusalOf(attempt: Promise<void>): Promise<TooManyRequestsError> {
  try {
    await attempt;
  } catch (error) {
    if (error instanceof TooManyRequestsError) return error;
    throw error;
  }
  throw new Error('expected the attempt to be refused');
}

describe('login rate limit', () => {
  describe('when one account is tried too often', () => {
    it('refuses with 429, the wait in seconds and a Retry-After header', async () => {
      const { limits } = setUp();
      await limits.check('rahim@example.com', '203.0.113.1');
      await limits.check('rahim@example.com', '203.0.113.2');
      await limits.check('rahim@example.com', '203.0.113.3');

      const error = await refusalOf(limits.check('rahim@example.com', '203.0.113.4'));

      expect(error.status).toBe(429);
      expect(error.code).toBe('too_many_requests');
      expect(error.message).toBe('Too many login attempts for this account; try again in 100 seconds.');
      expect(error.details).toEqual({ limit: 'account', retryAfterSeconds: 100 });
      expect(error.headers).toEqual({ 'Retry-After': '100' });
    });

    it('counts the account however the email is capitalised or padded', async () => {
      const { limits } = setUp();
      await limits.check('Rahim@Example.com', '203.0.113.1');
      await limits.check(' rahim@example.com ', '203.0.113.2');
      await limits.check('RAHIM@EXAMPLE.COM', '203.0.113.3');

      expect((await refusalOf(limits.check('rahim@example.com', '203.0.113.4'))).details['limit']).toBe('account');
    });

    it('gives the account its allowance back after a successful login', async () => {
      const { limits } = setUp();
      await limits.check('rahim@example.com', '203.0.113.1');
      await limits.check('rahim@example.com', '203.0.113.2');
      await limits.check('rahim@example.com', '203.0.113.3');

      await limits.succeeded('rahim@example.com', '203.0.113.3');

      await expect(limits.check('rahim@example.com', '203.0.113.4')).resolves.toBeUndefined();
    });

    it('lets the account in again once the wait is over', async () => {
      const { limits, advance } = setUp();
      for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) await limits.check('rahim@example.com', ip);

      advance(100);

      await expect(limits.check('rahim@example.com', '203.0.113.4')).resolves.toBeUndefined();
    });
  });

  describe('when one address tries many accounts', () => {
    it('refuses the address, whichever account it tries next', async () => {
      const { limits } = setUp();
      for (let i = 0; i < 5; i += 1) await limits.check(`user${i}@example.com`, '198.51.100.7');

      const error = await refusalOf(limits.check('fresh@example.com', '198.51.100.7'));

      expect(error.message).toBe('Too many login attempts from your network address; try again in 12 seconds.');
      expect(error.details).toEqual({ limit: 'address', retryAfterSeconds: 12 });
    });

    it('treats an IPv4 address seen through IPv6 as the same address', async () => {
      const { limits } = setUp();
      for (let i = 0; i < 5; i += 1) await limits.check(`user${i}@example.com`, i % 2 ? '::ffff:198.51.100.7' : '198.51.100.7');

      expect((await refusalOf(limits.check('fresh@example.com', '198.51.100.7'))).details['limit']).toBe('address');
    });

    it('does not clear the address count on a successful login', async () => {
      const { limits } = setUp();
      for (let i = 0; i < 5; i += 1) await limits.check(`user${i}@example.com`, '198.51.100.7');

      await limits.succeeded('user4@example.com', '198.51.100.7');

      expect((await refusalOf(limits.check('user5@example.com', '198.51.100.7'))).details['limit']).toBe('address');
    });

    it('spends nothing of an account\'s allowance while the address is refused', async () => {
      const { limits } = setUp();
      for (let i = 0; i < 5; i += 1) await limits.check(`user${i}@example.com`, '198.51.100.7');
      for (let i = 0; i < 10; i += 1) await refusalOf(limits.check('victim@example.com', '198.51.100.7'));

      // The victim's three attempts are all still there, from elsewhere.
      for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
        await expect(limits.check('victim@example.com', ip)).resolves.toBeUndefined();
      }
    });
  });
});
