/**
 * The shop service assembled: its use cases over the event store, and the verifier of access
 * tokens (the account module's in the all-in-one process; from the account service's public key
 * when the shop service runs alone).
 */
import type { Config, Database, EventStore, TokenVerifier } from '@bdbazar/shared-kernel';
import { createShopService, type ShopService } from './shopService';

export interface ShopModule {
  service: ShopService;
  verifier: TokenVerifier;
}

export interface ShopModuleOptions {
  store: EventStore;
  /** The database of the service's own tables (idempotency keys; see app.ts). */
  db: Database;
  config: Config;
  verifier: TokenVerifier;
}

export async function openShopModule(options: ShopModuleOptions): Promise<ShopModule> {
  return { service: createShopService({ store: options.store }), verifier: options.verifier };
}
