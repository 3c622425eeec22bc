/**
 * The account service assembled from configuration: personal data protection over the event
 * store, the JWT keys (PEMs from the environment, or a pair generated once under the data folder
 * for the embedded default), password hashing and login rate limits (counted in the database, so
 * that every process of the service shares one allowance).
 */
import {
  createPasswordHasher,
  createRateLimiter,
  createTokenIssuer,
  createTokenVerifier,
  dataDirectory,
  loadOrCreateSigningKeys,
  loginRateLimit,
  openDatabaseRateLimitStore,
  openPersonalDataVault,
  protectPersonalData,
  type Config,
  type Database,
  type EventStore,
  type PersonalDataVault,
  type SigningKeys,
  type TokenVerifier,
} from '@bdbazar/shared-kernel';
import { accountPersonalData } from './account';
import { createAccountService, type AccountService } from './accountService';

export interface AccountModule {
  service: AccountService;
  verifier: TokenVerifier;
  keys: SigningKeys;
  vault: PersonalDataVault;
}

export async function openAccountModule(options: { store: EventStore; db: Database; config: Config }): Promise<AccountModule> {
  const { store, db, config } = options;
  const vault = await openPersonalDataVault(db);
  const keys = await loadOrCreateSigningKeys(
    config.BDBAZAR_JWT_PRIVATE_KEY
      ? { privateKeyPem: config.BDBAZAR_JWT_PRIVATE_KEY, publicKeyPem: config.BDBAZAR_JWT_PUBLIC_KEY }
      : { keyDir: dataDirectory(config, 'keys') },
  );
  const attempts = await openDatabaseRateLimitStore(db);
  const service = createAccountService({
    store: protectPersonalData(store, vault, { fields: accountPersonalData, subjectOf: (event) => event.data['accountId'] as string }),
    vault,
    passwords: createPasswordHasher({ cost: config.BDBAZAR_BCRYPT_COST }),
    tokens: createTokenIssuer({ privateKey: keys.privateKey, kid: keys.kid, issuer: config.BDBAZAR_JWT_ISSUER, audience: config.BDBAZAR_JWT_AUDIENCE }),
    loginLimit: loginRateLimit({
      perAccount: createRateLimiter({ limit: config.BDBAZAR_LOGIN_ATTEMPTS_PER_ACCOUNT, windowSeconds: 15 * 60, store: attempts }),
      perAddress: createRateLimiter({ limit: config.BDBAZAR_LOGIN_ATTEMPTS_PER_ADDRESS, windowSeconds: 15 * 60, store: attempts }),
    }),
  });
  const verifier = createTokenVerifier({ publicKeys: { [keys.kid]: keys.publicKey }, issuer: config.BDBAZAR_JWT_ISSUER, audience: config.BDBAZAR_JWT_AUDIENCE });
  return { service, verifier, keys, vault };
}
