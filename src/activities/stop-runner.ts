import { log } from '@temporalio/activity';
import { stopRunnerContainer, type RunnerContainer } from '../docker/runner-container';
import { engineFor, managedRunner, type ActivityDeps } from './deps';
import { attempted } from './failures';

export interface RunnerStopped {
  state: string;
  message: string;
}

/** Stops a runner that failed verification, so it takes no work; the container stays for its logs. */
export function createStopRunner(deps: ActivityDeps) {
  return attempted(async (container: RunnerContainer): Promise<RunnerStopped> => {
    await managedRunner(deps, container);
    const state = await stopRunnerContainer(engineFor(deps, container.engine).docker, container.id);
    const message = `container ${container.name} stopped (${state}) and kept for its logs: docker logs ${container.name}`;
    log.info('failed runner stopped', { container: container.name, id: container.id.slice(0, 12), state });
    return { state, message };
  }, deps);
}
