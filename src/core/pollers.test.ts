import { READINESS_ROUND_MS, SHARED_LISTING_MAX_AGE_CAP_MS, sharedListingMaxAgeMs } from './pollers';

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
