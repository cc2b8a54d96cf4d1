/**
 * What many concurrent provisions on one worker share: slots for work that must not all run at once,
 * and one read of a slow answer that is the same for all of them.
 */

/**
 * At most `max` tasks at once; the rest wait their turn, first come first served. Used where many
 * provisions would otherwise start CPU-bound work together (one interpreter per in-container probe)
 * and all miss their deadlines: a task's own timeout starts when it gets its slot, not while it waits.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now and tasks waiting for a slot. */
  readonly load: { running: number; waiting: number };
}

export function createLimiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`a limiter needs at least one slot, got ${max}`);
  let running = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else running--;
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running < max) running++;
      else await new Promise<void>((resolve) => queue.push(resolve)); // the slot passes straight to us
      try {
        return await task();
      } finally {
        release();
      }
    },
    get load() {
      return { running, waiting: queue.length };
    },
  };
}

/**
 * One load per key at a time, its answer reused for `ttlMs` after it settles: fifty provisions asking
 * an engine what it is make one request, not fifty. A caller may accept a younger answer only
 * (`maxAgeMs`). A failed load is not kept; the next call tries again.
 */
export function shareRecent<V>(ttlMs: number, now: () => number = Date.now) {
  const entries = new Map<string, { value: Promise<V>; settledAt?: number }>();
  return (key: string, load: () => Promise<V>, maxAgeMs = ttlMs): Promise<V> => {
    const entry = entries.get(key);
    if (entry && (entry.settledAt === undefined || now() - entry.settledAt < maxAgeMs)) return entry.value;
    const fresh: { value: Promise<V>; settledAt?: number } = { value: load() };
    entries.set(key, fresh);
    fresh.value.then(
      () => (fresh.settledAt = now()),
      () => entries.get(key) === fresh && entries.delete(key),
    );
    return fresh.value;
  };
}
