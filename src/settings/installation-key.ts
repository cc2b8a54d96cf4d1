/**
 * The per-installation key: 32 random bytes in `~/.stigmer/installation.key` of the user this process
 * runs as (from the account database, not HOME or a trigger's home), private to that user. It keys
 * the container's spec hash, which covers the runner's env and so its secrets: an unkeyed hash of a
 * weak password is guessable offline from the `dev.stigmer.spec-hash` label anyone can list.
 *
 * Made once, atomically: the bytes go to a temporary file opened O_EXCL with mode 0600, which is then
 * linked into place — link fails if the key exists, so of two concurrent creators one wins and the
 * other reads the winner's key, never a half-written one. `~/.stigmer` is made 0700 when made here.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export const INSTALLATION_KEY_BYTES = 32;

const keys = new Map<string, Buffer>();

/** The key under `home` (default: the home of the user this process runs as), made when missing. */
export function installationKey(home: string = userInfo().homedir): Buffer {
  const path = join(home, '.stigmer', 'installation.key');
  let key = keys.get(path);
  if (!key) {
    key = readKey(path) ?? createKey(path);
    keys.set(path, key);
  }
  return key;
}

function readKey(path: string): Buffer | undefined {
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (key.length !== INSTALLATION_KEY_BYTES)
    throw new Error(
      `${path} holds ${key.length} bytes, not the ${INSTALLATION_KEY_BYTES} of an installation key: remove it and run again (runner containers are then replaced once)`,
    );
  return key;
}

function createKey(path: string): Buffer {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(INSTALLATION_KEY_BYTES));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return readKey(path) as Buffer;
}
