/**
 * What `run`, `teardown` and `status` share: the Temporal they talk to (started when managed and
 * absent), a client, and — when no standalone worker polls `runner_provisioning` — a worker in this
 * process for as long as the command lasts.
 */
import { homedir, hostname } from 'node:os';
import { loadWorkerPolicy, type CommandLineAllowance } from '../settings/worker-policy';
import { Client, type Connection, type WorkflowHandle } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { RunnerConfig, RunnerSecrets } from '../core/settings/types';
import { sleepUntilSettled, waitUntil } from '../core/wait';
import { connectClient, connectWorker, type TemporalTarget } from '../temporal/connection';
import { stalledTask } from '../temporal/stall';
import { LIVE_POLLER_WINDOW_MS, polledSince, type PollerSeen } from '../core/pollers';
import { listPollers } from '../temporal/task-queue';
import { ensureSearchAttributes } from '../temporal/dev-server';
import type { HostWorkers } from '../provisioning-worker';
import { HOST_BOUND_ACTIVITIES, hostTaskQueue, PROVISIONING_TASK_QUEUE, workerIdentity } from '../core/contract/names';
import { localHost } from './command';
import { ensureTemporal } from './embedded-temporal';

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
  /** The Stigmer* search attributes are registered on the namespace. */
  searchAttributes: boolean;
  /** Settings the provision must see because of how Temporal was reached (a gateway-bound managed server). */
  workerEnv: Record<string, string>;
  /**
   * Makes sure a worker will serve this machine's provisions: none is started when a standalone one
   * polls `runner_provisioning` (and, for this machine's host, its queue); otherwise one runs in this
   * process for as long as the session lasts. What `openSession({ worker: true })` does at once.
   */
  ensureWorker(): Promise<void>;
  /**
   * Waits for `body` while the execution gets served: by this process's worker if it started one,
   * else by the standalone worker — and if that one turns out to be gone (work waits unstarted), by a
   * worker started here after all.
   */
  serve<T>(body: Promise<T>, execution: WorkflowHandle): Promise<T>;
  close(): Promise<void>;
}

/** How long ready work may wait unstarted before the standalone worker counts as gone. */
const STALL_GRACE_MS = 5000;

export async function openSession(
  { config, secrets }: { config: RunnerConfig; secrets: RunnerSecrets },
  env: NodeJS.ProcessEnv,
  say: (line: string) => void,
  options: { worker: boolean; host?: string },
): Promise<Session> {
  const host = options.host ?? localHost();
  const local = host === localHost();
  const temporal = await ensureTemporal(config, secrets, env, say);
  const namespace = config.temporal.namespace.value;
  const connection = await connectClient(temporal.target, { checkNamespace: true });
  // The in-process worker's policy is its user's own configuration — the config file this command
  // read — and what the user typed here (`--image`): a choice of theirs, not a workflow input's.
  const allowance = {
    // Only a file the command named: the default path passed as --config would become required.
    ...(config.configFile.source === 'flag:--config' ? { configFile: config.configFile.path } : {}),
    ...(config.runner.image.source === 'flag:--image' ? { image: config.runner.image.value } : {}),
  };
  const worker = new InProcessWorker({ target: temporal.target, namespace, env, say, host, local, allowance });
  const ensureWorker = () => worker.ensure(connection);
  const close = async () => {
    await connection.close();
    await worker.close();
  };
  try {
    if (options.worker) await ensureWorker();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    client: new Client({ connection, namespace }),
    namespace,
    uiUrl: temporal.uiUrl,
    workerEnv: temporal.workerEnv,
    searchAttributes: await ensureSearchAttributes(connection, namespace),
    ensureWorker,
    serve: (body, execution) => worker.serve(body, execution),
    close,
  };
}

/** Where and for whom a session's own worker runs. */
interface WorkerContext {
  target: TemporalTarget;
  namespace: string;
  env: NodeJS.ProcessEnv;
  say: (line: string) => void;
  allowance: CommandLineAllowance;
  host: string;
  /**
   * The host is this machine: the worker serves its host queue too. Never another host's: that host's
   * own worker does, or the provision fails as HostOffline.
   */
  local: boolean;
}

/**
 * The worker a session runs in this process when no standalone one serves it: none until one is
 * needed, then one for as long as the session lasts.
 */
class InProcessWorker {
  private worker: Pick<HostWorkers, 'runUntil'> | undefined;
  private connection: NativeConnection | undefined;

  constructor(private readonly context: WorkerContext) {}

  /** What `Session.ensureWorker` does: one is started unless a standalone worker polls each queue. */
  async ensure(client: Connection): Promise<void> {
    if (this.worker) return;
    const { local, host, namespace } = this.context;
    const queues = local ? [PROVISIONING_TASK_QUEUE, hostTaskQueue(host)] : [PROVISIONING_TASK_QUEUE];
    for (const queue of queues) {
      if (!(await standaloneWorkerPolls(client, namespace, queue))) {
        await this.start(`no worker polls ${queue}`);
        break;
      }
    }
  }

  /** What `Session.serve` does: this worker serves; else, if the work stalls, one started now does. */
  async serve<T>(body: Promise<T>, execution: WorkflowHandle): Promise<T> {
    if (this.worker) return this.worker.runUntil(body);
    const stalled = await stallBeforeSettled(body, execution, this.context.local);
    if (stalled)
      return (await this.start(`the ${stalled} of ${execution.workflowId} waits with no worker taking it`)).runUntil(
        body,
      );
    return body;
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }

  private async start(why: string): Promise<Pick<HostWorkers, 'runUntil'>> {
    const { target, namespace, env, say, host, local, allowance } = this.context;
    say(`${why}: running a worker in this process`);
    // Loaded only here: `status` and `hosts` never start a worker, `run` and `teardown` only when none polls.
    const [{ installRuntime }, { createHostWorkers, createProvisioningWorker }] = await Promise.all([
      import('../observability/runtime'),
      import('../provisioning-worker'),
    ]);
    // Each step is printed as it settles; the SDK's per-attempt warnings would only repeat them.
    installRuntime({ level: 'ERROR', json: !process.stderr.isTTY, write: (line) => process.stderr.write(line) });
    // Kept before the worker is created, so that the session closes it even if creating fails.
    this.connection = await connectWorker(target);
    const workerOptions = {
      connection: this.connection,
      namespace,
      deps: { env, policy: loadWorkerPolicy({ env, homeDir: homedir() }, allowance).policy },
      identity: workerIdentity(IN_PROCESS_IDENTITY, process.pid, hostname(), localHost()),
    };
    this.worker = local
      ? await createHostWorkers({ ...workerOptions, host })
      : await createProvisioningWorker(workerOptions);
    return this.worker;
  }
}

/**
 * Watches the execution until `body` settles (undefined) or one of its tasks waits unstarted past
 * the grace with no worker taking it (that task).
 */
async function stallBeforeSettled(
  body: Promise<unknown>,
  execution: WorkflowHandle,
  local: boolean,
): Promise<string | undefined> {
  let settled = false;
  void body.finally(() => (settled = true)).catch(() => undefined);
  // No deadline here: the body settling ends the poll for work that no worker takes.
  const { stalled } = await waitUntil<{ stalled?: string }>(
    async () => {
      if (settled) return {};
      const task = stalledTask((await execution.describe()).raw, Date.now(), STALL_GRACE_MS);
      // Another host's step waits for that host's worker: not one this process can stand in for.
      const elsewhere = !local && HOST_BOUND_ACTIVITIES.some((name) => task === `activity ${name}`);
      return task && !elsewhere ? { stalled: task } : undefined;
    },
    {
      intervalMs: 1000,
      timeoutMs: Infinity,
      what: `${execution.workflowId} to settle or stall`,
      sleep: sleepUntilSettled(body),
    },
  );
  return stalled;
}

async function standaloneWorkerPolls(connection: Connection, namespace: string, queue: string): Promise<boolean> {
  const since = new Date(Date.now() - LIVE_POLLER_WINDOW_MS).toISOString();
  const live = (poller: PollerSeen) =>
    !poller.identity.startsWith(IN_PROCESS_IDENTITY) && polledSince(poller, since, 0);
  return (await listPollers(connection, namespace, queue, { wanted: live })).some(live);
}

export function executionUrl(session: Session, workflowId: string, runId: string): string | undefined {
  return session.uiUrl
    ? `${session.uiUrl}/namespaces/${session.namespace}/workflows/${workflowId}/${runId}/history`
    : undefined;
}

/** When a worker last polled the host's queue (the server remembers pollers ~5 minutes), or undefined. */
export async function hostLastSeen(session: Session, host: string): Promise<string | undefined> {
  const pollers = await listPollers(session.client.connection, session.namespace, hostTaskQueue(host));
  return pollers
    .map((poller) => poller.lastAccessTime)
    .sort()
    .at(-1);
}
