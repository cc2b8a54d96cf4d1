/** Seven projects: `unit` (pure core and probes on loopback sockets), `support` (the test stand-ins
 * and the local runner image, on the real engine), `workflow` (real Temporal dev server), `e2e`
 * (real Temporal and a real Docker engine), `ui` (the Temporal UI of a real provision, in Debian's
 * headless Chromium), `compose` (docker-compose.yml read by Debian's docker-compose) and `bench`
 * (`npm run bench --quick` produces figures). `npm test` runs all of them. */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.test.ts'] },
    { ...base, displayName: 'support', testMatch: ['<rootDir>/test/support/**/*.test.ts'] },
    { ...base, displayName: 'workflow', testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    { ...base, displayName: 'ui', testMatch: ['<rootDir>/test/ui/**/*.test.ts'] },
    { ...base, displayName: 'compose', testMatch: ['<rootDir>/test/compose/**/*.test.ts'] },
    { ...base, displayName: 'bench', testMatch: ['<rootDir>/test/bench/**/*.test.ts'] },
  ],
};
