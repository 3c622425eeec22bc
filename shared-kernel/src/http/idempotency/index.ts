export { idempotency, IdempotencyKeyReusedError, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, type IdempotencyOptions } from './idempotency';
export { migrateIdempotencyTable, purgeExpiredIdempotencyKeys } from './idempotencyTable';
export { canonicalJson } from './canonicalJson';
