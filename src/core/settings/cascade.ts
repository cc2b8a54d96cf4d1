/**
 * The configuration cascade: flag > env var > `~/.stigmer/config.yaml` > default, every value
 * carrying where it came from. Pure: the caller reads the environment and the file and hands them
 * in, so the CLI's `plan`, the activities and the tests all resolve the same way.
 */
import { parseDocument } from 'yaml';
import {
  AddressError,
  ENDPOINT_CREDENTIALS,
  httpSchemeProblem,
  maskSuspectUserinfo,
  maskUserinfo,
  parseAddress,
} from '../address';
import { ConfigError } from './errors';
import { isAbsolutePath } from '../paths';
import { resolveTemporalConnection, TEMPORAL_SECRET_ENV_NAMES, TEMPORAL_SETTING_ENV_NAMES } from './temporal';
import type {
  ConfigFlags,
  ConfigInputs,
  ConfigIssue,
  ResolvedTemporal,
  RunnerConfig,
  RunnerSecrets,
  Source,
  Sourced,
  TemporalProfileInput,
} from './types';
import {
  RELEASE_CHOICES,
  DOCKER_NAME,
  EXECUTION_MODES,
  LLM_PROVIDERS,
  NETWORK_CHOICES,
  PULL_POLICIES,
  type LlmProvider,
} from '../vocabulary';

export const DEFAULT_RUNNER_NAME = 'stigmer-agent-runner';
export const DEFAULT_RUNNER_IMAGE = 'ghcr.io/stigmer/agent-runner:latest';

const PROVIDER_DEFAULTS: Record<LlmProvider, { model: string; baseUrl: string; apiKeyEnv?: string }> = {
  ollama: { model: 'qwen2.5-coder:7b', baseUrl: 'http://localhost:11434' },
  anthropic: { model: 'claude-sonnet-4.5', baseUrl: 'https://api.anthropic.com', apiKeyEnv: 'ANTHROPIC_API_KEY' },
  openai: { model: 'gpt-4', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY' },
};

/** Where the config file is: `--config`, then STIGMER_CONFIG, then ~/.stigmer/config.yaml. */
export function locateConfigFile(flags: ConfigFlags, env: Record<string, string | undefined>, homeDir: string) {
  if (flags.config) return { path: flags.config, source: 'flag:--config', required: true };
  if (env.STIGMER_CONFIG) return { path: env.STIGMER_CONFIG, source: 'env:STIGMER_CONFIG', required: true };
  return { path: `${homeDir}/.stigmer/config.yaml`, source: 'default', required: false };
}

/**
 * A setting's check of a raw value (text from a flag or env var, any YAML value from the file): the
 * value it stands for, or what is wrong with it, each problem a phrase that follows the value
 * (`"x" must not be empty`). Plain functions rather than a schema library: `plan` starts faster.
 */
type Check<T> = (raw: unknown) => { value: T } | { problems: string[] };

/** Text that has none of the problems `problemsOf` finds. */
const textWhere =
  (problemsOf: (text: string) => string[]): Check<string> =>
  (raw) => {
    if (typeof raw !== 'string') return { problems: ['is not a string'] };
    const problems = problemsOf(raw);
    return problems.length > 0 ? { problems } : { value: raw };
  };
const matching = (pattern: RegExp, problem: string) => textWhere((text) => (pattern.test(text) ? [] : [problem]));
const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (raw) =>
    values.includes(raw as T)
      ? { value: raw as T }
      : { problems: [`is not one of ${values.map((value) => JSON.stringify(value)).join(', ')}`] };

const nonEmpty: Check<string> = (raw) => {
  const checked = textWhere((text) => (text.trim() === '' ? ['must not be empty'] : []))(raw);
  return 'value' in checked ? { value: checked.value.trim() } : checked;
};
const dockerName = matching(DOCKER_NAME, 'must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (a Docker container name)');
const imageRef = matching(/^[a-z0-9][a-z0-9._\-/:@]*$/i, 'is not a Docker image reference');
const booleanish: Check<boolean> = (raw) =>
  typeof raw === 'boolean' || raw === 'true' || raw === 'false'
    ? { value: raw === true || raw === 'true' }
    : { problems: ['must be true or false'] };
const addressOf = (kind: 'url' | 'endpoint') =>
  textWhere((text) => {
    const schemeProblem = kind === 'url' ? httpSchemeProblem(text) : undefined;
    if (schemeProblem) return [`is not an http:// or https:// URL: ${schemeProblem}`];
    let parsed;
    try {
      parsed = parseAddress(text);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      return [`is not a valid address: ${error.reason}`];
    }
    if (kind === 'url') return [];
    return [
      ...(parsed.scheme ? ['must be host:port without a scheme'] : []),
      ...(parsed.port === undefined ? ['must name a port (host:port)'] : []),
      ...(parsed.userinfo ? [ENDPOINT_CREDENTIALS] : []),
    ];
  });

interface Setting<T> {
  flag?: keyof ConfigFlags;
  env?: string;
  /** Dotted key path in config.yaml. */
  key?: string;
  check: Check<T>;
  /**
   * How a problem shows the value: `secret` never shows it (an API key, whatever its type), `userinfo`
   * shows it with any user-info masked (an address may carry a password); unset, quoted as it is.
   */
  shown?: 'secret' | 'userinfo';
}

const LOCAL = 'backend.local';
const SETTINGS = {
  runnerName: { flag: 'runner', env: 'STIGMER_RUNNER_NAME', key: `${LOCAL}.runner.name`, check: dockerName },
  image: { flag: 'image', env: 'STIGMER_RUNNER_IMAGE', key: `${LOCAL}.runner.image`, check: imageRef },
  pull: { env: 'STIGMER_RUNNER_PULL', key: `${LOCAL}.runner.pull`, check: oneOf(PULL_POLICIES) },
  network: {
    flag: 'network',
    env: 'STIGMER_RUNNER_NETWORK',
    key: `${LOCAL}.runner.network`,
    check: oneOf(NETWORK_CHOICES),
  },
  hostAlias: { env: 'STIGMER_RUNNER_HOST_ALIAS', key: `${LOCAL}.runner.host_alias`, check: nonEmpty },
  contract: {
    flag: 'contract',
    env: 'STIGMER_RUNNER_CONTRACT',
    key: `${LOCAL}.runner.contract`,
    check: oneOf(RELEASE_CHOICES),
  },
  workspaceDir: {
    env: 'STIGMER_RUNNER_WORKSPACE_DIR',
    key: `${LOCAL}.runner.workspace_dir`,
    check: textWhere((text) => (isAbsolutePath(text) ? [] : ['must be an absolute path'])),
  },
  backendType: {
    key: 'backend.type',
    check: (raw: unknown) =>
      raw === 'local'
        ? { value: 'local' as const }
        : { problems: ['is not supported: only backend.type "local" runs a local agent-runner'] },
  },
  provider: { env: 'STIGMER_LLM_PROVIDER', key: `${LOCAL}.llm.provider`, check: oneOf(LLM_PROVIDERS) },
  model: { env: 'STIGMER_LLM_MODEL', key: `${LOCAL}.llm.model`, check: nonEmpty },
  baseUrl: { env: 'STIGMER_LLM_BASE_URL', key: `${LOCAL}.llm.base_url`, check: addressOf('url'), shown: 'userinfo' },
  fileApiKey: { key: `${LOCAL}.llm.api_key`, check: nonEmpty, shown: 'secret' },
  temporalEnvAddress: { env: 'TEMPORAL_SERVICE_ADDRESS', check: addressOf('endpoint'), shown: 'userinfo' },
  temporalManaged: { key: `${LOCAL}.temporal.managed`, check: booleanish },
  temporalFileAddress: { key: `${LOCAL}.temporal.address`, check: addressOf('endpoint'), shown: 'userinfo' },
  namespace: { env: 'TEMPORAL_NAMESPACE', key: `${LOCAL}.temporal.namespace`, check: nonEmpty },
  backendEndpoint: {
    env: 'STIGMER_BACKEND_ENDPOINT',
    key: `${LOCAL}.endpoint`,
    check: addressOf('endpoint'),
    shown: 'userinfo',
  },
  executionMode: { env: 'STIGMER_EXECUTION_MODE', key: `${LOCAL}.execution.mode`, check: oneOf(EXECUTION_MODES) },
  sandboxImage: { env: 'STIGMER_SANDBOX_IMAGE', key: `${LOCAL}.execution.sandbox_image`, check: imageRef },
} satisfies Record<string, Setting<unknown>>;

/** How the `docker` CLI chooses its engine: the engine a trigger selected travels with its provision. */
export const ENGINE_ENV_NAMES = [
  'DOCKER_HOST',
  'DOCKER_CONTEXT',
  'DOCKER_CONFIG',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CERT_PATH',
] as const;

/** Setting env vars whose value may carry credentials (`http://user:pw@host`): they travel masked. */
export const CREDENTIAL_URL_ENV_NAMES: readonly string[] = ['STIGMER_LLM_BASE_URL'];

/** The env vars the cascade reads for settings (secrets excluded): what a trigger hands its worker. */
export const SETTING_ENV_NAMES: readonly string[] = [
  'STIGMER_CONFIG',
  ...ENGINE_ENV_NAMES,
  ...Object.values(SETTINGS).flatMap((setting: Setting<unknown>) => (setting.env ? [setting.env] : [])),
  ...TEMPORAL_SETTING_ENV_NAMES,
];
/** The env vars holding secrets, read only from the environment of the process that uses them. */
export const API_KEY_ENV_NAMES: readonly string[] = [
  ...Object.values(PROVIDER_DEFAULTS).flatMap((defaults) => (defaults.apiKeyEnv ? [defaults.apiKeyEnv] : [])),
  ...TEMPORAL_SECRET_ENV_NAMES,
];

/** Sections whose every key we know: anything else there is reported as a likely typo. */
const READ_SECTIONS = [`${LOCAL}.llm`, `${LOCAL}.temporal`, `${LOCAL}.runner`, `${LOCAL}.execution`];
const KNOWN_KEYS = new Set<string>([
  ...Object.values(SETTINGS).flatMap((setting: Setting<unknown>) => (setting.key ? [setting.key] : [])),
  `${LOCAL}.execution.auto_pull`,
  `${LOCAL}.execution.cleanup`,
  `${LOCAL}.execution.ttl`,
]);

export function resolveConfig(inputs: ConfigInputs): { config: RunnerConfig; secrets: RunnerSecrets } {
  const cascade = openCascade(inputs);
  const lookup = lookupIn(cascade);
  lookup(SETTINGS.backendType);
  const { provider, defaults, apiKey } = llmProvider(lookup, inputs.env);
  const temporal = temporalConnection(lookup, inputs);
  cascade.issues.push(...temporal.issues);
  const baseUrl = lookup(SETTINGS.baseUrl, defaults.baseUrl);
  const config: RunnerConfig = {
    configFile: { path: cascade.file.path, source: cascade.file.source, found: inputs.fileText !== undefined },
    runner: runnerSettings(lookup, inputs.homeDir),
    llm: {
      provider,
      model: lookup(SETTINGS.model, defaults.model),
      // Credentials in the URL never enter a workflow payload: config carries it masked.
      baseUrl: { ...baseUrl, value: maskUserinfo(baseUrl.value) },
      apiKeySource: apiKey?.source ?? null,
    },
    temporal: temporal.temporal,
    backend: { endpoint: lookup(SETTINGS.backendEndpoint, 'localhost:7234') },
    execution: {
      mode: lookup(SETTINGS.executionMode, 'local'),
      sandboxImage: lookup(SETTINGS.sandboxImage, 'ghcr.io/stigmer/agent-sandbox-basic:latest'),
    },
    warnings: [
      ...(cascade.doc ? unknownKeys(cascade.doc).map((key) => `${cascade.fileSource(key)}: unknown key, ignored`) : []),
      ...temporal.warnings,
    ],
  };
  if (cascade.issues.length > 0) throw new ConfigError(cascade.issues);
  return {
    config,
    secrets: {
      ...(apiKey ? { llmApiKey: apiKey.value } : {}),
      ...(baseUrl.value !== config.llm.baseUrl.value ? { llmBaseUrl: baseUrl.value } : {}),
      ...(Object.keys(temporal.secrets).length ? { temporal: temporal.secrets } : {}),
    },
  };
}

/** What the lookups read and where they report, in the order they report it. */
interface Cascade {
  inputs: ConfigInputs;
  file: { path: string; source: Source; required: boolean };
  doc: Record<string, unknown> | undefined;
  fileSource: (key: string) => Source;
  issues: ConfigIssue[];
}

function openCascade(inputs: ConfigInputs): Cascade {
  const issues: ConfigIssue[] = [];
  const file = locateConfigFile(inputs.flags, inputs.env, inputs.homeDir);
  const doc = readDocument(inputs.fileText, file, issues);
  return { inputs, file, doc, fileSource: (key) => `file:${file.path}#${key}`, issues };
}

/** A setting's value, checked, from the first layer that sets it; unset or wrong: its fallback, as `default`. */
interface Lookup {
  <T>(setting: Setting<T>, fallback: T): Sourced<T>;
  <T>(setting: Setting<T>, fallback?: undefined): Sourced<T> | undefined;
}

function lookupIn(cascade: Cascade): Lookup {
  function lookup<T>(setting: Setting<T>, fallback: T): Sourced<T>;
  function lookup<T>(setting: Setting<T>, fallback?: undefined): Sourced<T> | undefined;
  function lookup<T>(setting: Setting<T>, fallback?: T): Sourced<T> | undefined {
    const [chosen] = candidatesFor(setting, cascade);
    const value = chosen && checkedCandidate(chosen, setting, cascade.issues);
    if (value) return value;
    return fallback === undefined ? undefined : { value: fallback, source: 'default' };
  }
  return lookup;
}

interface Candidate {
  raw: unknown;
  source: Source;
}

/** Flag, env var, config.yaml: every layer that sets the value, in that order. */
function candidatesFor(setting: Setting<unknown>, { inputs, doc, fileSource, issues }: Cascade): Candidate[] {
  const candidates: Candidate[] = [];
  if (setting.flag && inputs.flags[setting.flag] !== undefined)
    candidates.push({ raw: inputs.flags[setting.flag], source: `flag:--${setting.flag}` });
  const envValue = setting.env ? inputs.env[setting.env] : undefined;
  if (setting.env && envValue !== undefined && envValue !== '')
    candidates.push({ raw: envValue, source: `env:${setting.env}` });
  // The file is read even when a flag or env var wins: a section that is not a mapping is reported all the same.
  if (setting.key && doc) {
    const found = valueAt(doc, setting.key, fileSource, issues);
    if (found !== undefined) candidates.push({ raw: found, source: fileSource(setting.key) });
  }
  return candidates;
}

/** The candidate's value as its setting checks it; or undefined, the problem reported under its source. */
function checkedCandidate<T>(chosen: Candidate, setting: Setting<T>, issues: ConfigIssue[]): Sourced<T> | undefined {
  const shown = shownValue(chosen.raw, setting.shown);
  if (typeof chosen.raw === 'string' && !chosen.source.startsWith('file:')) {
    const problem = textProblem(chosen.raw, shown, setting.shown !== undefined);
    if (problem) {
      issues.push({ source: chosen.source, message: problem });
      return undefined;
    }
  }
  const checked = setting.check(chosen.raw);
  if ('value' in checked) return { value: checked.value, source: chosen.source };
  issues.push({
    source: chosen.source,
    message: checked.problems.map((problem) => `${shown} ${problem}`).join('; '),
  });
  return undefined;
}

/** The provider, its defaults, and its API key: the provider's own env var before config.yaml's key. */
function llmProvider(lookup: Lookup, env: Record<string, string | undefined>) {
  const provider = lookup(SETTINGS.provider, 'ollama');
  const defaults = PROVIDER_DEFAULTS[provider.value];
  const fileApiKey = lookup(SETTINGS.fileApiKey);
  const providerKey = defaults.apiKeyEnv ? env[defaults.apiKeyEnv] : undefined;
  const apiKey = providerKey ? { value: providerKey, source: `env:${defaults.apiKeyEnv}` } : fileApiKey;
  return { provider, defaults, apiKey };
}

/** Stigmer's own Temporal settings through this cascade, then the connection they and envconfig's layers name. */
function temporalConnection(lookup: Lookup, inputs: ConfigInputs): ResolvedTemporal {
  return resolveTemporalConnection(
    {
      serviceAddress: lookup(SETTINGS.temporalEnvAddress),
      managed: lookup(SETTINGS.temporalManaged),
      fileAddress: lookup(SETTINGS.temporalFileAddress),
      namespace: lookup(SETTINGS.namespace),
    },
    inputs.temporalProfile ?? noTemporalProfile(),
    inputs.env,
  );
}

function runnerSettings(lookup: Lookup, homeDir: string): RunnerConfig['runner'] {
  return {
    name: lookup(SETTINGS.runnerName, DEFAULT_RUNNER_NAME),
    image: lookup(SETTINGS.image, DEFAULT_RUNNER_IMAGE),
    pull: lookup(SETTINGS.pull, 'missing'),
    network: lookup(SETTINGS.network, 'auto'),
    hostAlias: lookup(SETTINGS.hostAlias) ?? null,
    workspaceDir: lookup(SETTINGS.workspaceDir, `${homeDir}/.stigmer/data/workspace`),
    contract: lookup(SETTINGS.contract, 'auto'),
  };
}

/** No temporal.toml read and no TEMPORAL_* layer (callers that resolve without the I/O edge). */
function noTemporalProfile(): TemporalProfileInput {
  return {
    env: {},
    file: { path: null, source: 'default', found: false, profile: { value: 'default', source: 'default' } },
    issues: [],
  };
}

function readDocument(
  text: string | undefined,
  file: { path: string; source: Source; required: boolean },
  issues: ConfigIssue[],
): Record<string, unknown> | undefined {
  if (text === undefined) {
    if (file.required) issues.push({ source: file.source, message: `config file ${file.path} does not exist` });
    return undefined;
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const [line, col] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [undefined, undefined];
      const where = line === undefined ? '' : ` (line ${line}, column ${col})`;
      const reason = withoutQuotedText(error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''));
      issues.push({ source: `file:${file.path}`, message: `not valid YAML${where}: ${reason}` });
    }
    return undefined;
  }
  let value: unknown;
  try {
    value = document.toJS(); // aliases resolve here, and a dangling one throws
  } catch (error) {
    issues.push({
      source: `file:${file.path}`,
      message: `not valid YAML: ${withoutQuotedText((error as Error).message)}`,
    });
    return undefined;
  }
  if (value === null || value === undefined) return {};
  if (!isMapping(value)) {
    issues.push({ source: `file:${file.path}`, message: 'the document must be a mapping of keys to values' });
    return undefined;
  }
  return value;
}

/**
 * A parser's sentence without the file's own text: what follows its `: ` (an alias's or tag's name)
 * and anything quoted. A config read for a workflow's input may be a file whose words are secrets.
 */
function withoutQuotedText(message: string): string {
  return message
    .split('\n')[0]
    .replace(/"[^"]*"|'[^']*'/g, '…')
    .replace(/: \S.*$/, '');
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Value at a dotted key path; reports (once) an intermediate that is not a mapping. */
function valueAt(
  doc: Record<string, unknown>,
  key: string,
  fileSource: (key: string) => string,
  issues: ConfigIssue[],
): unknown {
  let current: unknown = doc;
  const parts = key.split('.');
  for (let index = 0; index < parts.length; index++) {
    if (current === undefined || current === null) return undefined;
    if (!isMapping(current)) {
      const parent = parts.slice(0, index).join('.');
      if (!issues.some((issue) => issue.source === fileSource(parent)))
        issues.push({ source: fileSource(parent), message: 'must be a mapping of keys to values' });
      return undefined;
    }
    current = current[parts[index]];
  }
  return current === null ? undefined : current;
}

function unknownKeys(doc: Record<string, unknown>): string[] {
  return READ_SECTIONS.flatMap((section) => {
    const value = section.split('.').reduce<unknown>((node, part) => (isMapping(node) ? node[part] : undefined), doc);
    if (!isMapping(value)) return [];
    return Object.keys(value)
      .map((key) => `${section}.${key}`)
      .filter((key) => !KNOWN_KEYS.has(key));
  });
}

/** Text from env vars and flags: quotes or stray white space are almost always a shell mistake. */
function textProblem(text: string, shown: string, secretive: boolean): string | undefined {
  if (text !== text.trim()) return `${shown} has leading or trailing white space`;
  // A plain value is shown as typed, its quotes being the point; a secret-bearing one as `shown`.
  if (/^(["']).*\1$/.test(text)) return `${secretive ? shown : text} is wrapped in quotes; remove them`;
  return undefined;
}

/** A value as a problem may quote it: a secret never, an address with its user-info masked. */
function shownValue(raw: unknown, shown: Setting<unknown>['shown']): string {
  if (shown === 'secret') return 'the value (not shown: a secret)';
  const text = shown === 'userinfo' && typeof raw === 'string' ? maskSuspectUserinfo(raw) : raw;
  return JSON.stringify(text) ?? String(text);
}
