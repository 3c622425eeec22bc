export * from './money';
export * from './publicHttpsUrl';
export * from './slug';
