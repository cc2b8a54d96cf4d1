/**
 * listPollers against a real dev server, which splits a task queue into 4 partitions: every worker
 * polling the queue is listed, whichever partition its polls landed on. Describing only the root
 * partition missed runners among fifty for up to a minute (bench P4's slowest readiness).
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { waitUntil } from '../../src/core/wait';
import { listPollers } from '../../src/temporal/task-queue';
import { startTestTemporal, type TestTemporal } from '../support/temporal-server';

jest.setTimeout(60_000);

const RUNNERS = 50;
const QUEUE = 'pollers-of-every-partition';

let temporal: TestTemporal;
const connections: NativeConnection[] = [];
const workers: Worker[] = [];
const running: Array<Promise<void>> = [];

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  temporal = await startTestTemporal();
  // One connection each, as separate runner processes have (the SDK allows one worker per queue per connection).
  for (let index = 0; index < RUNNERS; index++) {
    const connection = await NativeConnection.connect({ address: temporal.address });
    connections.push(connection);
    workers.push(
      await Worker.create({
        connection,
        taskQueue: QUEUE,
        identity: `1@runner-${index}`,
        activities: { noop: async () => undefined },
      }),
    );
  }
  running.push(...workers.map((worker) => worker.run()));
});

afterAll(async () => {
  for (const worker of workers) worker.shutdown();
  await Promise.all(running);
  await Promise.all(connections.map((connection) => connection.close()));
  await temporal?.stop();
});

test(`all ${RUNNERS} activity workers of one queue are listed, each once per task type it polls`, async () => {
  const expected = workers.map((_, index) => `1@runner-${index}`).sort();
  const pollers = await waitUntil(
    async () => {
      const listed = await listPollers(connections[0], 'default', QUEUE);
      return [...new Set(listed.map((poller) => poller.identity))].length === RUNNERS ? listed : undefined;
    },
    { intervalMs: 200, timeoutMs: 20_000, what: `${RUNNERS} runners to be listed as pollers of ${QUEUE}` },
  );
  expect(pollers.map((poller) => poller.identity).sort()).toEqual(expected);
  expect(new Set(pollers.map((poller) => poller.type))).toEqual(new Set(['activity']));
});
