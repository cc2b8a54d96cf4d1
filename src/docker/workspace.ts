/**
 * Makes the runner's workspace writable by the runner's user, on every local engine. The ids that
 * user has on this machine are read off the running container's first process (/proc/PID/status
 * as seen from here), so rootless engines and user-namespace remapping — where uid 1000 in the
 * container is 100999 here — need no engine-specific arithmetic. Only the folder's owner changes;
 * it is never made world-writable.
 */
import { readFile, type FileHandle } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import type { WorkspaceOwnership } from '../core/health/diagnosis';

/** Effective uid and gid from /proc/PID/status (`Uid:\treal\teffective\tsaved\tfs`). */
export function idsFromStatus(status: string): { uid: number; gid: number } | undefined {
  const effective = (key: string) => Number(new RegExp(`^${key}:\\s+\\d+\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  const ids = { uid: effective('Uid'), gid: effective('Gid') };
  return Number.isInteger(ids.uid) && Number.isInteger(ids.gid) ? ids : undefined;
}

/** The id inside the namespace for an id outside it, from a uid_map/gid_map (`inside outside count` lines). */
export function insideId(map: string, outside: number): number | undefined {
  for (const line of map.trim().split('\n')) {
    const [inside, start, count] = line.trim().split(/\s+/).map(Number);
    if (outside >= start && outside < start + count) return inside + (outside - start);
  }
  return undefined;
}

/**
 * `local`: the engine runs containers as processes of this machine (not in a VM, not remote), so
 * the container's pid is ours to read and its bind mounts are our folders. `folder` is the workspace
 * opened without following symlinks (docker/host-folders.ts): its owner and mode change on that
 * descriptor, never by path, so a symlink swapped in meanwhile changes nothing.
 */
export async function prepareWorkspace(
  docker: Dockerode,
  containerId: string,
  folder: FileHandle,
  hostPath: string,
  containerPath: string,
  local: boolean,
): Promise<WorkspaceOwnership> {
  const base = { hostPath, containerPath };
  if (!local)
    return { ...base, note: 'the engine runs containers in a VM or on another machine: ownership is its to map' };
  const pid = (await docker.getContainer(containerId).inspect()).State.Pid;
  if (!pid) return { ...base, note: 'the container is not running, so its user could not be read' };
  const [status, uidMap, gidMap] = await Promise.all(
    ['status', 'uid_map', 'gid_map'].map((file) => readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '')),
  );
  const host = idsFromStatus(status);
  if (!host) return { ...base, note: `cannot read the runner's ids from /proc/${pid}/status` };
  const ids = {
    hostUid: host.uid,
    hostGid: host.gid,
    runnerUid: insideId(uidMap, host.uid) ?? host.uid,
    runnerGid: insideId(gidMap, host.gid) ?? host.gid,
  };
  const current = await folder.stat();
  if (current.uid === host.uid && (current.mode & 0o700) === 0o700)
    return { ...base, ...ids, note: 'owned by the runner already' };
  if (process.getuid?.() !== 0 && process.getuid?.() !== current.uid) {
    return {
      ...base,
      ...ids,
      note: `owned by ${current.uid}:${current.gid}, and this process (uid ${process.getuid?.()}) cannot give it to ${host.uid}:${host.gid}`,
    };
  }
  try {
    await folder.chown(host.uid, host.gid);
    await folder.chmod((current.mode & 0o7777) | 0o700);
  } catch (error) {
    // Verification's write check names what this means for the runner; the provision goes on to it.
    return {
      ...base,
      ...ids,
      note: `owned by ${current.uid}:${current.gid}; giving it to ${host.uid}:${host.gid} failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
  return {
    ...base,
    ...ids,
    note: `was owned by ${current.uid}:${current.gid}, now by the runner (${host.uid}:${host.gid} here)`,
  };
}
