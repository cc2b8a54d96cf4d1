/** teardownRunner: stops and removes a runner's containers, with its own visible history. */
import { ActivityFailure, ApplicationFailure, patched, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import { FAILURE_TYPES, HOST_SCHEDULE_TO_START_MS, hostTaskQueue } from '../core/contract/names';
import { teardownInputProblem } from '../core/contract/workflow-input';
import type { RunnerActivities } from '../activities';
import type { RemoveOptions } from '../activities/remove-runner';
import type { TeardownInput, TeardownResult } from '../core/contract/schemas';

export type { TeardownInput, TeardownResult } from '../core/contract/schemas';

const REMOVE_OPTIONS = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5 },
} as const;

type RemoveArgs = [string, { value: string; source: string }?, RemoveOptions?];

export async function teardownRunner(input: TeardownInput): Promise<TeardownResult> {
  rejectInvalidInput(input);
  // A routed teardown removes on its host (patched: histories without hosts still replay).
  const host = input.host !== undefined && patched('route-to-host') ? input.host : undefined;
  const { removeRunner } = proxyActivities<RunnerActivities>(
    host === undefined
      ? REMOVE_OPTIONS
      : { ...REMOVE_OPTIONS, taskQueue: hostTaskQueue(host), scheduleToStartTimeout: HOST_SCHEDULE_TO_START_MS },
  );
  setCurrentDetails(`**Tearing down runner \`${input.runner}\`**`);
  // `replace` only when asked: the arguments of a plain teardown stay as they were.
  const args: RemoveArgs =
    input.replace === true
      ? [input.runner, input.engine, { replace: true }]
      : input.engine
        ? [input.runner, input.engine]
        : [input.runner];
  const { value: removed } = await removeRunner
    .executeWithOptions({ summary: `stop and remove the containers of ${input.runner}` }, args)
    .catch(typedFailure);
  setCurrentDetails(
    `**Runner \`${input.runner}\` torn down**: ${removed.length === 0 ? 'nothing was running' : removed.map((entry) => `\`${entry.name}\` (${entry.state})`).join(', ')} removed`,
  );
  return { runner: input.runner, removed };
}

/** A malformed input fails the workflow at once, before any step. */
function rejectInvalidInput(input: TeardownInput): void {
  const problem = teardownInputProblem(input);
  if (problem)
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.invalidInput,
      message: `invalid teardownRunner input: ${problem}`,
      nonRetryable: true,
    });
}

/**
 * The step's typed failure (PolicyRefused, …) as the workflow's own, with its message and details, so
 * a trigger reads the type at the top as it does a provision's; anything else as it came.
 */
function typedFailure(error: unknown): never {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure)
    throw ApplicationFailure.create({
      type: error.cause.type ?? 'Error',
      message: error.cause.message,
      nonRetryable: true,
      details: error.cause.details ? [...error.cause.details] : undefined,
    });
  throw error;
}
