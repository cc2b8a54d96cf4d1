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

/** A runner's own poller: its identity ends `@<its container's host name>` (other runners poll the same queue). */
export const polledBy =
  (hostname: string) =>
  (poller: PollerSeen): boolean =>
    poller.identity.endsWith(`@${hostname}`);
