import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, keyIdOf, loadOrCreateSigningKeys, publicKeysFromPems } from './signingKeys';
import { createTokenIssuer } from './tokenIssuer';
import { createTokenVerifier } from './tokenVerifier';
import { makeTestKeys } from './testing/jwtFixtures';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bdbazar-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pkcs8 = (key: ReturnType<typeof makeTestKeys>['privateKey']) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('signing keys', () => {
  describe('when no PEM is given (the embedded default)', () => {
    it('generates a 2048-bit RSA pair and stores it, the private key readable by its owner only', async () => {
      const keys = await loadOrCreateSigningKeys({ keyDir: join(dir, 'nested', 'keys') });

      expect(keys.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      const privateFile = await stat(join(dir, 'nested', 'keys', PRIVATE_KEY_FILE));
      expect(privateFile.mode & 0o777).toBe(0o600);
      const publicPem = await readFile(join(dir, 'nested', 'keys', PUBLIC_KEY_FILE), 'utf8');
      expect(createPublicKey(publicPem).equals(keys.publicKey)).toBe(true);
    });

    it('reuses the stored pair after a restart: same kid, and old tokens still verify', async () => {
      const first = await loadOrCreateSigningKeys({ keyDir: dir });
      const token = createTokenIssuer({ ...first, issuer: 'i', audience: 'a' }).issueAccessToken({
        userId: 'u',
        role: 'buyer',
        sessionId: 's',
      }).token;

      const second = await loadOrCreateSigningKeys({ keyDir: dir });

      expect(second.kid).toBe(first.kid);
      const verifier = createTokenVerifier({ publicKeys: { [second.kid]: second.publicKey }, issuer: 'i', audience: 'a' });
      expect(verifier.verifyAccessToken(token).userId).toBe('u');
    });

    it('writes the public file again if only it was lost', async () => {
      const first = await loadOrCreateSigningKeys({ keyDir: dir });
      await rm(join(dir, PUBLIC_KEY_FILE));

      const second = await loadOrCreateSigningKeys({ keyDir: dir });

      expect(second.kid).toBe(first.kid);
      expect(createPublicKey(await readFile(join(dir, PUBLIC_KEY_FILE), 'utf8')).equals(first.publicKey)).toBe(true);
    });

    it('ends with one key when two start-ups race to create it', async () => {
      const [a, b] = await Promise.all([loadOrCreateSigningKeys({ keyDir: dir }), loadOrCreateSigningKeys({ keyDir: dir })]);
      expect(a.kid).toBe(b.kid);
    });

    it('refuses a public file that does not match the private key', async () => {
      await loadOrCreateSigningKeys({ keyDir: dir });
      await writeFile(join(dir, PUBLIC_KEY_FILE), makeTestKeys().publicPem);

      await expect(loadOrCreateSigningKeys({ keyDir: dir })).rejects.toThrow(/jwt-public\.pem is not the public half/);
    });
  });

  describe('when PEMs come from the environment', () => {
    it('uses them, with the kid derived from the public key', async () => {
      const test = makeTestKeys();
      const keys = await loadOrCreateSigningKeys({ privateKeyPem: pkcs8(test.privateKey), publicKeyPem: test.publicPem, keyDir: dir });

      expect(keys.kid).toBe(test.kid);
      expect(keys.publicKey.equals(test.publicKey)).toBe(true);
    });

    it('accepts a PEM whose newlines are written as \\n, as env files carry them', async () => {
      const test = makeTestKeys();
      const keys = await loadOrCreateSigningKeys({ privateKeyPem: pkcs8(test.privateKey).replace(/\n/g, '\\n') });
      expect(keys.kid).toBe(test.kid);
    });

    it('refuses a public key that is not the private key\'s other half', async () => {
      const privateKeyPem = pkcs8(makeTestKeys().privateKey);
      await expect(loadOrCreateSigningKeys({ privateKeyPem, publicKeyPem: makeTestKeys().publicPem })).rejects.toThrow(/not the public half/);
    });

    it('refuses a key too weak for RS256', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      await expect(loadOrCreateSigningKeys({ privateKeyPem: pkcs8(privateKey) })).rejects.toThrow(/at least 2048 bits/);
    });

    it('refuses text that is not a PEM key', async () => {
      await expect(loadOrCreateSigningKeys({ privateKeyPem: 'hello' })).rejects.toThrow(/not a readable PEM private key/);
    });

    it('refuses a public key alone, pointing to the verifier', async () => {
      await expect(loadOrCreateSigningKeys({ publicKeyPem: makeTestKeys().publicPem })).rejects.toThrow(/createTokenVerifier/);
    });

    it('refuses to run with no key and no folder', async () => {
      await expect(loadOrCreateSigningKeys({})).rejects.toThrow(/privateKeyPem .* or keyDir/);
    });
  });

  describe('the kid and the JWKS', () => {
    it('derives the kid from the SPKI DER: base64url SHA-256, first 16 characters', () => {
      const test = makeTestKeys();
      const expected = createHash('sha256').update(test.publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);

      expect(keyIdOf(test.publicKey)).toBe(expected);
      expect(publicKeysFromPems(test.publicPem)).toEqual({ [expected]: expect.anything() });
    });

    it('publishes the public key only', async () => {
      const keys = await loadOrCreateSigningKeys({ keyDir: dir });
      const jwk = keys.publicKey.export({ format: 'jwk' });

      expect(keys.publicJwks()).toEqual({ keys: [{ kty: 'RSA', n: jwk.n, e: jwk.e, kid: keys.kid, alg: 'RS256', use: 'sig' }] });
    });
  });
});
