import { Context } from '@temporalio/activity';
import { removeRunnerContainers, type RemovedContainer } from '../docker/runner-container';
import { engineFor, type ActivityDeps } from './deps';
import { attempted } from './failures';

/** Stops and removes the runner's containers (found by label or name); nothing found is success. */
export function createRemoveRunner(deps: ActivityDeps) {
  return attempted(
    async (runnerName: string, engine?: { value: string; source: string }): Promise<RemovedContainer[]> =>
      removeRunnerContainers(engineFor(deps, engine).docker, runnerName, () => Context.current().heartbeat()),
    deps,
  );
}
