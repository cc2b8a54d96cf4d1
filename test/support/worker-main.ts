/** The program behind startWorkerProcess (compiled to dist/test/support/worker-main.js). */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createActivities, type RunnerActivities } from '../../src/activities';
import { createProvisioningWorker, defaultActivityDeps } from '../../src/worker';
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
  const worker = await createProvisioningWorker({
    connection,
    namespace: 'default',
    activities: activities as unknown as RunnerActivities,
    bundle: 'prebuilt',
    identity: `test-worker ${process.pid}`,
  });
  process.stdout.write('worker running\n');
  await worker.run();
  await connection.close();
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
