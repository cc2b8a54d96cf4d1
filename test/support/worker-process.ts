/**
 * A provisioning worker in its own process, so tests can SIGKILL it mid-step. It runs the real
 * activities; `pause` holds one step (before its body runs, or after it ran but before its result is
 * reported) until the test sends a line on stdin — or kills the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../src/temporal/dev-server';

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the worker reports it paused at the step. */
  paused: Promise<void>;
  resume(): void;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface WorkerProcessOptions {
  temporalAddress: string;
  env: Record<string, string>;
  pause?: { step: string; when: 'before' | 'after' };
  /** The host it serves (its queue runner_provisioning@HOST); default this machine's host name. */
  host?: string;
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'test', 'support', 'worker-main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...options.env,
      WORKER_TEMPORAL_ADDRESS: options.temporalAddress,
      ...(options.host ? { WORKER_HOST: options.host } : {}),
      ...(options.pause ? { WORKER_PAUSE: `${options.pause.when}:${options.pause.step}` } : {}),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => line === text && resolve());
      child.once('exit', (code) => reject(new Error(`worker process exited (${code}) before "${text}"`)));
    });
  const ready = waitFor('worker running');
  const paused = options.pause ? waitFor(`paused ${options.pause.when}:${options.pause.step}`) : Promise.resolve();
  paused.catch(() => undefined);
  await ready;
  return {
    child,
    paused,
    resume: () => child.stdin?.write('continue\n'),
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}
