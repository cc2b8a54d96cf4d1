import { Context, log } from '@temporalio/activity';
import type { RunnerConfig } from '../core/settings/types';
import type { NetworkPlan } from '../core/runner/network-plan';
import { runnerContainerSpec, type ConfigRequest } from './runner-spec';
import { ensureRunnerContainer, type RunnerContainer } from '../docker/runner-container';
import { prepareWorkspace } from '../docker/workspace';
import { installationKey } from '../settings/installation-key';
import { RUNNER_RELEASES } from '../core/runner/releases';
import { engineFor, type ActivityDeps } from './deps';
import { attempted } from './failures';

export interface StartContainerInput extends ConfigRequest {
  /** The provision's flags; `replace`: a container of the runner's name that stigmer-runner did not make may be replaced. */
  flags: ConfigRequest['flags'] & { replace?: boolean };
  config: RunnerConfig;
  plan: NetworkPlan;
  workflowId: string;
}

/**
 * Creates, reuses or replaces the runner container and makes its workspace the runner's; the API key
 * is read here, never carried in. A container of the runner's name that stigmer-runner did not make is
 * replaced only when the input says `flags.replace` (or Stigmer's own CLI made it): else PolicyRefused.
 */
export function createStartContainer(deps: ActivityDeps) {
  return attempted(
    async ({ flags, trigger, config, plan, workflowId }: StartContainerInput): Promise<RunnerContainer> => {
      const contract = RUNNER_RELEASES[plan.runner.contract];
      const spec = runnerContainerSpec({ flags, trigger }, config, plan, workflowId, deps);
      const { docker } = engineFor(deps, config.engine);
      const started = await ensureRunnerContainer(docker, spec, config.runner.pull.value, installationKey(), {
        replace: flags.replace === true,
        onProgress: () => Context.current().heartbeat(),
      });
      const local = deps.platform === 'linux' && !plan.engine.inVm && !plan.engine.remote;
      const workspace = await prepareWorkspace(
        docker,
        started.id,
        config.runner.workspaceDir.value,
        contract.workspacePath,
        local,
      );
      const container: RunnerContainer = { ...started, workspace, ...(config.engine ? { engine: config.engine } : {}) };
      log.info('runner container ready', {
        container: container.name,
        id: container.id.slice(0, 12),
        action: container.action,
        ...(container.replacedBecause ? { replacedBecause: container.replacedBecause } : {}),
        image: container.image,
        mode: container.networkMode,
        contract: plan.runner.contract,
        workspace: `${workspace.hostPath}: ${workspace.note}`,
        // What the runner was handed for each service, as planned (credentials stay masked).
        addresses: Object.fromEntries(plan.services.map((service) => [service.service, service.container.resolved])),
      });
      return container;
    },
    deps,
  );
}
