export * from './errors';
export * from './eventStore';
export * from './decider';
export * from './database/database';
export * from './logging';
export * from './projections';
export * from './messaging';
export * from './config';
