/**
 * `stigmer-runner status`: what runs (the runner's containers, from the engine) and what the last
 * provision decided (its plan and its last verification, from Temporal).
 */
import type { ConfigFlags } from '../core/settings/types';
import { commandContext, localHost } from './command';
import { connectDocker } from '../docker/client';
import { findRunnerContainers } from '../docker/runner-container';
import { EXIT_CODES, provisionWorkflowId } from '../core/contract/names';
import { lastProvision, type LastProvision } from './last-provision';
import { openSession } from './session';
import { workflowIdHost } from './start';

export interface RunnerStatus {
  runner: string;
  host: string;
  /** Absent for another host: its engine is seen only by its own worker. */
  containers?: Array<{ id: string; name: string; image: string; state: string; status: string; networkMode: string }>;
  lastProvision?: LastProvision;
}

export async function statusCommand(
  flags: ConfigFlags,
  json: boolean,
  env: NodeJS.ProcessEnv,
  hostFlag?: string,
): Promise<number> {
  const { say, loaded, runner, host } = commandContext(flags, json, env, hostFlag);
  const local = host === localHost();
  const containers = local ? await localContainers(runner, env) : undefined;
  const session = await openSession(loaded, env, say, { worker: false, host });
  let status: RunnerStatus;
  try {
    const handle = (id: string) => session.client.workflow.getHandle(id);
    const last = await lastProvision(handle(provisionWorkflowId(runner, workflowIdHost(host))));
    status = { runner, host, containers, lastProvision: last };
  } finally {
    await session.close();
  }
  if (json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  else say(renderStatus(status));
  return EXIT_CODES.ready;
}

async function localContainers(runner: string, env: NodeJS.ProcessEnv): Promise<RunnerStatus['containers']> {
  const { docker } = connectDocker(env);
  return (await findRunnerContainers(docker, runner)).map((info) => ({
    id: info.Id,
    name: info.Names[0]?.replace(/^\//, '') ?? runner,
    image: info.Image,
    state: info.State,
    status: info.Status,
    // Podman's list leaves HostConfig null for containers that are not running.
    networkMode: info.HostConfig?.NetworkMode ?? '',
  }));
}

/** Checks are shown by their `detail`, which histories recorded before outcomes existed carry too. */
export function renderStatus(status: RunnerStatus): string {
  const lines = [`runner ${status.runner}${status.containers ? '' : ` on ${status.host}`}`];
  if (!status.containers) lines.push(`  container: seen only by ${status.host}'s worker`);
  else if (status.containers.length === 0) lines.push('  container: none');
  for (const container of status.containers ?? [])
    lines.push(
      `  container: ${container.name} ${container.id.slice(0, 12)} ${container.state} (${container.status}), network ${container.networkMode}, image ${container.image}`,
    );
  const last = status.lastProvision;
  if (!last) return [...lines, '  last provision: none'].join('\n');
  lines.push(`  last provision: ${last.workflowId} ${last.status} (started ${last.startTime})`);
  const plan = last.progress?.plan;
  if (plan)
    lines.push(
      `  plan: ${plan.engine.description}: network ${plan.mode}${plan.hostAlias ? ` via ${plan.hostAlias}` : ''}`,
      ...plan.services.map((service) => `    ${service.service.padEnd(8)} ${service.container.resolved}`),
    );
  for (const check of last.progress?.checks ?? [])
    lines.push(`  ${check.ok ? '✓' : '✗'} ${check.service} from ${check.site}: ${check.target} — ${check.detail}`);
  if (last.progress?.error) lines.push(`  error: ${last.progress.error.message}`);
  return lines.join('\n');
}
