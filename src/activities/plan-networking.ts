import { log } from '@temporalio/activity';
import type { RunnerConfig } from '../core/settings/types';
import { shareRecent } from '../core/concurrency';
import type { EngineFacts } from '../core/runner/engine';
import type { NetworkPlan } from '../core/runner/network-plan';
import { planOnEngine } from './runner-spec';
import { engineFor, type ActivityDeps } from './deps';
import { attempted, FAILURE_TYPES, PermanentError } from './failures';

/**
 * How long one answer to "what engine is this" serves every provision on this worker. Podman builds
 * its /info afresh on each call: fifty provisions asking at once took a minute (bench P4, two hosts).
 */
const ENGINE_FACTS_TTL_MS = 10_000;

/** Asks the engine what it is and plans the container's networking from that. */
export function createPlanNetworking(deps: ActivityDeps) {
  const engineFacts = shareRecent<EngineFacts>(ENGINE_FACTS_TTL_MS);
  return attempted(async (config: RunnerConfig): Promise<NetworkPlan> => {
    const engine = engineFor(deps, config.engine);
    const plan = await planOnEngine(engine, config, deps.platform, engineFacts);
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
