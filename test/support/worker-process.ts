/**
 * A provisioning worker in its own process, so tests can SIGKILL it mid-step. It runs the real
 * activities; `pause` holds one step (before its body runs, or after it ran but before its result is
 * reported) until the test sends a line on stdin — or kills the process.
 */
import { join } from 'node:path';
import { projectRoot } from '../../src/temporal/dev-server';
import { childEnv, spawnNode, type Spawned } from './process';

export interface WorkerProcess extends Spawned {
  /** Resolves when the worker reports it paused at the step. */
  paused: Promise<unknown>;
  resume(): void;
}

export interface WorkerProcessOptions {
  temporalAddress: string;
  env: Record<string, string>;
  pause?: { step: string; when: 'before' | 'after' };
  /** The host it serves (its queue runner_provisioning@HOST); default this machine's host name. */
  host?: string;
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const worker = spawnNode([join(projectRoot(), 'dist', 'test', 'support', 'worker-main.js')], {
    env: childEnv(process.env.HOME ?? '/tmp', options.env, {
      WORKER_TEMPORAL_ADDRESS: options.temporalAddress,
      ...(options.host ? { WORKER_HOST: options.host } : {}),
      ...(options.pause ? { WORKER_PAUSE: `${options.pause.when}:${options.pause.step}` } : {}),
    }),
    stdin: true,
  });
  const paused = options.pause
    ? worker.waitForLine(new RegExp(`^paused ${options.pause.when}:${options.pause.step}$`), 200_000)
    : Promise.resolve();
  paused.catch(() => undefined);
  await worker.waitForLine(/^worker running$/, 60_000);
  return Object.assign(worker, { paused, resume: () => worker.writeLine('continue') });
}
