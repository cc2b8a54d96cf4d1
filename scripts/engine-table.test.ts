/** docs/engines.md never loses an engine of the matrix without a word (scripts/engine-table.ts). */
import { enginesWithoutResults, NO_RESULTS, renderEngineTable } from './engine-table';

const MATRIX = ['rootful-docker', 'rootless-docker', 'rootful-podman'];
const rows = [
  { engine: 'rootful-docker', scenario: 'second run', result: 'ready, container reused' },
  { engine: 'rootful-podman', scenario: 'second run', result: 'ready | reused' },
];

test('an engine of the matrix that recorded nothing is named', () => {
  expect(enginesWithoutResults(rows, MATRIX)).toEqual(['rootless-docker']);
  expect(enginesWithoutResults([...rows, { ...rows[0], engine: 'rootless-docker' }], MATRIX)).toEqual([]);
});

test('its column stays, each cell and its version line marked NO RESULTS', () => {
  const page = renderEngineTable(rows, { 'rootful-docker': 'Docker 20' }, '2026-12-07', MATRIX);
  expect(page).toContain('| case | rootful-docker | rootless-docker | rootful-podman |');
  expect(page).toContain(`| second run | ready, container reused | **${NO_RESULTS}** | ready \\| reused |`);
  expect(page).toContain(`- **rootless-docker**: ${NO_RESULTS} — its suite (test/e2e/engines/rootless-docker.test.ts)`);
  expect(page).toContain('- **rootful-podman**: version not recorded');
});

test('the default matrix is every engine npm test runs: the four on this machine, then the two in a VM', () => {
  expect(enginesWithoutResults([])).toEqual([
    'rootful-docker',
    'rootless-docker',
    'rootful-podman',
    'rootless-podman',
    'vm-desktop',
    'vm-plain',
  ]);
});
