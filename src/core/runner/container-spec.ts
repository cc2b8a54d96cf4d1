/**
 * The runner container as data: name, labels, env, networking, mounts, restart and log policy.
 * The docker edge turns it into a create call and compares it with what already runs, so a retry
 * or a second run reuses a matching container and replaces a stale one, never making two.
 */
import type { RunnerConfig, RunnerSecrets } from '../settings/types';
import type { NetworkPlan } from './network-plan';
import { RUNNER_RELEASES } from './releases';
import { buildRunnerEnv, toDockerEnv } from './env';
import { proxyEnv } from './proxies';

export const LABELS = {
  managedBy: 'dev.stigmer.managed-by',
  runner: 'dev.stigmer.runner',
  workflowId: 'dev.stigmer.workflow-id',
  specHash: 'dev.stigmer.spec-hash',
  contract: 'dev.stigmer.runner-contract',
} as const;
export const MANAGED_BY = 'stigmer-runner';

export interface ContainerSpec {
  name: string;
  image: string;
  env: string[];
  /** The engine's NetworkMode: `host`, `bridge`, `slirp4netns:allow_host_loopback=true`. */
  networkMode: string;
  extraHosts: string[];
  binds: string[];
  restartPolicy: 'unless-stopped';
  logConfig: { Type: 'json-file'; Config: { 'max-size': string; 'max-file': string } };
  labels: Record<string, string>;
}

export function buildContainerSpec(
  config: RunnerConfig,
  plan: NetworkPlan,
  secrets: RunnerSecrets,
  workflowId: string,
): ContainerSpec {
  const contract = RUNNER_RELEASES[plan.runner.contract];
  return {
    name: config.runner.name.value,
    image: config.runner.image.value,
    env: [
      ...toDockerEnv(contract, buildRunnerEnv(contract, config, plan, secrets)),
      ...proxyEnv(secrets.proxies, plan),
    ],
    // Plans made before the engine's own mode was part of them carried only host or bridge.
    networkMode: plan.networkMode ?? plan.mode,
    extraHosts: plan.extraHosts,
    // Only what the runner reads: it logs to stderr (kept by the log driver), so no log directory.
    binds: [`${config.runner.workspaceDir.value}:${contract.workspacePath}`],
    restartPolicy: 'unless-stopped',
    logConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    labels: {
      [LABELS.managedBy]: MANAGED_BY,
      [LABELS.runner]: config.runner.name.value,
      [LABELS.workflowId]: workflowId,
      [LABELS.contract]: contract.id,
    },
  };
}

/**
 * The parts that decide whether an existing container can be reused, in a canonical order.
 * The workflow id is left out: a later run adopts a matching container rather than recreating it.
 * So is the host name: each container gets its own when it is created (`runnerHostname`), and a
 * reused one keeps it. Containers labelled while the host name (then the runner's name) was part of
 * this carry another hash, so each is replaced once on upgrade — acceptable: a new container, same
 * settings.
 */
export function specFingerprint(spec: ContainerSpec): string {
  return JSON.stringify({
    image: spec.image,
    env: [...spec.env].sort(),
    networkMode: spec.networkMode,
    extraHosts: [...spec.extraHosts].sort(),
    binds: [...spec.binds].sort(),
    restartPolicy: spec.restartPolicy,
    logConfig: spec.logConfig,
  });
}

/** Made by stigmer-runner: it carries `dev.stigmer.managed-by=stigmer-runner` (a label of any other value is someone else's). */
export function isManaged(labels: Record<string, string>): boolean {
  return labels[LABELS.managedBy] === MANAGED_BY;
}

/** How much of the runner's name a container's host name keeps: with `-` and 8 hex digits, 63, a DNS label's most. */
export const HOSTNAME_NAME_CHARS = 54;

/**
 * The host name of a new runner container: `<runner name, at most 54 chars>-<8 hex digits>`, the
 * digits drawn at random by whoever creates it. The Temporal SDKs' default worker identity is
 * `pid@hostname`, so readiness counts a poller as this runner's only when its identity ends
 * `@<this container's host name>`: a runner of the same name elsewhere (another host, another
 * engine, a container that merely took the name) polls as someone else.
 */
export function runnerHostname(runnerName: string, randomHex: string): string {
  return `${runnerName.slice(0, HOSTNAME_NAME_CHARS)}-${randomHex}`;
}

/** An existing container of the runner, as the engine lists it (names without the leading `/`). */
export interface ExistingContainer {
  names: string[];
  labels: Record<string, string>;
  imageId: string;
  state: string;
}

/** Why an existing container cannot be reused for a spec: startContainer replaces it, `run` does not call it warm. */
export type ReplaceReason =
  | { kind: 'not-managed' }
  | { kind: 'other-name' }
  | { kind: 'spec-changed' }
  | { kind: 'image-updated' }
  | { kind: 'unusable'; state: 'dead' | 'removing' };

/**
 * Whether `existing` can be reused for the spec named `name` whose hash is `specHash`, on an engine
 * where its image is `imageId` (undefined: the image is not there): undefined when it can.
 */
export function replaceReason(
  existing: ExistingContainer,
  wanted: { name: string; specHash: string; imageId?: string },
): ReplaceReason | undefined {
  if (!isManaged(existing.labels)) return { kind: 'not-managed' };
  if (!existing.names.includes(wanted.name)) return { kind: 'other-name' };
  if (existing.labels[LABELS.specHash] !== wanted.specHash) return { kind: 'spec-changed' };
  if (existing.imageId !== wanted.imageId) return { kind: 'image-updated' };
  if (existing.state === 'dead' || existing.state === 'removing') return { kind: 'unusable', state: existing.state };
  return undefined;
}

/**
 * The spec with the workspace in the engine's volume instead of the folder (an engine that does not
 * see this machine's folders): `nocopy`, as Docker would otherwise give an empty volume the image
 * folder's owner at each new container.
 */
export function withWorkspaceVolume(spec: ContainerSpec, volume: string, containerPath: string): ContainerSpec {
  return {
    ...spec,
    binds: spec.binds.map((bind) => (bind.endsWith(`:${containerPath}`) ? `${volume}:${containerPath}:nocopy` : bind)),
  };
}
