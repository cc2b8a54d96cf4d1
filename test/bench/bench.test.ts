/**
 * The bench in its short mode (`node dist/bench/run.js --quick`, as a child: P3 needs fresh
 * processes) produces every figure and its JSON. Targets are the full run's business, never asserted
 * here — except that every P4 provision succeeds, on one host and on two, and every P5 round: figures
 * of failed provisions time failures. (C2 throws, failing the run, if a timed warm run was not warm.)
 * Fails, never skips, when the build, Docker or Temporal is missing.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine } from '../support/engines';
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
    p4Baseline: { failures: number; failureMessages: string[]; provisions: number };
    p4Fleet: { failures: number; failureMessages: string[]; misplaced: number };
    p5: { rounds: Array<{ failures: number }> };
  };
  expect(report.mode).toBe('quick');
  expect({ failures: report.p4.failures, failureMessages: report.p4.failureMessages }).toEqual({
    failures: 0,
    failureMessages: [],
  });
  // P4's peer ran: the same provisions at once without Temporal, every one ready.
  expect(report.p4Baseline).toEqual({
    provisions: 5,
    failures: 0,
    failureMessages: [],
    wallMs: expect.any(Number),
    cpu: { machineS: expect.any(Number) },
  });
  expect(Object.keys(report.figures)).toEqual(
    expect.arrayContaining(['p4.baselineRatio', 'p4.cpuFloorMs', 'p4.floorRatio']),
  );
  // The same load on two hosts lands every provision on its host's engine; the standalone worker serves every round.
  expect({
    failures: report.p4Fleet.failures,
    failureMessages: report.p4Fleet.failureMessages,
    misplaced: report.p4Fleet.misplaced,
  }).toEqual({ failures: 0, failureMessages: [], misplaced: 0 });
  expect(report.p5.rounds.map((round) => round.failures)).toEqual([0, 0, 0]);
  expect(Object.keys(report.figures).length).toBeGreaterThanOrEqual(20);
  for (const [name, value] of Object.entries(report.figures)) {
    expect({ name, finitePositive: Number.isFinite(value) && value > 0 }).toEqual({ name, finitePositive: true });
  }
  // Nothing of the run is left on either engine (Podman lists names without Docker's leading slash).
  const [docker, podman] = await Promise.all([requireEngine('rootful-docker'), requireEngine('rootful-podman')]);
  for (const engine of [docker, podman])
    expect({
      engine: engine.name,
      left: (await engine.docker.listContainers({ all: true })).flatMap((container) =>
        container.Names.filter((name) => /^\/?bench-/.test(name)),
      ),
    }).toEqual({ engine: engine.name, left: [] });
  for (const figure of [
    'plan --platform darwin / node -e 0, median',
    'ratio of medians',
    'seed bug',
    'cold start',
    'warm run / status, no standalone worker',
    'concurrent provisions: failures',
    'wall / without Temporal',
    'wall / CPU-bound floor',
    'two hosts (Docker + Podman, a worker each): failures',
    'standalone worker: start → polling',
    'history events per provision',
  ])
    expect(stdout).toContain(figure);
});
