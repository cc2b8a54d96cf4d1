/**
 * What `run`, `teardown` and `status` share: the Temporal they talk to (started when managed and
 * absent), a client, and — when no standalone worker polls `runner_provisioning` — a worker in this
 * process for as long as the command lasts.
 */
import { hostname } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { RunnerConfig } from '../core/config';
import { freshPoller, listPollers } from '../temporal/task-queue';
import { createProvisioningWorker } from '../worker';
import { PROVISIONING_TASK_QUEUE } from '../workflows/provision-runner';
import { ensureTemporal } from './embedded-temporal';

/** A worker counts as present if it polled within a long-poll's length (~70 s). */
const LIVE_POLLER_WINDOW_MS = 70_000;
/**
 * Identity prefix of a worker a command starts in its own process. Such a worker dies with its
 * command, but the server lists its poller for minutes after; ignoring these keeps the next command
 * from waiting on a worker that is gone.
 */
const IN_PROCESS_IDENTITY = 'stigmer-runner cli';

export interface Session {
  client: Client;
  namespace: string;
  uiUrl?: string;
  /** Runs `body` while this process's worker (if any) serves the workflows it waits on. */
  serve<T>(body: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openSession(config: RunnerConfig, env: NodeJS.ProcessEnv, say: (line: string) => void, options: { worker: boolean }): Promise<Session> {
  const temporal = await ensureTemporal(config, env, say);
  const namespace = config.temporal.namespace.value;
  const connection = await Connection.connect({ address: temporal.address });
  let worker: Worker | undefined;
  let workerConnection: NativeConnection | undefined;
  try {
    if (options.worker && !(await standaloneWorkerPolls(connection, namespace))) {
      say(`no worker polls ${PROVISIONING_TASK_QUEUE}: running one in this process`);
      // Each step is printed as it settles; the SDK's per-attempt warnings would only repeat them.
      Runtime.install({ logger: new DefaultLogger('ERROR') });
      workerConnection = await NativeConnection.connect({ address: temporal.address });
      worker = await createProvisioningWorker({
        connection: workerConnection,
        namespace,
        deps: { env: { ...env, ...temporal.workerEnv } },
        identity: `${IN_PROCESS_IDENTITY} ${process.pid}@${hostname()}`,
      });
    }
  } catch (error) {
    await connection.close();
    await workerConnection?.close();
    throw error;
  }
  return {
    client: new Client({ connection, namespace }),
    namespace,
    uiUrl: temporal.uiUrl,
    serve: (body) => (worker ? worker.runUntil(body) : body),
    close: async () => {
      await connection.close();
      await workerConnection?.close();
    },
  };
}

async function standaloneWorkerPolls(connection: Connection, namespace: string): Promise<boolean> {
  const since = new Date(Date.now() - LIVE_POLLER_WINDOW_MS).toISOString();
  const pollers = await listPollers(connection, namespace, PROVISIONING_TASK_QUEUE);
  return freshPoller(pollers.filter((poller) => !poller.identity.startsWith(IN_PROCESS_IDENTITY)), since, 0) !== undefined;
}

export function executionUrl(session: Session, workflowId: string, runId: string): string | undefined {
  return session.uiUrl ? `${session.uiUrl}/namespaces/${session.namespace}/workflows/${workflowId}/${runId}/history` : undefined;
}
