/** Three projects: `unit` needs nothing; `integration` and `e2e` use the real Temporal dev server
 * (from the installed `temporal` binary) and Postgres (TEST_DATABASE_URL, or PGlite when unset). */
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      slowTestThreshold: 30,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      slowTestThreshold: 60,
    },
    {
      ...common,
      displayName: 'reliability',
      testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
      slowTestThreshold: 120,
    },
  ],
  testTimeout: 120000,
  // Most integration and e2e files spend their time waiting on servers and timers: two files at
  // a time keep the whole suite under 10 minutes on a 2-core machine (Jest's default there is 1).
  maxWorkers: 2,
};
