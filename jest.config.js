/**
 * Three test tiers by file suffix, as separate Jest projects:
 *   unit         *.unit.spec.ts   pure code, no servers
 *   integration  *.int.spec.ts    real PostgreSQL / RabbitMQ / PGlite (servers from test/servers.ts)
 *   e2e          *.e2e.spec.ts    the running application
 */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
const moduleNameMapper = {
  '^@bdbazar/shared-kernel$': '<rootDir>/shared-kernel/src/index.ts',
  '^@bdbazar/shared-kernel/(.*)$': '<rootDir>/shared-kernel/src/$1',
  '^@bdbazar/projections$': '<rootDir>/projections/src/index.ts',
  '^@bdbazar/openapi$': '<rootDir>/openapi/src/index.ts',
  '^@bdbazar/account-service$': '<rootDir>/command-services/account/src/index.ts',
  '^@bdbazar/shop-service$': '<rootDir>/command-services/shop/src/index.ts',
  '^@bdbazar/product-service$': '<rootDir>/command-services/product/src/index.ts',
  '^@bdbazar/order-service$': '<rootDir>/command-services/order/src/index.ts',
  '^@bdbazar/query-api$': '<rootDir>/query-api/src/index.ts',
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.unit.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/*.int.spec.ts'],
      globalSetup: '<rootDir>/test/globalSetup.js',
      globalTeardown: '<rootDir>/test/globalTeardown.js',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/test/globalSetup.js',
      globalTeardown: '<rootDir>/test/globalTeardown.js',
    },
  ],
  testTimeout: 60_000,
};
