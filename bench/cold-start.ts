/**
 * P3's child process: the production worker from nothing, with the prebuilt workflow bundle or
 * bundling `src/workflows` at start. Prints, in ms since this process started, when Worker.create
 * resolved and when the server first listed the worker's poller, and how long the Worker.create call
 * itself took. Usage: cold-start.js prebuilt|source ADDRESS
 */
import { performance } from 'node:perf_hooks';
import { listPollers } from '../src/temporal/task-queue';
import { createProvisioningWorker } from '../src/provisioning-worker';
import { PROVISIONING_TASK_QUEUE } from '../src/core/contract/names';
import { installRuntime } from '../src/observability/runtime';
import { connectClient, connectWorker, devServerTarget } from '../src/temporal/connection';
import { waitUntil } from '../src/core/wait';

/** How long the server may take to list the new worker's poller (the parent gives the whole run 120 s). */
const POLLING_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  const [mode, address] = process.argv.slice(2);
  if ((mode !== 'prebuilt' && mode !== 'source') || !address)
    throw new Error('usage: cold-start.js prebuilt|source ADDRESS');
  installRuntime({ level: 'ERROR', json: false, write: (line) => process.stderr.write(line) });
  const identity = `bench-cold-start-${process.pid}`;
  const connection = await connectWorker(devServerTarget(address));
  const createCalled = performance.now();
  const worker = await createProvisioningWorker({ connection, namespace: 'default', bundle: mode, identity });
  const createMs = performance.now();
  const running = worker.run();
  const client = await connectClient(devServerTarget(address));
  await waitUntil(
    async () =>
      (await listPollers(client, 'default', PROVISIONING_TASK_QUEUE)).find((poller) => poller.identity === identity),
    {
      intervalMs: 5,
      timeoutMs: POLLING_TIMEOUT_MS,
      what: `worker ${identity} to poll ${PROVISIONING_TASK_QUEUE}`,
    },
  );
  const pollingMs = performance.now();
  worker.shutdown();
  await running;
  await Promise.all([client.close(), connection.close()]);
  process.stdout.write(
    `${JSON.stringify({ createMs: Math.round(createMs), createCallMs: Math.round(createMs - createCalled), pollingMs: Math.round(pollingMs) })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
