import { temporal } from '@temporalio/proto';
import { listPollers } from './task-queue';

const { TaskQueueType } = temporal.api.enums.v1;
const at = (seconds: number) => ({ seconds, nanos: 0 });

/** A server whose queue `q` has partitions q, /_sys/q/1, /_sys/q/2, holding the given activity pollers. */
function server(pollersByPartition: Record<string, Array<{ identity: string; lastAccessTime: { seconds: number } }>>) {
  const calls: string[] = [];
  const workflowService = {
    listTaskQueuePartitions: async () => {
      calls.push('list');
      const partitions = Object.keys(pollersByPartition).map((key) => ({ key }));
      return { workflowTaskQueuePartitions: partitions, activityTaskQueuePartitions: partitions };
    },
    describeTaskQueue: async ({ taskQueue, taskQueueType }: { taskQueue: { name: string }; taskQueueType: number }) => {
      calls.push(
        `describe ${taskQueue.name} ${taskQueueType === TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY ? 'activity' : 'workflow'}`,
      );
      return {
        pollers: taskQueueType === TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY ? pollersByPartition[taskQueue.name] : [],
      };
    },
  };
  return { connection: { workflowService } as unknown as Parameters<typeof listPollers>[0], calls };
}

const partitions = {
  q: [{ identity: '1@a', lastAccessTime: at(100) }],
  '/_sys/q/1': [
    { identity: '1@b', lastAccessTime: at(100) },
    { identity: '1@a', lastAccessTime: at(105) },
  ],
  '/_sys/q/2': [],
};

test('without a wanted poller, every partition is described and each worker listed once, at its latest poll', async () => {
  const { connection, calls } = server(partitions);
  const pollers = await listPollers(connection, 'default', 'q');
  expect(pollers.map(({ identity, lastAccessTime }) => [identity, lastAccessTime]).sort()).toEqual([
    ['1@a', new Date(105_000).toISOString()],
    ['1@b', new Date(100_000).toISOString()],
  ]);
  expect(calls).toContain('describe /_sys/q/2 activity');
});

test('a wanted poller on the queue’s own partition ends the listing there', async () => {
  const { connection, calls } = server(partitions);
  const pollers = await listPollers(connection, 'default', 'q', { wanted: (poller) => poller.identity === '1@a' });
  expect(pollers.map((poller) => poller.identity)).toEqual(['1@a']);
  expect(calls.sort()).toEqual(['describe q activity', 'describe q workflow']);
});

test('a wanted poller on another partition is found there', async () => {
  const { connection, calls } = server(partitions);
  const pollers = await listPollers(connection, 'default', 'q', { wanted: (poller) => poller.identity === '1@b' });
  expect(pollers.map((poller) => poller.identity).sort()).toEqual(['1@a', '1@b']);
  expect(calls).toContain('list');
  expect(calls).toContain('describe /_sys/q/1 activity');
});

test('a server that lists no partitions is described by the queue alone', async () => {
  const calls: string[] = [];
  const connection = {
    workflowService: {
      listTaskQueuePartitions: async () => Promise.reject(new Error('PERMISSION_DENIED')),
      describeTaskQueue: async ({ taskQueue }: { taskQueue: { name: string } }) => {
        calls.push(taskQueue.name);
        return { pollers: [{ identity: '1@a', lastAccessTime: at(1) }] };
      },
    },
  } as unknown as Parameters<typeof listPollers>[0];
  expect((await listPollers(connection, 'default', 'q', { wanted: () => false })).map((p) => p.identity)).toEqual([
    '1@a',
    '1@a',
  ]);
  expect(calls).toEqual(['q', 'q']);
});

describe('callers that accept a listing of an age', () => {
  afterEach(() => jest.useRealTimers());
  const describes = (calls: string[]) => calls.filter((call) => call.startsWith('describe')).length;

  test('share one in flight or that recent; each is still checked against its own wanted poller', async () => {
    jest.useFakeTimers({ now: 0 });
    const { connection, calls } = server(partitions);
    const waits = [
      listPollers(connection, 'default', 'q', { wanted: (poller) => poller.identity === '1@a', maxAgeMs: 50 }),
      listPollers(connection, 'default', 'q', { wanted: (poller) => poller.identity === '1@b', maxAgeMs: 50 }),
    ];
    const [a, b] = await Promise.all(waits);
    expect(a.map((poller) => poller.identity)).toEqual(['1@a']);
    expect(b.map((poller) => poller.identity).sort()).toEqual(['1@a', '1@b']);
    expect(describes(calls)).toBe(6); // own partition once, the two others once, per task type

    jest.advanceTimersByTime(49);
    await listPollers(connection, 'default', 'q', { wanted: () => false, maxAgeMs: 50 });
    expect(describes(calls)).toBe(6);

    jest.advanceTimersByTime(1);
    await listPollers(connection, 'default', 'q', { wanted: () => false, maxAgeMs: 50 });
    expect(describes(calls)).toBe(12);
  });

  test('a caller that accepts no age lists afresh', async () => {
    const { connection, calls } = server(partitions);
    await Promise.all([listPollers(connection, 'default', 'q'), listPollers(connection, 'default', 'q')]);
    expect(describes(calls)).toBe(12);
  });
});
