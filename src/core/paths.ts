/**
 * Host paths as text. Pure — the workflow bundle imports this, so no node:path — and
 * platform-free: a trigger's home may come from Windows while the checking code runs on Linux.
 */

/** Absolute by POSIX or Windows rules, as one pattern (the published contract's JSON Schema uses it too). */
export const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/]|[\\/]{2}[^\\/]+[\\/]+[^\\/])/;

/**
 * Absolute on POSIX (`/home/me`) or fully qualified on Windows (`C:\Users\me`, `C:/Users/me`,
 * `\\server\share`). `C:me` and `\Users\me` depend on the current drive's state, so they are not.
 */
export function isAbsolutePath(path: string): boolean {
  return ABSOLUTE_PATH.test(path);
}
