/**
 * The Temporal dev server (`temporal server start-dev`) as Stigmer manages it, the wait until it
 * answers, and search-attribute registration.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_CLI_TYPES, SEARCH_ATTRIBUTES } from '../core/contract/names';
import { waitUntil } from '../core/wait';
import { devServerTarget, temporalAnswers } from './connection';

/** `--search-attribute Name=Type` flags registering the Stigmer* search attributes on a dev server. */
export const DEV_SERVER_SEARCH_ATTRIBUTE_ARGS = Object.values(SEARCH_ATTRIBUTES).flatMap((key) => [
  '--search-attribute',
  `${key.name}=${SEARCH_ATTRIBUTE_CLI_TYPES[key.type]}`,
]);

/**
 * Dynamic config of every dev server Stigmer starts (bench P1):
 * - eager activity dispatch: an activity a workflow task schedules on the worker's own queue goes
 *   straight back to that worker in the task's reply, not through matching — each step's dispatch
 *   fell from ~15 ms to 0;
 * - the history service reads its transfer queue (which hands each new workflow task to matching) at
 *   most 20 times a second per shard, and a dev server has one shard: once a few workflows had used
 *   up the burst, each workflow task waited ~30 ms to be dispatched instead of ~4 ms.
 */
const DEV_SERVER_DYNAMIC_CONFIG = {
  'system.enableActivityEagerExecution': true,
  'history.transferProcessorMaxPollRPS': 1000,
} as const;
export const DEV_SERVER_DYNAMIC_CONFIG_ARGS = Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => [
  '--dynamic-config-value',
  `${key}=${value}`,
]);

/** The repository (or installed package) root: the folder holding this project's package.json. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** STIGMER_TEMPORAL_CLI, then the project's tools folder (scripts/setup.sh installs there), then PATH. */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STIGMER_TEMPORAL_CLI) return env.STIGMER_TEMPORAL_CLI;
  const local = join(projectRoot(), '.tools', 'bin', 'temporal');
  return existsSync(local) ? local : 'temporal';
}

export interface DevServerOptions {
  ip: string;
  port: number;
  /** UI port; omitted → headless. */
  uiPort?: number;
  /** Persist to this SQLite file (Stigmer uses ~/.stigmer/temporal-data/temporal.db); omitted → in memory. */
  dbFile?: string;
  /** Keep running after this process exits (the managed server outlives `stigmer-runner run`). */
  detached?: boolean;
  /** Where its output goes; omitted → discarded. */
  logFile?: string;
  extraArgs?: string[];
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions, readyTimeoutMs = 30_000): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', options.ip, '--port', String(options.port), '--log-level', 'warn'];
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.dbFile) {
    preparePrivateDb(options.dbFile);
    args.push('--db-filename', options.dbFile);
  }
  args.push(...DEV_SERVER_SEARCH_ATTRIBUTE_ARGS, ...DEV_SERVER_DYNAMIC_CONFIG_ARGS, ...(options.extraArgs ?? []));

  const output = options.logFile ? openPrivateLog(options.logFile) : 'ignore';
  const cli = temporalCliPath();
  const child = spawnPrivate(cli, args, { stdio: ['ignore', output, output], detached: options.detached ?? false });
  if (typeof output === 'number') closeSync(output);
  if (options.detached) child.unref();

  const host = options.ip.includes(':') ? `[${options.ip}]` : options.ip;
  const dialHost = options.ip === '0.0.0.0' ? '127.0.0.1' : options.ip === '::' ? '[::1]' : host;
  const address = `${dialHost}:${options.port}`;
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`could not run ${cli}: ${error.message} (install it with: bash scripts/setup.sh)`)),
    );
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `temporal server start-dev exited (${signal ?? `code ${code}`}) before answering on ${address}${options.logFile ? `; see ${options.logFile}` : ''}`,
        ),
      ),
    );
  });
  exited.catch(() => undefined);
  // Not a timeout: the server exiting is an event that ends the wait early, with its own message.
  await Promise.race([waitForTemporal(address, readyTimeoutMs), exited]);

  return {
    address,
    uiUrl: options.uiPort === undefined ? undefined : `http://${dialHost}:${options.uiPort}`,
    process: child,
    stop: () => stopProcess(child),
  };
}

/**
 * The dev server's database holds every workflow's history (inputs, failures, the runner's config):
 * private to this user. Its folder is made 0700, the database and SQLite's companions (made before
 * this version, or by an earlier run) are set 0600; what the server creates — a missing database, its
 * companions — gets the child's umask 077 (spawnPrivate).
 */
export function preparePrivateDb(dbFile: string): void {
  const path = resolve(dbFile);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // A missing database is not made here: the temporal CLI sets the schema up only in a database it
  // creates (an empty file made first, it exits 1). It creates it under the child's umask 077.
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`])
    if (existsSync(file)) chmodSync(file, 0o600);
}

/** The dev server's log, opened for appending, private to this user (0600, also when it existed). */
export function openPrivateLog(logFile: string): number {
  mkdirSync(dirname(resolve(logFile)), { recursive: true, mode: 0o700 });
  const fd = openSync(logFile, 'a', 0o600);
  fchmodSync(fd, 0o600);
  return fd;
}

/** Spawns with umask 077, so whatever the child creates (SQLite's -wal and -shm files) is 0600. */
export function spawnPrivate(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const previous = process.umask(0o077);
  try {
    return spawn(command, args, options);
  } finally {
    process.umask(previous);
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  await waitUntil(async () => (await temporalAnswers(devServerTarget(address))) || undefined, {
    intervalMs: 200,
    timeoutMs,
    what: `Temporal to answer on ${address}`,
  });
}

/**
 * Registers the Stigmer* search attributes on a namespace that lacks them (an external server, or a
 * managed one started before they existed). False when the server will not (e.g. no permission):
 * provisions then run without them rather than fail on an unknown attribute.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<boolean> {
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.values(SEARCH_ATTRIBUTES).filter((key) => !(key.name in (customAttributes ?? {})));
    if (missing.length === 0) return true;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
      ),
    });
    return true;
  } catch {
    return false;
  }
}
