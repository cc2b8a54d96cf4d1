import { log } from '@temporalio/activity';
import type { RunnerConfig } from '../core/config';
import { planNetworking, type NetworkPlan } from '../core/network-plan';
import { readEngineFacts } from '../docker/engine-facts';
import type { ActivityDeps } from './deps';
import { attempted, FAILURE_TYPES, PermanentError } from './failures';

/** Asks the engine what it is and plans the container's networking from that. */
export function createPlanNetworking(deps: ActivityDeps) {
  return attempted(async (config: RunnerConfig): Promise<NetworkPlan> => {
    const facts = await readEngineFacts(deps.docker.docker, deps.docker.endpoint, deps.platform);
    const plan = planNetworking(config, facts);
    log.info('network planned', {
      engine: plan.engine.description,
      engineKind: plan.engine.kind,
      endpoint: deps.docker.endpoint.url,
      mode: plan.mode,
      hostAlias: plan.hostAlias,
      extraHosts: plan.extraHosts,
      addresses: Object.fromEntries(plan.services.map((service) => [service.service, service.container.resolved])),
      warnings: plan.warnings,
    });
    if (plan.blockers.length > 0) throw new PermanentError(FAILURE_TYPES.planBlocked, plan.blockers.join('\n'));
    return plan;
  });
}
