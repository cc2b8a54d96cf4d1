/**
 * What a provision makes of a trigger on a worker, step by step: the configuration it resolves
 * (resolveConfig), the network plan on the engine (planNetworking) and the container spec with the
 * worker's secrets (startContainer). The steps call these, and so does `run`'s warm check, which asks
 * whether the runner that runs is the one a provision would make now — so the two cannot drift.
 */
import { readFileSync } from 'node:fs';
import type { ConfigFlags, RunnerConfig } from '../core/settings/types';
import { buildContainerSpec, type ContainerSpec } from '../core/runner/container-spec';
import type { EngineFacts } from '../core/runner/engine';
import { planNetworking, type NetworkPlan } from '../core/runner/network-plan';
import { RUNNER_RELEASES } from '../core/runner/releases';
import { readRunnerSecrets, type ReadText } from '../core/settings/secrets';
import type { DockerConnection } from '../docker/client';
import { readEngineFacts } from '../docker/engine-facts';
import { readImageFacts } from '../docker/image-facts';
import { loadConfig } from '../settings/load-config';
import { effectiveTrigger, resolutionEnv, type TriggerContext } from '../settings/trigger';

export interface ConfigRequest {
  flags: ConfigFlags;
  /** Absent: the worker's own env and home (effectiveTrigger). */
  trigger?: TriggerContext;
}

/** The worker a provision runs on, as far as these steps read it: its env (the source of secrets) and home. */
export interface WorkerSide {
  env: NodeJS.ProcessEnv;
  homeDir: string;
}

/** The trigger's cascade as this worker resolves it (its settings, this worker's secrets); secrets stay behind. */
export function resolveTriggerConfig({ flags, trigger: given }: ConfigRequest, worker: WorkerSide): RunnerConfig {
  const trigger = effectiveTrigger(given, worker.env, worker.homeDir);
  return loadConfig(flags, resolutionEnv(trigger, worker.env), trigger.homeDir).config;
}

/** The network plan for `config` from what the engine is and what the image says about its release. */
/** How a plan reads engine facts: each time, or through `shareRecent` (concurrent plans on a worker share one read). */
export type EngineFactsReader = (endpoint: string, read: () => Promise<EngineFacts>) => Promise<EngineFacts>;
const readEachTime: EngineFactsReader = (_endpoint, read) => read();

export async function planOnEngine(
  { docker, endpoint }: DockerConnection,
  config: RunnerConfig,
  platform: string,
  readFacts: EngineFactsReader = readEachTime,
): Promise<NetworkPlan> {
  const [facts, image] = await Promise.all([
    readFacts(endpoint.url, () => readEngineFacts(docker, endpoint, platform)),
    readImageFacts(docker, config.runner.image.value),
  ]);
  return planNetworking(config, facts, image);
}

/**
 * The container spec for a resolved config and plan, with the secrets read from exactly where the
 * config found them, in this worker's env or files (never carried in).
 */
export function runnerContainerSpec(
  request: ConfigRequest,
  config: RunnerConfig,
  plan: NetworkPlan,
  workflowId: string,
  worker: WorkerSide,
  readText: ReadText = readTextOrUndefined,
): ContainerSpec {
  const trigger = effectiveTrigger(request.trigger, worker.env, worker.homeDir);
  const env = resolutionEnv(trigger, worker.env);
  const contract = RUNNER_RELEASES[plan.runner.contract];
  // Temporal key material only for a release that can carry it (none known yet): that one still
  // needs the cascade, which resolves TLS settings together with their sources.
  const carriesTemporalSecrets = (
    ['temporalServerCaCert', 'temporalClientCert', 'temporalClientKey', 'temporalApiKey'] as const
  ).some((value) => contract.carries[value]);
  const secrets = {
    ...readRunnerSecrets(config, env, readText),
    ...(carriesTemporalSecrets ? { temporal: loadConfig(request.flags, env, trigger.homeDir).secrets.temporal } : {}),
  };
  return buildContainerSpec(config, plan, secrets, workflowId);
}

export function readTextOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
