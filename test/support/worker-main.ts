/** The program behind startWorkerProcess (compiled to dist/test/support/worker-main.js). */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createActivities, type RunnerActivities } from '../../src/activities';
import { hostname } from 'node:os';
import { createHostWorkers, defaultActivityDeps } from '../../src/provisioning-worker';
import { hostTaskQueue, PROVISIONING_TASK_QUEUE, workerIdentity } from '../../src/core/contract/names';
import { waitUntil } from '../../src/core/wait';
import { listPollers } from '../../src/temporal/task-queue';
import { engineKind } from '../../src/cli/worker';
import { connectWorker, devServerTarget } from '../../src/temporal/connection';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await connectWorker(devServerTarget(process.env.WORKER_TEMPORAL_ADDRESS as string));
  const deps = defaultActivityDeps();
  const activities: Record<string, (...args: never[]) => Promise<unknown>> = createActivities(deps);
  const [when, step] = (process.env.WORKER_PAUSE ?? '').split(':');
  if (step) {
    const body = activities[step];
    const stdin = createInterface({ input: process.stdin });
    const hold = async () => {
      process.stdout.write(`paused ${when}:${step}\n`);
      await once(stdin, 'line');
    };
    let held = false; // hold once: on the first call ('before'), or the first that succeeded ('after')
    activities[step] = async (...args: never[]) => {
      if (!held && when === 'before') await ((held = true), hold());
      const result = await body(...args);
      if (!held && when === 'after') await ((held = true), hold());
      return result;
    };
  }
  // Like `stigmer-runner worker --host`: the shared queue and its host's (default: this machine's).
  const host = process.env.WORKER_HOST ?? hostname();
  const identity = workerIdentity('test-worker', process.pid, hostname(), host, await engineKind(process.env));
  const worker = await createHostWorkers({
    connection,
    namespace: 'default',
    activities: activities as unknown as RunnerActivities,
    bundle: 'prebuilt',
    host,
    identity,
  });
  const running = worker.run();
  // Ready once the server lists both queues' pollers: a CLI started now finds this worker, not none.
  await waitUntil(
    async () =>
      (
        await Promise.all(
          [PROVISIONING_TASK_QUEUE, hostTaskQueue(host)].map((queue) => listPollers(connection, 'default', queue)),
        )
      ).every((pollers) => pollers.some((poller) => poller.identity === identity))
        ? true
        : undefined,
    {
      intervalMs: 100,
      timeoutMs: 15_000,
      what: `worker ${identity} to poll ${PROVISIONING_TASK_QUEUE} and ${hostTaskQueue(host)}`,
    },
  );
  process.stdout.write('worker running\n');
  await running;
  await connection.close();
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
