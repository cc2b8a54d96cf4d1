/**
 * The folders of this machine that a provision creates, chowns and hands the engine to mount — done
 * without following a symbolic link, since a workflow's input may name a path an attacker controls
 * part of (the runner's own workspace is writable from inside the runner).
 *
 * On Linux the walk is race-free: each step opens the next component relative to the folder already
 * open (`/proc/self/fd/N/name` is openat(N, name) — the magic link is followed, `name` is not), with
 * O_NOFOLLOW|O_DIRECTORY, and creates a missing one with mkdir at that same place. The owner is then
 * changed on the open descriptor (fchown), never by path, never recursively. Elsewhere (a worker on
 * macOS runs as its user, not root) each component is lstat'ed instead.
 */
import { constants, realpathSync, type Stats } from 'node:fs';
import { lstat, mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';

/** A symlink, or a non-folder, was met on the way: the caller refuses the path. */
export class SymlinkOnPathError extends Error {
  constructor(
    readonly path: string,
    readonly component: string,
  ) {
    super(`${component} on the way to ${path} is a symbolic link or not a folder`);
    this.name = 'SymlinkOnPathError';
  }
}

/**
 * The path with every symlink resolved: realpath of its deepest existing ancestor, then the rest as
 * written (`..` and `.` removed textually first, so `/home/u/../../etc` is judged as `/etc`).
 */
export function canonicalPath(path: string): string {
  // A Windows path (a trigger on Windows, an engine in its VM) is not this machine's to resolve.
  if (!path.startsWith('/') || sep !== '/') return path;
  const normal = join(sep, path);
  let existing = normal;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = realpathSync(existing);
      return rest.length === 0 ? real : join(real, ...rest.reverse());
    } catch {
      if (existing === dirname(existing)) return normal;
      rest.push(basename(existing));
      existing = dirname(existing);
    }
  }
}

const DIRECTORY_NOFOLLOW = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const onLinux = process.platform === 'linux';

/** A folder above the workspace that someone else could change: its entries are not ours to trust. */
export class UntrustedFolderError extends Error {
  constructor(
    readonly path: string,
    readonly folder: string,
  ) {
    super(`${folder}, on the way to ${path}, can be changed by a user this worker does not trust`);
    this.name = 'UntrustedFolderError';
  }
}

/**
 * Opens the folder at canonical `path`, creating missing components (mode `mode` for the last, 0755
 * for the ones above: a rootless engine runs as another user and must traverse them), following no
 * symlink on the way. The caller closes the handle.
 *
 * `trusts` judges each folder above the last: the engine resolves the bind source again at every
 * start of the container (a restart included), so no one but the trusted may be able to swap a name on
 * the way — not even the runner, whose own workspace it is.
 */
export async function openFolderNoFollow(
  path: string,
  trusts: (folder: { uid: number; mode: number }) => boolean = () => true,
  mode = 0o750,
): Promise<FileHandle> {
  const parts = path.split(sep).filter(Boolean);
  let folder = await open(sep, DIRECTORY_NOFOLLOW);
  try {
    for (const [index, part] of parts.entries()) {
      if (!trusts(await folder.stat())) throw new UntrustedFolderError(path, join(sep, ...parts.slice(0, index)));
      const last = index === parts.length - 1;
      const next = await openChild(folder, part, path, last ? mode : 0o755, join(sep, ...parts.slice(0, index + 1)));
      await folder.close();
      folder = next;
    }
    return folder;
  } catch (error) {
    await folder.close().catch(() => undefined);
    throw error;
  }
}

async function openChild(
  parent: FileHandle,
  name: string,
  target: string,
  mode: number,
  plainPath: string,
): Promise<FileHandle> {
  const at = onLinux ? `/proc/self/fd/${parent.fd}/${name}` : plainPath;
  for (let tries = 0; tries < 2; tries += 1) {
    try {
      if (!onLinux && (await lstat(at)).isSymbolicLink()) throw new SymlinkOnPathError(target, plainPath);
      return await open(at, DIRECTORY_NOFOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || code === 'ENOTDIR' || error instanceof SymlinkOnPathError)
        throw new SymlinkOnPathError(target, plainPath);
      if (code !== 'ENOENT') throw error;
      // mkdir creates exactly `name` in the open folder, or fails EEXIST (a symlink put there meanwhile
      // is then refused by the open above on the second try).
      await mkdir(at, { mode }).catch((made: NodeJS.ErrnoException) => {
        if (made.code !== 'EEXIST') throw made;
      });
    }
  }
  throw new SymlinkOnPathError(target, plainPath);
}

/** Identity of a folder: the container's mount is compared with it. */
export interface FolderIdentity {
  dev: number;
  ino: number;
}

export const identityOf = (stats: Stats): FolderIdentity => ({ dev: stats.dev, ino: stats.ino });

/**
 * What a running container has at `containerPath`, seen through its root from this machine
 * (`/proc/PID/root`): undefined when that cannot be read (another user's rootless engine).
 */
export async function mountedFolder(pid: number, containerPath: string): Promise<FolderIdentity | undefined> {
  try {
    return identityOf(await stat(`/proc/${pid}/root${containerPath}`));
  } catch {
    return undefined;
  }
}
