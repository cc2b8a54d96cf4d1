/**
 * `stigmer-runner run`: what `stigmer run` triggers. Starts (or attaches to) the provision for this
 * runner, follows it step by step and exits 0 ready, 2 invalid input, 3 unreachable services, 1 else.
 */
import { hostname, userInfo } from 'node:os';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { FAILURE_TYPES } from '../activities/failures';
import type { ConfigFlags } from '../core/config';
import type { StepName, StepStatus } from '../core/progress';
import { loadConfig } from '../config/load-config';
import { freshPoller, listPollers } from '../temporal/task-queue';
import { createProvisioningWorker } from '../worker';
import { PROVISIONING_TASK_QUEUE, progressQuery, provisionRunner, type ProvisionInput, type ProvisionProgress } from '../workflows/provision-runner';
import { ensureTemporal } from './embedded-temporal';
import { stepLine } from './render';

export interface RunOptions {
  flags: ConfigFlags;
  json: boolean;
  verifyAttempts?: number;
  verifyIntervalMs?: number;
  readyTimeoutMs?: number;
}

export const EXIT = { ready: 0, failed: 1, invalidInput: 2, unreachable: 3 } as const;

/** A worker counts as present if it polled within a long-poll's length (~70 s). */
const LIVE_POLLER_WINDOW_MS = 70_000;
/**
 * Identity prefix of the worker `run` starts in its own process. Such a worker dies with its `run`,
 * but the server lists its poller for minutes after; ignoring these keeps a second `run` from
 * waiting on a worker that is gone.
 */
const IN_PROCESS_IDENTITY = 'stigmer-runner run';

export function workflowIdFor(runnerName: string): string {
  return `provision-runner-${runnerName}`;
}

export async function runCommand(options: RunOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const say = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  const { config } = loadConfig(options.flags, env);
  const runnerName = config.runner.name.value;
  const temporal = await ensureTemporal(config, env, say);
  const namespace = config.temporal.namespace.value;

  const connection = await Connection.connect({ address: temporal.address });
  let worker: Worker | undefined;
  let workerConnection: NativeConnection | undefined;
  try {
    const client = new Client({ connection, namespace });
    const since = new Date(Date.now() - LIVE_POLLER_WINDOW_MS).toISOString();
    const standalone = (await listPollers(connection, namespace, PROVISIONING_TASK_QUEUE)).filter((poller) => !poller.identity.startsWith(IN_PROCESS_IDENTITY));
    if (!freshPoller(standalone, since, 0)) {
      say(`no worker polls ${PROVISIONING_TASK_QUEUE}: running one in this process`);
      // The steps are printed as they settle; the SDK's own per-attempt warnings would repeat them.
      Runtime.install({ logger: new DefaultLogger('ERROR') });
      workerConnection = await NativeConnection.connect({ address: temporal.address });
      worker = await createProvisioningWorker({
        connection: workerConnection,
        namespace,
        deps: { env: { ...env, ...temporal.workerEnv } },
        identity: `${IN_PROCESS_IDENTITY} ${process.pid}@${hostname()}`,
      });
    }

    const input: ProvisionInput = {
      flags: { ...options.flags, runner: runnerName },
      verify: { maximumAttempts: options.verifyAttempts, initialIntervalMs: options.verifyIntervalMs },
      readyTimeoutMs: options.readyTimeoutMs,
    };
    const handle = await client.workflow.start(provisionRunner, {
      workflowId: workflowIdFor(runnerName),
      taskQueue: PROVISIONING_TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `Provision agent-runner ${runnerName}`,
      staticDetails: triggerDetails(runnerName, config.runner.image.value),
    });
    const uiUrl = temporal.uiUrl ? `${temporal.uiUrl}/namespaces/${namespace}/workflows/${handle.workflowId}/${handle.firstExecutionRunId}/history` : undefined;
    say(`provisioning ${runnerName}: workflow ${handle.workflowId}${uiUrl ? `\n  ${uiUrl}` : ''}`);

    const outcome = worker ? await worker.runUntil(follow(handle, options.json ? () => undefined : say)) : await follow(handle, options.json ? () => undefined : say);
    const code = exitCodeFor(outcome);
    if (options.json) {
      const diagnosis = outcome.progress.diagnoses.filter((entry) => !entry.ok);
      process.stdout.write(
        `${JSON.stringify(
          {
            workflowId: handle.workflowId,
            runId: handle.firstExecutionRunId,
            uiUrl,
            status: outcome.progress.status === 'ready' ? 'ready' : 'failed',
            steps: outcome.progress.steps,
            checks: outcome.progress.checks,
            diagnosis: diagnosis.length ? diagnosis : outcome.progress.error ? [{ cause: outcome.progress.error.message }] : [],
            error: outcome.progress.error,
            network: outcome.progress.plan && { mode: outcome.progress.plan.mode, extraHosts: outcome.progress.plan.extraHosts, hostAlias: outcome.progress.plan.hostAlias },
            container: outcome.progress.container,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      say(code === EXIT.ready ? `✓ runner ${runnerName} is ready` : `✗ runner ${runnerName} is not ready: ${outcome.progress.error?.message ?? 'failed'}`);
    }
    return code;
  } finally {
    await connection.close();
    await workerConnection?.close();
  }
}

interface Outcome {
  progress: ProvisionProgress;
}

/** Prints each step once it settles, until the workflow ends; returns its final progress. */
async function follow(handle: WorkflowHandle<typeof provisionRunner>, say: (line: string) => void): Promise<Outcome> {
  const printed = new Map<StepName, StepStatus>();
  const printSettled = (progress: ProvisionProgress) => {
    for (const step of progress.steps) {
      if ((step.status === 'succeeded' || step.status === 'failed') && printed.get(step.name) !== step.status) {
        printed.set(step.name, step.status);
        say(stepLine(step));
      }
    }
  };
  const result = handle.result().then(
    (value) => ({ progress: value as ProvisionProgress }),
    (error: unknown) => ({ progress: progressFromFailure(error) }),
  );
  let done: Outcome | undefined;
  void result.then((outcome) => (done = outcome));
  while (!done) {
    try {
      printSettled(await handle.query(progressQuery));
    } catch {
      // Queries fail while no worker has picked the workflow up yet; the result still arrives.
    }
    await Promise.race([result, new Promise((resolve) => setTimeout(resolve, 250))]);
  }
  printSettled((done as Outcome).progress);
  return done as Outcome;
}

function progressFromFailure(error: unknown): ProvisionProgress {
  const failure = error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure ? error.cause : undefined;
  const progress = failure?.details?.[0] as ProvisionProgress | undefined;
  if (progress) return progress;
  const message = failure?.message ?? (error as Error).message;
  return { runnerName: '', status: 'failed', steps: [], checks: [], diagnoses: [], error: { type: failure?.type ?? 'Error', message } };
}

function exitCodeFor(outcome: Outcome): number {
  if (outcome.progress.status === 'ready') return EXIT.ready;
  if (outcome.progress.error?.type === FAILURE_TYPES.invalidConfig) return EXIT.invalidInput;
  if (outcome.progress.error?.type === FAILURE_TYPES.connectivity) return EXIT.unreachable;
  return EXIT.failed;
}

function triggerDetails(runnerName: string, image: string): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return [`**Runner** \`${runnerName}\` · image \`${image}\``, `**Triggered by** \`stigmer run\` · user \`${user}\` · host \`${hostname()}\``].join('\n\n');
}
