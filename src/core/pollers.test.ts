import {
  polledBy,
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

describe("polledBy: a runner's own poller is the one whose identity ends @<its container's host name>", () => {
  const hostname = 'stigmer-agent-runner-0a1b2c3d';
  const poller = (identity: string) => ({
    identity,
    type: 'activity' as const,
    lastAccessTime: '2026-11-20T10:00:00Z',
  });
  it.each<[string, boolean]>([
    [`1@${hostname}`, true],
    [`4242@${hostname}`, true],
    // The runner's name alone — the identity every container of that name had before host names were
    // drawn per container: a runner of the same name on another host, or an impostor, is not this one.
    ['1@stigmer-agent-runner', false],
    ['1@stigmer-agent-runner-ffffffff', false],
    [`1@other.${hostname}`, false],
    [`1@${hostname}.example`, false],
    [hostname, false],
  ])('%s → %s', (identity, own) => expect(polledBy(hostname)(poller(identity))).toBe(own));
});
