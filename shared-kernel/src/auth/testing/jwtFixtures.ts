/** Keys, a fixed clock and hand-made JWTs for the auth tests (attacks included). */
import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { keyIdOf } from '../signingKeys';

export const ISSUER = 'https://account.bdbazar.test';
export const AUDIENCE = 'bdbazar';
export const NOW = new Date('2025-03-01T10:00:00.000Z');
export const NOW_SECONDS = NOW.getTime() / 1000;
export const USER_ID = '0195a1b2-0000-7000-8000-000000000001';
export const SESSION_ID = '0195a1b2-0000-7000-8000-0000000000aa';

export interface TestKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  kid: string;
}

export function makeTestKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), kid: keyIdOf(publicKey) };
}

/** Claims our issuer would write, valid at NOW; override or delete (undefined) what a test needs. */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    sub: USER_ID,
    role: 'buyer',
    sid: SESSION_ID,
    iss: ISSUER,
    aud: AUDIENCE,
    iat: NOW_SECONDS,
    exp: NOW_SECONDS + 900,
    jti: 'test-token',
  };
  const merged = { ...base, ...overrides };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Header and payload, unsigned: `<header>.<payload>`. */
export function signingInput(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return `${b64(header)}.${b64(payload)}`;
}

export function rs256(keys: Pick<TestKeys, 'privateKey' | 'kid'>, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = signingInput({ alg: 'RS256', typ: 'JWT', kid: keys.kid, ...header }, payload);
  return `${input}.${createSign('RSA-SHA256').update(input).sign(keys.privateKey).toString('base64url')}`;
}

/** The confusion attack: HS256 with the verifier's public key PEM as the HMAC secret. */
export function hs256WithPublicKey(keys: Pick<TestKeys, 'publicPem' | 'kid'>, payload: Record<string, unknown>): string {
  const input = signingInput({ alg: 'HS256', typ: 'JWT', kid: keys.kid }, payload);
  return `${input}.${createHmac('sha256', keys.publicPem).update(input).digest('base64url')}`;
}

export function unsigned(kid: string, payload: Record<string, unknown>, alg = 'none'): string {
  return `${signingInput({ alg, typ: 'JWT', kid }, payload)}.`;
}
