/**
 * Whether a runner is healthy **now** — what `stigmer-runner status` decides its exit code on. From
 * facts the CLI gathers at once (cli/status.ts): the runner's containers as the engine lists them,
 * the runner's own poll on its queue as Temporal lists it, and the plan's checks made from this machine.
 * A provision's in-container checks are history and never enter the verdict: only what was checked
 * by this command counts. Pure: structured facts in, structured verdict out; sentences at the CLI edge.
 */
import type { CheckResult } from './diagnosis';
import { runnerPoll, type LiveFacts, type RunnerContainerSeen, type Unreadable } from './warm-run';

/** Where a check was made from: this machine (the CLI's process, its engine, its Temporal client) or inside the runner's container. */
export type CheckSide = 'this-machine' | 'container';

export interface RunnerHealthFacts {
  /** The runner is on another host: its engine and the services there are seen only by that host's worker. */
  otherHost?: string;
  /** The runner's containers, found as startContainer finds them (absent for another host). */
  containers?: RunnerContainerSeen[];
  /** The queue the runner's release polls, from the plan its last provision recorded; absent: no plan recorded. */
  taskQueue?: string;
  /** Temporal's pollers of that queue, listed now (absent: nothing to look for — no single running container, no plan). */
  poll?: Pick<LiveFacts, 'now' | 'pollers'> | Unreadable;
  /** The plan's checks from this machine, made now (absent: no plan recorded). */
  services?: { checkedAt: number; checks: CheckResult[] } | Unreadable;
}

/** Why a runner is not healthy: a closed set, each with the fields its sentence needs. */
export type HealthProblem =
  | { kind: 'other-host'; host: string }
  | { kind: 'no-container' }
  | { kind: 'several-containers'; ids: string[] }
  | { kind: 'container-not-running'; id: string; state: string }
  /** No provision recorded a plan: nothing says which services or queue to check. */
  | { kind: 'no-plan' }
  | { kind: 'not-polling'; taskQueue: string; hostname: string; lastSeen?: string }
  | { kind: 'service-failing'; check: Pick<CheckResult, 'service' | 'site' | 'target' | 'detail'> }
  | { kind: 'unchecked'; what: 'poll' | 'services'; error: string };

export type HealthProblemKind = HealthProblem['kind'];

export interface RunnerHealth {
  healthy: boolean;
  problems: HealthProblem[];
  /** The runner's own fresh poll, when one was seen. */
  poller?: { identity: string; lastAccessTime: string; ageMs: number };
}

/** Every problem at once (a script or a reader fixes them together); healthy only when none. */
export function judgeRunnerHealth(facts: RunnerHealthFacts): RunnerHealth {
  if (facts.otherHost !== undefined) return verdict([{ kind: 'other-host', host: facts.otherHost }]);
  const problems: HealthProblem[] = [...containerProblems(facts.containers ?? [])];
  if (facts.taskQueue === undefined) problems.push({ kind: 'no-plan' });
  const polled = pollProblems(facts);
  problems.push(...polled.problems, ...serviceProblems(facts.services, facts.taskQueue !== undefined));
  return { ...verdict(problems), ...(polled.poller && { poller: polled.poller }) };
}

function verdict(problems: HealthProblem[]): RunnerHealth {
  return { healthy: problems.length === 0, problems };
}

/** The one running container the poll is looked for from; undefined when there is not exactly one container, running. */
export function healthContainer(containers: RunnerContainerSeen[]): RunnerContainerSeen | undefined {
  return containers.length === 1 && containers[0].state === 'running' ? containers[0] : undefined;
}

function containerProblems(containers: RunnerContainerSeen[]): HealthProblem[] {
  if (containers.length === 0) return [{ kind: 'no-container' }];
  if (containers.length > 1) return [{ kind: 'several-containers', ids: containers.map((entry) => entry.id) }];
  const [{ id, state }] = containers;
  return state === 'running' ? [] : [{ kind: 'container-not-running', id, state }];
}

function pollProblems(facts: RunnerHealthFacts): { problems: HealthProblem[]; poller?: RunnerHealth['poller'] } {
  const container = healthContainer(facts.containers ?? []);
  // Without a running container or a queue there is no poll to look for; those problems are said already.
  if (!container || facts.taskQueue === undefined) return { problems: [] };
  // A poll that should have been looked for and was not is not a healthy one (fails closed).
  if (!facts.poll) return { problems: [{ kind: 'unchecked', what: 'poll', error: 'not looked for' }] };
  if ('error' in facts.poll) return { problems: [{ kind: 'unchecked', what: 'poll', error: facts.poll.error }] };
  const seen = runnerPoll(container, facts.poll);
  if (!seen.poller)
    return {
      problems: [
        { kind: 'not-polling', taskQueue: facts.taskQueue, hostname: container.hostname, lastSeen: seen.lastSeen },
      ],
    };
  const { identity, lastAccessTime } = seen.poller;
  return {
    problems: [],
    poller: { identity, lastAccessTime, ageMs: Math.max(0, facts.poll.now - Date.parse(lastAccessTime)) },
  };
}

function serviceProblems(services: RunnerHealthFacts['services'], planned: boolean): HealthProblem[] {
  // With a plan the services must have been checked; not checking them is not a pass (fails closed).
  if (!services) return planned ? [{ kind: 'unchecked', what: 'services', error: 'not checked' }] : [];
  if ('error' in services) return [{ kind: 'unchecked', what: 'services', error: services.error }];
  return services.checks
    .filter((check) => !check.ok)
    .map((check) => ({
      kind: 'service-failing' as const,
      check: { service: check.service, site: check.site, target: check.target, detail: check.detail },
    }));
}
