/**
 * Renders docs/engines.md from what the engine-matrix e2e suites measured
 * (test-artifacts/engine-matrix.jsonl): engine × case → result. Run by `npm test` after the suites;
 * the committed page is the output of a full run, never typed by hand.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/temporal/dev-server';

interface Row {
  engine: string;
  scenario: string;
  result: string;
}

const ENGINE_ORDER = [
  'rootful-docker',
  'rootless-docker',
  'rootful-podman',
  'rootless-podman',
  'vm-desktop',
  'vm-plain',
];

export function renderEngineTable(rows: Row[], versions: Record<string, string>, when: string): string {
  const scenarios = [...new Set(rows.map((row) => row.scenario))];
  const engines = ENGINE_ORDER.filter((engine) => rows.some((row) => row.engine === engine));
  const cell = (engine: string, scenario: string) =>
    rows
      .filter((row) => row.engine === engine && row.scenario === scenario)
      .at(-1)
      ?.result.replace(/\|/g, '\\|') ?? '—';
  return [
    '# Engines × cases',
    '',
    `Produced by \`npm test\` (the engine-matrix e2e suites, test/e2e/engines/) on ${when}: each cell is what that run measured.`,
    'Regenerate with `npm test`; do not edit by hand.',
    '',
    ...engines.map((engine) => `- **${engine}**: ${versions[engine] ?? 'version not recorded'}`),
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
}
