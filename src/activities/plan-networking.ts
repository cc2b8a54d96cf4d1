import { log } from '@temporalio/activity';
import type { RunnerConfig } from '../core/config';
import { planNetworking, type NetworkPlan } from '../core/network-plan';
import { readEngineFacts } from '../docker/engine-facts';
import { readImageFacts } from '../docker/image-facts';
import { engineFor, type ActivityDeps } from './deps';
import { attempted, FAILURE_TYPES, PermanentError } from './failures';

/** Asks the engine what it is and plans the container's networking from that. */
export function createPlanNetworking(deps: ActivityDeps) {
  return attempted(async (config: RunnerConfig): Promise<NetworkPlan> => {
    const { docker, endpoint } = engineFor(deps, config.engine);
    const [facts, image] = await Promise.all([
      readEngineFacts(docker, endpoint, deps.platform),
      readImageFacts(docker, config.runner.image.value),
    ]);
    const plan = planNetworking(config, facts, image);
    log.info('network planned', {
      contract: plan.runner.contract,
      contractReason: plan.runner.contractReason,
      engine: plan.engine.description,
      engineKind: plan.engine.kind,
      endpoint: `${endpoint.url} (${endpoint.source})`,
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
