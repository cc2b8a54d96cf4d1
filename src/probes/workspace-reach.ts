/**
 * The workspace on an engine that is not on this machine. A bind mount of a folder the VM does not
 * share gives the container an empty folder of the VM's own (Docker creates it; writes stay in the
 * VM), so whether the engine sees our folder is measured: a marker written here and read from a
 * probe container. And the runner's ids there are the container's own, not this machine's /proc.
 */
import { randomBytes } from 'node:crypto';
import { unlink, writeFile, type FileHandle } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import type { WorkspaceOwnership } from '../core/health/diagnosis';
import { execInContainer } from '../docker/exec';
import { interpreterByImage } from './container-probe';
import { probeInFreshContainer } from './fresh-container-probe';

const MARKER_MOUNT = '/stigmer-workspace-check';
const EXEC_TIMEOUT_MS = 30_000;

/** Whether a container on the engine sees the folder opened here: a marker written through its descriptor, read there. */
export async function engineSeesFolder(
  docker: Dockerode,
  image: string,
  folder: FileHandle,
  hostPath: string,
): Promise<boolean> {
  const name = `.stigmer-marker-${randomBytes(6).toString('hex')}`;
  const content = randomBytes(16).toString('hex');
  // Through the descriptor the policy approved: never by path, which could be swapped meanwhile.
  const marker = `/proc/self/fd/${folder.fd}/${name}`;
  await writeFile(marker, content, { flag: 'wx', mode: 0o644 });
  try {
    const [result] = await probeInFreshContainer(
      docker,
      image,
      { networkMode: 'none', extraHosts: [], binds: [`${hostPath}:${MARKER_MOUNT}:ro`] },
      [{ id: 'marker', kind: 'read', host: '', port: 0, path: `${MARKER_MOUNT}/${name}`, timeoutMs: 2000 }],
      'workspace',
    );
    return result?.ok === true && result.body === content;
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}

/** argv that prints the uid and gid a process of the container runs as, per interpreter (python3 first, as the probe). */
const WHO = [
  ['python3', '-c', 'import os; print(os.getuid(), os.getgid())'],
  ['node', '-e', 'process.stdout.write(`${process.getuid()} ${process.getgid()}`)'],
];
/** argv that gives `path` to uid:gid and lets its owner in, run as root inside the container. */
const GIVE = [
  (path: string, uid: number, gid: number) => [
    'python3',
    '-c',
    'import os, stat, sys; p = sys.argv[1]; os.chown(p, int(sys.argv[2]), int(sys.argv[3])); os.chmod(p, stat.S_IMODE(os.stat(p).st_mode) | 0o700)',
    path,
    String(uid),
    String(gid),
  ],
  (path: string, uid: number, gid: number) => [
    'node',
    '-e',
    'const fs = require("fs"); const [p, u, g] = process.argv.slice(1); fs.chownSync(p, +u, +g); fs.chmodSync(p, (fs.statSync(p).mode & 0o7777) | 0o700)',
    path,
    String(uid),
    String(gid),
  ],
];

/**
 * Gives the workspace to the runner's user as the engine sees it: its ids read from a process of the
 * container (the image's user, whatever uid that is in the VM), the change made as root inside the
 * container — on a folder the VM shares, the change reaches this machine's folder too.
 */
export async function giveWorkspaceInside(
  container: Dockerode.Container,
  image: string,
  base: { hostPath: string; containerPath: string; volume?: string },
): Promise<WorkspaceOwnership> {
  let index = interpreterByImage.get(image) ?? 0;
  let who = await execInContainer(container, WHO[index], EXEC_TIMEOUT_MS);
  // 126/127: the engine could not start that interpreter (not in the image); the other one may be.
  for (; (who.exitCode === 126 || who.exitCode === 127) && index + 1 < WHO.length;)
    who = await execInContainer(container, WHO[++index], EXEC_TIMEOUT_MS);
  const [uid, gid] = who.stdout.trim().split(/\s+/).map(Number);
  if (who.exitCode !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid))
    return { ...base, note: `the runner's ids in the container could not be read (exit ${who.exitCode})` };
  const ids = { runnerUid: uid, runnerGid: gid };
  if (uid === 0) return { ...base, ...ids, note: 'the runner runs as root in the container' };
  const given = await execInContainer(container, GIVE[index](base.containerPath, uid, gid), EXEC_TIMEOUT_MS, '0');
  if (given.exitCode !== 0)
    return {
      ...base,
      ...ids,
      note: `giving ${base.containerPath} to ${uid}:${gid} inside the container failed: ${(given.stderr || given.stdout).trim().slice(0, 200)}`,
    };
  return { ...base, ...ids, note: `given to the runner's user in the container (${uid}:${gid})` };
}
