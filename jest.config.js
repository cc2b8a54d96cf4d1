/** Ten projects: `unit` (pure core, the scripts' pure parts, and probes on loopback sockets), `layout` (the import graph,
 * function lengths and room READMEs, on this tree and on planted copies), `support` (the test stand-ins
 * and the local runner image, on the real engine), `workflow` (real Temporal dev server), `e2e`
 * (real Temporal and a real Docker engine), `vm` (the engine matrix's core scenarios on Docker inside QEMU VMs; `vm-matrix`, all of them, is `npm run test:vm`), `ui` (the Temporal UI of a real provision, in Debian's
 * headless Chromium), `compose` (what ships: docker-compose.yml read by Debian's docker-compose, the worker image's
 * build, the npm package installed from its tarball) and `bench`
 * (`npm run bench --quick` produces figures). `npm test` runs all of them but `vm-matrix`. */
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** The projects that run dist/ (the CLI, the worker, the bench) refuse stale output. */
const compiled = { globalSetup: '<rootDir>/test/support/fresh-dist.ts' };

module.exports = {
  // One test file at a time, explicitly: every project but unit shares the one Docker engine (and the
  // machine's ports and CPU with dev servers and containers). Jest's default (cores − 1) is 1 on this
  // 2-core machine but would run engine-sharing files in parallel on a bigger one, where timings the
  // tests bound (readiness, retries with backoff) would then depend on the neighbours.
  maxWorkers: 1,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/scripts/**/*.test.ts'] },
    { ...base, displayName: 'layout', testMatch: ['<rootDir>/test/layout/**/*.test.ts'] },
    { ...base, displayName: 'support', testMatch: ['<rootDir>/test/support/**/*.test.ts'] },
    { ...base, displayName: 'workflow', testMatch: ['<rootDir>/test/workflow/**/*.test.ts'] },
    { ...base, ...compiled, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    // Engines inside a QEMU VM (scripts/lib/vm.sh): `npm test` boots them and runs `vm` last;
    // `npm run test:vm` runs `vm-matrix`, every scenario there.
    { ...base, ...compiled, displayName: 'vm', testMatch: ['<rootDir>/test/vm/**/*.test.ts'] },
    { ...base, ...compiled, displayName: 'vm-matrix', testMatch: ['<rootDir>/test/vm-matrix/**/*.test.ts'] },
    { ...base, ...compiled, displayName: 'ui', testMatch: ['<rootDir>/test/ui/**/*.test.ts'] },
    { ...base, displayName: 'compose', testMatch: ['<rootDir>/test/compose/**/*.test.ts'] },
    { ...base, ...compiled, displayName: 'bench', testMatch: ['<rootDir>/test/bench/**/*.test.ts'] },
  ],
};
