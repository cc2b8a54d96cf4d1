import { Context, log } from '@temporalio/activity';
import type { FileHandle } from 'node:fs/promises';
import type { RunnerConfig } from '../core/settings/types';
import type { NetworkPlan } from '../core/runner/network-plan';
import { PolicyRefusedError } from '../core/policy/errors';
import { judgeActs, runnerContainerSpecWithheld, type ConfigRequest } from './runner-spec';
import { ensureRunnerContainer, type RunnerContainer } from '../docker/runner-container';
import { identityOf, mountedFolder, openFolderNoFollow, SymlinkOnPathError } from '../docker/host-folders';
import { prepareWorkspace } from '../docker/workspace';
import type Dockerode from 'dockerode';
import { installationKey } from '../settings/installation-key';
import { effectiveTrigger } from '../settings/trigger';
import { RUNNER_RELEASES } from '../core/runner/releases';
import { engineFor, policyOf, type ActivityDeps } from './deps';
import { attempted } from './failures';

export interface StartContainerInput extends ConfigRequest {
  config: RunnerConfig;
  plan: NetworkPlan;
  workflowId: string;
}

/**
 * Creates, reuses or replaces the runner container and makes its workspace the runner's; the API key
 * is read here, never carried in. The worker's policy is judged again here, where it acts (a routed
 * provision's config was resolved by another worker), and the workspace is created, mounted and given
 * to the runner without following a symlink.
 */
export function createStartContainer(deps: ActivityDeps) {
  return attempted(
    async ({ flags, trigger, config, plan, workflowId }: StartContainerInput): Promise<RunnerContainer> => {
      const policy = policyOf(deps);
      judgeActs(config, effectiveTrigger(trigger, deps.env, deps.homeDir), policy);
      const contract = RUNNER_RELEASES[plan.runner.contract];
      const { spec, withheld } = runnerContainerSpecWithheld(
        { flags, trigger },
        config,
        plan,
        workflowId,
        deps,
        policy,
      );
      const { docker } = engineFor(deps, config.engine);
      const local = deps.platform === 'linux' && !plan.engine.inVm && !plan.engine.remote;
      const hostPath = spec.binds[0].slice(0, spec.binds[0].lastIndexOf(':'));
      const folder = await openWorkspace(hostPath, config);
      try {
        const started = await ensureRunnerContainer(docker, spec, config.runner.pull.value, installationKey(), () =>
          Context.current().heartbeat(),
        );
        if (local) await checkMount(docker, started.id, folder, hostPath, contract.workspacePath, config);
        const workspace = await prepareWorkspace(docker, started.id, folder, hostPath, contract.workspacePath, local);
        const container: RunnerContainer = {
          ...started,
          workspace,
          ...(config.engine ? { engine: config.engine } : {}),
          ...(withheld ? { secretsWithheld: withheld } : {}),
        };
        logReady(container, plan);
        if (withheld) log.warn('secrets withheld', { container: container.name, why: withheld });
        return container;
      } finally {
        await folder.close();
      }
    },
    deps,
  );
}

/** The workspace folder, created and opened without following a symlink; one on the way is refused. */
async function openWorkspace(hostPath: string, config: RunnerConfig): Promise<FileHandle> {
  try {
    return await openFolderNoFollow(hostPath);
  } catch (error) {
    if (!(error instanceof SymlinkOnPathError)) throw error;
    throw new PolicyRefusedError([
      {
        subject: 'workspace',
        value: config.runner.workspaceDir.value,
        setting: config.runner.workspaceDir.source,
        rule: 'symlink',
        allow: `${error.component} changed into a symbolic link while the workspace was made; name a folder no one else can change`,
      },
    ]);
  }
}

/**
 * The engine resolves a bind source itself, when the container starts: a symlink swapped in after the
 * walk would win there. So the folder the container really has at its workspace path (seen through
 * its root from here) must be the one approved and opened — else the container goes at once.
 */
async function checkMount(
  docker: Dockerode,
  id: string,
  folder: FileHandle,
  hostPath: string,
  containerPath: string,
  config: RunnerConfig,
): Promise<void> {
  const container = docker.getContainer(id);
  const info = await container.inspect();
  const mount = info.Mounts.find((entry) => entry.Destination === containerPath);
  const approved = identityOf(await folder.stat());
  const mounted = info.State.Pid ? await mountedFolder(info.State.Pid, containerPath) : undefined;
  const sameSource = mount?.Source === hostPath;
  const sameFolder = mounted === undefined || (mounted.dev === approved.dev && mounted.ino === approved.ino);
  if (sameSource && sameFolder) return;
  await container.remove({ force: true }).catch(() => undefined);
  throw new PolicyRefusedError([
    {
      subject: 'workspace',
      value: config.runner.workspaceDir.value,
      setting: config.runner.workspaceDir.source,
      rule: 'mount-mismatch',
      allow: `the engine mounted ${sameSource ? 'another folder at that path (a symbolic link swapped in)' : (mount?.Source ?? 'nothing')}; the container was removed — name a folder no one else can change`,
    },
  ]);
}

function logReady(container: RunnerContainer, plan: NetworkPlan): void {
  const { workspace } = container;
  log.info('runner container ready', {
    container: container.name,
    id: container.id.slice(0, 12),
    action: container.action,
    ...(container.replacedBecause ? { replacedBecause: container.replacedBecause } : {}),
    image: container.image,
    mode: container.networkMode,
    contract: plan.runner.contract,
    workspace: workspace ? `${workspace.hostPath}: ${workspace.note}` : undefined,
    // What the runner was handed for each service, as planned (credentials stay masked).
    addresses: Object.fromEntries(plan.services.map((service) => [service.service, service.container.resolved])),
  });
}
