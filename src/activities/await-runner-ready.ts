import { Context } from '@temporalio/activity';
import { Connection } from '@temporalio/client';
import type { RunnerConfig } from '../core/config';
import { RUNNER_TASK_QUEUE } from '../core/runner-env';
import type { RunnerContainer } from '../docker/runner-container';
import { freshPoller, listPollers, type PollerSeen } from '../temporal/task-queue';
import type { ActivityDeps } from './deps';
import { attempted, FAILURE_TYPES, PermanentError } from './failures';

export interface AwaitRunnerReadyInput {
  config: RunnerConfig;
  container: RunnerContainer;
  timeoutMs: number;
}

export interface RunnerReady {
  poller: PollerSeen;
  waitedMs: number;
}

const POLL_INTERVAL_MS = 250;

/** Waits until the runner polls `agent_execution_runner` — the proof that it is up and connected. */
export function createAwaitRunnerReady(deps: ActivityDeps) {
  return attempted(async ({ config, container, timeoutMs }: AwaitRunnerReadyInput): Promise<RunnerReady> => {
    const started = Date.now();
    const namespace = config.temporal.namespace.value;
    const connection = await Connection.connect({ address: config.temporal.address.value });
    const handle = deps.docker.docker.getContainer(container.id);
    try {
      for (;;) {
        Context.current().heartbeat();
        const poller = freshPoller(await listPollers(connection, namespace, RUNNER_TASK_QUEUE), container.startedAt);
        if (poller) return { poller, waitedMs: Date.now() - started };
        const state = (await handle.inspect()).State;
        if (!state.Running && !state.Restarting && state.ExitCode !== 0) {
          throw new PermanentError(FAILURE_TYPES.runnerNotReady, `runner container ${container.name} exited with code ${state.ExitCode}${await logTail(handle)}`);
        }
        if (Date.now() - started > timeoutMs) {
          throw new PermanentError(
            FAILURE_TYPES.runnerNotReady,
            `no worker polled ${RUNNER_TASK_QUEUE} in namespace ${namespace} at ${config.temporal.address.value} within ${timeoutMs} ms of container ${container.name} starting${await logTail(handle)}`,
          );
        }
        await Context.current().sleep(POLL_INTERVAL_MS);
      }
    } finally {
      await connection.close();
    }
  });
}

async function logTail(container: ReturnType<ActivityDeps['docker']['docker']['getContainer']>): Promise<string> {
  try {
    const buffer = (await container.logs({ stdout: true, stderr: true, tail: 15, follow: false })) as unknown as Buffer;
    const text = demuxed(buffer).trim();
    return text ? `\nlast lines of its log:\n${text}` : '';
  } catch {
    return '';
  }
}

/** Docker multiplexes non-TTY logs in 8-byte-headed frames. */
function demuxed(buffer: Buffer): string {
  const parts: string[] = [];
  for (let offset = 0; offset + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return parts.join('');
}
