/**
 * Reading a file because a workflow's input named it (a trigger's config.yaml, temporal.toml, docker
 * config, a secret's file) — within the worker's policy. The path is canonicalised and stat'ed, and
 * judged on what it is before it is opened: a FIFO, a device or a large file is refused before it is
 * opened (opening some devices as root has effects of its own), so nothing blocks the event loop or
 * reads for ever; another user's file is refused so its contents cannot reach an error message. The
 * file is then opened without following a symlink and without blocking (O_NOFOLLOW|O_NONBLOCK), and
 * must be the very file judged (device and inode).
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { judgeFileRead, MAX_INPUT_FILE_BYTES } from '../core/policy/judge';
import { PolicyRefusedError } from '../core/policy/errors';
import type { ServedAccount, WorkerPolicy } from '../core/policy/types';

/** Reads a file as the cascade's reads do: throws the errno error (ENOENT, EISDIR) or a PolicyRefusedError. */
export type GuardedRead = (path: string, setting: string) => string;

const READ_NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export function guardedRead(account: ServedAccount, policy: WorkerPolicy): GuardedRead {
  return (path, setting) => {
    const real = realpathSync(path);
    const stats = statSync(real);
    if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR' });
    const kind = stats.isFile() ? 'file' : 'other';
    const refusal = judgeFileRead({ path, real, kind, size: stats.size, uid: stats.uid, setting }, account, policy);
    if (refusal) throw new PolicyRefusedError([refusal]);
    return readJudged(real, stats);
  };
}

/**
 * A regular file of at most MAX_INPUT_FILE_BYTES, or undefined — never opening anything else: what
 * redaction reads to learn the secrets a config names (the values are only ever matched, never shown).
 */
export function readRegularFile(path: string): string | undefined {
  try {
    const real = realpathSync(path);
    const stats = statSync(real);
    if (!stats.isFile() || stats.size > MAX_INPUT_FILE_BYTES) return undefined;
    return readJudged(real, stats);
  } catch {
    return undefined;
  }
}

/** Opens the judged file without following a symlink and reads it, if it is still that very file. */
function readJudged(real: string, judged: Stats): string {
  const fd = openSync(real, READ_NOFOLLOW);
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile() || opened.dev !== judged.dev || opened.ino !== judged.ino)
      throw Object.assign(new Error(`${real} changed while it was read`), { code: 'ESTALE' });
    const buffer = Buffer.alloc(Math.min(opened.size, MAX_INPUT_FILE_BYTES));
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
