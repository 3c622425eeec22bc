/** The account service's HTTP side: its routes (for the all-in-one process too) and its own app. */
import { createHttpApp, migrateIdempotencyTable, type Database, type Logger } from '@bdbazar/shared-kernel';
import { loadApiDocument } from '@bdbazar/openapi';
import { Router } from 'express';
import type { AccountModule } from './accountModule';
import { adminRoutes } from './administering/administer.route';
import { addressBookRoutes } from './addressBook/addressBook.route';
import { kycRoutes } from './kyc/kyc.route';
import { profileRoutes } from './profile/profile.route';
import { authRoutes } from './registering/auth.route';

/** The schema of the account service's own tables (idempotency keys). */
export const ACCOUNT_SCHEMA = 'account_service';

export async function accountRoutes(deps: { module: AccountModule; db: Database }): Promise<Router> {
  await migrateIdempotencyTable(deps.db, ACCOUNT_SCHEMA);
  const router = Router();
  const shared = { service: deps.module.service, verifier: deps.module.verifier, db: deps.db, schema: ACCOUNT_SCHEMA };
  authRoutes(router, shared);
  profileRoutes(router, shared);
  addressBookRoutes(router, shared);
  kycRoutes(router, shared);
  adminRoutes(router, shared);
  return router;
}

export async function createAccountApp(deps: { module: AccountModule; db: Database; logger: Logger; validateResponses?: boolean }) {
  return createHttpApp({
    name: 'account',
    openApi: loadApiDocument('account'),
    logger: deps.logger,
    routes: await accountRoutes(deps),
    validateResponses: deps.validateResponses,
    validateSecurity: false,
  });
}
