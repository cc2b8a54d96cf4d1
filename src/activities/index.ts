import { createAwaitRunnerReady } from './await-runner-ready';
import type { ActivityDeps } from './deps';
import { createPlanNetworking } from './plan-networking';
import { createRemoveRunner } from './remove-runner';
import { createResolveConfig } from './resolve-config';
import { createStartContainer } from './start-container';
import { createStopRunner } from './stop-runner';
import { createVerifyConnectivity } from './verify-connectivity';

/** The provision and teardown activities, bound to their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    resolveConfig: createResolveConfig(deps),
    planNetworking: createPlanNetworking(deps),
    startContainer: createStartContainer(deps),
    verifyConnectivity: createVerifyConnectivity(deps),
    awaitRunnerReady: createAwaitRunnerReady(deps),
    stopRunner: createStopRunner(deps),
    removeRunner: createRemoveRunner(deps),
  };
}

export type RunnerActivities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './deps';
