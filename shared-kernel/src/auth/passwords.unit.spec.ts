import { ValidationError } from '../errors';
import { assertAcceptablePassword, createPasswordHasher } from './passwords';

const hasher = createPasswordHasher({ cost: 4 });

function refusalOf(password: string): ValidationError {
  try {
    assertAcceptablePassword(password);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(password)} to be refused`);
}

// Five city names run together: 30 characters (code points), 3 bytes each in UTF-8, 90 bytes.
const LONG_BANGLA = 'ঢাকাচট্টগ্রামসিলেটখুলনারাজশাহী';

describe('password rules', () => {
  it('accepts an ordinary password', () => {
    expect(() => assertAcceptablePassword('correct horse battery')).not.toThrow();
  });

  it('refuses fewer than 8 characters', () => {
    const error = refusalOf('short12');
    expect(error.message).toBe('The password must be at least 8 characters long; it has 7.');
    expect(error.details).toEqual({ field: 'password', minCharacters: 8 });
  });

  it('counts characters, not bytes, for the minimum: 8 Bangla letters are enough', () => {
    expect(() => assertAcceptablePassword('বাংলাদেশ')).not.toThrow(); // 8 code points, 24 bytes
  });

  it('accepts exactly 72 bytes of ASCII', () => {
    expect(() => assertAcceptablePassword('a'.repeat(72))).not.toThrow();
  });

  it('refuses 73 bytes of ASCII', () => {
    expect(refusalOf('a'.repeat(73)).details).toEqual({ field: 'password', maxBytes: 72, bytes: 73 });
  });

  it('refuses a 30-character Bangla password of more than 72 bytes, saying why', () => {
    expect([...LONG_BANGLA]).toHaveLength(30);
    expect(Buffer.byteLength(LONG_BANGLA)).toBe(90);

    const error = refusalOf(LONG_BANGLA);

    expect(error.message).toMatch(/^The password is 90 bytes long in UTF-8, but at most 72 are allowed \(bcrypt ignores the rest\)/);
    expect(error.details).toEqual({ field: 'password', maxBytes: 72, bytes: 90 });
  });

  it('accepts 24 Bangla letters (72 bytes)', () => {
    const password = [...LONG_BANGLA].slice(0, 24).join('');
    expect(Buffer.byteLength(password)).toBe(72);
    expect(() => assertAcceptablePassword(password)).not.toThrow();
  });

  it('refuses a password of spaces only', () => {
    expect(refusalOf(' \t  \n   ').message).toBe('The password must not be only spaces.');
  });
});

describe('password hashing', () => {
  it('hashes with bcrypt at the chosen cost and verifies', async () => {
    const hash = await hasher.hash('correct horse battery');

    expect(hash).toMatch(/^\$2b\$04\$/);
    await expect(hasher.verify('correct horse battery', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horse batterY', hash)).resolves.toBe(false);
  });

  it('verifies a 72-byte ASCII password, and tells apart two that differ only in the last byte', async () => {
    const hash = await hasher.hash(`${'a'.repeat(71)}b`);

    await expect(hasher.verify(`${'a'.repeat(71)}b`, hash)).resolves.toBe(true);
    await expect(hasher.verify(`${'a'.repeat(71)}c`, hash)).resolves.toBe(false);
  });

  it('never truncates: refuses to hash more than 72 bytes', async () => {
    await expect(hasher.hash(LONG_BANGLA)).rejects.toThrow(ValidationError);
  });

  it('does not let a longer password match on its first 72 bytes', async () => {
    const password = 'a'.repeat(72);
    const hash = await hasher.hash(password);

    await expect(hasher.verify(`${password}extra`, hash)).resolves.toBe(false);
  });

  it('verifies a Bangla password however its letters were composed', async () => {
    const precomposed = 'নিরাপদ পাস\u09DFার্ড'; // য় as one code point, as some keyboards type it
    const decomposed = 'নিরাপদ পাস\u09AF\u09BCার্ড'; // য + nukta, as others do

    await expect(hasher.verify(decomposed, await hasher.hash(precomposed))).resolves.toBe(true);
  });

  it('answers false for an unknown account, having spent a comparison on it', async () => {
    await expect(hasher.verifyAgainstDummy('whatever the attacker typed')).resolves.toBe(false);
  });

  it('asks for a rehash of a hash made at a lower cost', async () => {
    const hash = await hasher.hash('correct horse battery');

    expect(hasher.needsRehash(hash)).toBe(false);
    expect(createPasswordHasher({ cost: 5 }).needsRehash(hash)).toBe(true);
  });

  it('refuses a cost bcrypt does not support', () => {
    expect(() => createPasswordHasher({ cost: 3 })).toThrow(/4 to 31/);
  });
});
