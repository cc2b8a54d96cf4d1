/**
 * Host paths as text. Pure — the workflow bundle imports this, so no node:path — and
 * platform-free: a trigger's home may come from Windows while the checking code runs on Linux.
 */

const WINDOWS_ABSOLUTE = /^([a-z]:[\\/]|[\\/]{2}[^\\/]+[\\/]+[^\\/])/i;

/**
 * Absolute on POSIX (`/home/me`) or fully qualified on Windows (`C:\Users\me`, `C:/Users/me`,
 * `\\server\share`). `C:me` and `\Users\me` depend on the current drive's state, so they are not.
 */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || WINDOWS_ABSOLUTE.test(path);
}

/** `name` beside the last part of `path` — `/data/workspace` → `/data/logs` — in the path's own style. */
export function siblingPath(path: string, name: string): string {
  // Windows takes both separators; on POSIX a backslash is part of a file name.
  const windows = WINDOWS_ABSOLUTE.test(path);
  const trimmed = path.replace(windows ? /[\\/]+$/ : /\/+$/, '');
  const cut = windows ? Math.max(trimmed.lastIndexOf('\\'), trimmed.lastIndexOf('/')) : trimmed.lastIndexOf('/');
  if (cut === -1) return `${trimmed}${windows ? '\\' : '/'}${name}`; // a root has no parent: under it
  return `${trimmed.slice(0, cut)}${windows ? trimmed[cut] : '/'}${name}`;
}
