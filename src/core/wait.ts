/**
 * The one poll loop and the one timeout. Every wait in src/ goes through these, so each has a
 * deadline and its failure names what was awaited, for how long, and the last error the probe threw.
 * The clock is injectable: activities pass `Context.current().sleep` (cancellation ends the wait),
 * tests a fake one.
 */

export interface WaitOptions {
  /** Pause between probes: fixed, or by how long the wait has lasted so far (a wait that backs off). */
  intervalMs: number | ((waitedMs: number) => number);
  /** Give up after this long; `Infinity` for a poll that something else ends (see `sleepUntilSettled`). */
  timeoutMs: number;
  /** What is awaited, as it reads after "waiting for": `Temporal to answer on 127.0.0.1:7233`. */
  what: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** A wait that ran out of time; `lastError` is what the probe threw last, if it ever did. */
export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastError?: unknown,
  ) {
    super(
      `timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : ` (last error: ${errorText(lastError)})`}`,
    );
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Probes until it returns a value (`undefined`: not yet), pausing `intervalMs` between probes, and
 * probes once more at the deadline before giving up. A probe that throws is retried like one that
 * returned `undefined`; its error is kept for the timeout message. An error from `sleep` ends the wait.
 */
export async function waitUntil<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const { intervalMs, timeoutMs, what, sleep = delay, now = Date.now } = options;
  const started = now();
  const deadline = started + timeoutMs;
  const pause = typeof intervalMs === 'function' ? intervalMs : () => intervalMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    const left = deadline - now();
    if (left <= 0) throw new WaitTimeoutError(what, timeoutMs, lastError);
    await sleep(Math.min(pause(now() - started), left));
  }
}

/** `promise`, or a `WaitTimeoutError` naming `what` after `ms`; the timer never outlives the race. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(what, ms)), ms);
  });
  return Promise.race([promise, timedOut]).finally(() => clearTimeout(timer));
}

/** A `sleep` for `waitUntil` that also wakes, for good, once `event` settles: for polls an event ends. */
export function sleepUntilSettled(event: Promise<unknown>): (ms: number) => Promise<void> {
  let settled = false;
  let wake: (() => void) | undefined;
  const settle = () => {
    settled = true;
    wake?.();
  };
  event.then(settle, settle);
  return (ms) =>
    settled
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const finish = () => {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(finish, ms);
          wake = finish;
        });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
