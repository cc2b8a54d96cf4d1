/**
 * What a provision makes of a trigger on a worker, step by step: the configuration it resolves
 * (resolveConfig), the network plan on the engine (planNetworking) and the container spec with the
 * worker's secrets (startContainer). The steps call these, and so does `run`'s warm check, which asks
 * whether the runner that runs is the one a provision would make now — so the two cannot drift.
 */
import type { ConfigFlags, RunnerConfig } from '../core/settings/types';
import { buildContainerSpec, type ContainerSpec } from '../core/runner/container-spec';
import type { EngineFacts } from '../core/runner/engine';
import { shareRecent } from '../core/concurrency';
import { planNetworking, routeNeedsMeasuring, type NetworkPlan } from '../core/runner/network-plan';
import { chooseRoute, probeExtraHosts, recordedRoute, routeCandidates, type MeasuredRoute } from '../core/runner/reach';
import { routeProbeTargets, routeTrials } from '../core/health/route-probe';
import { probeInFreshContainer } from '../probes/fresh-container-probe';
import { ensureImage, type OnProgress } from '../docker/runner-container';
import { RUNNER_RELEASES } from '../core/runner/releases';
import { proxiesFor, type DockerProxies } from '../core/runner/proxies';
import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isWithin } from '../core/policy/paths';
import { readRunnerSecrets, type ReadText } from '../core/settings/secrets';
import type { DockerConnection } from '../docker/client';
import { readEngineFacts } from '../docker/engine-facts';
import { readImageFacts } from '../docker/image-facts';
import { loadConfig } from '../settings/load-config';
import { effectiveTrigger, resolutionEnv, type TriggerContext } from '../settings/trigger';
import { guardedRead, readRegularFile } from '../settings/guarded-read';
import { canonicalPath } from '../docker/host-folders';
import { judgeHome, judgeProvision, secretsMayGo, servedAccount } from '../core/policy/judge';
import { PolicyRefusedError } from '../core/policy/errors';
import type { Refusal, ServedAccount, WorkerPolicy } from '../core/policy/types';

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

/**
 * The trigger's cascade as this worker resolves it (its settings, this worker's secrets); secrets stay
 * behind. Under a policy (every worker's activities; `run`'s warm check has none: it reads its own
 * user's files) the trigger's home must be one the worker serves, every file is read within the
 * policy, and the values that lead to privileged acts — workspace, engine, image — are judged, all
 * refusals at once, before anything is touched.
 */
export function resolveTriggerConfig(
  { flags, trigger: given }: ConfigRequest,
  worker: WorkerSide,
  policy?: WorkerPolicy,
): RunnerConfig {
  const trigger = effectiveTrigger(given, worker.env, worker.homeDir);
  const env = resolutionEnv(trigger, worker.env);
  if (!policy) return loadConfig(flags, env, trigger.homeDir).config;
  const account = accountOf(trigger, policy);
  const config = loadConfig(flags, env, trigger.homeDir, guardedRead(account, policy)).config;
  judgeActs(config, trigger, policy);
  return config;
}

/** The served account a trigger's home belongs to, or the refusal of that home. */
export function accountOf(trigger: TriggerContext, policy: WorkerPolicy): ServedAccount {
  const canonical = canonicalPath(trigger.homeDir);
  const account = servedAccount(canonical, policy);
  if (account) return account;
  throw new PolicyRefusedError([judgeHome(trigger.homeDir, canonical, policy) as Refusal]);
}

/**
 * Workspace, engine and image against the policy: startContainer judges them again where it acts.
 * `workspace` is the canonical folder judged — the very string startContainer then opens and hands the
 * engine (resolving it twice would let a symlink swapped in between win the second time).
 */
export function judgeActs(
  config: RunnerConfig,
  trigger: TriggerContext,
  policy: WorkerPolicy,
  workspace = canonicalPath(config.runner.workspaceDir.value),
): void {
  const refusals = judgeProvision(
    {
      home: { claimed: trigger.homeDir, canonical: canonicalPath(trigger.homeDir) },
      workspace: { value: config.runner.workspaceDir, canonical: workspace },
      engine: config.engine,
      image: config.runner.image,
    },
    policy,
  );
  if (refusals.length > 0) throw new PolicyRefusedError(refusals);
}

/** The network plan for `config` from what the engine is and what the image says about its release. */
/** How a plan reads engine facts: each time, or through `shareRecent` (concurrent plans on a worker share one read). */
export type EngineFactsReader = (endpoint: string, read: () => Promise<EngineFacts>) => Promise<EngineFacts>;
const readEachTime: EngineFactsReader = (_endpoint, read) => read();

/**
 * How long one answer to "what engine is this" serves every provision on this worker. Podman builds
 * its /info afresh on each call: fifty provisions asking at once took a minute (bench P4, two hosts).
 */
const ENGINE_FACTS_TTL_MS = 10_000;

/** One engine-facts read shared by this worker's plans (planNetworking's, and startContainer's own). */
export const sharedEngineFacts: EngineFactsReader = shareRecent<EngineFacts>(ENGINE_FACTS_TTL_MS);

/**
 * Whether a plan measures its route to this machine (engines not on this machine, see reach.ts):
 * `measure` — the steps, which pull the image for it when it is missing (the pull the start would
 * make anyway); `if-present` — `plan`, which changes nothing on the engine; `recorded` — `run`'s warm
 * check, which must stay cheap: the route the last provision measured, used only to recognise the
 * container that provision made (kept only when it is one of this engine's candidates); `skip` — none.
 */
export type RouteMeasuring =
  | { mode: 'measure'; onProgress?: OnProgress }
  | { mode: 'if-present' }
  | { mode: 'recorded'; route: Promise<unknown> }
  | { mode: 'skip' };

export async function planOnEngine(
  { docker, endpoint }: DockerConnection,
  config: RunnerConfig,
  platform: string,
  readFacts: EngineFactsReader = readEachTime,
  measuring: RouteMeasuring = { mode: 'skip' },
): Promise<NetworkPlan> {
  const [facts, image] = await Promise.all([
    readFacts(endpoint.url, () => readEngineFacts(docker, endpoint, platform)),
    readImageFacts(docker, config.runner.image.value),
  ]);
  const plan = planNetworking(config, facts, image);
  if (measuring.mode === 'skip' || !routeNeedsMeasuring(plan, config)) return plan;
  if (measuring.mode === 'if-present' && !image?.present) return plan;
  if (measuring.mode === 'recorded') {
    // Awaited only here: the engine's facts are read while Temporal answers with the last provision.
    const recorded = recordedRoute(await measuring.route, routeCandidates(plan.engine, facts));
    return recorded ? planNetworking(config, facts, image, recorded) : plan;
  }
  const measured = await measureRoute(docker, endpoint.url, config, plan, facts, measuring);
  return planNetworking(config, facts, image, measured);
}

/**
 * How long a measured route serves this worker's plans of the same engine, image and ports: the
 * provision's startContainer plans again right after planNetworking, and should not start another
 * probe container (seconds on an emulated VM) to learn the same thing.
 */
const ROUTE_TTL_MS = 5 * 60_000;
/**
 * A route that reached nothing is kept for a minute only (the services may just not be up yet) — but
 * kept: startContainer must give the runner the route verifyConnectivity will check, which is
 * planNetworking's, measured a moment before.
 */
const NO_ROUTE_TTL_MS = 60_000;
const measuredRoutes = new Map<string, { at: number; route: MeasuredRoute }>();

async function measureRoute(
  docker: DockerConnection['docker'],
  endpointUrl: string,
  config: RunnerConfig,
  plan: NetworkPlan,
  facts: EngineFacts,
  measuring: RouteMeasuring,
): Promise<MeasuredRoute> {
  const image = config.runner.image.value;
  const imageRef =
    measuring.mode === 'measure'
      ? await ensureImage(docker, image, config.runner.pull.value, measuring.onProgress ?? (() => undefined))
      : image;
  const candidates = routeCandidates(plan.engine, facts);
  const targets = routeProbeTargets(plan, candidates);
  const key = JSON.stringify([endpointUrl, facts.id ?? facts.name, imageRef, plan.networkMode, targets]);
  const cached = measuredRoutes.get(key);
  if (cached && Date.now() - cached.at < (cached.route.chosen ? ROUTE_TTL_MS : NO_ROUTE_TTL_MS)) return cached.route;
  const options = { networkMode: plan.networkMode, extraHosts: probeExtraHosts(candidates) };
  const results = await probeInFreshContainer(docker, image, options, targets, 'route');
  const trials = routeTrials(candidates, targets, results);
  const route: MeasuredRoute = { trials, chosen: chooseRoute(trials), image };
  measuredRoutes.set(key, { at: Date.now(), route });
  return route;
}

/**
 * The container spec for a resolved config and plan, with the secrets read from exactly where the
 * config found them, in this worker's env or files (never carried in) — and, under a policy, whether
 * the LLM's secrets were withheld: they go only where the worker's own configuration sends them
 * (core/policy/judge.ts `secretsMayGo`).
 */
export function runnerContainerSpec(
  request: ConfigRequest,
  config: RunnerConfig,
  plan: NetworkPlan,
  workflowId: string,
  worker: WorkerSide,
  policy?: WorkerPolicy,
  workspace = canonicalPath(config.runner.workspaceDir.value),
  /** The engine the container goes to, as dialled: its own entry of the docker CLI's `proxies` applies. */
  engineUrl?: string,
): { spec: ContainerSpec; withheld?: string } {
  const trigger = effectiveTrigger(request.trigger, worker.env, worker.homeDir);
  const env = resolutionEnv(trigger, worker.env);
  const account = policy ? accountOf(trigger, policy) : undefined;
  const readText: ReadText =
    policy && account
      ? (path) => attemptRead(() => guardedRead(account, policy)(path, 'secret file'))
      : readRegularFile;
  const contract = RUNNER_RELEASES[plan.runner.contract];
  // Temporal key material only for a release that can carry it (none known yet): that one still
  // needs the cascade, which resolves TLS settings together with their sources.
  const carriesTemporalSecrets = (
    ['temporalServerCaCert', 'temporalClientCert', 'temporalClientKey', 'temporalApiKey'] as const
  ).some((value) => contract.carries[value]);
  const withheld =
    policy && !secretsMayGo({ llmBaseUrl: config.llm.baseUrl.value, apiKeySource: config.llm.apiKeySource }, policy)
      ? `the LLM's API key and credentials were withheld: the runner's LLM (${config.llm.baseUrl.source}, key ${config.llm.apiKeySource ?? 'none'}) is not where the worker's own configuration sends them`
      : undefined;
  const proxies = dockerProxies(env, trigger.homeDir, account, engineUrl ?? config.engine?.value);
  const secrets = {
    ...(withheld ? {} : readRunnerSecrets(config, env, readText)),
    ...(proxies ? { proxies } : {}),
    ...(carriesTemporalSecrets
      ? {
          temporal: loadConfig(
            request.flags,
            env,
            trigger.homeDir,
            policy && account ? guardedRead(account, policy) : undefined,
          ).secrets.temporal,
        }
      : {}),
  };
  const spec = buildContainerSpec(config, plan, secrets, workflowId);
  // The engine mounts the canonical folder: the one the policy judged and startContainer opens.
  const binds = spec.binds.map((bind) => `${workspace}${bind.slice(bind.lastIndexOf(':'))}`);
  return { spec: { ...spec, binds }, ...(withheld ? { withheld } : {}) };
}

/**
 * The proxy settings the docker CLI would hand this runner: the config.json of the account the runner
 * is for — DOCKER_CONFIG honoured only for the worker's own account (another account's setting could
 * name the worker's own file, and its proxy passwords). Another account's file must be its own, in
 * its home. A config.json that is not JSON gives none here; the engine's endpoint, read from the same
 * file, names that problem.
 */
function dockerProxies(
  env: Record<string, string | undefined>,
  homeDir: string,
  account: ServedAccount | undefined,
  engine: string | undefined,
): DockerProxies | undefined {
  const own = account === undefined || account.uid === process.getuid?.();
  const file = own
    ? join(env.DOCKER_CONFIG ?? join(homeDir, '.docker'), 'config.json')
    : join(account.home, '.docker', 'config.json');
  const text = own ? readRegularFile(file) : readAccountOwnFile(file, account);
  if (text === undefined) return undefined;
  try {
    return proxiesFor(JSON.parse(text), engine);
  } catch {
    return undefined;
  }
}

/** A regular file that the account owns, in its home (after symlinks), or undefined. */
function readAccountOwnFile(path: string, account: ServedAccount): string | undefined {
  try {
    const real = realpathSync(path);
    if (!isWithin(real, account.home) || statSync(real).uid !== account.uid) return undefined;
    return readRegularFile(real);
  } catch {
    return undefined;
  }
}

/** A secret's file that is missing or unreadable reads as absent (the cascade then names it); a policy refusal stands. */
function attemptRead(read: () => string): string | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof PolicyRefusedError) throw error;
    return undefined;
  }
}
