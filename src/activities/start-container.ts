import { Context, log } from '@temporalio/activity';
import type { FileHandle } from 'node:fs/promises';
import type { RunnerConfig } from '../core/settings/types';
import type { NetworkPlan } from '../core/runner/network-plan';
import { PolicyRefusedError } from '../core/policy/errors';
import {
  accountOf,
  judgeActs,
  planOnEngine,
  resolveTriggerConfig,
  runnerContainerSpec,
  sharedEngineFacts,
  type ConfigRequest,
} from './runner-spec';
import { canonicalPath } from '../docker/host-folders';
import { ensureImage, ensureRunnerContainer, type RunnerContainer } from '../docker/runner-container';
import {
  identityOf,
  mountedFolder,
  openFolderNoFollow,
  SymlinkOnPathError,
  UntrustedFolderError,
} from '../docker/host-folders';
import { trustsFolder } from '../core/policy/judge';
import type { Refusal, ServedAccount, WorkerPolicy } from '../core/policy/types';
import { prepareWorkspace } from '../docker/workspace';
import { placeRemoteWorkspace } from './remote-workspace';
import { withWorkspaceVolume } from '../core/runner/container-spec';
import type Dockerode from 'dockerode';
import { installationKey } from '../settings/installation-key';
import { effectiveTrigger } from '../settings/trigger';
import { RUNNER_RELEASES } from '../core/runner/releases';
import { engineFor, heartbeating, policyOf, type ActivityDeps } from './deps';
import { attempted, FAILURE_TYPES, PermanentError } from './failures';

export interface StartContainerInput extends ConfigRequest {
  /** The provision's flags; `replace`: a container of the runner's name that stigmer-runner did not make may be replaced. */
  flags: ConfigRequest['flags'] & { replace?: boolean };
  config: RunnerConfig;
  plan: NetworkPlan;
  workflowId: string;
}

/**
 * Creates, reuses or replaces the runner container and makes its workspace the runner's; the API key
 * is read here, never carried in. The worker's policy is judged again here, where it acts (a routed
 * provision's config was resolved by another worker), and the workspace is created, mounted and given
 * to the runner without following a symlink. The config and plan in the input are the workflow's
 * record (what the UI shows); this step acts on its own (`ownSpec`). A container of the runner's name
 * that stigmer-runner did not make is replaced only when the input says `flags.replace` (or Stigmer's
 * own CLI made it): else PolicyRefused.
 */
export function createStartContainer(deps: ActivityDeps) {
  return attempted(
    async ({ flags, trigger, workflowId, config: handed }: StartContainerInput): Promise<RunnerContainer> => {
      const { config, plan, spec, withheld, workspace, account } = await ownSpec(
        deps,
        { flags, trigger },
        workflowId,
        handed.engine !== undefined,
      );
      const contract = RUNNER_RELEASES[plan.runner.contract];
      const { docker } = engineFor(deps, config.engine);
      const local = deps.platform === 'linux' && !plan.engine.inVm && !plan.engine.remote;
      const folder = await openWorkspace(workspace, config, account, policyOf(deps));
      try {
        const onProgress = () => Context.current().heartbeat();
        const where = { folder, hostPath: workspace, containerPath: contract.workspacePath };
        const remote = local
          ? undefined
          : await heartbeating(async () => {
              await ensureImage(docker, spec.image, config.runner.pull.value, onProgress);
              return placeRemoteWorkspace(docker, spec, where, plan.runner.user, account, installationKey());
            });
        const started = await ensureRunnerContainer(
          docker,
          remote?.volume ? withWorkspaceVolume(spec, remote.volume, contract.workspacePath) : spec,
          // The remote path has just pulled as the policy says: `always` need not pull a second time.
          remote ? 'missing' : config.runner.pull.value,
          installationKey(),
          { replace: flags.replace === true, onProgress },
        );
        if (local) await checkMount(docker, started.id, folder, workspace, contract.workspacePath, config);
        const ownership =
          remote?.ownership ??
          (await prepareWorkspace(docker, started.id, folder, workspace, contract.workspacePath, local));
        const container: RunnerContainer = {
          ...started,
          workspace: ownership,
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

/**
 * What this worker makes of the request itself — its config, plan and spec — rather than the config
 * and plan the input carries: an activity's input can be forged (any workflow may schedule activities
 * on this worker's queues), and a forged plan could steer the key or turn the mount check off. The
 * workspace is resolved once: the string judged is the string opened and handed to the engine.
 */
async function ownSpec(deps: ActivityDeps, request: ConfigRequest, workflowId: string, engineNamed: boolean) {
  const policy = policyOf(deps);
  const resolved = resolveTriggerConfig(request, deps, policy);
  // A routed provision whose trigger selected no engine runs on its host worker's own: the workflow
  // hands over a config without one (withoutEngine), and leaving it out can only mean this worker's own.
  const config = engineNamed ? resolved : { ...resolved, engine: undefined };
  const trigger = effectiveTrigger(request.trigger, deps.env, deps.homeDir);
  const workspace = canonicalPath(config.runner.workspaceDir.value);
  judgeActs(config, trigger, policy, workspace);
  const engine = engineFor(deps, config.engine);
  const plan = await planOnEngine(engine, config, deps.platform, sharedEngineFacts, {
    mode: 'measure',
    onProgress: () => Context.current().heartbeat(),
  });
  if (plan.blockers.length > 0) throw new PermanentError(FAILURE_TYPES.planBlocked, plan.blockers.join('\n'));
  const made = runnerContainerSpec(request, config, plan, workflowId, deps, policy, workspace, engine.endpoint.url);
  return { config, plan, workspace, account: accountOf(trigger, policy), ...made };
}

/** The workspace folder, created and opened without following a symlink, through folders no one else can change. */
async function openWorkspace(
  path: string,
  config: RunnerConfig,
  account: ServedAccount,
  policy: WorkerPolicy,
): Promise<FileHandle> {
  const refused = (rule: Refusal['rule'], allow: string) =>
    new PolicyRefusedError([
      {
        subject: 'workspace',
        value: config.runner.workspaceDir.value,
        setting: config.runner.workspaceDir.source,
        rule,
        allow,
      },
    ]);
  try {
    return await openFolderNoFollow(path, (folder) => trustsFolder(folder, account, policy));
  } catch (error) {
    if (error instanceof SymlinkOnPathError)
      throw refused(
        'symlink',
        `${error.component} is a symbolic link (or became one); name a folder no one else can change`,
      );
    if (error instanceof UntrustedFolderError)
      throw refused(
        'untrusted-folder',
        `${error.folder} is writable by a user other than root and ${account.name}; use a folder below ${account.home}/.stigmer/data`,
      );
    throw error;
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

/**
 * The spec with the engine's named volume at the runner's workspace in place of the bind of a folder
 * it cannot see. `nocopy`: an empty volume mounted where the image has a folder would otherwise take
 * that folder's owner (root) at every new container, undoing the workspace's claim (measured on
 * vm-plain: EACCES for uid 1000 after the claim had given it the volume).
 */
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
