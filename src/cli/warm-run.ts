/**
 * `run`'s warm check, before any worker is opened: gathers the facts core/health/warm-run.ts decides on, one
 * stage at a time and only as far as the decision needs them — the last provision (Temporal), the
 * runner's containers and the spec a provision would make now (the engine; the same functions the
 * steps call), then the runner's poller and the services as this machine reaches them.
 */
import { homedir } from 'node:os';
import type Dockerode from 'dockerode';
import type { RunnerConfig } from '../core/settings/types';
import { interpretProbe, planChecks, type CheckResult } from '../core/health/diagnosis';
import type { NetworkPlan } from '../core/runner/network-plan';
import { provisionWorkflowId } from '../core/contract/names';
import type { ProvisionInput } from '../core/contract/schemas';
import {
  decideWarmRun,
  ownPollSince,
  type LiveFacts,
  type RecordFacts,
  type RunnerContainerSeen,
  type WarmRunDecision,
  type WarmRunFacts,
  type WarmRunNeed,
} from '../core/health/warm-run';
import { planOnEngine, resolveTriggerConfig, runnerContainerSpec, type WorkerSide } from '../activities/runner-spec';
import { workspaceVolumeName } from '../activities/remote-workspace';
import { canonicalPath } from '../docker/host-folders';
import { LABELS, withWorkspaceVolume, type ContainerSpec } from '../core/runner/container-spec';
import { RUNNER_RELEASES } from '../core/runner/releases';
import { connectDocker, type DockerConnection } from '../docker/client';
import { existingContainer, findRunnerContainers, imageId, specHash } from '../docker/runner-container';
import { installationKey } from '../settings/installation-key';
import { probeTargets } from '../probes/node-probe';
import { workflowIdHost } from './start';
import { listPollers } from '../temporal/task-queue';
import { polledBy, polledSince } from '../core/pollers';
import { lastProvision, type LastProvision } from './last-provision';
import type { Session } from './session';

export interface WarmCheck {
  decision: WarmRunDecision;
  /** The last provision, when the record was read: a warm run reports it as its own outcome. */
  last?: LastProvision;
}

export async function checkWarm(
  session: Session,
  input: ProvisionInput,
  env: NodeJS.ProcessEnv,
  request: { fresh: boolean; otherHost: boolean },
): Promise<WarmCheck> {
  const facts: WarmRunFacts = { ...request };
  let step = decideWarmRun(facts);
  let record: Gathered | undefined;
  if ('needs' in step && step.needs === 'record') {
    try {
      record = await gatherRecord(session, input, env);
      facts.record = record.facts;
    } catch (error) {
      facts.record = { error: (error as Error).message };
    }
    step = decideWarmRun(facts);
  }
  if ('needs' in step && step.needs === 'live' && record) {
    facts.live = await gatherLive(session, step, record).catch((error: Error) => ({
      error: error.message,
    }));
    step = decideWarmRun(facts);
  }
  if ('needs' in step) throw new Error(`the warm check stopped short of a decision (needs ${step.needs})`);
  return { decision: step, last: record?.last };
}

interface Gathered {
  facts: RecordFacts;
  last?: LastProvision;
  config: RunnerConfig;
  plan: NetworkPlan;
}

/** The last provision, the runner's containers and what a provision would make now — read at once. */
async function gatherRecord(session: Session, input: ProvisionInput, env: NodeJS.ProcessEnv): Promise<Gathered> {
  const runner = input.flags.runner;
  const workflowId = provisionWorkflowId(runner, workflowIdHost(input.host));
  // As this machine's in-process worker runs the steps: this process's env and home, its engine.
  const worker: WorkerSide = { env, homeDir: homedir() };
  const engine = connectDocker(env);
  const lastRead = lastProvision(session.client.workflow.getHandle(workflowId), { whileRunning: 'skip' });
  const [last, containers, wanted] = await Promise.all([
    lastRead,
    containersOf(engine, runner),
    (async () => {
      const config = resolveTriggerConfig(input, worker);
      // On an engine in a VM the provision measured its route: the container it made has that route in
      // its spec, so the spec wanted now is made with it too (recognised, never measured here).
      const route = lastRead.then(
        (recorded) => recorded?.progress?.plan?.route,
        () => undefined,
      );
      const [plan, image] = await Promise.all([
        planOnEngine(engine, config, process.platform, undefined, { mode: 'recorded', route }),
        imageId(engine.docker, config.runner.image.value),
      ]);
      const { spec } = runnerContainerSpec(
        input,
        config,
        plan,
        workflowId,
        worker,
        undefined,
        undefined,
        engine.endpoint.url,
      );
      return { config, plan, spec, image };
    })(),
  ]);
  const { config, plan, spec, image } = wanted;
  const specHashes = wantedSpecHashes(spec, plan, config);
  // The hash of the spec the found container matches, if any: the folder bound, or (an engine that
  // does not see it) this account's volume in its place — both as startContainer would make them.
  const matched = containers.map((found) => found.labels[LABELS.specHash]).find((hash) => specHashes.includes(hash));
  const facts: RecordFacts = {
    last: last && {
      workflowId: last.workflowId,
      runId: last.runId,
      status: last.status,
      closeTime: last.closeTime,
      outcome: last.progress && { status: last.progress.status, container: last.progress.container },
    },
    containers,
    wanted: {
      name: spec.name,
      specHash: matched ?? specHashes[0],
      imageId: image,
      pull: config.runner.pull.value,
      blockers: plan.blockers,
      taskQueue: plan.runner.taskQueue,
    },
  };
  return { facts, last, config, plan };
}

/** The spec's hash with the folder bound, then with this account's volume there instead. */
function wantedSpecHashes(spec: ContainerSpec, plan: NetworkPlan, config: RunnerConfig): string[] {
  const key = installationKey();
  const { workspacePath } = RUNNER_RELEASES[plan.runner.contract];
  const folder = canonicalPath(config.runner.workspaceDir.value);
  const volume = workspaceVolumeName(spec.name, process.getuid?.() ?? 0, folder, key);
  return [specHash(spec, key), specHash(withWorkspaceVolume(spec, volume, workspacePath), key)];
}

/** The runner's containers as startContainer finds them, each inspected for its start time and host name. */
export async function containersOf({ docker }: DockerConnection, runner: string): Promise<RunnerContainerSeen[]> {
  return Promise.all((await findRunnerContainers(docker, runner)).map((info) => seenContainer(docker, info)));
}

/** One listed container, inspected for its start time and host name (the `@…` of its poller's identity). */
export async function seenContainer(docker: Dockerode, info: Dockerode.ContainerInfo): Promise<RunnerContainerSeen> {
  const inspected = await docker.getContainer(info.Id).inspect();
  return {
    ...existingContainer(info),
    id: info.Id,
    hostname: inspected.Config.Hostname,
    startedAt: inspected.State.StartedAt,
  };
}

/** The runner's poller on its queue and the plan's checks from this machine (host, bridge gateway), at once. */
async function gatherLive(
  session: Session,
  { container, taskQueue }: Extract<WarmRunNeed, { needs: 'live' }>,
  { config, plan }: Gathered,
): Promise<LiveFacts> {
  const [polled, services] = await Promise.all([
    listRunnerPolls(session, container, taskQueue),
    checkFromThisMachine(plan, config.llm.model.value),
  ]);
  return { ...polled, checks: services.checks };
}

/** The pollers of the runner's queue, listed now: enough partitions to find the runner's own recent poll. */
export async function listRunnerPolls(
  session: Session,
  container: Pick<RunnerContainerSeen, 'hostname' | 'startedAt'>,
  taskQueue: string,
): Promise<Pick<LiveFacts, 'now' | 'pollers'>> {
  // Enough to stop listing partitions: the poll the decision looks for (core/health/warm-run.ts).
  const since = ownPollSince(container, Date.now());
  const own = polledBy(container.hostname);
  const pollers = await listPollers(session.client.connection, session.namespace, taskQueue, {
    wanted: (poller) => own(poller) && since !== undefined && polledSince(poller, since),
  });
  return { pollers, now: Date.now() };
}

/** The plan's checks from this machine (host, bridge gateway), made now; `checkedAt` when they answered. */
export async function checkFromThisMachine(
  plan: NetworkPlan,
  model: string,
): Promise<{ checkedAt: number; checks: CheckResult[] }> {
  const checks = planChecks(plan).filter((check) => check.site !== 'container');
  const results = await probeTargets(checks.map((check) => check.target));
  const byId = new Map(results.map((result) => [result.id, result]));
  return {
    checkedAt: Date.now(),
    checks: checks.map((check) => interpretProbe(check, byId.get(check.target.id), model)),
  };
}
