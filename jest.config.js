/** Four projects: `unit` (pure core and probes on loopback sockets), `support` (the test stand-ins
 * and the local runner image, on the real engine), `workflow` (real Temporal dev server) and `e2e`
 * (real Temporal and a real Docker engine). `npm test` runs all of them. */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.test.ts'] },
    { ...base, displayName: 'support', testMatch: ['<rootDir>/test/support/**/*.test.ts'] },
    { ...base, displayName: 'workflow', testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
