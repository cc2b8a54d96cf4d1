/**
 * Whether a worker really polls a task queue now, from the pollers the server lists. DescribeTaskQueue
 * keeps a poller listed for minutes after it died, so only a recent enough poll counts.
 */

export interface PollerSeen {
  identity: string;
  type: 'workflow' | 'activity';
  lastAccessTime: string;
}

/** A worker counts as present if it polled within a long-poll's length (~70 s). */
export const LIVE_POLLER_WINDOW_MS = 70_000;

/** Whether a poller polled at or after `since`, allowing for a little clock skew. */
export function polledSince(poller: PollerSeen, since: string, skewMs = 1000): boolean {
  return Date.parse(poller.lastAccessTime) >= Date.parse(since) - skewMs;
}

/** The freshest poller that polled at or after `since`, allowing for a little clock skew. */
export function freshPoller(pollers: PollerSeen[], since: string, skewMs = 1000): PollerSeen | undefined {
  return pollers
    .filter((poller) => polledSince(poller, since, skewMs))
    .sort((a, b) => Date.parse(b.lastAccessTime) - Date.parse(a.lastAccessTime))[0];
}

/** A readiness wait lists its runner's queue this often at first, until the runner's poll shows. */
export const READINESS_ROUND_MS = 100;
/** The longest pause between a readiness wait's listings, however long it has waited. */
export const READINESS_ROUND_MAX_MS = 1000;

/**
 * The pause before a readiness wait's next listing, `waitedMs` into it. A runner polls about a second
 * after it starts on an idle machine; one that has not by then is slow (a loaded machine, a big
 * image), and listing its queue ten times a second loads that machine further: in bench P4 the first
 * runners' waits, alone for the ~25 s fifty runners took to boot, made most of the burst's 1,208
 * DescribeTaskQueue calls (884–998 with this). So the pause grows to a tenth of the time waited, up to
 * a second: a runner shows ready at most 10 % (and at least 100 ms) after it polled, and a wait of a
 * second or less is unchanged.
 */
export function readinessRoundMs(waitedMs: number): number {
  return Math.min(Math.max(READINESS_ROUND_MS, waitedMs / 10), READINESS_ROUND_MAX_MS);
}

/** The oldest listing a readiness wait accepts, however many waits share it. */
export const SHARED_LISTING_MAX_AGE_CAP_MS = 500;

/**
 * How old a listing of the queue a readiness wait accepts when `waits` waits on one worker share it.
 * One wait lists afresh every round (half a round: its own last listing is always too old). A listing
 * is eight DescribeTaskQueue calls (two task types, four partitions), each ~1 ms of CPU in the worker
 * and as much in the server, and on a shared cluster or Temporal Cloud they count against the
 * namespace's request rate. So the age grows with the waits, to at most half a second: a worker lists
 * a queue at most twice a second however many provisions wait, and each runner shows ready at most
 * that much later.
 */
export function sharedListingMaxAgeMs(waits: number): number {
  return Math.min((READINESS_ROUND_MS / 2) * Math.max(1, waits), SHARED_LISTING_MAX_AGE_CAP_MS);
}

/** A runner's own poller: its identity ends `@<its container's host name>` (other runners poll the same queue). */
export const polledBy =
  (hostname: string) =>
  (poller: PollerSeen): boolean =>
    poller.identity.endsWith(`@${hostname}`);
