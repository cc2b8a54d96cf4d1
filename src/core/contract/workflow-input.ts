/**
 * Checks a provision's workflow input before the workflow acts on it. A malformed input (from an
 * old client, a hand-started run in the UI) must fail that one workflow with a clear message — not
 * throw inside the workflow, which Temporal would retry as a workflow-task failure forever.
 *
 * The same rules as the published schemas (core/contract/schemas.ts `provisionInputSchema`,
 * `teardownInputSchema`), without zod, which would double the workflow bundle; unit tests hold each
 * pair to the same verdicts.
 */
import { HOST_NAME } from './names';
import { isAbsolutePath } from '../paths';
import { RELEASE_CHOICES, DOCKER_NAME, NETWORK_CHOICES } from '../vocabulary';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isPositiveInt = (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0;

export function inputProblem(input: unknown): string | undefined {
  if (!isObject(input))
    return `expected an object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`;
  const { flags, trigger, verify, readyTimeoutMs, searchAttributes, host } = input;
  if (!isObject(flags)) return 'flags: expected an object with at least { runner }';
  const { runner, config, image, network, contract, replace } = flags;
  if (typeof runner !== 'string' || !DOCKER_NAME.test(runner))
    return `flags.runner: ${JSON.stringify(runner)} is not a Docker container name`;
  for (const [key, value] of Object.entries({ config, image })) {
    if (value !== undefined && typeof value !== 'string') return `flags.${key}: expected a string`;
  }
  if (network !== undefined && !(NETWORK_CHOICES as readonly unknown[]).includes(network))
    return `flags.network: ${JSON.stringify(network)} is not one of ${NETWORK_CHOICES.join(', ')}`;
  if (contract !== undefined && !(RELEASE_CHOICES as readonly unknown[]).includes(contract))
    return `flags.contract: ${JSON.stringify(contract)} is not one of ${RELEASE_CHOICES.join(', ')}`;
  if (replace !== undefined && typeof replace !== 'boolean') return 'flags.replace: expected true or false';
  // No trigger: the worker resolves the config from its own env and home (a hand-started provision).
  if (trigger !== undefined) {
    if (!isObject(trigger)) return 'trigger: expected an object with { env, homeDir }';
    const { env, homeDir } = trigger;
    if (typeof homeDir !== 'string' || !isAbsolutePath(homeDir)) return 'trigger.homeDir: expected an absolute path';
    if (!isObject(env) || Object.values(env).some((value) => typeof value !== 'string'))
      return 'trigger.env: expected an object of strings';
  }
  if (verify !== undefined) {
    if (!isObject(verify)) return 'verify: expected an object';
    for (const key of ['maximumAttempts', 'initialIntervalMs']) {
      if (verify[key] !== undefined && !isPositiveInt(verify[key]))
        return `verify.${key}: expected a positive whole number`;
    }
  }
  if (readyTimeoutMs !== undefined && !isPositiveInt(readyTimeoutMs))
    return 'readyTimeoutMs: expected a positive whole number';
  if (searchAttributes !== undefined && typeof searchAttributes !== 'boolean')
    return 'searchAttributes: expected true or false';
  if (host !== undefined && (typeof host !== 'string' || !HOST_NAME.test(host)))
    return `host: ${JSON.stringify(host)} is not a host name (letters, digits, '.', '_', '-')`;
  return undefined;
}

/** teardownRunner's input: the runner, and optionally its engine, its host and `replace`. */
export function teardownInputProblem(input: unknown): string | undefined {
  if (!isObject(input))
    return `expected an object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`;
  const { runner, engine, host, replace } = input;
  if (typeof runner !== 'string' || !DOCKER_NAME.test(runner))
    return `runner: ${JSON.stringify(runner)} is not a Docker container name`;
  if (
    engine !== undefined &&
    (!isObject(engine) || typeof engine.value !== 'string' || typeof engine.source !== 'string')
  )
    return 'engine: expected { value, source }, both strings';
  if (host !== undefined && (typeof host !== 'string' || !HOST_NAME.test(host)))
    return `host: ${JSON.stringify(host)} is not a host name (letters, digits, '.', '_', '-')`;
  if (replace !== undefined && typeof replace !== 'boolean') return 'replace: expected true or false';
  return undefined;
}
