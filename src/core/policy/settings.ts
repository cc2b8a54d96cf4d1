/**
 * The `worker:` section of the worker's own config.yaml — what its operator allows beyond the
 * worker's own settings. Read from the worker's file only, never from a trigger's home: a policy
 * taken from the input it judges would be no policy.
 *
 * ```yaml
 * worker:
 *   serve_accounts: [alice]            # local accounts whose triggers it serves (their homes)
 *   workspace_roots: [/srv/stigmer]    # folders a workspace may lie in
 *   engines: [unix:///run/user/1000/podman/podman.sock]
 *   images: [ghcr.io/acme/runner, localhost:5000/x@sha256:…]   # repositories; a digest pins
 * ```
 */
import { isAbsolutePath } from '../paths';
import type { ConfigIssue, Sourced } from '../settings/types';

export interface PolicySettings {
  serveAccounts: Sourced<string>[];
  workspaceRoots: Sourced<string>[];
  engines: Sourced<string>[];
  images: Sourced<string>[];
}

const KEYS = {
  serveAccounts: { key: 'serve_accounts', valid: (text: string) => /^[a-z_][a-z0-9_.-]*\$?$/i.test(text) },
  workspaceRoots: { key: 'workspace_roots', valid: isAbsolutePath },
  engines: { key: 'engines', valid: (text: string) => /^(unix|tcp|ssh|npipe|http|https):\/\//.test(text) },
  images: { key: 'images', valid: (text: string) => /^[a-z0-9][a-z0-9._\-/:@]*$/i.test(text) },
} as const;

const EMPTY: PolicySettings = { serveAccounts: [], workspaceRoots: [], engines: [], images: [] };

/** The section's lists, each entry sourced `file:PATH#worker.KEY`; a bad entry is an issue, not a crash. */
export function policySettingsFrom(
  document: unknown,
  file: string,
): { settings: PolicySettings; issues: ConfigIssue[] } {
  const section = isMapping(document) ? document.worker : undefined;
  if (section === undefined || section === null) return { settings: EMPTY, issues: [] };
  if (!isMapping(section))
    return { settings: EMPTY, issues: [{ source: `file:${file}#worker`, message: 'must be a mapping' }] };
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(section)) {
    if (!Object.values(KEYS).some((known) => known.key === key))
      issues.push({ source: `file:${file}#worker.${key}`, message: 'is not a worker setting (ignored)' });
  }
  const list = ({ key, valid }: (typeof KEYS)[keyof typeof KEYS]): Sourced<string>[] => {
    const source = `file:${file}#worker.${key}`;
    const raw = section[key];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      issues.push({ source, message: 'must be a list' });
      return [];
    }
    return raw.flatMap((entry, index) => {
      if (typeof entry === 'string' && valid(entry)) return [{ value: entry, source }];
      issues.push({ source: `${source}[${index}]`, message: 'is not a valid entry (ignored)' });
      return [];
    });
  };
  const settings = {
    serveAccounts: list(KEYS.serveAccounts),
    workspaceRoots: list(KEYS.workspaceRoots),
    engines: list(KEYS.engines),
    images: list(KEYS.images),
  };
  return { settings, issues };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
