import type { ConfigFlags, RunnerConfig } from '../core/config';
import { loadConfig } from '../config/load-config';
import type { ActivityDeps } from './deps';
import { attempted } from './failures';

/** Resolves the cascade in the worker's environment; secrets stay behind (only their source leaves). */
export function createResolveConfig(deps: ActivityDeps) {
  return attempted(async (flags: ConfigFlags): Promise<RunnerConfig> => loadConfig(flags, deps.env, deps.homeDir).config);
}
