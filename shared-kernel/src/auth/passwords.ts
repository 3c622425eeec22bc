/**
 * Password rules and bcrypt hashing. bcrypt reads only the first 72 bytes of a password, so a
 * longer one is refused, never silently cut (two passwords sharing those 72 bytes would match).
 * Passwords are NFKC-normalised first (NIST SP 800-63B), so the same password typed on two
 * keyboards that produce different code points for it still matches.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { ValidationError } from '../errors';

export const MIN_PASSWORD_CHARACTERS = 8;
export const MAX_PASSWORD_BYTES = 72;

/** Throws ValidationError (on `password`) for a password that breaks the rules. */
export function assertAcceptablePassword(password: string): void {
  if (typeof password !== 'string') throw new ValidationError('The password must be a string.', { field: 'password' });
  const normalized = normalize(password);
  const characters = [...normalized].length; // code points, so a Bangla letter counts once
  if (characters < MIN_PASSWORD_CHARACTERS) {
    throw new ValidationError(`The password must be at least ${MIN_PASSWORD_CHARACTERS} characters long; it has ${characters}.`, {
      field: 'password',
      minCharacters: MIN_PASSWORD_CHARACTERS,
    });
  }
  const bytes = Buffer.byteLength(normalized, 'utf8');
  if (bytes > MAX_PASSWORD_BYTES) {
    throw new ValidationError(
      `The password is ${bytes} bytes long in UTF-8, but at most ${MAX_PASSWORD_BYTES} are allowed ` +
        `(bcrypt ignores the rest). That is 72 Latin letters or about 24 Bangla letters; choose a shorter password.`,
      { field: 'password', maxBytes: MAX_PASSWORD_BYTES, bytes },
    );
  }
  if (normalized.trim() === '') {
    throw new ValidationError('The password must not be only spaces.', { field: 'password' });
  }
}

export interface PasswordHasherOptions {
  /** bcrypt's cost factor (log2 of the rounds): 12 in production; 4, the minimum, in tests. */
  cost?: number;
}

export interface PasswordHasher {
  readonly cost: number;
  /** Checks the rules (assertAcceptablePassword) and hashes. */
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /**
   * For a login with an unknown email: spends the same time as `verify` and answers false, so
   * the response time does not tell which emails have accounts.
   */
  verifyAgainstDummy(password: string): Promise<false>;
  /** True for a hash made at a lower cost than this hasher's: rehash it after a successful login. */
  needsRehash(hash: string): boolean;
}

export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const { cost = 12 } = options;
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) throw new Error(`bcrypt's cost must be a whole number from 4 to 31, not ${cost}.`);
  // Made on first use, at this hasher's cost, so comparing with it costs what a real comparison does.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => (dummyHash ??= bcrypt.hash(randomBytes(16).toString('base64url'), cost));

  const verifyAgainstDummy = async (password: string): Promise<false> => {
    await bcrypt.compare(normalize(password), await dummy());
    return false;
  };

  return {
    cost,
    async hash(password) {
      assertAcceptablePassword(password);
      return bcrypt.hash(normalize(password), cost);
    },
    async verify(password, hash) {
      const normalized = normalize(password);
      // No stored password is longer; comparing would match on the first 72 bytes alone.
      if (Buffer.byteLength(normalized, 'utf8') > MAX_PASSWORD_BYTES) return verifyAgainstDummy(password);
      return bcrypt.compare(normalized, hash);
    },
    verifyAgainstDummy,
    needsRehash: (hash) => bcrypt.getRounds(hash) < cost,
  };
}

function normalize(password: string): string {
  return password.normalize('NFKC');
}
