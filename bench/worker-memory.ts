/**
 * P5: one standalone worker as users run it (`stigmer-runner worker`, the prebuilt bundle) — how
 * long it takes from start to polling, its memory idle, and its memory serving rounds of P4's
 * concurrent provisions: peak during each round and what it keeps after, so growth shows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROVISIONING_TASK_QUEUE } from '../src/core/names';
import { waitUntil } from '../src/core/wait';
import { projectRoot } from '../src/temporal/dev-server';
import { listPollers } from '../src/temporal/task-queue';
import { spawnNode } from '../test/support/process';
import type { Fixture } from './fixture';
import { measureP4 } from './measures';
import { round } from './stats';

export interface P5 {
  startToPollingMs: number;
  idleRssMiB: number;
  rounds: Array<{ provisions: number; failures: number; peakRssMiB: number; afterRssMiB: number }>;
  /** RSS after the last round minus after the first. */
  growthMiB: number;
}

/** Pause that lets a round's garbage be collected before "after" is read; it is outside any timing. */
const SETTLE_MS = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMiB(pid: number): number {
  const kib = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return round(kib / 1024, 1);
}

export async function measureP5(fixture: Fixture, provisions: number, rounds: number): Promise<P5> {
  const started = performance.now();
  const worker = spawnNode(
    [join(projectRoot(), 'bin', 'stigmer-runner.js'), 'worker', '--host', `bench-${fixture.runId}-p5`],
    {
      env: { ...fixture.deps.env, STIGMER_RUNNER_LOG_LEVEL: 'WARN' },
    },
  );
  try {
    await waitUntil(
      async () =>
        (await listPollers(fixture.client.connection, 'default', PROVISIONING_TASK_QUEUE)).find(
          (poller) => poller.identity.startsWith(`stigmer-runner worker ${worker.pid}@`) && poller.type === 'workflow',
        ),
      { intervalMs: 20, timeoutMs: 60_000, what: `the standalone worker (pid ${worker.pid}) to poll` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; its output:\n${worker.output().slice(-2000)}`);
    });
    const startToPollingMs = round(performance.now() - started);
    await sleep(SETTLE_MS);
    const idleRssMiB = rssMiB(worker.pid);
    const measured: P5['rounds'] = [];
    for (let index = 0; index < rounds; index++) {
      let peakRssMiB = rssMiB(worker.pid);
      const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, rssMiB(worker.pid))), 100);
      const load = await measureP4(fixture, provisions).finally(() => clearInterval(sampler));
      await sleep(SETTLE_MS);
      measured.push({ provisions, failures: load.failures, peakRssMiB, afterRssMiB: rssMiB(worker.pid) });
    }
    return {
      startToPollingMs,
      idleRssMiB,
      rounds: measured,
      growthMiB: round(measured[measured.length - 1].afterRssMiB - measured[0].afterRssMiB, 1),
    };
  } finally {
    await worker.kill('SIGTERM');
  }
}
