/**
 * The workspace of a runner on an engine in a VM or on another machine (startContainer's part for
 * them): the folder when the engine sees it, else this account's own volume on the engine — given to
 * the image's user either way, before the runner starts, and said in the output with the fix.
 */
import { createHmac } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import type { WorkspaceOwnership } from '../core/health/diagnosis';
import type { ServedAccount } from '../core/policy/types';
import { LABELS, MANAGED_BY, type ContainerSpec } from '../core/runner/container-spec';
import { claimSharedFolder, claimVolume, type WorkspaceClaim } from '../probes/workspace-reach';
import { FAILURE_TYPES, PermanentError } from './failures';

/** Which account and folder a workspace volume was made for: another's is never mounted. */
const VOLUME_OWNER_LABEL = 'dev.stigmer.workspace-of';

export interface RemoteWorkspace {
  /** The engine's volume the runner works in, when the engine cannot see the folder. */
  volume?: string;
  ownership: WorkspaceOwnership;
}

export async function placeRemoteWorkspace(
  docker: Dockerode,
  spec: ContainerSpec,
  where: { folder: FileHandle; hostPath: string; containerPath: string },
  runnerUser: string,
  account: ServedAccount,
  key: Uint8Array,
): Promise<RemoteWorkspace> {
  const base = { hostPath: where.hostPath, containerPath: where.containerPath };
  const shared = await claimSharedFolder(docker, spec.image, where.folder, where.hostPath, runnerUser);
  if (shared.seen) return { ownership: ownershipOf(shared, base, 'the engine sees this folder (its VM shares it)') };
  const volume = await accountVolume(docker, spec.name, account, where.hostPath, key);
  const claimed = await claimVolume(docker, spec.image, volume, runnerUser);
  return { volume, ownership: ownershipOf(claimed, { ...base, volume }, unsharedNote(where.hostPath, volume)) };
}

/** The name of that volume: the runner and a keyed hash of the account and the folder. */
export function workspaceVolumeName(runner: string, uid: number, hostPath: string, key: Uint8Array): string {
  return `stigmer-workspace-${runner}-${createHmac('sha256', key).update(`${uid}:${hostPath}`).digest('hex').slice(0, 12)}`;
}

/**
 * The volume of this account's workspace: named by the runner and a keyed hash of the account and the
 * folder (two accounts with the default runner name never share one), labelled so, and refused when a
 * volume of that name was made for anyone else.
 */
async function accountVolume(
  docker: Dockerode,
  runner: string,
  account: ServedAccount,
  hostPath: string,
  key: Uint8Array,
): Promise<string> {
  const owner = `${account.uid}:${hostPath}`;
  const name = workspaceVolumeName(runner, account.uid, hostPath, key);
  const found = await docker
    .getVolume(name)
    .inspect()
    .catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) return undefined;
      throw error;
    });
  const labels: Record<string, string> = found?.Labels ?? {};
  if (found && (labels[LABELS.managedBy] !== MANAGED_BY || labels[VOLUME_OWNER_LABEL] !== owner))
    throw new PermanentError(
      FAILURE_TYPES.policyRefused,
      `volume ${name} on the engine was not made by stigmer-runner for ${account.name}'s ${hostPath}: it is left alone; remove or rename it`,
    );
  if (!found)
    await docker.createVolume({ Name: name, Labels: { [LABELS.managedBy]: MANAGED_BY, [VOLUME_OWNER_LABEL]: owner } });
  return name;
}

function ownershipOf(
  claim: WorkspaceClaim,
  base: Pick<WorkspaceOwnership, 'hostPath' | 'containerPath' | 'volume'>,
  where: string,
): WorkspaceOwnership {
  if (claim.problem) return { ...base, note: `${where}; it could not be given to the runner's user: ${claim.problem}` };
  const ids = { runnerUid: claim.uid, runnerGid: claim.gid };
  return { ...base, ...ids, note: `${where}; given to the runner's user in the container (${claim.uid}:${claim.gid})` };
}

function unsharedNote(workspace: string, volume: string): string {
  return `the engine does not see ${workspace} (its VM does not share that folder): the runner works in the engine's volume ${volume} instead; to work in the folder, share it with the VM (Lima, Colima: mounts; Docker Desktop: Settings → Resources → File sharing) and run again`;
}
