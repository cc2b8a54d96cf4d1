/**
 * A warm `run`: when the runner a provision already verified still runs as a provision would make it
 * now, still polls its queue and its services still answer, `run` reuses it instead of provisioning
 * again. Decided here from facts the CLI gathers in stages — each gathered only when everything before
 * it holds: the request (`--fresh`, the host), the record (the last provision, the runner's
 * containers, the spec a provision would make now), then what is live (the runner's poller, the
 * services as this machine reaches them). Pure: sentences are rendered at the CLI edge.
 */
import type { PullPolicy } from '../vocabulary';
import { replaceReason, type ExistingContainer } from '../runner/container-spec';
import type { CheckResult } from './diagnosis';
import { freshPoller, LIVE_POLLER_WINDOW_MS, polledBy, type PollerSeen } from '../pollers';

export interface WarmRunFacts {
  /** `--fresh`: provision in full whatever runs. */
  fresh: boolean;
  /** The provision targets another host: its engine is seen by that host's worker only. */
  otherHost: boolean;
  /** Absent: not gathered yet; `{ error }`: could not be read. */
  record?: RecordFacts | Unreadable;
  live?: LiveFacts | Unreadable;
}

/** A stage whose facts could not be read (the engine, Temporal, a secret's source): the full provision says what. */
export interface Unreadable {
  error: string;
}

export interface RecordFacts {
  /** The last provision of this runner (its workflow id's latest run); absent: none. */
  last?: LastProvision;
  /** The runner's containers as startContainer finds them (by label and by name), inspected. */
  containers: RunnerContainerSeen[];
  /** What a provision would make now: its container spec's hash, the image's id on the engine (absent: not there). */
  wanted: {
    name: string;
    specHash: string;
    imageId?: string;
    pull: PullPolicy;
    /** The plan's blockers: a provision would fail at planNetworking. */
    blockers: string[];
    /** The queue the runner's contract polls. */
    taskQueue: string;
  };
}

export interface LastProvision {
  workflowId: string;
  runId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED, CANCELED, TIMED_OUT, … */
  status: string;
  closeTime?: string;
  /** Its outcome (a closed provision's result or failure details): the container it verified. */
  outcome?: { status: string; container?: { id: string } };
}

export interface RunnerContainerSeen extends ExistingContainer {
  id: string;
  /** The `@…` part of the runner's Temporal identity. */
  hostname: string;
  /** When its current run started (ISO). */
  startedAt: string;
}

export interface LiveFacts {
  /** Epoch ms when the pollers were listed. */
  now: number;
  /** Every poller of the runner's queue (other runners' too). */
  pollers: PollerSeen[];
  /** The plan's checks from this machine (host, bridge gateway), as interpreted. */
  checks: CheckResult[];
}

/** What a warm run reused, and what proves it still holds. */
export interface WarmReuse {
  provision: { workflowId: string; runId: string; closeTime?: string };
  container: { id: string; startedAt: string; specHash: string };
  poller: { identity: string; taskQueue: string; lastAccessTime: string; ageMs: number };
  /** The services as this machine reached them just now. */
  services: Array<Pick<CheckResult, 'service' | 'site' | 'target' | 'detail'>>;
}

/** Why a run provisions in full: a closed set of reasons, each with the fields its sentence needs. */
export type WarmMiss =
  | { reason: 'fresh-requested' }
  | { reason: 'other-host' }
  | { reason: 'never-provisioned' }
  /** Start-or-attach: the normal path attaches to it. */
  | { reason: 'provision-running'; workflowId: string }
  | { reason: 'last-provision-not-ready'; workflowId: string; status: string }
  | { reason: 'plan-blocked'; blockers: string[] }
  /** Pull policy `always`: a provision would look for a newer image. */
  | { reason: 'pull-always' }
  | { reason: 'no-container' }
  | { reason: 'several-containers'; ids: string[] }
  /** The runner's container is not the one the last provision verified (made or replaced since). */
  | { reason: 'unverified-container'; id: string; verified?: string }
  | { reason: 'container-not-running'; id: string; state: string }
  | { reason: 'spec-changed'; id: string }
  | { reason: 'image-changed'; id: string }
  | { reason: 'container-not-reusable'; id: string; why: 'not-managed' | 'other-name' | 'unusable' }
  | { reason: 'no-fresh-poller'; taskQueue: string; hostname: string; lastSeen?: string }
  | { reason: 'service-unreachable'; failing: Array<Pick<CheckResult, 'service' | 'site' | 'target' | 'detail'>> }
  | { reason: 'unchecked'; error: string };

export type WarmMissReason = WarmMiss['reason'];

export type WarmRunDecision = { warm: true; reused: WarmReuse } | ({ warm: false } & WarmMiss);

/** What the CLI must gather before the decision can be made. */
export type WarmRunNeed =
  | { needs: 'record' }
  /** Live facts of this container on this queue. */
  | { needs: 'live'; container: RunnerContainerSeen; taskQueue: string };

/**
 * Since when a poll of the runner's own counts, as readiness decides it: at or after its container
 * started — and, as a standalone worker's presence is decided, within the live window.
 */
export function ownPollSince(container: { startedAt: string }, now: number): string | undefined {
  const since = Math.max(Date.parse(container.startedAt), now - LIVE_POLLER_WINDOW_MS);
  return Number.isNaN(since) ? undefined : new Date(since).toISOString();
}

/**
 * The runner's own fresh poll among the listed pollers (identity `…@<its host name>`, since
 * `ownPollSince`), and when it last polled at all — the warm check and `status` judge it alike.
 */
export function runnerPoll(
  container: Pick<RunnerContainerSeen, 'hostname' | 'startedAt'>,
  listed: Pick<LiveFacts, 'now' | 'pollers'>,
): { poller?: PollerSeen; lastSeen?: string } {
  const own = listed.pollers.filter(polledBy(container.hostname));
  const since = ownPollSince(container, listed.now);
  const lastSeen = own
    .map((entry) => entry.lastAccessTime)
    .sort()
    .at(-1);
  return { poller: since === undefined ? undefined : freshPoller(own, since), lastSeen };
}

export function decideWarmRun(facts: WarmRunFacts): WarmRunDecision | WarmRunNeed {
  const miss = (value: WarmMiss): WarmRunDecision => ({ warm: false, ...value });
  if (facts.fresh) return miss({ reason: 'fresh-requested' });
  if (facts.otherHost) return miss({ reason: 'other-host' });
  const { record, live } = facts;
  if (!record) return { needs: 'record' };
  if ('error' in record) return miss({ reason: 'unchecked', error: record.error });

  const { last, containers, wanted } = record;
  if (!last) return miss({ reason: 'never-provisioned' });
  if (last.status === 'RUNNING') return miss({ reason: 'provision-running', workflowId: last.workflowId });
  const verified = last.outcome?.container?.id;
  if (last.status !== 'COMPLETED' || last.outcome?.status !== 'ready' || !verified)
    return miss({ reason: 'last-provision-not-ready', workflowId: last.workflowId, status: last.status });
  if (wanted.blockers.length > 0) return miss({ reason: 'plan-blocked', blockers: wanted.blockers });
  if (wanted.pull === 'always') return miss({ reason: 'pull-always' });

  if (containers.length === 0) return miss({ reason: 'no-container' });
  if (containers.length > 1) return miss({ reason: 'several-containers', ids: containers.map((entry) => entry.id) });
  const [container] = containers;
  const { id } = container;
  if (id !== verified) return miss({ reason: 'unverified-container', id, verified });
  if (container.state !== 'running') return miss({ reason: 'container-not-running', id, state: container.state });
  const replace = replaceReason(container, wanted);
  if (replace?.kind === 'spec-changed') return miss({ reason: 'spec-changed', id });
  if (replace?.kind === 'image-updated') return miss({ reason: 'image-changed', id });
  if (replace) return miss({ reason: 'container-not-reusable', id, why: replace.kind });

  if (!live) return { needs: 'live', container, taskQueue: wanted.taskQueue };
  if ('error' in live) return miss({ reason: 'unchecked', error: live.error });
  const { poller, lastSeen } = runnerPoll(container, live);
  if (!poller)
    return miss({ reason: 'no-fresh-poller', taskQueue: wanted.taskQueue, hostname: container.hostname, lastSeen });
  const failing = live.checks.filter((check) => !check.ok).map(shown);
  if (failing.length > 0) return miss({ reason: 'service-unreachable', failing });

  return {
    warm: true,
    reused: {
      provision: { workflowId: last.workflowId, runId: last.runId, closeTime: last.closeTime },
      container: { id, startedAt: container.startedAt, specHash: wanted.specHash },
      poller: {
        identity: poller.identity,
        taskQueue: wanted.taskQueue,
        lastAccessTime: poller.lastAccessTime,
        ageMs: Math.max(0, live.now - Date.parse(poller.lastAccessTime)),
      },
      services: live.checks.map(shown),
    },
  };
}

function shown(check: CheckResult): Pick<CheckResult, 'service' | 'site' | 'target' | 'detail'> {
  return { service: check.service, site: check.site, target: check.target, detail: check.detail };
}
