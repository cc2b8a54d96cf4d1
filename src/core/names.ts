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

export const WORKFLOW_TYPES = { provision: 'provisionRunner', teardown: 'teardownRunner' } as const;

/** One execution per runner at a time: triggers start or attach by these ids (`USE_EXISTING`). */
export const WORKFLOW_ID_PREFIXES = { provision: 'provision-runner-', teardown: 'teardown-runner-' } as const;

export function provisionWorkflowId(runner: string): string {
  return `${WORKFLOW_ID_PREFIXES.provision}${runner}`;
}

export function teardownWorkflowId(runner: string): string {
  return `${WORKFLOW_ID_PREFIXES.teardown}${runner}`;
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
} as const satisfies Record<string, SearchAttributeKey<'KEYWORD'>>;

/** How the temporal CLI spells a search-attribute type (`--search-attribute Name=Keyword`). */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Record<(typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES]['type'], string> = { KEYWORD: 'Keyword' };

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
} as const;

/**
 * Exit codes of a trigger (`stigmer-runner run`, the Go trigger in examples/go-trigger). `unreachable`
 * is a service out of reach: the runner's (connectivity verification failed) or the trigger's own
 * Temporal (it could not connect).
 */
export const EXIT_CODES = { ready: 0, failed: 1, invalidInput: 2, unreachable: 3 } as const;

/** Which failure types give which exit code; any other failure is `failed` (1). */
export const EXIT_CODE_FAILURE_TYPES: Record<number, readonly string[]> = {
  [EXIT_CODES.invalidInput]: [FAILURE_TYPES.invalidConfig, FAILURE_TYPES.invalidInput],
  [EXIT_CODES.unreachable]: [FAILURE_TYPES.connectivity],
};

/** The exit code of a settled provision: ready, or the code its failure type maps to. */
export function exitCodeFor(outcome: { status: string; error?: { type: string } }): number {
  if (outcome.status === 'ready') return EXIT_CODES.ready;
  const type = outcome.error?.type;
  const entry = Object.entries(EXIT_CODE_FAILURE_TYPES).find(([, types]) => type !== undefined && types.includes(type));
  return entry ? Number(entry[0]) : EXIT_CODES.failed;
}
