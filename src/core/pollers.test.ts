import {
  READINESS_ROUND_MAX_MS,
  READINESS_ROUND_MS,
  readinessRoundMs,
  SHARED_LISTING_MAX_AGE_CAP_MS,
  sharedListingMaxAgeMs,
} from './pollers';

describe('readinessRoundMs', () => {
  it.each([
    // A runner that polls within its first second is seen within a round, as before.
    [0, 100],
    [600, 100],
    [1000, 100],
    // Then a tenth of the time waited.
    [2500, 250],
    [8000, 800],
    // Capped: a runner that takes long is seen at most a second late.
    [10_000, 1000],
    [60_000, 1000],
  ])('%i ms into a wait, the next listing comes %i ms later', (waitedMs, pauseMs) => {
    expect(readinessRoundMs(waitedMs)).toBe(pauseMs);
  });

  it('never shows a runner more than a tenth of its wait (or a first round) late, and never pauses past the cap', () => {
    for (let waitedMs = 0; waitedMs <= 120_000; waitedMs += 50) {
      const pauseMs = readinessRoundMs(waitedMs);
      expect(pauseMs).toBeLessThanOrEqual(Math.max(READINESS_ROUND_MS, waitedMs / 10));
      expect(pauseMs).toBeLessThanOrEqual(READINESS_ROUND_MAX_MS);
      expect(pauseMs).toBeGreaterThanOrEqual(readinessRoundMs(waitedMs - 50));
    }
  });
});

describe('sharedListingMaxAgeMs', () => {
  it.each([
    // One wait: half a round, so its own last listing (a round old) is never reused.
    [1, 50],
    // A wait always counts itself, even if the count has not caught up.
    [0, 50],
    [2, 100],
    [5, 250],
    [10, 500],
    // Capped: fifty waits list at most twice a second.
    [50, 500],
  ])('%i waits accept a listing %i ms old', (waits, ageMs) => {
    expect(sharedListingMaxAgeMs(waits)).toBe(ageMs);
  });

  it('lets one wait list afresh every round and never lets any wait see a listing older than the cap', () => {
    expect(sharedListingMaxAgeMs(1)).toBeLessThan(READINESS_ROUND_MS);
    for (let waits = 1; waits <= 200; waits++) {
      expect(sharedListingMaxAgeMs(waits)).toBeLessThanOrEqual(SHARED_LISTING_MAX_AGE_CAP_MS);
      expect(sharedListingMaxAgeMs(waits)).toBeGreaterThanOrEqual(sharedListingMaxAgeMs(waits - 1));
    }
  });
});
