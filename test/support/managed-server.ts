/**
 * The managed dev server a test's `run` starts (detached, on the product's fixed port): found by the
 * listener on that port, and stopped by its pid only when its command line names the test's HOME —
 * a developer's own server on this machine is reused, never stopped.
 */
import { readFileSync } from 'node:fs';
import { MANAGED_TEMPORAL_ADDRESS } from '../../src/core/settings/temporal';
import { waitUntil } from '../../src/core/wait';
import { runProgram } from './process';

/** The managed default's port: fixed by the product (`MANAGED_TEMPORAL_ADDRESS`). */
export const MANAGED_PORT = Number(MANAGED_TEMPORAL_ADDRESS.split(':')[1]);

/** Pids of the processes listening on `port` (this user's: `ss -p` shows only those). */
async function listenerPids(port: number): Promise<number[]> {
  const { stdout } = await runProgram('ss', ['-Hltnp', `sport = :${port}`], { env: process.env, timeoutMs: 10_000 });
  return [...new Set([...stdout.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1])))];
}

/** A process's command line, '' once it is gone. */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * Stops the managed dev server started with `home` as HOME and waits until it is gone — or it would
 * still be writing its database into a folder being removed. The product records no pid.
 */
export async function stopManagedServerOf(home: string): Promise<void> {
  for (const pid of await listenerPids(MANAGED_PORT)) {
    if (!cmdline(pid).includes(home)) continue;
    process.kill(pid, 'SIGTERM');
    await waitUntil(async () => (cmdline(pid) === '' ? true : undefined), {
      intervalMs: 100,
      timeoutMs: 15_000,
      what: `the managed dev server (pid ${pid}) to exit`,
    });
  }
}
