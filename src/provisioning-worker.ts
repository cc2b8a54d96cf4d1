/**
 * The provisioning worker: polls `runner_provisioning`, runs provisionRunner and its activities. A
 * host's worker adds a second, activity-only worker on `runner_provisioning@HOST` (same connection,
 * same activities): where routed provisions run the steps that touch this host's engine.
 * Production loads the workflow bundle prebuilt by `npm run build`; without one (tests, a fresh
 * checkout) it bundles from source at start.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps, type RunnerActivities } from './activities';
import { connectDocker } from './docker/client';
import { projectRoot } from './temporal/dev-server';
import { hostTaskQueue, PROVISIONING_TASK_QUEUE } from './core/contract/names';

export const WORKFLOW_BUNDLE_PATH = join(projectRoot(), 'dist', 'workflow-bundle.js');

export interface ProvisioningWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  deps?: Partial<ActivityDeps>;
  /** The activities to register; default: the real ones over `deps`. Tests wrap them (to pause a step). */
  activities?: RunnerActivities;
  /** `prebuilt` requires dist/workflow-bundle.js; `source` bundles src/workflows; `auto` prefers prebuilt. */
  bundle?: 'prebuilt' | 'source' | 'auto';
  /** Reuse an already built bundle (tests build one per suite). */
  workflowBundle?: { code: string };
  identity?: string;
}

export function defaultActivityDeps(overrides: Partial<ActivityDeps> = {}): ActivityDeps {
  return {
    docker: overrides.docker ?? connectDocker(overrides.env ?? process.env),
    env: overrides.env ?? process.env,
    homeDir: overrides.homeDir ?? homedir(),
    platform: overrides.platform ?? process.platform,
    // The policy the command gathered (its --config, `run`'s --image): else each worker gathers its own.
    ...(overrides.policy ? { policy: overrides.policy } : {}),
  };
}

export function workflowSource(
  bundle: ProvisioningWorkerOptions['bundle'] = 'auto',
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const prebuilt = existsSync(WORKFLOW_BUNDLE_PATH);
  if (bundle === 'prebuilt' && !prebuilt)
    throw new Error(`no prebuilt workflow bundle at ${WORKFLOW_BUNDLE_PATH}: run npm run build`);
  if (bundle !== 'source' && prebuilt) return { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } };
  return { workflowsPath: require.resolve('./workflows') };
}

export async function createProvisioningWorker(options: ProvisioningWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: PROVISIONING_TASK_QUEUE,
    activities: options.activities ?? createActivities(defaultActivityDeps(options.deps)),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : workflowSource(options.bundle)),
    ...(options.identity ? { identity: options.identity } : {}),
  });
}

/** The activity-only worker of one host's queue: the engine-bound steps of provisions routed to it. */
export async function createHostWorker(options: ProvisioningWorkerOptions & { host: string }): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: hostTaskQueue(options.host),
    activities: options.activities ?? createActivities(defaultActivityDeps(options.deps)),
    ...(options.identity ? { identity: options.identity } : {}),
  });
}

/** Both workers of a host: the shared queue's and the host's own; they run and stop together. */
export interface HostWorkers {
  run(): Promise<void>;
  runUntil<T>(body: Promise<T>): Promise<T>;
}

export async function createHostWorkers(options: ProvisioningWorkerOptions & { host: string }): Promise<HostWorkers> {
  const activities = options.activities ?? createActivities(defaultActivityDeps(options.deps));
  const shared = await createProvisioningWorker({ ...options, activities });
  const own = await createHostWorker({ ...options, activities });
  return {
    run: async () => {
      // One stopping (a signal, a fatal error) stops the other.
      const stopBoth = () => [shared, own].forEach((worker) => worker.getState() === 'RUNNING' && worker.shutdown());
      await Promise.all([shared.run().finally(stopBoth), own.run().finally(stopBoth)]);
    },
    // Both have stopped when this returns, even when `body` fails: the caller closes their connection
    // next, which the SDK refuses while a worker still holds it.
    runUntil: async (body) => {
      const [first, second] = await Promise.allSettled([shared.runUntil(body), own.runUntil(body)]);
      if (first.status === 'rejected') throw first.reason;
      if (second.status === 'rejected') throw second.reason;
      return first.value;
    },
  };
}
