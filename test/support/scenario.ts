/**
 * The one settings env of a test scenario: the stand-ins, the dev server and the local runner image
 * as a user would configure them. The e2e harness, the UI test, the bench and the history recorder
 * all build it here; each adds its own extras (a UI link, a host alias) on top.
 */
import { join } from 'node:path';

export interface Scenario {
  image: string;
  home: string;
  temporalPort: number;
  backendPort: number;
  ollamaUrl: string;
}

/**
 * With `runner`: that runner's name and its own workspace; without: the default runner's workspace —
 * both under `<home>/.stigmer/data`, where a worker's policy lets a served home's workspaces lie.
 */
export function scenarioEnv(scenario: Scenario, runner?: string): Record<string, string> {
  return {
    ...(runner ? { STIGMER_RUNNER_NAME: runner } : {}),
    STIGMER_RUNNER_IMAGE: scenario.image,
    STIGMER_RUNNER_PULL: 'never',
    STIGMER_RUNNER_WORKSPACE_DIR: join(scenario.home, '.stigmer', 'data', runner ?? 'workspace'),
    TEMPORAL_SERVICE_ADDRESS: `localhost:${scenario.temporalPort}`,
    STIGMER_BACKEND_ENDPOINT: `localhost:${scenario.backendPort}`,
    STIGMER_LLM_BASE_URL: scenario.ollamaUrl,
  };
}
