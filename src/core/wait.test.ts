/** The one poll loop, on a fake clock: `sleep` advances time, nothing really waits. */
import { sleepUntilSettled, waitUntil, WaitTimeoutError, withTimeout } from './wait';

function fakeClock() {
  let time = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => time,
    advance: (ms: number) => (time += ms),
    sleep: async (ms: number) => {
      slept.push(ms);
      time += ms;
    },
  };
}

/** A probe that answers from a script, one entry per call: a value, `undefined` (not yet) or an Error (thrown). */
function scripted<T>(clock: ReturnType<typeof fakeClock>, answers: Array<T | undefined | Error>, tookMs = 0) {
  const calledAt: number[] = [];
  const probe = async () => {
    calledAt.push(clock.now());
    clock.advance(tookMs);
    const answer = answers[Math.min(calledAt.length - 1, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { probe, calledAt };
}

describe('waitUntil', () => {
  it('returns the first value, probing once per interval', async () => {
    const clock = fakeClock();
    const { probe, calledAt } = scripted(clock, [undefined, undefined, 'ready']);
    await expect(waitUntil(probe, { intervalMs: 200, timeoutMs: 30_000, what: 'x', ...clock })).resolves.toBe('ready');
    expect(calledAt).toEqual([0, 200, 400]);
  });

  it('backs off by how long it has waited when the interval is a function of it', async () => {
    const clock = fakeClock();
    const { probe, calledAt } = scripted(clock, [undefined, undefined, undefined, 'ready'], 10);
    const waited: number[] = [];
    const intervalMs = (waitedMs: number) => (waited.push(waitedMs), waitedMs < 100 ? 100 : 300);
    await expect(waitUntil(probe, { intervalMs, timeoutMs: 30_000, what: 'x', ...clock })).resolves.toBe('ready');
    // Time waited counts the probes' own time too.
    expect(waited).toEqual([10, 120, 430]);
    expect(calledAt).toEqual([0, 110, 420, 730]);
  });

  it('retries a probe that throws, and names what it waited for, how long and the last error when time runs out', async () => {
    const clock = fakeClock();
    const { probe, calledAt } = scripted<string>(clock, [new Error('ECONNREFUSED'), undefined]);
    const failure = await waitUntil(probe, {
      intervalMs: 100,
      timeoutMs: 250,
      what: 'Temporal to answer on 127.0.0.1:7233',
      ...clock,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WaitTimeoutError);
    expect((failure as Error).message).toBe(
      'timed out after 250 ms waiting for Temporal to answer on 127.0.0.1:7233 (last error: ECONNREFUSED)',
    );
    expect(failure).toMatchObject({ what: 'Temporal to answer on 127.0.0.1:7233', timeoutMs: 250 });
    // The last pause is cut to the deadline, where it probes once more.
    expect(calledAt).toEqual([0, 100, 200, 250]);
    expect(clock.slept).toEqual([100, 100, 50]);
  });

  it('says nothing of errors when the probe never threw', async () => {
    const clock = fakeClock();
    await expect(
      waitUntil(scripted(clock, [undefined]).probe, { intervalMs: 10, timeoutMs: 20, what: 'x', ...clock }),
    ).rejects.toThrow(/^timed out after 20 ms waiting for x$/);
  });

  it("counts the probes' own time against the deadline", async () => {
    const clock = fakeClock();
    const { probe, calledAt } = scripted(clock, [undefined], 300);
    await expect(waitUntil(probe, { intervalMs: 100, timeoutMs: 1000, what: 'x', ...clock })).rejects.toThrow(
      WaitTimeoutError,
    );
    expect(calledAt).toEqual([0, 400, 800]);
  });

  it('ends with the error of its sleep (an activity cancelled mid-wait)', async () => {
    const clock = fakeClock();
    const cancelled = new Error('cancelled');
    const sleep = () => Promise.reject(cancelled);
    await expect(
      waitUntil(scripted(clock, [undefined]).probe, {
        intervalMs: 100,
        timeoutMs: 1000,
        what: 'x',
        now: clock.now,
        sleep,
      }),
    ).rejects.toBe(cancelled);
  });

  it('without a deadline, polls until the probe answers', async () => {
    const clock = fakeClock();
    const answers = [...Array<undefined>(999).fill(undefined), 42];
    await expect(
      waitUntil(scripted(clock, answers).probe, { intervalMs: 250, timeoutMs: Infinity, what: 'x', ...clock }),
    ).resolves.toBe(42);
    expect(clock.now()).toBe(999 * 250);
  });
});

describe('withTimeout and sleepUntilSettled (jest fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('withTimeout passes the value through and leaves no timer behind', async () => {
    await expect(withTimeout(Promise.resolve('v'), 2000, 'x')).resolves.toBe('v');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('withTimeout fails naming what it waited for', async () => {
    const never = withTimeout(new Promise(() => undefined), 2000, 'the progress query');
    jest.advanceTimersByTime(2000);
    await expect(never).rejects.toThrow('timed out after 2000 ms waiting for the progress query');
  });

  it('sleepUntilSettled sleeps its time, wakes when the event settles, and no longer sleeps after', async () => {
    let settle!: () => void;
    const event = new Promise<void>((resolve) => (settle = resolve));
    const sleep = sleepUntilSettled(event);
    const first = sleep(1000);
    jest.advanceTimersByTime(1000);
    await first;
    const second = sleep(1000);
    settle();
    await second;
    expect(jest.getTimerCount()).toBe(0);
    await sleep(1000);
    expect(jest.getTimerCount()).toBe(0);
  });
});
