/**
 * `stigmer-runner hosts`: the fleet behind this Temporal. A host is listed from its workers' pollers
 * (their identity names host and engine; the shared queue's pollers find them, the host queue's say
 * whether one polls it now — the server keeps a dead poller listed ~5 minutes, so only a poll within
 * a long-poll's length counts as live) and from the provisions routed to it (the StigmerHost search
 * attribute): each runner with its last provision's outcome.
 */
import type { Client } from '@temporalio/client';
import type { ConfigFlags } from '../core/settings/types';
import {
  EXIT_CODES,
  hostTaskQueue,
  identityFields,
  PROVISIONING_TASK_QUEUE,
  SEARCH_ATTRIBUTES,
} from '../core/contract/names';
import { commandContext } from './command';
import { LIVE_POLLER_WINDOW_MS, type PollerSeen } from '../core/pollers';
import { listPollers } from '../temporal/task-queue';
import { openSession } from './session';

export interface HostRunner {
  runner: string;
  workflowId: string;
  /** StigmerStatus: running, ready or failed; the execution's status when the attribute is absent. */
  status: string;
  /** StigmerStep: the last step (of a settled provision). */
  step?: string;
  startTime: string;
}

export interface HostEntry {
  host: string;
  /** A worker polled the host's queue within LIVE_POLLER_WINDOW_MS. */
  live: boolean;
  lastSeen?: string;
  engine?: string;
  workers: string[];
  runners: HostRunner[];
}

/** Pure: hosts from the pollers of each host's queue and from the routed provisions, live first. */
export function fleetOf(
  pollersByHost: Map<string, PollerSeen[]>,
  runners: Array<HostRunner & { host: string }>,
  now: number,
  windowMs = LIVE_POLLER_WINDOW_MS,
): HostEntry[] {
  const hosts = new Set([...pollersByHost.keys(), ...runners.map((entry) => entry.host)]);
  return [...hosts]
    .map((host) => {
      const pollers = pollersByHost.get(host) ?? [];
      const lastSeen = pollers
        .map((poller) => poller.lastAccessTime)
        .sort()
        .at(-1);
      const latest = new Map<string, HostRunner>();
      for (const { host: of, ...entry } of runners) {
        if (of !== host) continue;
        const seen = latest.get(entry.runner);
        if (!seen || seen.startTime < entry.startTime) latest.set(entry.runner, entry);
      }
      return {
        host,
        live: lastSeen !== undefined && now - Date.parse(lastSeen) <= windowMs,
        ...(lastSeen ? { lastSeen } : {}),
        ...(pollers.map((poller) => identityFields(poller.identity).engine).find(Boolean)
          ? { engine: pollers.map((poller) => identityFields(poller.identity).engine).find(Boolean) }
          : {}),
        workers: [...new Set(pollers.map((poller) => poller.identity))].sort(),
        runners: [...latest.values()].sort((a, b) => a.runner.localeCompare(b.runner)),
      };
    })
    .sort((a, b) => Number(b.live) - Number(a.live) || a.host.localeCompare(b.host));
}

export function renderHosts(hosts: HostEntry[]): string {
  if (hosts.length === 0) return 'no hosts: no worker polls a host queue and no provision was routed to one';
  const lines: string[] = [];
  for (const host of hosts) {
    lines.push(
      `${host.host}  ${host.live ? 'live' : 'offline'}  engine ${host.engine ?? 'unknown'}  last seen ${host.lastSeen ?? 'never (or > 5 min ago)'}`,
    );
    if (host.runners.length === 0) lines.push('  runners: none');
    for (const runner of host.runners)
      lines.push(
        `  ${runner.runner.padEnd(24)} ${runner.status}${runner.step ? ` at ${runner.step}` : ''}  (${runner.workflowId}, started ${runner.startTime})`,
      );
  }
  return lines.join('\n');
}

export async function hostsCommand(flags: ConfigFlags, json: boolean, env: NodeJS.ProcessEnv): Promise<number> {
  const { say, loaded } = commandContext(flags, json, env);
  const session = await openSession(loaded, env, say, { worker: false });
  let hosts: HostEntry[];
  try {
    const { client, namespace } = session;
    const runners = session.searchAttributes ? await routedRunners(client) : [];
    // Hosts named by a worker polling the shared queue, or by a routed provision.
    const named = new Set(runners.map((entry) => entry.host));
    for (const poller of await listPollers(client.connection, namespace, PROVISIONING_TASK_QUEUE)) {
      const { host } = identityFields(poller.identity);
      if (host) named.add(host);
    }
    const pollersByHost = new Map<string, PollerSeen[]>();
    await Promise.all(
      [...named].map(async (host) =>
        pollersByHost.set(host, await listPollers(client.connection, namespace, hostTaskQueue(host))),
      ),
    );
    for (const [host, pollers] of pollersByHost) if (pollers.length === 0) pollersByHost.delete(host);
    hosts = fleetOf(pollersByHost, runners, Date.now());
  } finally {
    await session.close();
  }
  if (json) process.stdout.write(`${JSON.stringify({ hosts }, null, 2)}\n`);
  else say(renderHosts(hosts));
  return EXIT_CODES.ready;
}

/** Every provision routed to a host (the visibility API, by StigmerHost). */
async function routedRunners(client: Client): Promise<Array<HostRunner & { host: string }>> {
  const found: Array<HostRunner & { host: string }> = [];
  for await (const execution of client.workflow.list({ query: `${SEARCH_ATTRIBUTES.host.name} IS NOT NULL` })) {
    const attributes = execution.typedSearchAttributes;
    const host = attributes.get(SEARCH_ATTRIBUTES.host);
    const runner = attributes.get(SEARCH_ATTRIBUTES.runner);
    if (!host || !runner) continue;
    const step = attributes.get(SEARCH_ATTRIBUTES.step);
    found.push({
      host,
      runner,
      workflowId: execution.workflowId,
      status: attributes.get(SEARCH_ATTRIBUTES.status) ?? execution.status.name.toLowerCase(),
      ...(step ? { step } : {}),
      startTime: execution.startTime.toISOString(),
    });
  }
  return found;
}
