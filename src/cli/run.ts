/**
 * `stigmer-runner run`: what `stigmer run` triggers. A runner that is warm — the one the last provision
 * verified, running as a provision would make it now, polling, its services answering — is reused
 * and said so (cli/warm-run.ts, core/health/warm-run.ts); otherwise (or with `--fresh`) it starts (or attaches to)
 * the provision for this runner, follows it step by step and exits 0 ready, 2 invalid input, 3 unreachable services
 * (Temporal included), 4 the host has no worker (HostOffline), 5 the worker's policy refused (PolicyRefused, e.g. a
 * container it did not make, without --replace), 1 else (core/contract/names.ts EXIT_CODES, the published contract's).
 */
import { homedir, hostname, userInfo } from 'node:os';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ENGINE_ENV_NAMES } from '../core/settings/cascade';
import type { ConfigFlags } from '../core/settings/types';
import { EXIT_CODES, exitCodeFor, FAILURE_TYPES, SEARCH_ATTRIBUTES } from '../core/contract/names';
import type { StepName, StepStatus } from '../core/contract/progress';
import { sleepUntilSettled, waitUntil } from '../core/wait';
import { commandContext, localHost } from './command';
import { triggerContext } from '../settings/trigger';
import { startProvision, type StartExtras } from './start';
import {
  progressQuery,
  type provisionRunner,
  type ProvisionInput,
  type ProvisionProgress,
} from '../workflows/provision-runner';
import { executionUrl, hostLastSeen, openSession, type Session } from './session';
import { networkDocument, notWarmLine, stepLine, waitingLine, warmLine } from './render';
import { checkWarm } from './warm-run';
import { settledProgress } from './last-provision';
import type { WarmReuse } from '../core/health/warm-run';

export interface RunOptions {
  flags: ConfigFlags;
  /** The host to provision on (`--host`); default this machine. */
  host?: string;
  json: boolean;
  verifyAttempts?: number;
  verifyIntervalMs?: number;
  readyTimeoutMs?: number;
  /** `--fresh`: provision in full even when the runner is warm. */
  fresh?: boolean;
  /** `--replace`: a container of the runner's name that stigmer-runner did not make may be replaced. */
  replace?: boolean;
}

export async function runCommand(options: RunOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const { say, loaded, config, runner, host } = commandContext(options.flags, options.json, env, options.host);
  // No worker yet: a warm runner needs none, and starting one costs more than the whole check.
  const session = await openSession(loaded, env, say, { worker: false, host });
  try {
    const run: Run = { options, session, say, runnerName: runner, host };
    const input = provisionInput(run, env);
    const warm = await checkWarm(session, input, env, {
      fresh: options.fresh === true,
      otherHost: host !== localHost(),
    });
    if (warm.decision.warm && warm.last?.progress) return reportReused(run, warm.decision.reused, warm.last.progress);
    if (!warm.decision.warm) say(notWarmLine(warm.decision, runner));
    return await provisionAndFollow(run, input, config.runner.image.value);
  } finally {
    await session.close();
  }
}

/** One `run`: what was asked, the session it runs in, where it talks, the runner and its host. */
interface Run {
  options: RunOptions;
  session: Session;
  say: (line: string) => void;
  runnerName: string;
  host: string;
}

function provisionInput({ options, session, runnerName, host }: Run, env: NodeJS.ProcessEnv): ProvisionInput {
  return {
    // network and contract were checked by loadConfig above, with every other source; `replace` only
    // when asked, so a plain run's input is what it always was
    flags: {
      ...(options.flags as ProvisionInput['flags']),
      runner: runnerName,
      ...(options.replace ? { replace: true } : {}),
    },
    trigger: triggerContext(triggerEnv({ ...env, ...session.workerEnv }, host), env.HOME ?? homedir()),
    host,
    verify: { maximumAttempts: options.verifyAttempts, initialIntervalMs: options.verifyIntervalMs },
    readyTimeoutMs: options.readyTimeoutMs,
    searchAttributes: session.searchAttributes,
  };
}

/** A warm runner is reused: said so, or with `--json` its last provision reported as this run's outcome. */
function reportReused({ options, session, say, runnerName }: Run, reused: WarmReuse, last: ProvisionProgress): number {
  const uiUrl = executionUrl(session, reused.provision.workflowId, reused.provision.runId);
  if (options.json) {
    const report = runReport(reused.provision.workflowId, reused.provision.runId, uiUrl, last);
    // What this run did with the container: it reused it.
    const container = last.container && { ...last.container, action: 'reused' as const };
    writeJson({ ...report, container, reused });
  } else {
    say(warmLine(runnerName, reused));
    if (uiUrl) say(`  ${uiUrl}`);
  }
  return EXIT_CODES.ready;
}

/** Starts (or attaches to) the provision with a worker to serve it, follows it to its end, reports it. */
async function provisionAndFollow(run: Run, input: ProvisionInput, image: string): Promise<number> {
  const { options, session, say, runnerName, host } = run;
  await session.ensureWorker();
  const handle = await startProvision(session.client, input, startExtras(run, image));
  const uiUrl = executionUrl(session, handle.workflowId, handle.firstExecutionRunId);
  say(`provisioning ${runnerName}: workflow ${handle.workflowId}${uiUrl ? `\n  ${uiUrl}` : ''}`);

  const progress = await session.serve(follow(handle, options.json ? () => undefined : say), handle);
  if (progress.error?.type === FAILURE_TYPES.hostOffline) {
    const seen = await hostLastSeen(session, host).catch(() => undefined);
    progress.error.message += seen ? ` (last seen ${seen})` : ' (last seen: never, or more than 5 minutes ago)';
  }
  return reportOutcome(run, handle, uiUrl, progress);
}

/** What the Temporal UI shows of the provision, and the search attributes it is found by (when registered). */
function startExtras({ session, runnerName, host }: Run, image: string): StartExtras {
  return {
    staticSummary: `Provision agent-runner ${runnerName}`,
    staticDetails: triggerDetails(runnerName, image),
    ...(session.searchAttributes
      ? {
          typedSearchAttributes: [
            { key: SEARCH_ATTRIBUTES.runner, value: runnerName },
            { key: SEARCH_ATTRIBUTES.status, value: 'running' },
            { key: SEARCH_ATTRIBUTES.host, value: host },
          ],
        }
      : {}),
  };
}

/** The provision's outcome, as `--json`'s report or a line saying ready or why not; its exit code. */
function reportOutcome(
  { options, say, runnerName }: Run,
  handle: WorkflowHandleWithFirstExecutionRunId,
  uiUrl: string | undefined,
  progress: ProvisionProgress,
): number {
  const code = exitCodeFor(progress);
  if (options.json) {
    writeJson(runReport(handle.workflowId, handle.firstExecutionRunId, uiUrl, progress));
  } else {
    say(
      code === EXIT_CODES.ready
        ? `✓ runner ${runnerName} is ready`
        : `✗ runner ${runnerName} is not ready: ${progress.error?.message ?? 'failed'}`,
    );
    if (progress.stoppedAfterFailure)
      say(`  ${progress.stoppedAfterFailure.message}; nothing polls its queue until a run succeeds`);
  }
  return code;
}

/** What `run --json` prints for a provision's outcome (a warm run adds what it reused). */
function runReport(workflowId: string, runId: string, uiUrl: string | undefined, progress: ProvisionProgress) {
  const diagnosis = progress.diagnoses.filter((entry) => !entry.ok);
  return {
    workflowId,
    runId,
    uiUrl,
    status: progress.status === 'ready' ? 'ready' : 'failed',
    steps: progress.steps,
    checks: progress.checks,
    diagnosis: diagnosis.length ? diagnosis : progress.error ? [{ cause: progress.error.message }] : [],
    error: progress.error,
    runner: progress.plan?.runner,
    network: progress.plan && networkDocument(progress.plan),
    container: progress.container,
    stoppedAfterFailure: progress.stoppedAfterFailure,
    refusals: progress.refusals,
  };
}

function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The trigger's settings that travel with the provision. Its engine selection (DOCKER_HOST, a docker
 * context) names an engine on this machine: it travels only to this machine's host; another host's
 * worker provisions on its own engine.
 */
export function triggerEnv(env: NodeJS.ProcessEnv, host: string, thisHost = localHost()): NodeJS.ProcessEnv {
  if (host === thisHost) return env;
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !(ENGINE_ENV_NAMES as readonly string[]).includes(name)),
  );
}

const WAITING_NOTICE_MS = 2000;

/** Prints each step once it settles, until the workflow ends; returns its final progress. */
async function follow(
  handle: WorkflowHandle<typeof provisionRunner>,
  say: (line: string) => void,
): Promise<ProvisionProgress> {
  const printed = new Map<StepName, StepStatus>();
  const waiting = new Set<StepName>();
  const printSettled = (progress: ProvisionProgress) => {
    for (const step of progress.steps) {
      // A step still running after a moment says what it waits for and how long it will (the
      // runner takes 10-15 s to import before it polls).
      if (
        step.status === 'running' &&
        step.summary &&
        step.startedAt &&
        Date.now() - step.startedAt >= WAITING_NOTICE_MS &&
        !waiting.has(step.name)
      ) {
        waiting.add(step.name);
        say(waitingLine(step));
      }
      if ((step.status === 'succeeded' || step.status === 'failed') && printed.get(step.name) !== step.status) {
        printed.set(step.name, step.status);
        say(stepLine(step));
      }
    }
  };
  const result = settledProgress(handle);
  let done: ProvisionProgress | undefined;
  void result.then((outcome) => (done = outcome));
  // No deadline here: the result ends the poll, and the workflow's own timeouts bound it.
  const final = await waitUntil(
    async () => {
      if (done) return done;
      // Queries fail (and are retried) while no worker has picked the workflow up yet.
      printSettled(await handle.query(progressQuery));
      return done;
    },
    { intervalMs: 250, timeoutMs: Infinity, what: `${handle.workflowId} to finish`, sleep: sleepUntilSettled(result) },
  );
  printSettled(final);
  return final;
}

function triggerDetails(runnerName: string, image: string): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return [
    `**Runner** \`${runnerName}\` · image \`${image}\``,
    `**Triggered by** \`stigmer run\` · user \`${user}\` · host \`${hostname()}\``,
  ].join('\n\n');
}
