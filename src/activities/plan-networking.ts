import { Context, log } from '@temporalio/activity';
import type { RunnerConfig } from '../core/settings/types';
import type { NetworkPlan } from '../core/runner/network-plan';
import { judgeImage } from '../core/policy/judge';
import { PolicyRefusedError } from '../core/policy/errors';
import { planOnEngine, sharedEngineFacts } from './runner-spec';
import { engineFor, heartbeating, policyOf, type ActivityDeps } from './deps';
import { attempted, FAILURE_TYPES, PermanentError } from './failures';

/**
 * Asks the engine what it is and plans the container's networking from that. On an engine that is not
 * on this machine the route to it is measured from a probe container of the runner's image — so the
 * image, which the input names, must be one the worker's policy allows before anything runs it.
 */
export function createPlanNetworking(deps: ActivityDeps) {
  return attempted(async (config: RunnerConfig): Promise<NetworkPlan> => {
    const engine = engineFor(deps, config.engine);
    const refusal = judgeImage(config.runner.image, policyOf(deps));
    if (refusal) throw new PolicyRefusedError([refusal]);
    const plan = await heartbeating(() =>
      planOnEngine(engine, config, deps.platform, sharedEngineFacts, {
        mode: 'measure',
        onProgress: () => Context.current().heartbeat(),
      }),
    );
    log.info('network planned', {
      contract: plan.runner.contract,
      contractReason: plan.runner.contractReason,
      engine: plan.engine.description,
      engineKind: plan.engine.kind,
      placement: plan.engine.placement?.placement,
      endpoint: `${engine.endpoint.url} (${engine.endpoint.source})`,
      mode: plan.mode,
      hostAlias: plan.hostAlias,
      extraHosts: plan.extraHosts,
      ...(plan.route
        ? { routeTried: plan.route.trials.map((trial) => `${trial.alias}: ${trial.reached.join(',')}`) }
        : {}),
      addresses: Object.fromEntries(plan.services.map((service) => [service.service, service.container.resolved])),
      warnings: plan.warnings,
    });
    if (plan.blockers.length > 0) throw new PermanentError(FAILURE_TYPES.planBlocked, plan.blockers.join('\n'));
    return plan;
  }, deps);
}
