/**
 * Renders docs/engines.md from what the engine-matrix e2e suites measured
 * (test-artifacts/engine-matrix.jsonl): engine × case → result. Run by `npm test` after the suites;
 * the committed page is the output of a full run, never typed by hand. Every engine of the matrix
 * (TEST_ENGINES and VM_ENGINES) gets a column: one whose suite recorded nothing is marked NO RESULTS and the script
 * exits 1, so an engine cannot drop out of the page without a word.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/temporal/dev-server';
import { TEST_ENGINES, VM_ENGINES } from '../test/support/engines';

/** The engines every `npm test` must measure: on this machine, then inside the two VMs. */
const MATRIX: readonly string[] = [...TEST_ENGINES, ...VM_ENGINES];

interface Row {
  engine: string;
  scenario: string;
  result: string;
}

/** What an engine of the matrix shows where its suite measured nothing: said, never a blank column. */
export const NO_RESULTS = 'NO RESULTS';

/** The engines of the matrix that recorded no row: their suite did not run, or failed before it measured. */
export function enginesWithoutResults(rows: Row[], matrix: readonly string[] = MATRIX): string[] {
  return matrix.filter((engine) => !rows.some((row) => row.engine === engine));
}

const suiteOf = (engine: string) =>
  (VM_ENGINES as readonly string[]).includes(engine)
    ? `test/vm/${engine}.test.ts`
    : `test/e2e/engines/${engine}.test.ts`;

/** Every engine of the matrix has a column (then any other engine that recorded rows). */
export function renderEngineTable(
  rows: Row[],
  versions: Record<string, string>,
  when: string,
  matrix: readonly string[] = MATRIX,
): string {
  const scenarios = [...new Set(rows.map((row) => row.scenario))];
  const missing = enginesWithoutResults(rows, matrix);
  const engines = [...matrix, ...new Set(rows.map((row) => row.engine).filter((engine) => !matrix.includes(engine)))];
  const cell = (engine: string, scenario: string) =>
    missing.includes(engine)
      ? `**${NO_RESULTS}**`
      : (rows
          .filter((row) => row.engine === engine && row.scenario === scenario)
          .at(-1)
          ?.result.replace(/\|/g, '\\|') ?? '—');
  const versionLine = (engine: string) =>
    missing.includes(engine)
      ? `- **${engine}**: ${NO_RESULTS} — its suite (${suiteOf(engine)}) recorded nothing in this run`
      : `- **${engine}**: ${versions[engine] ?? 'version not recorded'}`;
  return [
    '# Engines × cases',
    '',
    `Produced by \`npm test\` (the engine-matrix e2e suites, test/e2e/engines/) on ${when}: each cell is what that run measured.`,
    'Regenerate with `npm test`; do not edit by hand. In the VM columns `npm test` runs the core cases, `--network host` forced on vm-desktop only (—: run by `npm run test:vm`, every case).',
    '',
    ...engines.map(versionLine),
    '',
    `| case | ${engines.join(' | ')} |`,
    `|---|${engines.map(() => '---').join('|')}|`,
    ...scenarios.map((scenario) => `| ${scenario} | ${engines.map((engine) => cell(engine, scenario)).join(' | ')} |`),
    '',
  ].join('\n');
}

if (require.main === module) {
  const root = projectRoot();
  const source = join(root, 'test-artifacts', 'engine-matrix.jsonl');
  if (!existsSync(source)) {
    process.stderr.write(`no ${source}: run the engine-matrix suites first (npm test)\n`);
    process.exit(1);
  }
  const lines = readFileSync(source, 'utf8').trim().split('\n').filter(Boolean);
  const rows = lines.map((line) => JSON.parse(line) as Row & { version?: string });
  const versions = Object.fromEntries(
    rows
      .filter((row) => row.scenario === 'plan: engine kind, rootless' && row.version)
      .map((row) => [row.engine, row.version as string]),
  );
  writeFileSync(
    join(root, 'docs', 'engines.md'),
    renderEngineTable(rows, versions, new Date().toISOString().slice(0, 10)),
  );
  process.stdout.write(`docs/engines.md: ${rows.length} results\n`);
  const missing = enginesWithoutResults(rows);
  if (missing.length > 0) {
    process.stderr.write(
      `docs/engines.md: no results from ${missing.join(', ')} (marked ${NO_RESULTS}): the matrix is incomplete\n`,
    );
    process.exit(1);
  }
}
