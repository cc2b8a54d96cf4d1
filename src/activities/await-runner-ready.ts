import { Context, log } from '@temporalio/activity';
import type Dockerode from 'dockerode';
import type { RunnerConfig } from '../core/settings/types';
import { waitUntil, WaitTimeoutError } from '../core/wait';
import { logTail } from '../docker/logs';
import { redactSecrets } from '../core/settings/secrets';
import { knownSecretValues } from './known-secrets';
import type { RunnerContainer } from '../docker/runner-container';
import {
  freshPoller,
  polledBy,
  polledSince,
  readinessRoundMs,
  sharedListingMaxAgeMs,
  type PollerSeen,
} from '../core/pollers';
import { listPollers } from '../temporal/task-queue';
import { managedRunner, type ActivityDeps } from './deps';
import { attempted, FAILURE_TYPES, PermanentError } from './failures';

export interface AwaitRunnerReadyInput {
  config: RunnerConfig;
  container: RunnerContainer;
  /** The queue the runner's contract polls. */
  taskQueue: string;
  timeoutMs: number;
}

export interface RunnerReady {
  poller: PollerSeen;
  waitedMs: number;
}

/** A runner that exits is seen within this; inspecting each container every round loaded the engine. */
const EXIT_CHECK_EVERY_MS = 1000;

/**
 * Waits until the runner polls its contract's task queue — the proof that it is up and connected.
 * Asks through the worker's own connection (the activity context's client): the runner is handed the
 * Temporal this worker serves, and one connection per worker process serves every probe.
 */
export function createAwaitRunnerReady(deps: ActivityDeps) {
  /** Waits in progress on this worker, per namespace and queue: they share one listing (core/pollers.ts). */
  const waiting = new Map<string, number>();
  return attempted(async ({ config, container, taskQueue, timeoutMs }: AwaitRunnerReadyInput): Promise<RunnerReady> => {
    const started = Date.now();
    let seen: string[] = [];
    const namespace = config.temporal.namespace.value;
    const temporal = Context.current().client;
    const handle = await managedRunner(deps, container);
    // Only this runner's own poll counts: other runners poll the same queue.
    const own = polledBy(container.hostname);
    let exitCheckedAt = 0;
    const queueKey = `${namespace}\0${taskQueue}`;
    waiting.set(queueKey, (waiting.get(queueKey) ?? 0) + 1);
    const settled = await waitUntil<{ poller: PollerSeen } | { exitCode: number }>(
      async () => {
        Context.current().heartbeat();
        const pollers = await listPollers(temporal, namespace, taskQueue, {
          wanted: (entry) => own(entry) && polledSince(entry, container.startedAt),
          maxAgeMs: sharedListingMaxAgeMs(waiting.get(queueKey) ?? 0),
        });
        seen = [...new Set(pollers.map((entry) => entry.identity))]; // a worker polls both task types
        const poller = freshPoller(pollers.filter(own), container.startedAt);
        if (poller) return { poller };
        if (Date.now() - exitCheckedAt < EXIT_CHECK_EVERY_MS) return undefined;
        exitCheckedAt = Date.now();
        const state = (await handle.inspect()).State;
        return !state.Running && !state.Restarting && state.ExitCode !== 0 ? { exitCode: state.ExitCode } : undefined;
      },
      // The activity's sleep: a cancelled provision ends the wait.
      {
        intervalMs: readinessRoundMs,
        timeoutMs,
        what: `runner ${container.name} to poll ${taskQueue}`,
        sleep: (ms) => Context.current().sleep(ms),
      },
    )
      .catch(async (error: unknown) => {
        if (!(error instanceof WaitTimeoutError)) throw error;
        const lastError = error.lastError instanceof Error ? `; last error: ${error.lastError.message}` : '';
        throw new PermanentError(
          FAILURE_TYPES.runnerNotReady,
          `no worker with identity *@${container.hostname} polled ${taskQueue} in namespace ${namespace} at ${config.temporal.address.value} within ${timeoutMs} ms of container ${container.name} starting (pollers seen: ${seen.join(', ') || 'none'}${lastError})${await lastLines(handle, knownSecretValues(deps, config))}`,
        );
      })
      .finally(() => {
        const left = (waiting.get(queueKey) ?? 1) - 1;
        if (left > 0) waiting.set(queueKey, left);
        else waiting.delete(queueKey);
      });
    if ('exitCode' in settled) {
      throw new PermanentError(
        FAILURE_TYPES.runnerNotReady,
        `runner container ${container.name} exited with code ${settled.exitCode}${await lastLines(handle, knownSecretValues(deps, config))}`,
      );
    }
    const waitedMs = Date.now() - started;
    log.info('runner polling', {
      container: container.name,
      taskQueue: taskQueue,
      namespace,
      temporal: config.temporal.address.value,
      poller: settled.poller.identity,
      waitedMs,
    });
    return { poller: settled.poller, waitedMs };
  }, deps);
}

/**
 * The container's last log lines, as a suffix for a failure message: with every secret the worker
 * knows — and the runner was given — redacted, since the message goes into workflow history.
 */
async function lastLines(container: Dockerode.Container, secrets: string[]): Promise<string> {
  try {
    const text = redactSecrets((await logTail(container, 15)).trim(), secrets);
    return text ? `\nlast lines of its log:\n${text}` : '';
  } catch {
    return '';
  }
}
