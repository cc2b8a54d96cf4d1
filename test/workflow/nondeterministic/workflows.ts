/**
 * A deliberately incompatible edit of provisionRunner for the replay test: it plans networking
 * before resolving config, so replaying a real history diverges at the first activity.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { RunnerActivities } from '../../../src/activities';
import type { ProvisionInput } from '../../../src/workflows';

const { planNetworking, resolveConfig } = proxyActivities<RunnerActivities>({ startToCloseTimeout: '10 seconds' });

export async function provisionRunner(input: ProvisionInput): Promise<unknown> {
  await planNetworking(undefined as never).catch(() => undefined);
  return resolveConfig({ flags: input.flags, trigger: input.trigger });
}
