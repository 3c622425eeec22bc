export * from './decider';
export * from './envelope';
export * from './upcasters';
export * from './commandHandler';
export * from './streamStateCache';
export * from './keyedSerializer';
