/**
 * Runs the probe program in a short-lived container of its own, before the runner's exists: what a
 * container of that image, on that network, with those /etc/hosts entries and mounts, can reach and
 * see. The route to this machine and whether the engine sees this machine's folders are measured so
 * (activities/runner-spec.ts). The container is removed whatever happens.
 */
import type Dockerode from 'dockerode';
import type { ProbeResult, ProbeTarget } from '../core/health/diagnosis';
import { withTimeout } from '../core/wait';
import { INTERPRETERS, interpreterByImage } from './container-probe';

export interface FreshProbeOptions {
  /** The engine's NetworkMode: `bridge`, `slirp4netns:…`. */
  networkMode: string;
  extraHosts: string[];
  binds?: string[];
  /** `0` for a probe that must act as root (the workspace claim); else the image's user. */
  user?: string;
}

/** Labels a probe container, so one left by a killed worker can be found and removed by hand. */
export const PROBE_LABEL = 'dev.stigmer.probe';
/**
 * Time a probe container may take beyond its dials: created, started, its interpreter booted, reaped.
 * Fresh probe containers run only on engines not on this machine (the route, the workspace claim):
 * a VM's CPUs, shared with whatever else it runs. Under emulation with this machine's two cores busy
 * (npm test's other projects beside the VMs) the route probe took over 30 s. A wedged engine is
 * still caught, later; a working probe returns as soon as it exits.
 */
const CONTAINER_ALLOWANCE_MS = 90_000;

export async function probeInFreshContainer(
  docker: Dockerode,
  image: string,
  options: FreshProbeOptions,
  targets: ProbeTarget[],
  purpose: string,
): Promise<ProbeResult[]> {
  if (targets.length === 0) return [];
  const tried: string[] = [];
  for (let index = interpreterByImage.get(image) ?? 0; index < INTERPRETERS.length; index++) {
    const interpreter = INTERPRETERS[index];
    const output = await runOnce(
      docker,
      image,
      options,
      interpreter.command(JSON.stringify(targets)),
      purpose,
      targets,
    );
    if (output === undefined) {
      tried.push(`${interpreter.name}: not in the image`);
      continue;
    }
    try {
      const parsed = JSON.parse(output.stdout) as ProbeResult[];
      interpreterByImage.set(image, index);
      return parsed;
    } catch {
      throw new Error(
        `the ${interpreter.name} probe in a fresh container of ${image} exited ${output.exitCode}: ${(output.stderr || output.stdout).trim().slice(0, 500)}`,
      );
    }
  }
  throw new Error(`cannot probe from a container of ${image}: ${tried.join('; ')} (the image needs python3 or node)`);
}

/** Runs `argv` once; undefined when its program is not in the image (the engine refuses to start it). */
async function runOnce(
  docker: Dockerode,
  image: string,
  { networkMode, extraHosts, binds = [], user }: FreshProbeOptions,
  argv: string[],
  purpose: string,
  targets: ProbeTarget[],
): Promise<{ exitCode: number; stdout: string; stderr: string } | undefined> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: [argv[0]],
    Cmd: argv.slice(1),
    Labels: { [PROBE_LABEL]: purpose },
    // Nothing of the image's own setup runs with the probe (python3 -I ignores PYTHON*; node's options cleared).
    WorkingDir: '/',
    Env: ['NODE_OPTIONS='],
    ...(user ? { User: user } : {}),
    HostConfig: { NetworkMode: networkMode, ExtraHosts: extraHosts, Binds: binds },
  });
  try {
    try {
      await container.start();
    } catch (error) {
      // Only the interpreter missing (runc: `exec: "python3": executable file not found in $PATH`;
      // crun: ``executable file `python3` not found in $PATH``); any other start failure is the error.
      if (/executable file .*not found|not found in \$?PATH/i.test(String(error))) return undefined;
      throw error;
    }
    const budget = Math.max(...targets.map((target) => target.timeoutMs)) + CONTAINER_ALLOWANCE_MS;
    const { StatusCode } = (await withTimeout(container.wait(), budget, `the ${purpose} probe container to exit`)) as {
      StatusCode: number;
    };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { exitCode: StatusCode, ...demux(logs) };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Docker's multiplexed log stream (8-byte frame headers: stream, 3 zero bytes, big-endian length) as text. */
function demux(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    const frame = buffer.subarray(offset + 8, offset + 8 + length);
    (stream === 2 ? err : out).push(frame);
    offset += 8 + length;
  }
  // A TTY container's logs are not framed at all.
  if (offset === 0 && buffer.length > 0 && buffer[0] > 2) return { stdout: buffer.toString('utf8'), stderr: '' };
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
