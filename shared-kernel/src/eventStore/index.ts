export * from './eventStore';
export * from './errors';
export * from './position';
export { categoryOf } from './validation';
export { createPostgresEventStore, createEmbeddedEventStore } from './postgresEventStore';
export type { PostgresEventStoreOptions, EmbeddedEventStoreOptions } from './postgresEventStore';
export { createEventStoreDbEventStore } from './eventStoreDb/eventStoreDbEventStore';
