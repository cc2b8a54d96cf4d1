/**
 * Gathers the worker's policy from the worker's side only: its user, its own configuration (resolved
 * as a provision without a trigger would be), the `worker:` section of its own config.yaml, and the
 * machine's accounts (/etc/passwd) for the ones it is told to serve. Read once when the worker starts:
 * a change takes a restart, as the refusals say.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { locateConfigFile } from '../core/settings/cascade';
import { defaultTemporalConfigPath } from '../core/settings/temporal';
import type { ConfigIssue, Sourced } from '../core/settings/types';
import { policySettingsFrom, type PolicySettings } from '../core/policy/settings';
import type { OwnSettings, ServedAccount, WorkerPolicy } from '../core/policy/types';
import { canonicalPath as canonical } from '../docker/host-folders';
import { loadConfig } from './load-config';

export interface PolicyWorker {
  env: NodeJS.ProcessEnv;
  homeDir: string;
}

/**
 * The worker's command line: `--config` names its own config file (`worker --config`, or the config
 * of `run` whose in-process worker this is); `run --image` is the user's own choice, so allowed.
 */
export interface CommandLineAllowance {
  image?: string;
  configFile?: string;
}

export function loadWorkerPolicy(
  worker: PolicyWorker,
  allowance: CommandLineAllowance = {},
): { policy: WorkerPolicy; issues: ConfigIssue[] } {
  const self = ownAccount(worker.homeDir);
  const configFile = locateConfigFile({ config: allowance.configFile }, worker.env, worker.homeDir).path;
  const { settings, issues } = readPolicySettings(configFile);
  const accounts = servedAccounts(settings.serveAccounts, issues);
  const policy: WorkerPolicy = {
    worker: self,
    accounts: [self, ...accounts.filter((account) => account.home !== self.home)],
    own: ownSettings(worker, allowance.configFile, issues),
    workspaceRoots: settings.workspaceRoots.map((root) => ({ ...root, value: canonical(root.value) })),
    engines: settings.engines,
    images: [...settings.images, ...(allowance.image ? [{ value: allowance.image, source: 'flag:--image' }] : [])],
    ownFiles: ownFiles(worker, configFile),
  };
  return { policy, issues };
}

function ownAccount(homeDir: string): ServedAccount {
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  let name = String(uid);
  try {
    name = userInfo().username;
  } catch {
    // A uid without a passwd entry (a container's arbitrary user): its number names it.
  }
  return { name, home: canonical(homeDir), uid, gid };
}

function readPolicySettings(configFile: string): { settings: PolicySettings; issues: ConfigIssue[] } {
  let document: unknown;
  try {
    document = parse(readFileSync(configFile, 'utf8'));
  } catch {
    // No file, or one the cascade reports on its own when the worker resolves its config.
    document = undefined;
  }
  return policySettingsFrom(document, configFile);
}

/** The accounts named in `worker.serve_accounts`, from /etc/passwd (name:x:uid:gid:gecos:home:shell). */
function servedAccounts(names: Sourced<string>[], issues: ConfigIssue[]): ServedAccount[] {
  if (names.length === 0) return [];
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    // Every name below is then reported unknown.
  }
  const entries = new Map(
    passwd
      .split('\n')
      .map((line) => line.split(':'))
      .filter((fields) => fields.length >= 7)
      .map((fields) => [fields[0], fields] as const),
  );
  return names.flatMap(({ value, source }) => {
    const fields = entries.get(value);
    if (!fields) {
      issues.push({ source, message: `account ${value} is not in /etc/passwd (not served)` });
      return [];
    }
    return [{ name: value, home: canonical(fields[5]), uid: Number(fields[2]), gid: Number(fields[3]) }];
  });
}

/** The worker's own image, engine, workspace and LLM endpoint: a trigger's equal values are allowed. */
function ownSettings(worker: PolicyWorker, configFile: string | undefined, issues: ConfigIssue[]): OwnSettings {
  try {
    const { config } = loadConfig({ config: configFile }, worker.env, worker.homeDir);
    return {
      image: config.runner.image.value,
      engine: config.engine?.value,
      workspaceDir: canonical(config.runner.workspaceDir.value),
      llmBaseUrl: config.llm.baseUrl.value,
      llmApiKeySource: config.llm.apiKeySource,
    };
  } catch (error) {
    // A worker whose own config does not resolve allows only its lists: nothing is its own.
    issues.push({ source: 'worker', message: `its own configuration does not resolve: ${(error as Error).message}` });
    return {};
  }
}

/** Files the worker's own configuration reads: readable for a trigger too, wherever they are. */
function ownFiles(worker: PolicyWorker, configFile: string): string[] {
  const { env, homeDir } = worker;
  return [
    configFile,
    env.TEMPORAL_CONFIG_FILE || defaultTemporalConfigPath(env, homeDir, process.platform),
    join(env.DOCKER_CONFIG ?? join(homeDir, '.docker'), 'config.json'),
  ].flatMap((path) => (path ? [canonical(path)] : []));
}
