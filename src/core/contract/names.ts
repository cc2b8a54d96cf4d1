/**
 * The names any Temporal client needs to start, find and follow a provision: task queue, workflow
 * types and ids, the query, search attributes, failure types and the exit codes a trigger derives
 * from them. No runtime imports: the workflow bundle, the worker, the CLI, scripts, bench and tests
 * import this, and the published contract (docs/contract/, `npm run contract`) is generated from it.
 */
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';

/** The published contract's major version: docs/contract/v<N>/. A breaking change makes a new one. */
export const CONTRACT_VERSION = 1;

/** The queue the provisioning worker polls; every provision and teardown is started on it. */
export const PROVISIONING_TASK_QUEUE = 'runner_provisioning';

/**
 * A fleet: each host's worker (`stigmer-runner worker --host NAME`) also polls the queue of its host,
 * where a routed provision (input `host`) schedules every step that touches the engine. Host names
 * are what `hostname` prints by default; they must fit a task queue and a workflow id.
 */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The queue of one host's engine-bound steps: `runner_provisioning@NAME`. */
export function hostTaskQueue(host: string): string {
  return `${PROVISIONING_TASK_QUEUE}@${host}`;
}

/** The host a queue from `hostTaskQueue` belongs to, or undefined for any other queue. */
export function hostOfTaskQueue(queue: string): string | undefined {
  const prefix = `${PROVISIONING_TASK_QUEUE}@`;
  return queue.startsWith(prefix) && HOST_NAME.test(queue.slice(prefix.length))
    ? queue.slice(prefix.length)
    : undefined;
}

/**
 * The env vars by which a trigger selects an engine explicitly. `run` sends them only to its own
 * host; a routed provision whose trigger sent none runs on its host worker's own engine.
 */
export const ENGINE_SELECTION_ENV_NAMES = ['DOCKER_HOST', 'DOCKER_CONTEXT'] as const;

/** The steps that touch the engine: a routed provision or teardown runs them on its host's queue. */
export const HOST_BOUND_ACTIVITIES = [
  'planNetworking',
  'startContainer',
  'verifyConnectivity',
  'awaitRunnerReady',
  'stopRunner',
  'removeRunner',
] as const;

/**
 * How long a host-bound step may wait for its host's worker to take it before the provision fails
 * with `HostOffline` (a schedule-to-start timeout: the server does not retry it). A live worker takes
 * a task within milliseconds; 20 s also covers a worker that restarts.
 */
export const HOST_SCHEDULE_TO_START_MS = 20_000;

/**
 * A worker's identity says which host (and engine kind) it serves, so `stigmer-runner hosts` reads
 * the fleet off the queues' pollers: `stigmer-runner worker 4242@build-1 host=build-1 engine=podman`.
 */
export function workerIdentity(role: string, pid: number, machine: string, host: string, engine?: string): string {
  return `${role} ${pid}@${machine} host=${host}${engine ? ` engine=${engine}` : ''}`;
}

export function identityFields(identity: string): { host?: string; engine?: string } {
  const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S+)`).exec(identity)?.[1];
  return { host: field('host'), engine: field('engine') };
}

export const WORKFLOW_TYPES = { provision: 'provisionRunner', teardown: 'teardownRunner' } as const;

/** One execution per runner at a time: triggers start or attach by these ids (`USE_EXISTING`). */
export const WORKFLOW_ID_PREFIXES = { provision: 'provision-runner-', teardown: 'teardown-runner-' } as const;

/**
 * `provision-runner-<runner>` for this machine's provisions and unrouted ones (the Go trigger,
 * `temporal workflow start`, executions from before hosts); `provision-runner-<runner>@<host>` for
 * one routed to another host, so one runner name on two hosts never collides (cli/start.ts
 * `workflowIdHost` decides).
 */
export function provisionWorkflowId(runner: string, host?: string): string {
  return `${WORKFLOW_ID_PREFIXES.provision}${runner}${host === undefined ? '' : `@${host}`}`;
}

export function teardownWorkflowId(runner: string, host?: string): string {
  return `${WORKFLOW_ID_PREFIXES.teardown}${runner}${host === undefined ? '' : `@${host}`}`;
}

/** provisionRunner's query: its progress (steps, checks, diagnoses), while it runs and after it closed. */
export const QUERY_NAMES = { progress: 'progress' } as const;

/**
 * Search attributes that find provisions in the Temporal UI and CLI, e.g.
 * `StigmerRunner = "stigmer-agent-runner" AND StigmerStatus = "failed" AND StigmerStep = "verifyConnectivity"`.
 * The runner and `running` are set when a trigger starts the workflow; the outcome once, when it ends.
 * Plain `{ name, type }` objects: what `defineSearchAttributeKey` returns, without importing it.
 */
export const SEARCH_ATTRIBUTES = {
  runner: { name: 'StigmerRunner', type: 'KEYWORD' },
  status: { name: 'StigmerStatus', type: 'KEYWORD' },
  step: { name: 'StigmerStep', type: 'KEYWORD' },
  networkMode: { name: 'StigmerNetworkMode', type: 'KEYWORD' },
  /** The host a routed provision runs on (set when it is started): `StigmerHost = "gpu-1"`. */
  host: { name: 'StigmerHost', type: 'KEYWORD' },
} as const satisfies Record<string, SearchAttributeKey<'KEYWORD'>>;

/** How the temporal CLI spells a search-attribute type (`--search-attribute Name=Keyword`). */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Record<
  (typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES]['type'],
  string
> = { KEYWORD: 'Keyword' };

/**
 * The `type` of the application failures a provision ends with (and of `progress.error.type`).
 * Other types can appear for unexpected errors (the error's name, e.g. `Error`).
 */
export const FAILURE_TYPES = {
  /** The workflow input is malformed: fails at once, before any step, without progress details. */
  invalidInput: 'InvalidInput',
  /** A setting (flag, env var, config file) is invalid: resolveConfig fails, naming each source. */
  invalidConfig: 'InvalidConfig',
  planBlocked: 'NetworkPlanBlocked',
  imageUnavailable: 'ImageUnavailable',
  /** A service the runner needs is unreachable from its container: the diagnosis names cause and fix. */
  connectivity: 'ConnectivityFailed',
  runnerNotReady: 'RunnerNotReady',
  /** A host-bound step waited HOST_SCHEDULE_TO_START_MS with no worker of its host taking it. */
  hostOffline: 'HostOffline',
  /**
   * The worker's own policy refused what the input asked (e.g. to replace a container stigmer-runner
   * did not make), before acting on it; details carry `{ refusals: [{ subject, value, setting, rule, allow }] }`.
   */
  policyRefused: 'PolicyRefused',
} as const;

/**
 * Exit codes of a trigger (`stigmer-runner run`, the Go trigger in examples/go-trigger). `unreachable`
 * is a service out of reach: the runner's (connectivity verification failed) or the trigger's own
 * Temporal (it could not connect). `hostOffline`: the host named by `--host` has no worker polling its queue.
 * `refused`: the worker's policy refused the request (PolicyRefused); the message names the setting that allows it.
 */
export const EXIT_CODES = { ready: 0, failed: 1, invalidInput: 2, unreachable: 3, hostOffline: 4, refused: 5 } as const;

/** Which failure types give which exit code; any other failure is `failed` (1). */
export const EXIT_CODE_FAILURE_TYPES: Record<number, readonly string[]> = {
  [EXIT_CODES.invalidInput]: [FAILURE_TYPES.invalidConfig, FAILURE_TYPES.invalidInput],
  [EXIT_CODES.unreachable]: [FAILURE_TYPES.connectivity],
  [EXIT_CODES.hostOffline]: [FAILURE_TYPES.hostOffline],
  [EXIT_CODES.refused]: [FAILURE_TYPES.policyRefused],
};

/** The exit code of a settled provision: ready, or the code its failure type maps to. */
export function exitCodeFor(outcome: { status: string; error?: { type: string } }): number {
  if (outcome.status === 'ready') return EXIT_CODES.ready;
  const type = outcome.error?.type;
  const entry = Object.entries(EXIT_CODE_FAILURE_TYPES).find(([, types]) => type !== undefined && types.includes(type));
  return entry ? Number(entry[0]) : EXIT_CODES.failed;
}
