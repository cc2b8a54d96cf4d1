/**
 * Test doubles of provisionRunner's activities for the workflow tests on a real dev server: bodies
 * that answer at once with a plausible config, plan, container and report, wrapped by the real
 * `attempted` adapter (so failures cross into the workflow as the real ones do). Each call is
 * recorded by name; `Behaviour` makes a step fail.
 */
import type { RunnerActivities } from '../../src/activities';
import { attempted } from '../../src/activities/failures';
import { planNetworking } from '../../src/core/runner/network-plan';
import { checkResult, summarizeVerification } from '../../src/core/health/diagnosis';
import { configFrom, ENGINES } from '../../src/core/test-fixtures';

export const config = configFrom();
export const plan = planNetworking(config, ENGINES.nativeLinux);
export const container = {
  id: 'c0ffee'.padEnd(64, '0'),
  name: 'stigmer-agent-runner',
  image: 'img',
  networkMode: 'host',
  action: 'created' as const,
  startedAt: '2026-11-22T10:00:00Z',
};
export const passingReport = summarizeVerification(
  plan.services.flatMap((service) =>
    (['container', 'host'] as const).map((site) =>
      checkResult({ service: service.service, site, target: 't', ms: 1 }, { kind: 'connected' }),
    ),
  ),
  plan,
  'stigmer-agent-runner',
);

export interface Behaviour {
  resolveConfig?: () => Promise<unknown>;
  verifyConnectivity?: (attempt: number) => Promise<unknown>;
  awaitRunnerReady?: () => Promise<unknown>;
}

export function fakeActivities(calls: string[], behaviour: Behaviour = {}): RunnerActivities {
  let verifyAttempt = 0;
  // A worker that knows no secrets: nothing for its failures to redact.
  const worker = { env: {}, homeDir: '/nonexistent' };
  const record = <T>(name: string, body: () => Promise<T>) => attempted(async () => (calls.push(name), body()), worker);
  return {
    resolveConfig: record('resolveConfig', async () => (behaviour.resolveConfig ? behaviour.resolveConfig() : config)),
    planNetworking: record('planNetworking', async () => plan),
    startContainer: record('startContainer', async () => container),
    verifyConnectivity: record('verifyConnectivity', async () =>
      behaviour.verifyConnectivity ? behaviour.verifyConnectivity(++verifyAttempt) : passingReport,
    ),
    awaitRunnerReady: record('awaitRunnerReady', async () =>
      behaviour.awaitRunnerReady
        ? behaviour.awaitRunnerReady()
        : {
            poller: { identity: '1@runner', type: 'activity', lastAccessTime: container.startedAt },
            waitedMs: 5,
          },
    ),
    stopRunner: record('stopRunner', async () => ({
      state: 'exited',
      message: 'container stigmer-agent-runner stopped (exited)',
    })),
  } as unknown as RunnerActivities;
}
