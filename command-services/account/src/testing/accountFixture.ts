/**
 * The account service over the real embedded store and vault, for tests: PGlite in memory,
 * signing keys in a temporary folder, bcrypt at its cheapest cost.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEmbeddedEventStore,
  createPasswordHasher,
  createRateLimiter,
  createTokenIssuer,
  createTokenVerifier,
  loadOrCreateSigningKeys,
  loginRateLimit,
  openDatabase,
  openPersonalDataVault,
  protectPersonalData,
  type Database,
  type EventStore,
  type TokenVerifier,
} from '@bdbazar/shared-kernel';
import { accountPersonalData } from '../account';
import { createAccountService, type AccountService } from '../accountService';

export interface AccountFixture {
  /** The store as it is: personal data encrypted. */
  raw: EventStore;
  /** The store the service writes through: encrypting and decrypting. */
  store: EventStore;
  db: Database;
  service: AccountService;
  verifier: TokenVerifier;
  close(): Promise<void>;
}

export async function accountFixture(): Promise<AccountFixture> {
  const keyDir = await mkdtemp(join(tmpdir(), 'bdbazar-keys-'));
  const raw = await createEmbeddedEventStore({ dataDir: 'memory://' });
  const db = await openDatabase({ kind: 'pglite' });
  const vault = await openPersonalDataVault(db);
  const keys = await loadOrCreateSigningKeys({ keyDir });
  const store = protectPersonalData(raw, vault, { fields: accountPersonalData, subjectOf: (event) => event.data['accountId'] as string });
  const service = createAccountService({
    store,
    vault,
    passwords: createPasswordHasher({ cost: 4 }),
    tokens: createTokenIssuer({ privateKey: keys.privateKey, kid: keys.kid, issuer: 'bdbazar', audience: 'bdbazar' }),
    loginLimit: loginRateLimit({ perAccount: createRateLimiter({ limit: 5, windowSeconds: 60 }), perAddress: createRateLimiter({ limit: 50, windowSeconds: 60 }) }),
  });
  const verifier = createTokenVerifier({ publicKeys: { [keys.kid]: keys.publicKey }, issuer: 'bdbazar', audience: 'bdbazar' });
  return {
    raw,
    store,
    db,
    service,
    verifier,
    close: async () => {
      await raw.close();
      await db.close();
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}
