import { log } from '@temporalio/activity';
import type { RunnerConfig } from '../core/settings/types';
import { resolveTriggerConfig, type ConfigRequest } from './runner-spec';
import { policyOf, type ActivityDeps } from './deps';
import { attempted } from './failures';

/**
 * Resolves the trigger's cascade within the worker's policy (a home it serves, files read within it,
 * workspace, engine and image judged: every refusal at once); secrets stay behind (only their source leaves).
 */
export function createResolveConfig(deps: ActivityDeps) {
  return attempted(async (request: ConfigRequest): Promise<RunnerConfig> => {
    const config = resolveTriggerConfig(request, deps, policyOf(deps));
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
  }, deps);
}
