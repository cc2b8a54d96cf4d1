import { createLimiter, shareRecent } from './concurrency';

/** A task the test finishes by hand, so the order of events is the test's, not a timer's. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('runs at most max tasks at once and starts the waiting ones first come first served', async () => {
  const limiter = createLimiter(2);
  const tasks = [0, 1, 2, 3].map(() => deferred<string>());
  const started: number[] = [];
  const results = tasks.map((task, index) =>
    limiter.run(() => {
      started.push(index);
      return task.promise;
    }),
  );
  await tick();
  expect({ started, load: limiter.load }).toEqual({ started: [0, 1], load: { running: 2, waiting: 2 } });

  tasks[1].resolve('one');
  await expect(results[1]).resolves.toBe('one');
  await tick();
  expect({ started, load: limiter.load }).toEqual({ started: [0, 1, 2], load: { running: 2, waiting: 1 } });

  tasks[0].reject(new Error('zero failed'));
  await expect(results[0]).rejects.toThrow('zero failed');
  await tick();
  expect(started).toEqual([0, 1, 2, 3]);

  tasks[2].resolve('two');
  tasks[3].resolve('three');
  await expect(Promise.all(results.slice(2))).resolves.toEqual(['two', 'three']);
  expect(limiter.load).toEqual({ running: 0, waiting: 0 });
});

test('a task that throws synchronously frees its slot', async () => {
  const limiter = createLimiter(1);
  await expect(
    limiter.run(() => {
      throw new Error('at once');
    }),
  ).rejects.toThrow('at once');
  await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  expect(limiter.load).toEqual({ running: 0, waiting: 0 });
});

test.each([0, -1, 1.5, Number.NaN])('refuses %p slots', (max) => {
  expect(() => createLimiter(max)).toThrow(/at least one slot/);
});

describe('shareRecent', () => {
  test('concurrent callers share one load, reused until the answer is ttl old', async () => {
    let clock = 0;
    const share = shareRecent<string>(1000, () => clock);
    let loads = 0;
    const load = jest.fn(async () => `answer ${++loads}`);
    const first = await Promise.all([share('engine', load), share('engine', load), share('engine', load)]);
    expect({ first, loads: load.mock.calls.length }).toEqual({ first: ['answer 1', 'answer 1', 'answer 1'], loads: 1 });
    clock = 999;
    expect(await share('engine', load)).toBe('answer 1');
    clock = 1000;
    expect(await share('engine', load)).toBe('answer 2');
    expect(await share('other engine', load)).toBe('answer 3');
  });

  test('a caller that accepts a younger answer only loads afresh, for itself and those after it', async () => {
    let clock = 0;
    const share = shareRecent<string>(60_000, () => clock);
    let loads = 0;
    const load = async () => `answer ${++loads}`;
    await share('queue', load);
    clock = 49;
    expect(await share('queue', load, 50)).toBe('answer 1');
    clock = 50;
    expect(await share('queue', load, 50)).toBe('answer 2');
    expect(await share('queue', load)).toBe('answer 2');
  });

  test('a failed load is not kept: the next caller loads again', async () => {
    const share = shareRecent<string>(60_000);
    const failing = jest.fn(async () => {
      throw new Error('engine down');
    });
    await expect(Promise.all([share('engine', failing), share('engine', failing)])).rejects.toThrow('engine down');
    expect(failing).toHaveBeenCalledTimes(1);
    await expect(share('engine', async () => 'up again')).resolves.toBe('up again');
  });
});
