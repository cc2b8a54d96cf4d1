/**
 * The I/O edge of the Temporal connection settings: temporal.toml and the TEMPORAL_* env vars, read
 * with @temporalio/envconfig exactly as the temporal CLI and the SDKs read them, as two layers for
 * the precedence in core/settings/temporal.ts — and the problems envconfig lets pass silently
 * (a TEMPORAL_CONFIG_FILE that does not exist) or reports without saying where (an unknown profile,
 * bad TOML), each named by the variable or file that caused it.
 *
 * envconfig's raw loader (`lib/envconfig-toml`, pinned at 1.24.0 in package.json) is used because
 * its public one drops `disable_host_verification` and the exact key names that provenance needs.
 */
import { readFileSync } from 'node:fs';
import { tomlLoadClientConfigProfile } from '@temporalio/envconfig/lib/envconfig-toml';
import { loadClientConfigFromToml } from '@temporalio/envconfig';
import type { ConfigIssue, Sourced } from '../core/settings/types';
import { PolicyRefusedError } from '../core/policy/errors';
import { DEFAULT_TEMPORAL_PROFILE, defaultTemporalConfigPath } from '../core/settings/temporal';
import type { TemporalProfileInput, TemporalProfileLayer, TemporalSecrets } from '../core/settings/types';

type ReadText = (path: string) => string;
const readText: ReadText = (path) => readFileSync(path, 'utf8');

export function loadTemporalProfile(
  env: Record<string, string | undefined>,
  homeDir: string,
  platform: string = process.platform,
  read: ReadText = readText,
): TemporalProfileInput {
  const issues: ConfigIssue[] = [];
  const strings = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const profile: Sourced<string> = env.TEMPORAL_PROFILE
    ? { value: env.TEMPORAL_PROFILE, source: 'env:TEMPORAL_PROFILE' }
    : { value: DEFAULT_TEMPORAL_PROFILE, source: 'default' };
  const path = env.TEMPORAL_CONFIG_FILE || defaultTemporalConfigPath(env, homeDir, platform) || null;
  const source = env.TEMPORAL_CONFIG_FILE ? 'env:TEMPORAL_CONFIG_FILE' : 'default';

  let text: string | undefined;
  if (path !== null) {
    try {
      text = read(path);
    } catch (error) {
      if (error instanceof PolicyRefusedError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || source !== 'default') {
        const why =
          code === 'ENOENT'
            ? 'which does not exist (Temporal’s envconfig would silently ignore it)'
            : code === 'EISDIR'
              ? 'which is a directory'
              : `which cannot be read (${code ?? (error as Error).message})`;
        issues.push({ source: source === 'default' ? `file:${path}` : source, message: `names ${path}, ${why}` });
      }
    }
  }

  let layer: TemporalProfileLayer | undefined;
  if (text !== undefined) {
    try {
      // The profile is passed only when chosen: envconfig throws for a missing explicit profile, not for a missing `default`.
      layer = tomlLoadClientConfigProfile({
        configSource: { data: text },
        profile: env.TEMPORAL_PROFILE || undefined,
        disableEnv: true,
        overrideEnvVars: {},
      }) as TemporalProfileLayer;
      if (Object.keys(layer).length === 0 && !hasProfile(text, profile.value)) layer = undefined;
    } catch (error) {
      issues.push(tomlProblem(error, path as string, profile, text));
    }
  } else if (env.TEMPORAL_PROFILE && !issues.length) {
    issues.push({
      source: profile.source,
      message: `profile "${profile.value}" cannot be loaded: there is no ${path ?? 'temporal.toml (no HOME or config dir to look in)'}; set TEMPORAL_CONFIG_FILE`,
    });
  }

  // The env layer alone, as envconfig reads it (TEMPORAL_TLS is on only for "1"/"true").
  const envLayer = tomlLoadClientConfigProfile({ disableFile: true, overrideEnvVars: strings }) as TemporalProfileLayer;
  return { env: envLayer, file: { path, source, found: text !== undefined, profile, layer }, issues };
}

function hasProfile(text: string, name: string): boolean {
  try {
    return name in loadClientConfigFromToml(new TextEncoder().encode(text), { strict: false }).profiles;
  } catch {
    return false;
  }
}

function tomlProblem(error: unknown, path: string, profile: Sourced<string>, text: string): ConfigIssue {
  const message = (error as Error).message ?? String(error);
  if (/^Profile '.*' not found/.test(message)) {
    let names: string[] = [];
    try {
      names = Object.keys(loadClientConfigFromToml(new TextEncoder().encode(text), { strict: false }).profiles);
    } catch {
      names = [];
    }
    return {
      source: profile.source,
      message: `profile "${profile.value}" is not in ${path} (${names.length ? `it has ${names.map((name) => `"${name}"`).join(', ')}` : 'it has no profiles'})`,
    };
  }
  // smol-toml's message quotes the offending lines, which may hold an API key: keep only its first line and the position.
  const where =
    typeof (error as { line?: number }).line === 'number'
      ? ` (line ${(error as { line: number }).line}, column ${(error as { column: number }).column})`
      : '';
  return {
    source: `file:${path}`,
    message: `not valid TOML${where}: ${message.split('\n')[0].replace(/^Invalid TOML document: /, '')}`,
  };
}

/** Reads the PEM files a connection names, so a missing one is reported by the setting that named it. */
export function readPemFiles(
  secrets: TemporalSecrets,
  read: ReadText = readText,
): { secrets: TemporalSecrets; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const loaded: TemporalSecrets = { ...secrets };
  for (const key of ['serverCa', 'clientCert', 'clientKey'] as const) {
    const pem = secrets[key];
    if (!pem?.path || pem.data !== undefined) continue;
    try {
      loaded[key] = { ...pem, data: read(pem.path) };
    } catch (error) {
      if (error instanceof PolicyRefusedError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      issues.push({
        source: pem.source,
        message: `names ${pem.path}, which ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`}`,
      });
    }
  }
  return { secrets: loaded, issues };
}
