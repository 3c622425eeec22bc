/**
 * The RS256 key pair the account service signs access tokens with, and the key id (`kid`) every
 * verifier picks the public key by. In production both PEMs come from the environment; on the
 * embedded default the pair is generated once and kept in the data folder, so that tokens issued
 * before a restart stay valid after it.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomUUID,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const PRIVATE_KEY_FILE = 'jwt-private.pem';
export const PUBLIC_KEY_FILE = 'jwt-public.pem';
const MIN_MODULUS_BITS = 2048;

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

export interface JsonWebKeySet {
  keys: PublicJwk[];
}

export interface SigningKeys {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWK Set, for `/.well-known/jwks.json`. */
  publicJwks(): JsonWebKeySet;
}

export interface SigningKeyOptions {
  /** PKCS#8 or PKCS#1 PEM; `\n` escapes (as env files often carry them) are accepted. */
  privateKeyPem?: string;
  /** Optional beside `privateKeyPem`: if given, it must be the private key's public half. */
  publicKeyPem?: string;
  /** Where the embedded default keeps a generated pair when no PEM is given. */
  keyDir?: string;
}

export async function loadOrCreateSigningKeys(options: SigningKeyOptions): Promise<SigningKeys> {
  if (options.privateKeyPem) return signingKeysFromPems(options.privateKeyPem, options.publicKeyPem);
  if (options.publicKeyPem) {
    throw new Error(
      'A JWT public key was given without its private key. A service that only verifies tokens needs no ' +
        'signing keys: pass the public key to createTokenVerifier (see publicKeysFromPems).',
    );
  }
  if (options.keyDir) return loadOrCreateInDir(options.keyDir);
  throw new Error('No JWT signing key: give privateKeyPem (production) or keyDir (the embedded default).');
}

/** The key id: the first 16 characters of the base64url SHA-256 of the public key's SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url').slice(0, 16);
}

/** Public keys by kid, for a verifier; give several during a key rotation. */
export function publicKeysFromPems(...pems: string[]): Record<string, KeyObject> {
  const keys: Record<string, KeyObject> = {};
  for (const pem of pems) {
    const publicKey = parseKey(pem, 'public');
    keys[keyIdOf(publicKey)] = publicKey;
  }
  return keys;
}

export function jwksOf(publicKeys: Record<string, KeyObject>): JsonWebKeySet {
  return {
    keys: Object.entries(publicKeys).map(([kid, key]) => ({
      ...key.export({ format: 'jwk' }),
      kid,
      alg: 'RS256',
      use: 'sig',
    })),
  };
}

function signingKeysFromPems(privateKeyPem: string, publicKeyPem?: string, publicKeySource = 'the JWT public key'): SigningKeys {
  const privateKey = parseKey(privateKeyPem, 'private');
  const publicKey = createPublicKey(privateKey);
  if (publicKeyPem !== undefined) {
    const given = parseKey(publicKeyPem, 'public');
    // A mismatched pair would make every token fail verification; refuse it at start-up instead.
    if (!given.equals(publicKey)) {
      throw new Error(`${publicKeySource} is not the public half of the JWT private key; give the matching pair.`);
    }
  }
  const kid = keyIdOf(publicKey);
  return { kid, privateKey, publicKey, publicJwks: () => jwksOf({ [kid]: publicKey }) };
}

function parseKey(pem: string, kind: 'private' | 'public'): KeyObject {
  const text = pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(text) : createPublicKey(text);
  } catch (error) {
    throw new Error(`The JWT ${kind} key is not a readable PEM ${kind} key: ${(error as Error).message}`, { cause: error });
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_MODULUS_BITS) {
    throw new Error(`The JWT ${kind} key must be an RSA key of at least ${MIN_MODULUS_BITS} bits for RS256.`);
  }
  return key;
}

async function loadOrCreateInDir(keyDir: string): Promise<SigningKeys> {
  const privatePath = join(keyDir, PRIVATE_KEY_FILE);
  const publicPath = join(keyDir, PUBLIC_KEY_FILE);
  await mkdir(keyDir, { recursive: true, mode: 0o700 });

  const privatePem = (await readIfExists(privatePath)) ?? (await createPrivateKeyFile(privatePath));
  const publicPem = await readIfExists(publicPath);
  const keys = signingKeysFromPems(privatePem, publicPem, publicPath);
  if (publicPem === undefined) {
    // The public file is a convenience for other services and operators; the private key is the truth.
    await writeAtomically(publicPath, keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644, 'replace');
  }
  return keys;
}

/** Generates a key pair and stores its private half; if another process got there first, uses its key. */
async function createPrivateKeyFile(privatePath: string): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: MIN_MODULUS_BITS });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const created = await writeAtomically(privatePath, pem, 0o600, 'exclusive');
  return created ? pem : readFile(privatePath, 'utf8');
}

/**
 * Writes a temporary file and then moves it into place, so a crash never leaves half a key behind.
 * `exclusive` keeps an existing file (and answers false); `replace` overwrites it.
 */
async function writeAtomically(path: string, content: string, mode: number, how: 'exclusive' | 'replace'): Promise<boolean> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, content, { mode, flag: 'wx' });
  try {
    if (how === 'replace') {
      await rename(temporary, path);
      return true;
    }
    await link(temporary, path); // fails with EEXIST if the file is already there: no overwrite race
    return true;
  } catch (error) {
    if (how === 'exclusive' && (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    if (how === 'exclusive') await unlink(temporary);
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
