export * from './vault';
export * from './protectedEventStore';
