import { log } from '@temporalio/activity';
import type { ConfigFlags, RunnerConfig } from '../core/config';
import { loadConfig } from '../config/load-config';
import { effectiveTrigger, resolutionEnv, type TriggerContext } from '../config/trigger';
import type { ActivityDeps } from './deps';
import { attempted } from './failures';

export interface ConfigRequest {
  flags: ConfigFlags;
  /** Absent: the worker's own env and home (effectiveTrigger). */
  trigger?: TriggerContext;
}

/** Resolves the trigger's cascade; secrets stay behind (only their source leaves). */
export function createResolveConfig(deps: ActivityDeps) {
  return attempted(async ({ flags, trigger: given }: ConfigRequest): Promise<RunnerConfig> => {
    const trigger = effectiveTrigger(given, deps.env, deps.homeDir);
    const { config } = loadConfig(flags, resolutionEnv(trigger, deps.env), trigger.homeDir);
    log.info('config resolved', {
      runner: config.runner.name.value,
      image: config.runner.image.value,
      network: config.runner.network.value,
      temporal: config.temporal.address.value,
      temporalTls: config.temporal.tls.value,
      temporalAuth: config.temporal.auth.value,
      backend: config.backend.endpoint.value,
      llm: {
        provider: config.llm.provider.value,
        model: config.llm.model.value,
        baseUrl: config.llm.baseUrl.value,
        apiKeySource: config.llm.apiKeySource,
      },
      configFile: config.configFile.found ? config.configFile.path : null,
      warnings: config.warnings,
    });
    return config;
  });
}
