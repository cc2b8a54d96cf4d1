/**
 * `stigmer-runner status`: whether the runner works **now** — its containers (asked of the engine),
 * its own poll on its queue (asked of Temporal) and the services its last provision planned, checked
 * from this machine by this command — and, as history only, what the last provision checked and when.
 * core/health/runner-health.ts decides health (exit 0 or 8, `unhealthy`); status-lines.ts renders it.
 */
import type Dockerode from 'dockerode';
import type { ConfigFlags, RunnerConfig } from '../core/settings/types';
import { commandContext, localHost } from './command';
import { connectDocker } from '../docker/client';
import { findRunnerContainers } from '../docker/runner-container';
import { planOnEngine } from '../activities/runner-spec';
import { plannedTaskQueue, type NetworkPlan } from '../core/runner/network-plan';
import { EXIT_CODES, provisionWorkflowId } from '../core/contract/names';
import {
  healthContainer,
  judgeRunnerHealth,
  type RunnerHealthFacts,
  type RunnerHealth,
} from '../core/health/runner-health';
import type { RunnerContainerSeen } from '../core/health/warm-run';
import { lastProvision, type LastProvision } from './last-provision';
import { openSession, type Session } from './session';
import { workflowIdHost } from './start';
import { checkFromThisMachine, listRunnerPolls, seenContainer } from './warm-run';
import {
  currentChecks,
  pastChecks,
  renderStatus,
  type ContainerShown,
  type PollShown,
  type RunnerStatus,
} from './status-lines';

export async function statusCommand(
  flags: ConfigFlags,
  json: boolean,
  env: NodeJS.ProcessEnv,
  hostFlag?: string,
): Promise<number> {
  const { say, loaded, runner, host } = commandContext(flags, json, env, hostFlag);
  const local = host === localHost();
  const listed = local ? await localContainers(runner, env) : undefined;
  // The services as this machine's configuration names them — never the addresses a recorded
  // provision carries: its input may come from anyone who reaches the namespace (docs/security.md).
  const plan = local ? await planOnEngine(connectDocker(env), loaded.config, process.platform) : undefined;
  const session = await openSession(loaded, env, say, { worker: false, host });
  let status: RunnerStatus;
  try {
    const handle = session.client.workflow.getHandle(provisionWorkflowId(runner, workflowIdHost(host)));
    const last = await lastProvision(handle);
    status = await lookNow(session, { runner, host, listed, last, plan, config: loaded.config });
  } finally {
    await session.close();
  }
  if (json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  else say(renderStatus(status, Date.now()));
  return status.healthy ? EXIT_CODES.ready : EXIT_CODES.unhealthy;
}

interface Looked {
  runner: string;
  host: string;
  listed?: Listed[];
  last?: LastProvision;
  /** This machine's own plan (local runners only). */
  plan?: NetworkPlan;
  config: RunnerConfig;
}

/** The runner's poll and the services from this machine, checked at once; then judged. */
async function lookNow(session: Session, { runner, host, listed, last, plan, config }: Looked): Promise<RunnerStatus> {
  const started = Date.now();
  // Another host's runner: the queue its last provision planned (listing a queue's pollers dials nothing).
  const recorded = last?.progress?.plan;
  const taskQueue = plan?.runner.taskQueue ?? (recorded && plannedTaskQueue(recorded));
  const seen = listed?.map((entry) => entry.seen);
  const container = seen && healthContainer(seen);
  const [poll, services] = await Promise.all([
    container && taskQueue ? listRunnerPolls(session, container, taskQueue).catch(unreadable) : undefined,
    listed && plan ? checkFromThisMachine(plan, config.llm.model.value).catch(unreadable) : undefined,
  ]);
  const facts: RunnerHealthFacts = listed
    ? { containers: seen, taskQueue, poll, services }
    : { otherHost: host, taskQueue };
  const health = judgeRunnerHealth(facts);
  const checkedAt = new Date(started).toISOString();
  return {
    runner,
    host,
    checkedAt,
    healthy: health.healthy,
    problems: health.problems,
    containers: listed?.map((entry) => ({ ...entry.shown, side: 'this-machine', checkedAt })),
    poll: taskQueue && poll ? pollShown(taskQueue, poll, health, container) : undefined,
    checks: [...currentChecks(services), ...pastChecks(last)],
    lastProvision: last,
  };
}

const unreadable = (error: Error) => ({ error: error.message });

function pollShown(
  taskQueue: string,
  poll: NonNullable<RunnerHealthFacts['poll']>,
  health: RunnerHealth,
  container: RunnerContainerSeen | undefined,
): PollShown {
  const base = { taskQueue, side: 'this-machine' as const };
  if ('error' in poll) return { ...base, checkedAt: new Date().toISOString(), ok: false, error: poll.error };
  const checkedAt = new Date(poll.now).toISOString();
  if (health.poller) return { ...base, checkedAt, ok: true, ...health.poller };
  const problem = health.problems.find((entry) => entry.kind === 'not-polling');
  const lastSeen = problem?.kind === 'not-polling' ? problem.lastSeen : undefined;
  return {
    ...base,
    checkedAt,
    ok: false,
    ...(lastSeen && { lastAccessTime: lastSeen, ageMs: Math.max(0, poll.now - Date.parse(lastSeen)) }),
    ...(container && { identity: `…@${container.hostname}` }),
  };
}

interface Listed {
  shown: Omit<ContainerShown, 'side' | 'checkedAt'>;
  seen: RunnerContainerSeen;
}

async function localContainers(runner: string, env: NodeJS.ProcessEnv): Promise<Listed[]> {
  const { docker } = connectDocker(env);
  const listed = await findRunnerContainers(docker, runner);
  return Promise.all(
    listed.map(async (info) => ({ shown: shownContainer(info, runner), seen: await seenContainer(docker, info) })),
  );
}

function shownContainer(info: Dockerode.ContainerInfo, runner: string): Listed['shown'] {
  return {
    id: info.Id,
    name: info.Names[0]?.replace(/^\//, '') ?? runner,
    image: info.Image,
    state: info.State,
    status: info.Status,
    // Podman's list leaves HostConfig null for containers that are not running.
    networkMode: info.HostConfig?.NetworkMode ?? '',
  };
}
