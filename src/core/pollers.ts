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

/** The freshest poller that polled at or after `since`, allowing for a little clock skew. */
export function freshPoller(pollers: PollerSeen[], since: string, skewMs = 1000): PollerSeen | undefined {
  const threshold = Date.parse(since) - skewMs;
  return pollers
    .filter((poller) => Date.parse(poller.lastAccessTime) >= threshold)
    .sort((a, b) => Date.parse(b.lastAccessTime) - Date.parse(a.lastAccessTime))[0];
}
