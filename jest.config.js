// Jest runs the compiled specs (`npm test` builds first with `tsc -b`, which also type-checks them): unit
// specs beside the code (`*.spec.ts`) and end-to-end specs under apps/*/test (`*.e2e-spec.ts`).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps'],
  testMatch: ['**/dist/**/*.spec.js', '**/dist/**/*.e2e-spec.js'],
  // Brokers, databases and the fuzz run take their time on a loaded machine; a test that needs longer says so.
  testTimeout: 120_000,
  // Our compiled output runs as it is. Dependencies that ship only ES modules (NestJS 12 pulls some in) are
  // turned into CommonJS for Jest's module system.
  transform: { '^.+\\.m?js$': ['@swc/jest', { module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@apollo|file-type|strtok3|token-types|@tokenizer|uint8array-extras|load-esm|jose|openid-client|oauth4webapi|oidc-provider|got|@sindresorhus/is|@szmarczak/http-timer|cacheable-lookup|cacheable-request|form-data-encoder|lowercase-keys|mimic-response|nanoid|normalize-url|p-cancelable|quick-lru|responselike)/)',
    '^<rootDir>/(apps|libs|migrations)/',
  ],
  globalSetup: '<rootDir>/scripts/jest-global-setup.js',
  globalTeardown: '<rootDir>/scripts/jest-global-teardown.js',
  // The workspaces' package.json files are also reachable through node_modules/@nestmq: one haste name each.
  modulePathIgnorePatterns: ['<rootDir>/node_modules/@nestmq/', '<rootDir>/apps/admin-ui/'],
  // The admin UI is its own npm project with its own runner (`npm run ui:test`); its browser tests are under apps/broker/test/admin-ui.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/admin-ui/'],
};
