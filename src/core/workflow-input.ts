/**
 * Checks a provision's workflow input before the workflow acts on it. A malformed input (from an
 * old client, a hand-started run in the UI) must fail that one workflow with a clear message — not
 * throw inside the workflow, which Temporal would retry as a workflow-task failure forever.
 */
import { isAbsolutePath } from './paths';
import { CONTRACT_CHOICES, DOCKER_NAME, NETWORK_CHOICES } from './vocabulary';

export function inputProblem(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return `expected an object, got ${input === null ? 'null' : typeof input}`;
  const { flags, trigger, verify, readyTimeoutMs, searchAttributes } = input as Record<string, unknown>;
  if (typeof flags !== 'object' || flags === null) return 'flags: expected an object with at least { runner }';
  const { runner, config, image, network, contract } = flags as Record<string, unknown>;
  if (typeof runner !== 'string' || !DOCKER_NAME.test(runner)) return `flags.runner: ${JSON.stringify(runner)} is not a Docker container name`;
  for (const [key, value] of Object.entries({ config, image })) {
    if (value !== undefined && typeof value !== 'string') return `flags.${key}: expected a string`;
  }
  if (network !== undefined && !(NETWORK_CHOICES as readonly unknown[]).includes(network)) return `flags.network: ${JSON.stringify(network)} is not one of ${NETWORK_CHOICES.join(', ')}`;
  if (contract !== undefined && !(CONTRACT_CHOICES as readonly unknown[]).includes(contract)) return `flags.contract: ${JSON.stringify(contract)} is not one of ${CONTRACT_CHOICES.join(', ')}`;
  if (typeof trigger !== 'object' || trigger === null) return 'trigger: expected an object with { env, homeDir }';
  const { env, homeDir } = trigger as Record<string, unknown>;
  if (typeof homeDir !== 'string' || !isAbsolutePath(homeDir)) return 'trigger.homeDir: expected an absolute path';
  if (typeof env !== 'object' || env === null || Object.values(env).some((value) => typeof value !== 'string')) return 'trigger.env: expected an object of strings';
  if (verify !== undefined) {
    if (typeof verify !== 'object' || verify === null) return 'verify: expected an object';
    for (const [key, value] of Object.entries(verify)) {
      if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0)) return `verify.${key}: expected a positive whole number`;
    }
  }
  if (readyTimeoutMs !== undefined && !(Number.isInteger(readyTimeoutMs) && (readyTimeoutMs as number) > 0)) return 'readyTimeoutMs: expected a positive whole number';
  if (searchAttributes !== undefined && typeof searchAttributes !== 'boolean') return 'searchAttributes: expected true or false';
  return undefined;
}
