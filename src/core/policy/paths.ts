/**
 * Where a canonical path lies, as text: inside a root, or in a folder of the operating system that no
 * workspace may be. Callers hand in canonical paths (symlinks resolved by the I/O edge), so a prefix
 * test is exact.
 */

/** `path` is `root` or below it (by whole components: `/srv/a` is not inside `/srv/ab`). */
export function isWithin(path: string, root: string): boolean {
  if (path === root) return true;
  const prefix = root.endsWith('/') || root.endsWith('\\') ? root : `${root}/`;
  return path.startsWith(prefix) || (/^[A-Za-z]:\\/.test(root) && path.startsWith(`${root}\\`));
}

/** The operating system's own trees: neither they nor anything in them is ever a workspace. */
const SYSTEM_TREES = [
  '/etc',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/boot',
  '/dev',
  '/proc',
  '/sys',
  '/run',
  '/var',
  '/System',
  '/Library',
  '/Applications',
  '/private/etc',
  '/private/var',
];

/** Folders that hold other users' or the system's things: a workspace may be below them, never them. */
const SHARED_PARENTS = ['/', '/home', '/root', '/tmp', '/mnt', '/media', '/srv', '/opt', '/Users', '/private'];

export function isSystemFolder(path: string): boolean {
  if (/^[A-Za-z]:[\\/]?$/.test(path) || /^[A-Za-z]:[\\/](Windows|Program Files)/i.test(path)) return true;
  return SHARED_PARENTS.includes(path) || SYSTEM_TREES.some((tree) => isWithin(path, tree));
}
