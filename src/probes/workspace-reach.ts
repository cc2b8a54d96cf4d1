/**
 * The workspace on an engine in a VM or on another machine. A bind mount of a folder the VM does not
 * share gives the container an empty folder of the VM's own (Docker creates it; writes stay in the
 * VM), so whether the engine sees our folder is measured: a marker written here, read from a probe
 * container. And the runner's ids there are the container's own, not this machine's /proc: the probe,
 * as root in a container of its own before the runner starts (never an exec into a runner whose agent
 * code has run), gives the folder — or, where the engine cannot see it, this account's volume — to
 * the image's user.
 */
import { randomBytes } from 'node:crypto';
import { lstat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { ProbeResult } from '../core/health/diagnosis';
import { probeInFreshContainer } from './fresh-container-probe';

const MOUNT = '/stigmer-workspace';

/** What the claim found: whether the engine saw the marker, and the ids the folder was given. */
export interface WorkspaceClaim {
  seen: boolean;
  uid?: number;
  gid?: number;
  /** Why nothing was given (a failure of the claim itself: no such user in the image, …). */
  problem?: string;
}

/**
 * Whether a container on the engine sees the folder opened here, and if so, the folder given to
 * `user` (the image's). The marker goes in through the descriptor the policy approved (Linux), or by
 * path once that path is proved to be the same folder (macOS, Windows: no /proc).
 */
export async function claimSharedFolder(
  docker: Dockerode,
  image: string,
  folder: FileHandle,
  hostPath: string,
  user: string,
): Promise<WorkspaceClaim> {
  const name = `.stigmer-marker-${randomBytes(6).toString('hex')}`;
  const content = randomBytes(16).toString('hex');
  const marker = await markerPath(folder, hostPath, name);
  await writeFile(marker, content, { flag: 'wx', mode: 0o644 });
  try {
    const result = await claim(docker, image, `${hostPath}:${MOUNT}`, user, { marker: name, expect: content });
    return outcome(result);
  } catch (error) {
    // Docker Desktop refuses a folder outside its file sharing at start: not seen, said as such.
    if (/Mounts denied|not shared from the host/i.test(String(error))) return { seen: false };
    throw error;
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}

/** This account's volume on the engine given to `user` (the engine creates it at the mount). */
export async function claimVolume(
  docker: Dockerode,
  image: string,
  volume: string,
  user: string,
): Promise<WorkspaceClaim> {
  return outcome(await claim(docker, image, `${volume}:${MOUNT}`, user, {}));
}

async function markerPath(folder: FileHandle, hostPath: string, name: string): Promise<string> {
  if (process.platform === 'linux') return `/proc/self/fd/${folder.fd}/${name}`;
  const [approved, atPath] = await Promise.all([folder.stat(), lstat(hostPath)]);
  if (!atPath.isDirectory() || atPath.dev !== approved.dev || atPath.ino !== approved.ino)
    throw new Error(`${hostPath} is no longer the folder that was approved (replaced while the provision ran)`);
  return join(hostPath, name);
}

function claim(
  docker: Dockerode,
  image: string,
  bind: string,
  user: string,
  marker: { marker?: string; expect?: string },
): Promise<ProbeResult[]> {
  return probeInFreshContainer(
    docker,
    image,
    { networkMode: 'none', extraHosts: [], binds: [bind], user: '0' },
    [{ id: 'claim', kind: 'claim', host: '', port: 0, path: MOUNT, user, timeoutMs: 2000, ...marker }],
    'workspace',
  );
}

function outcome([result]: ProbeResult[]): WorkspaceClaim {
  if (result?.ok) {
    const [uid, gid] = (result.body ?? '').split(' ').map(Number);
    return { seen: true, uid, gid };
  }
  if (result?.code === 'ENOENT') return { seen: false };
  return { seen: true, problem: `${result?.code ?? 'no result'}: ${result?.message ?? ''}`.trim() };
}
