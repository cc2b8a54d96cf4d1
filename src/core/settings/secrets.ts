/**
 * Reads a secret from the one place the config recorded it (`env:NAME`, `file:PATH#key.path`) —
 * never by running the whole cascade again, so a config edit between steps cannot fail the step
 * that creates the container. Pure: the caller hands in the environment and a file reader.
 */
import { parse } from 'yaml';
import { MASK } from '../address';
import type { RunnerConfig, RunnerSecrets, Source } from './types';

export type ReadText = (path: string) => string | undefined;

/** A secret the config says exists but whose source no longer holds it: retrying will not help. */
export class SecretUnavailableError extends Error {
  constructor(
    readonly source: Source,
    what: string,
  ) {
    super(`${what} is no longer at ${source}, where the configuration found it: set it again and run again`);
    this.name = 'SecretUnavailableError';
  }
}

export function readSecret(
  source: Source,
  env: Record<string, string | undefined>,
  readText: ReadText,
): string | undefined {
  if (source.startsWith('env:')) return env[source.slice('env:'.length)] || undefined;
  const file = /^file:(.+)#([^#]+)$/.exec(source);
  if (!file) return undefined;
  const text = readText(file[1]);
  if (text === undefined) return undefined;
  let node: unknown;
  try {
    node = parse(text);
  } catch {
    return undefined;
  }
  for (const part of file[2].split('.'))
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return typeof node === 'string' && node !== '' ? node : undefined;
}

/** The LLM key and the credentialed base URL the container needs, each from where the config found it. */
export function readRunnerSecrets(
  config: RunnerConfig,
  env: Record<string, string | undefined>,
  readText: ReadText,
): RunnerSecrets {
  const secrets: RunnerSecrets = {};
  if (config.llm.apiKeySource) {
    const key = readSecret(config.llm.apiKeySource, env, readText);
    if (key === undefined) throw new SecretUnavailableError(config.llm.apiKeySource, 'the LLM API key');
    secrets.llmApiKey = key;
  }
  if (config.llm.baseUrl.value.includes(`${MASK}@`)) {
    const url = readSecret(config.llm.baseUrl.source, env, readText);
    if (url === undefined)
      throw new SecretUnavailableError(config.llm.baseUrl.source, 'the LLM base URL with its credentials');
    secrets.llmBaseUrl = url;
  }
  return secrets;
}

/**
 * Secrets shorter than this are not redacted by value: a 3-character password would turn every
 * such word of a log into `***` and hide what the log says. They are still masked where their
 * position gives them away (URL user-info, `Bearer …`), and a secret that short is guessable anyway.
 */
export const MIN_REDACTED_LENGTH = 4;

/** A line break as a log shows it: a real one, or `\n` escaped inside a JSON log line. */
const NL = String.raw`(?:\r?\n|\\n)`;
const PEM_LINES = String.raw`(?:${NL}[A-Za-z0-9+/=]+(?=${NL}|$))+`;
const PRIVATE_KEY = String.raw`[A-Z0-9 ]*PRIVATE KEY`;
/** A whole private-key block; one cut short by the tail (no END); one whose BEGIN the tail cut off. */
const PEM_BLOCKS: ReadonlyArray<[RegExp, string]> = [
  [
    new RegExp(String.raw`-----BEGIN (${PRIVATE_KEY})-----[\s\S]*?-----END \1-----`, 'g'),
    `-----BEGIN $1-----${MASK}-----END $1-----`,
  ],
  [new RegExp(String.raw`(-----BEGIN ${PRIVATE_KEY}-----)${PEM_LINES}`, 'g'), `$1${MASK}`],
  [new RegExp(String.raw`(^|${NL})(?:[A-Za-z0-9+/=]+${NL})+(-----END ${PRIVATE_KEY}-----)`, 'g'), `$1${MASK}$2`],
];
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*:)?[^\s/@]+@/gi;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;

/**
 * `text` with every secret in `secrets` replaced by `***`: each value (at least MIN_REDACTED_LENGTH
 * characters) wherever it occurs, also percent-encoded; each line of a PEM body; every private-key
 * PEM block and every URL password or Bearer token whatever its value. Pure, for log tails and
 * failure messages.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = PEM_BLOCKS.reduce((result, [pattern, mask]) => result.replace(pattern, mask), text);
  for (const value of redactableValues(secrets)) redacted = redacted.split(value).join(MASK);
  return redacted
    .replace(URL_USERINFO, (_, scheme: string, user?: string) => `${scheme}${user ?? ''}${MASK}@`)
    .replace(BEARER, `$1${MASK}`);
}

/** The texts to look for, longest first (so a key is not half-replaced by a shorter one inside it). */
function redactableValues(secrets: readonly string[]): string[] {
  const values = secrets.flatMap((secret) => {
    const lines = secret.includes('-----BEGIN')
      ? secret.split(/\r?\n/).filter((line) => !line.startsWith('-----'))
      : [secret];
    return lines.flatMap((line) => [line.trim(), safeEncode(line.trim())]);
  });
  return [...new Set(values)]
    .filter((value) => value.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.length - a.length);
}

function safeEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Every secret value among the runner's and the Temporal connection's: what a redaction looks for. */
export function secretValues(secrets: RunnerSecrets): string[] {
  const { llmApiKey, llmBaseUrl, temporal, proxies } = secrets;
  return [
    ...(llmApiKey ? [llmApiKey] : []),
    ...Object.values(proxies ?? {}).flatMap((url) => (url ? userinfoSecrets(url) : [])),
    ...(llmBaseUrl ? userinfoSecrets(llmBaseUrl) : []),
    ...(temporal?.apiKey ? [temporal.apiKey] : []),
    ...[temporal?.clientKey?.data].filter((data): data is string => !!data),
    ...Object.values(temporal?.metadata ?? {}),
  ];
}

/** The password of a URL's user-info (or its bare token), as written and decoded. */
export function userinfoSecrets(url: string): string[] {
  const at = url.lastIndexOf('@');
  const start = (/^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '').length;
  if (at < start) return [];
  const userinfo = url.slice(start, at);
  const secret = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : userinfo;
  let decoded = secret;
  try {
    decoded = decodeURIComponent(secret);
  } catch {
    // not percent-encoded: as written
  }
  return secret === '' ? [] : [...new Set([secret, decoded])];
}
