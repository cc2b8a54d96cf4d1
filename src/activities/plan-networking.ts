import { log } from '@temporalio/activity';
import type { RunnerConfig } from '../core/settings/types';
import type { NetworkPlan } from '../core/runner/network-plan';
import { planOnEngine, sharedEngineFacts } from './runner-spec';
import { engineFor, type ActivityDeps } from './deps';
import { attempted, FAILURE_TYPES, PermanentError } from './failures';

/** Asks the engine what it is and plans the container's networking from that. */
export function createPlanNetworking(deps: ActivityDeps) {
  return attempted(async (config: RunnerConfig): Promise<NetworkPlan> => {
    const engine = engineFor(deps, config.engine);
    const plan = await planOnEngine(engine, config, deps.platform, sharedEngineFacts);
    log.info('network planned', {
      contract: plan.runner.contract,
      contractReason: plan.runner.contractReason,
      engine: plan.engine.description,
      engineKind: plan.engine.kind,
      endpoint: `${engine.endpoint.url} (${engine.endpoint.source})`,
      mode: plan.mode,
      hostAlias: plan.hostAlias,
      extraHosts: plan.extraHosts,
      addresses: Object.fromEntries(plan.services.map((service) => [service.service, service.container.resolved])),
      warnings: plan.warnings,
    });
    if (plan.blockers.length > 0) throw new PermanentError(FAILURE_TYPES.planBlocked, plan.blockers.join('\n'));
    return plan;
  }, deps);
}
