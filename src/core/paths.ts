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
