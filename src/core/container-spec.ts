/**
 * The runner container as data: name, labels, env, networking, mounts, restart and log policy.
 * The docker edge turns it into a create call and compares it with what already runs, so a retry
 * or a second run reuses a matching container and replaces a stale one, never making two.
 */
import type { RunnerConfig, RunnerSecrets } from './config';
import type { NetworkPlan } from './network-plan';
import { siblingPath } from './paths';
import { buildRunnerEnv, CONTAINER_LOGS, CONTAINER_WORKSPACE, toDockerEnv } from './runner-env';

export const LABELS = {
  managedBy: 'dev.stigmer.managed-by',
  runner: 'dev.stigmer.runner',
  workflowId: 'dev.stigmer.workflow-id',
  specHash: 'dev.stigmer.spec-hash',
} as const;
export const MANAGED_BY = 'stigmer-runner';

export interface ContainerSpec {
  name: string;
  /**
   * The runner's name: the Temporal SDK's default worker identity is `pid@hostname`, so this is how
   * readiness tells this runner's poller from another's (on the host network all would be `1@<host>`).
   */
  hostname: string;
  image: string;
  env: string[];
  networkMode: 'host' | 'bridge';
  extraHosts: string[];
  binds: string[];
  restartPolicy: 'unless-stopped';
  logConfig: { Type: 'json-file'; Config: { 'max-size': string; 'max-file': string } };
  labels: Record<string, string>;
}

export function buildContainerSpec(config: RunnerConfig, plan: NetworkPlan, secrets: RunnerSecrets, workflowId: string): ContainerSpec {
  const workspace = config.runner.workspaceDir.value;
  return {
    name: config.runner.name.value,
    hostname: config.runner.name.value,
    image: config.runner.image.value,
    env: toDockerEnv(buildRunnerEnv(config, plan, secrets)),
    networkMode: plan.mode,
    extraHosts: plan.extraHosts,
    binds: [`${workspace}:${CONTAINER_WORKSPACE}`, `${logsDirFor(workspace)}:${CONTAINER_LOGS}`],
    restartPolicy: 'unless-stopped',
    logConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.runner]: config.runner.name.value, [LABELS.workflowId]: workflowId },
  };
}

/** Logs sit beside the workspace: `<data>/workspace` → `<data>/logs`. */
export function logsDirFor(workspaceDir: string): string {
  return siblingPath(workspaceDir, 'logs');
}

/**
 * The parts that decide whether an existing container can be reused, in a canonical order.
 * The workflow id is left out: a later run adopts a matching container rather than recreating it.
 */
export function specFingerprint(spec: ContainerSpec): string {
  return JSON.stringify({
    image: spec.image,
    hostname: spec.hostname,
    env: [...spec.env].sort(),
    networkMode: spec.networkMode,
    extraHosts: [...spec.extraHosts].sort(),
    binds: [...spec.binds].sort(),
    restartPolicy: spec.restartPolicy,
    logConfig: spec.logConfig,
  });
}
