/**
 * P5: one standalone worker as users run it (`stigmer-runner worker`, the prebuilt bundle) — how
 * long it takes from start to polling, its memory idle, and its memory serving rounds of P4's
 * concurrent provisions: RSS at its peak during each round and after it, and the heap that survives
 * a collection after each round (bench/heap-probe.ts), so what the worker keeps shows as growth.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { identityFields, PROVISIONING_TASK_QUEUE } from '../src/core/contract/names';
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
  idleHeapMiB: number;
  rounds: Array<{
    provisions: number;
    failures: number;
    /** The distinct failures' messages (up to 5), as P4 reports them. */
    failureMessages: string[];
    peakRssMiB: number;
    afterRssMiB: number;
    afterHeapMiB: number;
  }>;
  /** Heap surviving a collection after the last round minus after the first: what the worker keeps. */
  heapGrowthMiB: number;
}

/** Pause that lets a round's garbage be collected before "after" is read; it is outside any timing. */
const SETTLE_MS = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMiB(pid: number): number {
  const kib = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return round(kib / 1024, 1);
}

export async function measureP5(fixture: Fixture, provisions: number, rounds: number): Promise<P5> {
  const host = `bench-${fixture.runId}-p5`;
  const started = performance.now();
  const worker = spawnNode(
    [
      '--expose-gc',
      '-r',
      join(__dirname, 'heap-probe.js'),
      join(projectRoot(), 'bin', 'stigmer-runner.js'),
      'worker',
      '--host',
      host,
    ],
    {
      env: { ...fixture.deps.env, STIGMER_RUNNER_LOG_LEVEL: 'WARN' },
      stdin: true,
    },
  );
  let readings = 0;
  const heapAfterGcMiB = async () => {
    const reading = ++readings;
    worker.writeLine('heap');
    const line = await worker.waitForLine(new RegExp(`^heap ${reading} \\d+$`), 30_000);
    return round(Number(line.split(' ')[2]) / 2 ** 20, 1);
  };
  try {
    await waitUntil(
      async () =>
        (await listPollers(fixture.client.connection, 'default', PROVISIONING_TASK_QUEUE)).find(
          (poller) => identityFields(poller.identity).host === host && poller.type === 'workflow',
        ),
      { intervalMs: 20, timeoutMs: 60_000, what: `the standalone worker (pid ${worker.pid}) to poll` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; its output:\n${worker.output().slice(-2000)}`);
    });
    const startToPollingMs = round(performance.now() - started);
    await sleep(SETTLE_MS);
    const idleRssMiB = rssMiB(worker.pid);
    const idleHeapMiB = await heapAfterGcMiB();
    const measured: P5['rounds'] = [];
    for (let index = 0; index < rounds; index++) {
      let peakRssMiB = rssMiB(worker.pid);
      // A worker that exits mid-round fails the round's provisions and the next heap reading, by name.
      const sampler = setInterval(() => {
        if (worker.child.exitCode === null) peakRssMiB = Math.max(peakRssMiB, rssMiB(worker.pid));
      }, 100);
      const load = await measureP4(fixture, provisions).finally(() => clearInterval(sampler));
      await sleep(SETTLE_MS);
      measured.push({
        provisions,
        failures: load.failures,
        failureMessages: load.failureMessages,
        peakRssMiB,
        afterRssMiB: rssMiB(worker.pid),
        afterHeapMiB: await heapAfterGcMiB(),
      });
    }
    return {
      startToPollingMs,
      idleRssMiB,
      idleHeapMiB,
      rounds: measured,
      heapGrowthMiB: round(measured[measured.length - 1].afterHeapMiB - measured[0].afterHeapMiB, 1),
    };
  } finally {
    await worker.kill('SIGTERM');
  }
}
