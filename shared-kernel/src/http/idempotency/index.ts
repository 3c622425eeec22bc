export { idempotency, IdempotencyKeyReusedError, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, type IdempotencyOptions } from './idempotency';
export { migrateIdempotencyTable, purgeExpiredIdempotencyKeys, DEFAULT_IDEMPOTENCY_TTL_HOURS } from './idempotencyTable';
export { startIdempotencyHousekeeping, type IdempotencyHousekeeping, type IdempotencyHousekeepingOptions } from './housekeeping';
export { canonicalJson } from './canonicalJson';
