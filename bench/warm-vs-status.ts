/**
 * C2: a warm `stigmer-runner run` against `stigmer-runner status`, each a fresh CLI process as a user
 * types it. One provision first; then warm `run` and `status` alternate, without a standalone worker
 * and then with one polling (`stigmer-runner worker`). Every timed `run` must have been warm (its line
 * says what it reused), or the measure fails: a full provision is not what C2 times.
 *
 * Call it outside a bench worker's `runUntil`: the arm "without a standalone worker" means no worker
 * polls `runner_provisioning` at all.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROVISIONING_TASK_QUEUE } from '../src/core/contract/names';
import { waitUntil } from '../src/core/wait';
import { projectRoot } from '../src/temporal/dev-server';
import { listPollers } from '../src/temporal/task-queue';
import { runNode, spawnNode, type Run } from '../test/support/process';
import type { Fixture } from './fixture';
import { round, summarize, type Summary } from './stats';

export interface C2Arm {
  status: Summary;
  warmRun: Summary;
  /** Median warm run / median status. */
  ratio: number;
}

export interface C2 {
  /** The one full provision before the warm runs (not a C2 figure; shown for scale). */
  provisionMs: number;
  withoutWorker: C2Arm;
  withWorker: C2Arm;
}

const CLI = join(projectRoot(), 'bin', 'stigmer-runner.js');
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** `reps` timed pairs per arm, after one untimed pair (module cache, engine and server warm-up). */
export async function measureC2(fixture: Fixture, reps: number): Promise<C2> {
  const runner = fixture.runnerName('c2');
  const env = { ...fixture.deps.env, STIGMER_RUNNER_NAME: runner };
  const cli = async (args: string[]): Promise<Run> => {
    const run = await runNode([CLI, ...args], { env, timeoutMs: 180_000 });
    if (run.code !== 0) throw new Error(`stigmer-runner ${args.join(' ')} exited ${run.code}:\n${run.stderr}`);
    return run;
  };
  await fixture.removeRunner(runner);
  try {
    const provision = await cli(['run']);
    log(`C2 provisioned ${runner} in ${provision.ms} ms`);
    const withoutWorker = await alternate('without a standalone worker', cli, reps);
    const worker = spawnNode([CLI, 'worker'], { env: { ...env, STIGMER_RUNNER_LOG_LEVEL: 'WARN' } });
    try {
      await waitUntil(
        async () =>
          (await listPollers(fixture.client.connection, 'default', PROVISIONING_TASK_QUEUE)).find((poller) =>
            poller.identity.startsWith(`stigmer-runner worker ${worker.pid}@`),
          ),
        { intervalMs: 50, timeoutMs: 60_000, what: `the standalone worker (pid ${worker.pid}) to poll` },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; its output:\n${worker.output().slice(-2000)}`);
      });
      const withWorker = await alternate('with a standalone worker', cli, reps);
      return { provisionMs: provision.ms, withoutWorker, withWorker };
    } finally {
      await worker.kill('SIGTERM');
    }
  } finally {
    await fixture.removeRunner(runner);
  }
}

async function alternate(arm: string, cli: (args: string[]) => Promise<Run>, reps: number): Promise<C2Arm> {
  const samples = { status: [] as number[], warmRun: [] as number[] };
  for (let rep = 0; rep <= reps; rep++) {
    // Which goes first alternates too, so neither always follows the other's cache effects.
    const order = rep % 2 ? (['status', 'warmRun'] as const) : (['warmRun', 'status'] as const);
    for (const which of order) {
      const started = performance.now();
      const run = await cli(which === 'status' ? ['status'] : ['run']);
      const ms = performance.now() - started;
      if (which === 'warmRun' && !/is ready \(reused: /.test(run.stdout))
        throw new Error(`a run in C2 was not warm; it printed:\n${run.stdout}${run.stderr}`);
      if (rep === 0) continue; // warm-up
      samples[which].push(ms);
    }
    if (rep > 0)
      log(
        `C2 ${arm} ${rep}/${reps}: run ${round(samples.warmRun.at(-1) ?? 0)} ms, status ${round(samples.status.at(-1) ?? 0)} ms`,
      );
  }
  const status = summarize(samples.status);
  const warmRun = summarize(samples.warmRun);
  return { status, warmRun, ratio: round(warmRun.medianMs / status.medianMs, 3) };
}
