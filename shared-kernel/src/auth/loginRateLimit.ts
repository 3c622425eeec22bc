/**
 * Login throttling, per account (against guessing one user's password from many addresses) and
 * per address (against one address trying many accounts). Shared by the processes that share the
 * limiters' store (the account service counts in the database: databaseRateLimitStore.ts).
 *
 * In a login route: `await limits.check(email, req.ip)` before the password is checked (it throws
 * TooManyRequestsError, 429 with Retry-After), and `await limits.succeeded(email, req.ip)` after a
 * successful login.
 */
import { TooManyRequestsError } from './errors';
import type { RateLimiter } from './rateLimiter';

export interface LoginRateLimitOptions {
  perAccount: RateLimiter;
  perAddress: RateLimiter;
}

export interface LoginRateLimit {
  /** Counts one attempt for the account and the address; throws TooManyRequestsError when either is used up. */
  check(email: string, ip: string): Promise<void>;
  /** Gives the account its full allowance back; the address keeps its count. */
  succeeded(email: string, ip: string): Promise<void>;
}

export function loginRateLimit({ perAccount, perAddress }: LoginRateLimitOptions): LoginRateLimit {
  return {
    async check(email, ip) {
      // The address first: a refused address then spends nothing of the account's allowance.
      const address = await perAddress.consume(addressKey(ip));
      if (!address.allowed) {
        throw new TooManyRequestsError(
          `Too many login attempts from your network address; try again in ${address.retryAfterSeconds} seconds.`,
          address.retryAfterSeconds,
          { limit: 'address' },
        );
      }
      const account = await perAccount.consume(accountKey(email));
      if (!account.allowed) {
        throw new TooManyRequestsError(
          `Too many login attempts for this account; try again in ${account.retryAfterSeconds} seconds.`,
          account.retryAfterSeconds,
          { limit: 'account' },
        );
      }
    },
    // Not the address: otherwise one good account would let its owner reset the address's count
    // between guesses at others.
    async succeeded(email, _ip) {
      await perAccount.reset(accountKey(email));
    },
  };
}

// The same account however the email is capitalised or padded.
const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
// An IPv4 client seen through an IPv6 socket (`::ffff:203.0.113.7`) is the same address.
const addressKey = (ip: string) => `address:${ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')}`;
