/**
 * The bench in its short mode (`node dist/bench/run.js --quick`, as a child: P3 needs fresh
 * processes) produces every figure and its JSON. Targets are the full run's business, never asserted
 * here — except that every P4 provision succeeds: P4's figures of failed provisions time failures.
 * Fails, never skips, when the build, Docker or Temporal is missing.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runNode } from '../support/process';

jest.setTimeout(600_000);

const ROOT = join(__dirname, '..', '..');
const RUN = join(ROOT, 'dist', 'bench', 'run.js');
const OUTPUT = join(ROOT, 'test-artifacts', 'bench-quick.json');

test('npm run bench --quick produces every figure, as a table and as JSON', async () => {
  const started = Date.now();
  const { code, stdout, stderr } = await runNode([RUN, '--quick'], { cwd: ROOT, env: process.env, timeoutMs: 580_000 });
  process.stdout.write(stdout);
  if (code !== 0) throw new Error(`the bench exited ${code}:\n${stderr.slice(-4000)}`);

  expect(statSync(OUTPUT).mtimeMs).toBeGreaterThanOrEqual(started);
  const report = JSON.parse(readFileSync(OUTPUT, 'utf8')) as {
    mode: string;
    figures: Record<string, number>;
    p4: { failures: number; failureMessages: string[] };
  };
  expect(report.mode).toBe('quick');
  expect({ failures: report.p4.failures, failureMessages: report.p4.failureMessages }).toEqual({
    failures: 0,
    failureMessages: [],
  });
  expect(Object.keys(report.figures).length).toBeGreaterThanOrEqual(14);
  for (const [name, value] of Object.entries(report.figures)) {
    expect({ name, finitePositive: Number.isFinite(value) && value > 0 }).toEqual({ name, finitePositive: true });
  }
  for (const figure of [
    'plan --platform darwin / node -e 0, median',
    'ratio of medians',
    'seed bug',
    'cold start',
    'concurrent provisions: failures',
    'history events per provision',
  ])
    expect(stdout).toContain(figure);
});
