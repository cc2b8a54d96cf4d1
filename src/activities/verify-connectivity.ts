import { log } from '@temporalio/activity';
import type { RunnerConfig } from '../core/settings/types';
import { interpretProbe, planChecks, summarizeVerification, type VerificationReport } from '../core/health/diagnosis';
import type { NetworkPlan } from '../core/runner/network-plan';
import type { RunnerContainer } from '../docker/runner-container';
import { probeFromContainer } from '../probes/container-probe';
import { probeTargets } from '../probes/node-probe';
import { heartbeating, managedRunner, type ActivityDeps } from './deps';
import { attempted, ConnectivityError } from './failures';

export interface VerifyConnectivityInput {
  config: RunnerConfig;
  plan: NetworkPlan;
  container: RunnerContainer;
}

/** Probes every service from inside the container and from this machine at once, then diagnoses. */
export function createVerifyConnectivity(deps: ActivityDeps) {
  return attempted(async ({ config, plan, container }: VerifyConnectivityInput): Promise<VerificationReport> => {
    const checks = planChecks(plan);
    const inside = checks.filter((check) => check.site === 'container').map((check) => check.target);
    const outside = checks.filter((check) => check.site !== 'container').map((check) => check.target);
    const [insideResults, outsideResults] = await heartbeating(async () =>
      Promise.all([
        probeFromContainer(await managedRunner(deps, container), container.image, inside, {
          inVm: plan.engine.placement?.placement === 'vm',
        }),
        probeTargets(outside),
      ]),
    );
    const byId = new Map([...insideResults, ...outsideResults].map((result) => [result.id, result]));
    const results = checks.map((check) => interpretProbe(check, byId.get(check.target.id), config.llm.model.value));
    const report = summarizeVerification(results, plan, container.name, container.workspace);
    const checked = results.map(
      (check) => `${check.ok ? 'ok' : 'FAIL'} ${check.service}@${check.site} ${check.target}: ${check.detail}`,
    );
    if (!report.ok) {
      log.warn('connectivity failed', {
        container: container.name,
        mode: plan.mode,
        healable: report.healable,
        checks: checked,
        causes: report.diagnoses.filter((entry) => !entry.ok).map((entry) => `${entry.service}: ${entry.cause}`),
      });
      throw new ConnectivityError(report);
    }
    log.info('connectivity verified', { container: container.name, mode: plan.mode, checks: checked });
    return report;
  }, deps);
}
