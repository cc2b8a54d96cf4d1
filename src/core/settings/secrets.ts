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
