/**
 * Starting a provision or a teardown the one way every trigger does it — the CLI, scripts, bench and
 * tests (and, from the published contract, the Go trigger): the workflow id from the runner's name (and host, when routed),
 * the provisioning queue, and `USE_EXISTING`, so a second trigger attaches to the running execution.
 */
import { hostname } from 'node:os';
import type { Client, WorkflowHandleWithFirstExecutionRunId, WorkflowStartOptions } from '@temporalio/client';
import type { ProvisionInput, TeardownInput } from '../core/contract/schemas';
import {
  PROVISIONING_TASK_QUEUE,
  provisionWorkflowId,
  teardownWorkflowId,
  WORKFLOW_TYPES,
} from '../core/contract/names';
import type { provisionRunner, teardownRunner } from '../workflows';

/**
 * The host part of a workflow id: none for this machine's host, so this machine's ids stay
 * `provision-runner-<runner>` (what the Go trigger and earlier triggers start or attach to); the
 * host name for any other host (`provision-runner-<runner>@<host>`).
 */
export function workflowIdHost(host: string | undefined, thisHost = hostname()): string | undefined {
  return host === thisHost ? undefined : host;
}

/** What a caller may add: summary, details, search attributes (the id, queue and policy are the contract's). */
export type StartExtras = Partial<
  Pick<WorkflowStartOptions, 'staticSummary' | 'staticDetails' | 'typedSearchAttributes'>
>;

/** Start or attach (`USE_EXISTING`) on the shared queue: the id, queue and policy the contract promises. */
function startOrAttach<W extends typeof provisionRunner | typeof teardownRunner>(
  client: Client,
  type: string,
  workflowId: string,
  input: Parameters<W>[0],
  extras: StartExtras,
): Promise<WorkflowHandleWithFirstExecutionRunId<W>> {
  return client.workflow.start<W>(type, {
    workflowId,
    taskQueue: PROVISIONING_TASK_QUEUE,
    args: [input] as Parameters<W>,
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...extras,
  });
}

export function startProvision(client: Client, input: ProvisionInput, extras: StartExtras = {}) {
  const workflowId = provisionWorkflowId(input.flags.runner, workflowIdHost(input.host));
  return startOrAttach<typeof provisionRunner>(client, WORKFLOW_TYPES.provision, workflowId, input, extras);
}

export function startTeardown(client: Client, input: TeardownInput, extras: StartExtras = {}) {
  const workflowId = teardownWorkflowId(input.runner, workflowIdHost(input.host));
  return startOrAttach<typeof teardownRunner>(client, WORKFLOW_TYPES.teardown, workflowId, input, extras);
}
