/** teardownRunner: stops and removes a runner's containers, with its own visible history. */
import { patched, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import { HOST_SCHEDULE_TO_START_MS, hostTaskQueue } from '../core/contract/names';
import type { RunnerActivities } from '../activities';
import type { TeardownInput, TeardownResult } from '../core/contract/schemas';

export type { TeardownInput, TeardownResult } from '../core/contract/schemas';

const REMOVE_OPTIONS = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5 },
} as const;

export async function teardownRunner(input: TeardownInput): Promise<TeardownResult> {
  // A routed teardown removes on its host (patched: histories without hosts still replay).
  const host = input.host !== undefined && patched('route-to-host') ? input.host : undefined;
  const { removeRunner } = proxyActivities<RunnerActivities>(
    host === undefined
      ? REMOVE_OPTIONS
      : { ...REMOVE_OPTIONS, taskQueue: hostTaskQueue(host), scheduleToStartTimeout: HOST_SCHEDULE_TO_START_MS },
  );
  setCurrentDetails(`**Tearing down runner \`${input.runner}\`**`);
  const { value: removed } = await removeRunner.executeWithOptions(
    { summary: `stop and remove the containers of ${input.runner}` },
    (input.engine ? [input.runner, input.engine] : [input.runner]) as [string, { value: string; source: string }?],
  );
  setCurrentDetails(
    `**Runner \`${input.runner}\` torn down**: ${removed.length === 0 ? 'nothing was running' : removed.map((entry) => `\`${entry.name}\` (${entry.state})`).join(', ')} removed`,
  );
  return { runner: input.runner, removed };
}
