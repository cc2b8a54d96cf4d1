/**
 * The one way tests, the bench and scripts run a child process: `runProgram`/`runNode` wait for it
 * and hand back its exit code and output (a non-zero exit is a result, not an error); `spawnProgram`/
 * `spawnNode` keep it running, wait for a line of its output, and end it by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { withTimeout } from '../../src/core/wait';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  env: Record<string, string | undefined>;
  timeoutMs: number;
  cwd?: string;
}

/** Runs a program to its end; rejects only when it cannot start (e.g. ENOENT) or outlives `timeoutMs`. */
export function runProgram(file: string, args: string[], options: RunOptions): Promise<Run> {
  const started = Date.now();
  const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${file} ${args.join(' ')} ran longer than ${options.timeoutMs} ms; stderr:\n${stderr.slice(-4000)}`),
      );
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${file} ${args.join(' ')}: ${error.message}`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs this Node (the compiled CLI, a script in dist/). */
export function runNode(args: string[], options: RunOptions): Promise<Run> {
  return runProgram(process.execPath, args, options);
}

export interface Spawned extends AsyncDisposable {
  child: ChildProcess;
  pid: number;
  /** Everything it wrote so far, stdout and stderr interleaved as they arrived. */
  output(): string;
  /** What it wrote to stdout alone. */
  stdout(): string;
  /** Resolves with the first line (past or future) matching `re`; rejects if it exits first or after `timeoutMs`. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string>;
  /** Writes one line to its stdin (spawned with `stdin: true`). */
  writeLine(line: string): void;
  /** Sends `signal` to this process alone and resolves once it has exited (no-op if it already has). */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Keep stdin open for `writeLine`. */
  stdin?: boolean;
}

export function spawnProgram(file: string, args: string[], options: SpawnOptions): Spawned {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${file} ${args.join(' ')} did not start`);
  const lines: string[] = [];
  let output = '';
  let stdout = '';
  const partial = { stdout: '', stderr: '' };
  const listeners = new Set<(line: string) => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      if (stream === 'stdout') stdout += text;
      const parts = (partial[stream] + text).split('\n');
      partial[stream] = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        for (const listener of listeners) listener(line);
      }
    });
  }
  // 'exit', or 'error' when it could not be signalled: either way nothing is left to wait for.
  const exited = once(child, 'exit').then(
    () => undefined,
    () => undefined,
  );
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (hasExited()) return;
    child.kill(signal);
    await exited;
  };
  return {
    child,
    pid: child.pid,
    output: () => output,
    stdout: () => stdout,
    waitForLine: (re, timeoutMs) => {
      const seen = lines.find((line) => re.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const done = () => {
          listeners.delete(listener);
          clearTimeout(timer);
        };
        const listener = (line: string) => re.test(line) && (done(), resolve(line));
        const timer = setTimeout(
          () => (
            done(),
            reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output:\n${output.slice(-4000)}`))
          ),
          timeoutMs,
        );
        listeners.add(listener);
        void exited.then(() => {
          if (!listeners.has(listener)) return;
          done();
          reject(
            new Error(
              `${file} exited (${child.exitCode ?? child.signalCode}) before a line matching ${re}; output:\n${output.slice(-4000)}`,
            ),
          );
        });
      });
    },
    writeLine: (line) => void child.stdin?.write(`${line}\n`),
    kill,
    [Symbol.asyncDispose]: async () => {
      if (hasExited()) return;
      child.kill('SIGTERM');
      // A process that ignores SIGTERM for 10 s is ended by force.
      await withTimeout(exited, 10_000, `${file} to exit on SIGTERM`).catch(() => kill('SIGKILL'));
    },
  };
}

export function spawnNode(args: string[], options: SpawnOptions): Spawned {
  return spawnProgram(process.execPath, args, options);
}

/** The env a test hands a child: PATH and HOME, then its own values (undefined drops a name). */
export function childEnv(
  home: string,
  ...layers: Array<Record<string, string | undefined>>
): Record<string, string | undefined> {
  return Object.assign({ PATH: process.env.PATH ?? '', HOME: home }, ...layers);
}
