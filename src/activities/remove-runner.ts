import { Context, log } from '@temporalio/activity';
import { removeRunnerContainers, type RemovedContainer } from '../docker/runner-container';
import { engineFor, type ActivityDeps } from './deps';
import { attempted } from './failures';

/** What a teardown asks beyond the runner and its engine. */
export interface RemoveOptions {
  /** A container of the runner's name that stigmer-runner did not make may be removed too. */
  replace?: boolean;
}

/**
 * Stops and removes the runner's containers (found by label or name); nothing found is success. A
 * container stigmer-runner did not make is removed only when asked (`replace`) or when Stigmer's own
 * CLI made it; otherwise nothing is removed and the teardown fails as PolicyRefused.
 */
export function createRemoveRunner(deps: ActivityDeps) {
  return attempted(
    async (
      runnerName: string,
      engine?: { value: string; source: string },
      options: RemoveOptions = {},
    ): Promise<RemovedContainer[]> => {
      const removed = await removeRunnerContainers(engineFor(deps, engine).docker, runnerName, {
        replace: options?.replace === true,
        onProgress: () => Context.current().heartbeat(),
      });
      for (const entry of removed.filter((container) => container.removedBecause))
        log.info('runner container removed', { container: entry.name, removedBecause: entry.removedBecause });
      return removed;
    },
    deps,
  );
}
