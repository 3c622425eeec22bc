export * from './money';
export * from './publicHttpsUrl';
export * from './slug';
export * from './nameBasedId';
