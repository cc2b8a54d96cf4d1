/**
 * Every secret this worker knows, as text to redact from log tails and failures: its own API keys
 * and key material (env and its own config), a credentialed LLM base URL's password, and — for a
 * provision — the secrets its config named. Read only when something is about to be redacted.
 */
import { API_KEY_ENV_NAMES, CREDENTIAL_URL_ENV_NAMES } from '../core/settings/cascade';
import { readRunnerSecrets, secretValues, userinfoSecrets } from '../core/settings/secrets';
import type { RunnerConfig } from '../core/settings/types';
import { loadConfig } from '../settings/load-config';
import { readRegularFile } from '../settings/guarded-read';
import type { WorkerSide } from './runner-spec';

export function knownSecretValues(worker: WorkerSide, config?: RunnerConfig): string[] {
  const { env } = worker;
  const fromEnv = [
    ...API_KEY_ENV_NAMES.map((name) => env[name]),
    ...Object.entries(env).flatMap(([name, value]) => (name.startsWith('TEMPORAL_GRPC_META_') ? [value] : [])),
  ].filter((value): value is string => !!value);
  const urls = CREDENTIAL_URL_ENV_NAMES.flatMap((name) => (env[name] ? userinfoSecrets(env[name] as string) : []));
  return [
    ...fromEnv,
    ...urls,
    ...attempt(() => ownConfigSecrets(worker)),
    ...attempt(() => provisionSecrets(worker, config)),
  ];
}

function ownConfigSecrets(worker: WorkerSide): string[] {
  return secretValues(loadConfig({}, worker.env, worker.homeDir).secrets);
}

function provisionSecrets(worker: WorkerSide, config: RunnerConfig | undefined): string[] {
  // A config handed in may name any file: only a regular, small one is read (a FIFO would block the worker).
  return config ? secretValues(readRunnerSecrets(config, worker.env, readRegularFile)) : [];
}

/** A config that does not resolve has no secrets to add: the others are still redacted. */
function attempt(read: () => string[]): string[] {
  try {
    return read();
  } catch {
    return [];
  }
}
