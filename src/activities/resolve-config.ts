import type { ConfigFlags, RunnerConfig } from '../core/config';
import { loadConfig } from '../config/load-config';
import { resolutionEnv, type TriggerContext } from '../config/trigger';
import type { ActivityDeps } from './deps';
import { attempted } from './failures';

export interface ConfigRequest {
  flags: ConfigFlags;
  trigger: TriggerContext;
}

/** Resolves the trigger's cascade; secrets stay behind (only their source leaves). */
export function createResolveConfig(deps: ActivityDeps) {
  return attempted(async ({ flags, trigger }: ConfigRequest): Promise<RunnerConfig> => loadConfig(flags, resolutionEnv(trigger, deps.env), trigger.homeDir).config);
}
