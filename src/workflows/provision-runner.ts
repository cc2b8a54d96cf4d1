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
import type { NetworkPlan } from '../core/runner/network-plan';
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
}

export interface ProvisionResult extends ProvisionProgress {
  status: 'ready';
  config: RunnerConfig;
  plan: NetworkPlan;
  container: RunnerContainer;
  ready: RunnerReady;
}

export const progressQuery = defineQuery<ProvisionProgress>(QUERY_NAMES.progress);

/** The queue of runners planned before contracts were part of the plan (executions still in flight). */
const LEGACY_RUNNER_TASK_QUEUE = 'agent_execution_runner';

export async function provisionRunner(input: ProvisionInput): Promise<ProvisionResult> {
  const problem = inputProblem(input);
  if (problem)
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.invalidInput,
      message: `invalid provisionRunner input: ${problem}`,
      nonRetryable: true,
    });
  const runnerName = input.flags.runner;
  const state: ProvisionProgress = {
    runnerName,
    status: 'running',
    steps: initialProgress(),
    checks: [],
    diagnoses: [],
  };
  setHandler(progressQuery, () => state);

  // Added after histories without it were recorded: patched() keeps those replaying. A routed
  // provision runs every step that touches the engine on its host's queue; a host whose worker does
  // not take one in time is offline (a schedule-to-start timeout, which the server does not retry).
  const host = input.host !== undefined && patched('route-to-host') ? input.host : undefined;
  const onHost: Partial<ActivityOptions> =
    host === undefined ? {} : { taskQueue: hostTaskQueue(host), scheduleToStartTimeout: HOST_SCHEDULE_TO_START_MS };

  // Each step retries on its own terms. A crashed worker is noticed through heartbeats on the long
  // steps and through short start-to-close timeouts on the quick ones.
  const { resolveConfig } = proxyActivities<RunnerActivities>({
    startToCloseTimeout: '10 seconds',
    retry: { maximumAttempts: 3, initialInterval: '500 ms' },
  });
  const { planNetworking } = proxyActivities<RunnerActivities>({
    ...onHost,
    startToCloseTimeout: '20 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 6 },
  });
  const { startContainer } = proxyActivities<RunnerActivities>({
    ...onHost,
    startToCloseTimeout: '10 minutes', // an image pull may be slow; heartbeats show it is alive
    heartbeatTimeout: '15 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 8 },
  });
  const { verifyConnectivity } = proxyActivities<RunnerActivities>({
    ...onHost,
    // Under load a probe waits for its engine's probe slot (heartbeating); a stuck exec ends at its own budget.
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '10 seconds',
    retry: {
      initialInterval: input.verify?.initialIntervalMs ?? 1000,
      backoffCoefficient: 2,
      maximumInterval: '10 seconds',
      maximumAttempts: input.verify?.maximumAttempts ?? 6,
    },
  });
  const readyTimeoutMs = input.readyTimeoutMs ?? 60_000;
  const { awaitRunnerReady } = proxyActivities<RunnerActivities>({
    ...onHost,
    startToCloseTimeout: readyTimeoutMs + 15_000,
    heartbeatTimeout: '10 seconds',
    retry: { maximumAttempts: 3 },
  });
  const { stopRunner } = proxyActivities<RunnerActivities>({
    ...onHost,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 3 },
  });

  // Added after histories without it were recorded: patched() keeps those replaying (README: "Changing the workflow").
  const indexOutcome = input.searchAttributes === true && patched('search-attributes-outcome');
  /** One upsert when the provision ends (not one per step): history stays short. */
  function recordOutcome(lastStep: StepName): void {
    if (!indexOutcome) return;
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.status, value: state.status },
      { key: SEARCH_ATTRIBUTES.step, value: lastStep },
      ...(state.plan ? [{ key: SEARCH_ATTRIBUTES.networkMode, value: state.plan.mode }] : []),
    ]);
  }

  /** A host-bound step nobody took: the host's worker is gone (or was never started). */
  function hostOffline(error: unknown): ApplicationFailure | undefined {
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

  /** Runs one step: keeps progress, the UI checklist and the error that ends the provision. */
  async function step<T>(
    name: StepName,
    summary: string,
    run: (options: ActivityOptions) => Promise<Attempted<T>>,
    note: (value: T) => string,
  ): Promise<T> {
    const progress = state.steps.find((entry) => entry.name === name) as StepProgress;
    Object.assign(progress, { status: 'running', startedAt: Date.now(), attempts: 1, summary });
    setCurrentDetails(renderChecklist(runnerName, state.steps));
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
      const failure =
        error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
          ? error.cause
          : hostOffline(error);
      const details = failure?.details?.[0] as FailureDetails | undefined;
      const message = failure?.message ?? (error as Error).message;
      Object.assign(progress, {
        status: 'failed',
        attempts: details?.attempt ?? progress.attempts,
        durationMs: Date.now() - (progress.startedAt as number),
        error: message,
      });
      if (details?.report) Object.assign(state, { checks: details.report.checks, diagnoses: details.report.diagnoses });
      state.status = 'failed';
      state.error = { type: failure?.type ?? 'Error', message };
      recordOutcome(name);
      throw ApplicationFailure.create({
        type: state.error.type,
        message: `${name} failed: ${message}`,
        nonRetryable: true,
        details: [state],
      });
    } finally {
      setCurrentDetails(
        renderChecklist(
          runnerName,
          state.steps,
          state.diagnoses.filter((diagnosis) => !diagnosis.ok),
        ),
      );
    }
  }

  const resolved = await step(
    'resolveConfig',
    `resolve config for ${runnerName}`,
    (o) => resolveConfig.executeWithOptions(o, [{ flags: input.flags, trigger: input.trigger }]),
    (c) => `image ${c.runner.image.value}, network ${c.runner.network.value}`,
  );
  // Resolved by whichever worker took it: on a host, the engine is the host worker's own unless the
  // trigger selected one explicitly (which `run` sends only to its own machine's host).
  const selected = ENGINE_SELECTION_ENV_NAMES.some((name) => input.trigger?.env[name] !== undefined);
  const config: RunnerConfig = host !== undefined && !selected ? withoutEngine(resolved) : resolved;
  const plan = await step(
    'planNetworking',
    'ask the Docker engine what it is and plan networking',
    (o) => planNetworking.executeWithOptions(o, [config]),
    (p) => describePlan(p, config),
  );
  state.plan = plan;
  const container = await step(
    'startContainer',
    `start ${config.runner.image.value} as ${runnerName} (network ${plan.mode})`,
    (o) =>
      startContainer.executeWithOptions(o, [
        { flags: input.flags, trigger: input.trigger, config, plan, workflowId: workflowInfo().workflowId },
      ]),
    (c) => `${c.action} ${c.id.slice(0, 12)}`,
  );
  state.container = container;
  const taskQueue = plan.runner?.taskQueue ?? LEGACY_RUNNER_TASK_QUEUE;
  let ready: RunnerReady;
  try {
    const report: VerificationReport = await step(
      'verifyConnectivity',
      `probe ${plan.services.map((service) => service.service).join(', ')} and the workspace from inside ${runnerName} (${plan.mode})`,
      (o) => verifyConnectivity.executeWithOptions(o, [{ config, plan, container }]),
      (r) => `${r.diagnoses.length} checks passed`,
    );
    Object.assign(state, { checks: report.checks, diagnoses: report.diagnoses });
    ready = await step(
      'awaitRunnerReady',
      `wait up to ${Math.round(readyTimeoutMs / 1000)} s for ${runnerName} to poll ${taskQueue}`,
      (o) => awaitRunnerReady.executeWithOptions(o, [{ config, container, taskQueue, timeoutMs: readyTimeoutMs }]),
      (r) => `poller ${r.poller.identity}`,
    );
  } catch (failure) {
    // Added after histories without it were recorded: patched() keeps those replaying.
    if (patched('stop-runner-on-failure')) await stopFailedRunner(container);
    throw failure;
  }
  state.status = 'ready';
  recordOutcome('awaitRunnerReady');
  setCurrentDetails(renderChecklist(runnerName, state.steps));

  /** A runner that failed verification must not take work: stop it, keep it for its logs. */
  async function stopFailedRunner(failed: RunnerContainer): Promise<void> {
    try {
      const { value } = await stopRunner.executeWithOptions(
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
    setCurrentDetails(
      renderChecklist(
        runnerName,
        state.steps,
        state.diagnoses.filter((diagnosis) => !diagnosis.ok),
      ),
    );
  }
  return { ...state, status: 'ready', config, plan, container, ready };
}

function withoutEngine(config: RunnerConfig): RunnerConfig {
  const { engine: _engine, ...rest } = config;
  return rest;
}

function describePlan(plan: NetworkPlan, config: RunnerConfig): string {
  const engine = config.engine ? ` at ${config.engine.value} (${config.engine.source})` : '';
  return `${plan.engine.description}${engine}: network ${plan.mode}${plan.hostAlias ? ` via ${plan.hostAlias}` : ''}`;
}
