import { Context } from '@temporalio/activity';
import type { RunnerConfig } from '../core/config';
import { buildContainerSpec } from '../core/container-spec';
import type { NetworkPlan } from '../core/network-plan';
import { loadConfig } from '../config/load-config';
import { resolutionEnv } from '../config/trigger';
import type { ConfigRequest } from './resolve-config';
import { ensureRunnerContainer, type RunnerContainer } from '../docker/runner-container';
import type { ActivityDeps } from './deps';
import { attempted } from './failures';

export interface StartContainerInput extends ConfigRequest {
  config: RunnerConfig;
  plan: NetworkPlan;
  workflowId: string;
}

/** Creates, reuses or replaces the runner container; the API key is read here, never carried in. */
export function createStartContainer(deps: ActivityDeps) {
  return attempted(async ({ flags, trigger, config, plan, workflowId }: StartContainerInput): Promise<RunnerContainer> => {
    const { secrets } = loadConfig(flags, resolutionEnv(trigger, deps.env), trigger.homeDir);
    const spec = buildContainerSpec(config, plan, secrets, workflowId);
    return ensureRunnerContainer(deps.docker.docker, spec, config.runner.pull.value, () => Context.current().heartbeat());
  });
}
