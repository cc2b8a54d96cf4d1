/**
 * provisionRunner: from nothing to an agent-runner container that is verified to reach Ollama, the
 * Stigmer backend and Temporal. Each step is one activity with its own timeouts and retries; the
 * `progress` query and the UI's current details follow along.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  defineQuery,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Attempted, FailureDetails } from '../activities/failures';
import type { RunnerActivities } from '../activities';
import type { RunnerConfig } from '../core/settings/types';
import type { ProvisionInput } from '../core/contract/schemas';
import type { RecordedCheck, ServiceDiagnosis, VerificationReport } from '../core/health/diagnosis';
import { plannedTaskQueue, type NetworkPlan } from '../core/runner/network-plan';
import type { Refusal } from '../core/policy/types';
import { initialProgress, renderChecklist, type StepName, type StepProgress } from '../core/contract/progress';
import {
  ENGINE_SELECTION_ENV_NAMES,
  FAILURE_TYPES,
  HOST_SCHEDULE_TO_START_MS,
  hostTaskQueue,
  QUERY_NAMES,
  SEARCH_ATTRIBUTES,
} from '../core/contract/names';
import { inputProblem } from '../core/contract/workflow-input';
import type { RunnerContainer } from '../docker/runner-container';
import type { RunnerReady } from '../activities/await-runner-ready';

/** The input is the published contract's (core/contract/schemas.ts, docs/contract/): flags, trigger, verify, readyTimeoutMs, searchAttributes. */
export type { ProvisionInput } from '../core/contract/schemas';

export type ProvisionStatus = 'running' | 'ready' | 'failed';

export interface ProvisionProgress {
  runnerName: string;
  status: ProvisionStatus;
  steps: StepProgress[];
  plan?: NetworkPlan;
  container?: RunnerContainer;
  /** Histories recorded before outcomes existed hold checks without one. */
  checks: RecordedCheck[];
  diagnoses: ServiceDiagnosis[];
  error?: { type: string; message: string };
  /** A failed provision stops the container it started (kept for its logs), so nothing polls the runner's queue. */
  stoppedAfterFailure?: { container: string; stopped: boolean; message: string };
  /** A PolicyRefused provision: what the worker refused, and how to allow it. */
  refusals?: Refusal[];
}

export interface ProvisionResult extends ProvisionProgress {
  status: 'ready';
  config: RunnerConfig;
  plan: NetworkPlan;
  container: RunnerContainer;
  ready: RunnerReady;
}

export const progressQuery = defineQuery<ProvisionProgress>(QUERY_NAMES.progress);

/** How long the runner gets to poll its queue when the input does not say (the contract's default). */
const DEFAULT_READY_TIMEOUT_MS = 60_000;

// How each step is scheduled. Each step retries on its own terms: a crashed worker is noticed
// through heartbeats on the long steps and through short start-to-close timeouts on the quick ones.

/** Reading flags, env and a file is quick: a short timeout notices a crashed worker. */
const resolveConfigOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, initialInterval: '500 ms' },
};

/**
 * Questions to the engine, asked again backing off to 10 s while it does not answer. On an engine in a
 * VM the route is measured from a probe container (the image pulled first if missing): seconds under
 * emulation, a pull longer — heartbeats show it is alive.
 */
const planNetworkingOptions: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 6 },
};

const startContainerOptions: ActivityOptions = {
  startToCloseTimeout: '10 minutes', // an image pull may be slow; heartbeats show it is alive
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 8 },
};

/** The input's `verify` sets how long a service that comes up late is waited for. */
function verifyConnectivityOptions(verify: ProvisionInput['verify']): ActivityOptions {
  return {
    // Under load a probe waits for its engine's probe slot (heartbeating); a stuck exec ends at its own budget.
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '10 seconds',
    retry: {
      initialInterval: verify?.initialIntervalMs ?? 1000,
      backoffCoefficient: 2,
      maximumInterval: '10 seconds',
      maximumAttempts: verify?.maximumAttempts ?? 6,
    },
  };
}

/**
 * The activity gives up after `readyTimeoutMs` itself, failing with what it saw (RunnerNotReady); the
 * 15 s beyond leave it time to say so before the server's own timeout would cut it short.
 */
function awaitRunnerReadyOptions(readyTimeoutMs: number): ActivityOptions {
  return {
    startToCloseTimeout: readyTimeoutMs + 15_000,
    heartbeatTimeout: '10 seconds',
    retry: { maximumAttempts: 3 },
  };
}

/** Stopping is quick; one that keeps failing is reported in the progress, and the provision fails as it would. */
const stopRunnerOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
};

/**
 * A routed provision runs every step that touches the engine on its host's queue; a host whose
 * worker does not take one in time is offline (a schedule-to-start timeout, which the server does
 * not retry).
 */
function onHost(host: string | undefined): Partial<ActivityOptions> {
  return host === undefined
    ? {}
    : { taskQueue: hostTaskQueue(host), scheduleToStartTimeout: HOST_SCHEDULE_TO_START_MS };
}

/** Each step's activity with its options; resolveConfig runs where the workflow does, the rest on `host`. */
function stepActivities(input: ProvisionInput, host: string | undefined) {
  const engineBound = (options: ActivityOptions) => proxyActivities<RunnerActivities>({ ...onHost(host), ...options });
  return {
    resolveConfig: proxyActivities<RunnerActivities>(resolveConfigOptions).resolveConfig,
    planNetworking: engineBound(planNetworkingOptions).planNetworking,
    startContainer: engineBound(startContainerOptions).startContainer,
    verifyConnectivity: engineBound(verifyConnectivityOptions(input.verify)).verifyConnectivity,
    awaitRunnerReady: engineBound(awaitRunnerReadyOptions(readyTimeoutOf(input))).awaitRunnerReady,
    stopRunner: engineBound(stopRunnerOptions).stopRunner,
  };
}

function readyTimeoutOf(input: ProvisionInput): number {
  return input.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
}

/** One provision in flight: its input, the progress the query answers, what it decided at its start. */
interface Provision {
  input: ProvisionInput;
  runnerName: string;
  state: ProvisionProgress;
  /** The host a routed provision runs its engine-bound steps on. */
  host?: string;
  /** Record the outcome in the Stigmer* search attributes. */
  indexOutcome: boolean;
  activities: ReturnType<typeof stepActivities>;
}

export async function provisionRunner(input: ProvisionInput): Promise<ProvisionResult> {
  rejectInvalidInput(input);
  const provision = beginProvision(input);
  const config = await resolveConfigStep(provision);
  const plan = await planNetworkingStep(provision, config);
  const container = await startContainerStep(provision, config, plan);
  let ready: RunnerReady;
  try {
    await verifyConnectivityStep(provision, config, plan, container);
    ready = await awaitRunnerReadyStep(provision, config, plan, container);
  } catch (failure) {
    // Added after histories without it were recorded: patched() keeps those replaying.
    if (patched('stop-runner-on-failure')) await stopFailedRunner(provision, container);
    throw failure;
  }
  return provisioned(provision, { config, plan, container, ready });
}

/** A malformed input fails the workflow at once, before any step, without progress details. */
function rejectInvalidInput(input: ProvisionInput): void {
  const problem = inputProblem(input);
  if (problem)
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.invalidInput,
      message: `invalid provisionRunner input: ${problem}`,
      nonRetryable: true,
    });
}

/** The progress query answers from here on; the patched() decisions are taken in the order histories hold them. */
function beginProvision(input: ProvisionInput): Provision {
  const runnerName = input.flags.runner;
  const state: ProvisionProgress = {
    runnerName,
    status: 'running',
    steps: initialProgress(),
    checks: [],
    diagnoses: [],
  };
  setHandler(progressQuery, () => state);
  // Added after histories without it were recorded: patched() keeps those replaying.
  const host = input.host !== undefined && patched('route-to-host') ? input.host : undefined;
  // Added after histories without it were recorded: patched() keeps those replaying (README: "Changing the workflow").
  const indexOutcome = input.searchAttributes === true && patched('search-attributes-outcome');
  return { input, runnerName, state, host, indexOutcome, activities: stepActivities(input, host) };
}

/**
 * Resolved by whichever worker took it: on a host, the engine is the host worker's own unless the
 * trigger selected one explicitly (which `run` sends only to its own machine's host).
 */
async function resolveConfigStep(provision: Provision): Promise<RunnerConfig> {
  const { input, runnerName, host, activities } = provision;
  const resolved = await step(
    provision,
    'resolveConfig',
    `resolve config for ${runnerName}`,
    (o) => activities.resolveConfig.executeWithOptions(o, [{ flags: input.flags, trigger: input.trigger }]),
    (c) => `image ${c.runner.image.value}, network ${c.runner.network.value}`,
  );
  const selected = ENGINE_SELECTION_ENV_NAMES.some((name) => input.trigger?.env[name] !== undefined);
  return host !== undefined && !selected ? withoutEngine(resolved) : resolved;
}

async function planNetworkingStep(provision: Provision, config: RunnerConfig): Promise<NetworkPlan> {
  const plan = await step(
    provision,
    'planNetworking',
    'ask the Docker engine what it is and plan networking',
    (o) => provision.activities.planNetworking.executeWithOptions(o, [config]),
    (p) => describePlan(p, config),
  );
  provision.state.plan = plan;
  return plan;
}

async function startContainerStep(
  provision: Provision,
  config: RunnerConfig,
  plan: NetworkPlan,
): Promise<RunnerContainer> {
  const { input, runnerName } = provision;
  const container = await step(
    provision,
    'startContainer',
    `start ${config.runner.image.value} as ${runnerName} (network ${plan.mode})`,
    (o) =>
      provision.activities.startContainer.executeWithOptions(o, [
        { flags: input.flags, trigger: input.trigger, config, plan, workflowId: workflowInfo().workflowId },
      ]),
    (c) =>
      `${c.action} ${c.id.slice(0, 12)}${c.workspace?.volume ? `, workspace in the engine's volume ${c.workspace.volume}` : ''}`,
  );
  provision.state.container = container;
  return container;
}

async function verifyConnectivityStep(
  provision: Provision,
  config: RunnerConfig,
  plan: NetworkPlan,
  container: RunnerContainer,
): Promise<void> {
  const report: VerificationReport = await step(
    provision,
    'verifyConnectivity',
    `probe ${plan.services.map((service) => service.service).join(', ')} and the workspace from inside ${provision.runnerName} (${plan.mode})`,
    (o) => provision.activities.verifyConnectivity.executeWithOptions(o, [{ config, plan, container }]),
    (r) => `${r.diagnoses.length} checks passed`,
  );
  Object.assign(provision.state, { checks: report.checks, diagnoses: report.diagnoses });
}

/** Ready once the runner polls its contract's queue (or, for plans from before contracts, the legacy one). */
async function awaitRunnerReadyStep(
  provision: Provision,
  config: RunnerConfig,
  plan: NetworkPlan,
  container: RunnerContainer,
): Promise<RunnerReady> {
  const taskQueue = plannedTaskQueue(plan);
  const readyTimeoutMs = readyTimeoutOf(provision.input);
  return step(
    provision,
    'awaitRunnerReady',
    `wait up to ${Math.round(readyTimeoutMs / 1000)} s for ${provision.runnerName} to poll ${taskQueue}`,
    (o) =>
      provision.activities.awaitRunnerReady.executeWithOptions(o, [
        { config, container, taskQueue, timeoutMs: readyTimeoutMs },
      ]),
    (r) => `poller ${r.poller.identity}`,
  );
}

/** A runner that failed verification must not take work: stop it, keep it for its logs. */
async function stopFailedRunner(provision: Provision, failed: RunnerContainer): Promise<void> {
  const { state } = provision;
  try {
    const { value } = await provision.activities.stopRunner.executeWithOptions(
      { summary: `stop ${failed.name}: it failed verification (kept for its logs)` } as ActivityOptions,
      [failed],
    );
    state.stoppedAfterFailure = { container: failed.name, stopped: true, message: value.message };
  } catch (error) {
    state.stoppedAfterFailure = {
      container: failed.name,
      stopped: false,
      message: `could not stop ${failed.name}: ${(error as Error).message}`,
    };
  }
  showChecklist(provision);
}

function provisioned(
  provision: Provision,
  outcome: Pick<ProvisionResult, 'config' | 'plan' | 'container' | 'ready'>,
): ProvisionResult {
  const { state, runnerName } = provision;
  state.status = 'ready';
  recordOutcome(provision, 'awaitRunnerReady');
  setCurrentDetails(renderChecklist(runnerName, state.steps));
  const { config, plan, container, ready } = outcome;
  return { ...state, status: 'ready', config, plan, container, ready };
}

/** Runs one step: keeps progress, the UI checklist and the error that ends the provision. */
async function step<T>(
  provision: Provision,
  name: StepName,
  summary: string,
  run: (options: ActivityOptions) => Promise<Attempted<T>>,
  note: (value: T) => string,
): Promise<T> {
  const progress = provision.state.steps.find((entry) => entry.name === name) as StepProgress;
  Object.assign(progress, { status: 'running', startedAt: Date.now(), attempts: 1, summary });
  setCurrentDetails(renderChecklist(provision.runnerName, provision.state.steps));
  try {
    const { value, attempt } = await run({ summary } as ActivityOptions);
    Object.assign(progress, {
      status: 'succeeded',
      attempts: attempt,
      durationMs: Date.now() - (progress.startedAt as number),
      note: note(value),
    });
    return value;
  } catch (error) {
    throw stepFailed(provision, progress, error);
  } finally {
    showChecklist(provision);
  }
}

/**
 * A failed step ends the provision: the step keeps its error and attempts, the progress the failed
 * verification's checks, the outcome is recorded; the failure, non-retryable, carries the progress.
 */
function stepFailed(provision: Provision, progress: StepProgress, error: unknown): ApplicationFailure {
  const { state } = provision;
  const failure =
    error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
      ? error.cause
      : hostOffline(provision.host, error);
  const details = failure?.details?.[0] as FailureDetails | undefined;
  const message = failure?.message ?? (error as Error).message;
  Object.assign(progress, {
    status: 'failed',
    attempts: details?.attempt ?? progress.attempts,
    durationMs: Date.now() - (progress.startedAt as number),
    error: message,
  });
  if (details?.report) Object.assign(state, { checks: details.report.checks, diagnoses: details.report.diagnoses });
  if (details?.refusals) state.refusals = details.refusals;
  state.status = 'failed';
  state.error = { type: failure?.type ?? 'Error', message };
  recordOutcome(provision, progress.name);
  return ApplicationFailure.create({
    type: state.error.type,
    message: `${progress.name} failed: ${message}`,
    nonRetryable: true,
    details: [state],
  });
}

/** A host-bound step nobody took: the host's worker is gone (or was never started). */
function hostOffline(host: string | undefined, error: unknown): ApplicationFailure | undefined {
  if (
    host === undefined ||
    !(error instanceof ActivityFailure) ||
    !(error.cause instanceof TimeoutFailure) ||
    error.cause.timeoutType !== 'SCHEDULE_TO_START'
  )
    return undefined;
  const seconds = Math.round(HOST_SCHEDULE_TO_START_MS / 1000);
  return ApplicationFailure.create({
    type: FAILURE_TYPES.hostOffline,
    message: `host ${host} has no worker polling ${hostTaskQueue(host)} (nothing took the step within ${seconds} s)`,
    nonRetryable: true,
  });
}

/** One upsert when the provision ends (not one per step): history stays short. */
function recordOutcome({ indexOutcome, state }: Provision, lastStep: StepName): void {
  if (!indexOutcome) return;
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.status, value: state.status },
    { key: SEARCH_ATTRIBUTES.step, value: lastStep },
    ...(state.plan ? [{ key: SEARCH_ATTRIBUTES.networkMode, value: state.plan.mode }] : []),
  ]);
}

/** The UI's current details: the checklist, with what a failed verification diagnosed under it. */
function showChecklist({ runnerName, state }: Provision): void {
  setCurrentDetails(
    renderChecklist(
      runnerName,
      state.steps,
      state.diagnoses.filter((diagnosis) => !diagnosis.ok),
    ),
  );
}

function withoutEngine(config: RunnerConfig): RunnerConfig {
  const { engine: _engine, ...rest } = config;
  return rest;
}

function describePlan(plan: NetworkPlan, config: RunnerConfig): string {
  const engine = config.engine ? ` at ${config.engine.value} (${config.engine.source})` : '';
  const measured = plan.route ? `, ${plan.route.chosen ? 'measured' : 'no route answered'}` : '';
  return `${plan.engine.description}${engine}: network ${plan.mode}${plan.hostAlias ? ` via ${plan.hostAlias}${measured}` : ''}`;
}
