/**
 * Reading a file because a workflow's input named it (a trigger's config.yaml, temporal.toml, docker
 * config, a secret's file) — within the worker's policy. The path is canonicalised, then opened
 * without following a symlink and without blocking (O_NOFOLLOW|O_NONBLOCK: a FIFO opens at once), and
 * judged on what the descriptor is (fstat): a FIFO, a device or a large file is refused before a byte
 * is read, so nothing blocks the event loop or reads for ever; another user's file is refused so its
 * contents cannot reach an error message.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { judgeFileRead, MAX_INPUT_FILE_BYTES } from '../core/policy/judge';
import { PolicyRefusedError } from '../core/policy/errors';
import type { ServedAccount, WorkerPolicy } from '../core/policy/types';

/** Reads a file as the cascade's reads do: throws the errno error (ENOENT, EISDIR) or a PolicyRefusedError. */
export type GuardedRead = (path: string, setting: string) => string;

const READ_NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export function guardedRead(account: ServedAccount, policy: WorkerPolicy): GuardedRead {
  return (path, setting) => {
    const real = realpathSync(path);
    const fd = openSync(real, READ_NOFOLLOW);
    try {
      const stats = fstatSync(fd);
      if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR' });
      const refusal = judgeFileRead(
        {
          path,
          real,
          kind: stats.isFile() ? 'file' : 'other',
          size: stats.size,
          uid: stats.uid,
          setting,
        },
        account,
        policy,
      );
      if (refusal) throw new PolicyRefusedError([refusal]);
      const buffer = Buffer.alloc(Math.min(stats.size, MAX_INPUT_FILE_BYTES));
      const length = readSync(fd, buffer, 0, buffer.length, 0);
      return buffer.subarray(0, length).toString('utf8');
    } finally {
      closeSync(fd);
    }
  };
}
