/**
 * Runs the probe inside the runner container (so it sees exactly the container's network, DNS and
 * /etc/hosts) with whichever interpreter the image has: python3 first — Stigmer's runner is a Python
 * image — then node. One engine runs as many probes at once as this machine has cores: fifty
 * interpreters started together on two cores each missed their deadline (bench P4: 142 retries).
 */
import { availableParallelism } from 'node:os';
import type Dockerode from 'dockerode';
import { createLimiter, type Limiter } from '../core/concurrency';
import type { ProbeResult, ProbeTarget } from '../core/health/diagnosis';
import { execInContainer } from '../docker/exec';
import { nodeProbeProgram } from './node-probe';
import { PYTHON_PROBE_PROGRAM } from './python-probe';

/** The probe programs by interpreter, python3 first; `command` is the argv that runs one on `targets` (JSON). */
export const INTERPRETERS = [
  // -I: isolated — no PYTHON* env, no user site: a probe run as root must not import the image's code.
  { name: 'python3', command: (targets: string) => ['python3', '-I', '-c', PYTHON_PROBE_PROGRAM, targets] },
  { name: 'node', command: (targets: string) => ['node', '-e', nodeProbeProgram(), targets] },
];

/**
 * Time an exec may take beyond the probe's own dial timeouts: the engine starting a process and the
 * interpreter booting. Only a wedged exec uses it up; fifty containers starting at once on two cores
 * made a node start take over 5 s (bench P4).
 */
const INTERPRETER_START_ALLOWANCE_MS = 15_000;
/**
 * On an engine in a VM the exec waits behind the runner's own boot on the VM's CPUs: over 17 s
 * measured for the Python probe under emulation (vm-desktop, QEMU TCG). A wedged exec is still
 * caught, later; a working one returns as soon as it is done.
 */
const IN_VM_START_ALLOWANCE_MS = 60_000;

export interface ContainerProbeOptions {
  /** The engine runs in a VM (its measured placement): execs get the VM's allowance. */
  inVm?: boolean;
}

/** Which interpreter worked for an image, so later probes (of any of its containers) skip the ones it lacks. */
export const interpreterByImage = new Map<string, number>();

/** Probe slots per engine (its API client), so one busy engine does not hold back another. */
const slotsByEngine = new WeakMap<object, Limiter>();
function probeSlots(container: Dockerode.Container): Limiter {
  let slots = slotsByEngine.get(container.modem);
  if (!slots) slotsByEngine.set(container.modem, (slots = createLimiter(availableParallelism())));
  return slots;
}

export async function probeFromContainer(
  container: Dockerode.Container,
  image: string,
  targets: ProbeTarget[],
  options: ContainerProbeOptions = {},
): Promise<ProbeResult[]> {
  if (targets.length === 0) return [];
  const allowanceMs = options.inVm ? IN_VM_START_ALLOWANCE_MS : INTERPRETER_START_ALLOWANCE_MS;
  // The probe's budget starts when it gets its slot.
  return probeSlots(container).run(() => probeWithInterpreter(container, image, targets, allowanceMs));
}

async function probeWithInterpreter(
  container: Dockerode.Container,
  image: string,
  targets: ProbeTarget[],
  allowanceMs: number,
): Promise<ProbeResult[]> {
  const budgetMs = Math.max(...targets.map((target) => target.timeoutMs)) + allowanceMs;
  const tried: string[] = [];
  for (let index = interpreterByImage.get(image) ?? 0; index < INTERPRETERS.length; index++) {
    const interpreter = INTERPRETERS[index];
    const result = await execInContainer(container, interpreter.command(JSON.stringify(targets)), budgetMs);
    // An exec the engine cannot start ends 127 (not found) or 126 (not executable, and Docker's code
    // for any failed start), as in a shell; neither probe program exits so itself: the code suffices.
    if (result.exitCode === 126 || result.exitCode === 127) {
      tried.push(`${interpreter.name}: not in the image (exec exited ${result.exitCode})`);
      continue;
    }
    try {
      const parsed = JSON.parse(result.stdout) as ProbeResult[];
      interpreterByImage.set(image, index);
      return parsed;
    } catch {
      throw new Error(
        `the ${interpreter.name} probe in container ${container.id.slice(0, 12)} exited ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 500)}`,
      );
    }
  }
  throw new Error(
    `cannot probe from inside container ${container.id.slice(0, 12)}: ${tried.join('; ')} (the image needs python3 or node)`,
  );
}
