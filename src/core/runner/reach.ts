/**
 * The route from a container to this machine, measured rather than assumed where the engine is not
 * on this machine. A VM product names this machine its own way — Docker Desktop `host.docker.internal`,
 * Lima `host.lima.internal` (192.168.5.2), QEMU/slirp 10.0.2.2, a dockerd started with
 * `--host-gateway-ip` maps `host-gateway` to it — and a plain VM's `host-gateway` is only its own
 * docker0. So the candidates are tried from a probe container on the engine, in order, and the first
 * that reaches the most of the runner's services on this machine is kept, with the trials as its why.
 */
import type { EngineFacts, EngineIdentity } from './engine';

/** A way a container may name this machine: an address, or a name (mapped with --add-host when `target` is set). */
export interface RouteCandidate {
  alias: string;
  /** `--add-host alias:target` for a name the engine does not define itself (`host-gateway`). */
  target?: string;
  /** Who offers this route, for the reader: `Docker Desktop, Colima (host-gateway)`, `QEMU/slirp`, … */
  offeredBy: string;
}

/** What one candidate reached from the probe container (services by name: temporal, backend, ollama). */
export interface RouteTrial extends RouteCandidate {
  reached: string[];
  /** The services it did not reach, with the errno-style code the dial failed with. */
  failed: Array<{ service: string; code: string }>;
}

/** The measured route: the trials in the order tried, and the one kept (none when nothing answered). */
export interface MeasuredRoute {
  trials: RouteTrial[];
  chosen: RouteTrial | null;
  /** The image the probe container ran. */
  image: string;
}

/**
 * The routes a container on this engine may have to this machine, the engine's own first, each once.
 * Names are tried as the container resolves them; `host-gateway` only where Docker maps it.
 */
export function routeCandidates(engine: EngineIdentity, facts: Pick<EngineFacts, 'bridgeGateway'>): RouteCandidate[] {
  const own: RouteCandidate = {
    alias: engine.hostAlias,
    ...(!engine.providesHostAlias && engine.acceptsHostGateway && !isAddress(engine.hostAlias)
      ? { target: 'host-gateway' }
      : {}),
    offeredBy: `${engine.description} (its own alias)`,
  };
  const offered: RouteCandidate[] = [
    own,
    ...(engine.acceptsHostGateway
      ? [{ alias: 'host.docker.internal', target: 'host-gateway', offeredBy: 'Docker’s host-gateway' }]
      : []),
    { alias: 'host.docker.internal', offeredBy: 'Docker Desktop, OrbStack (defined by the engine)' },
    { alias: 'host.containers.internal', offeredBy: 'Podman (defined by the engine)' },
    { alias: '10.0.2.2', offeredBy: 'QEMU/slirp user networking (podman machine, a plain QEMU VM)' },
    { alias: 'host.lima.internal', offeredBy: 'Lima, Rancher Desktop (defined by the engine)' },
    { alias: '192.168.5.2', offeredBy: 'Lima’s user-mode network, Colima' },
    ...(facts.bridgeGateway ? [{ alias: facts.bridgeGateway, offeredBy: 'the gateway of the engine’s bridge' }] : []),
  ];
  const seen = new Set<string>();
  return offered.filter((candidate) => {
    const key = `${candidate.alias}>${candidate.target ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The name the probe container dials for a candidate. A mapped candidate gets a name of its own in the
 * probe's /etc/hosts, so mapping host.docker.internal to host-gateway there cannot shadow the engine's
 * own host.docker.internal, tried as another candidate in the same container.
 */
export function probeHost(candidate: RouteCandidate, index: number): string {
  return candidate.target ? `stigmer-route-${index}` : candidate.alias;
}

/** The probe container's /etc/hosts entries: one per mapped candidate, under its probe name. */
export function probeExtraHosts(candidates: RouteCandidate[]): string[] {
  return candidates.flatMap((candidate, index) =>
    candidate.target ? [`${probeHost(candidate, index)}:${candidate.target}`] : [],
  );
}

/** The first candidate, in order, that reaches the most services; none when no candidate reaches any. */
export function chooseRoute(trials: RouteTrial[]): RouteTrial | null {
  let best: RouteTrial | null = null;
  for (const trial of trials) if (trial.reached.length > (best?.reached.length ?? 0)) best = trial;
  return best;
}

/**
 * A route a past provision recorded (read back from Temporal), as the candidate this engine offers now
 * with the same name and mapping — or none. Only that choice is taken from the history, never its
 * trials, counts or an address the engine does not offer: it serves to recognise the container that
 * provision made (the spec holds the alias and its mapping), not to say what was measured.
 */
export function recordedRoute(route: unknown, candidates: RouteCandidate[]): MeasuredRoute | undefined {
  const chosen = (route as { chosen?: unknown } | undefined)?.chosen as Partial<RouteCandidate> | null | undefined;
  if (!chosen || typeof chosen !== 'object') return undefined;
  const offered = candidates.find(
    (candidate) => candidate.alias === chosen.alias && candidate.target === chosen.target,
  );
  if (!offered) return undefined;
  const kept: RouteTrial = { ...offered, reached: [], failed: [] };
  return { trials: [kept], chosen: kept, image: '' };
}

/** `host.docker.internal (host-gateway): temporal, backend; 10.0.2.2: ECONNREFUSED` — what each candidate did. */
export function describeTrials(trials: RouteTrial[]): string {
  return trials
    .map((trial) => {
      const name = trial.target ? `${trial.alias} (${trial.target})` : trial.alias;
      const reached = trial.reached.length > 0 ? `reached ${trial.reached.join(', ')}` : '';
      const failed = [...new Set(trial.failed.map((entry) => entry.code))].join('/');
      return `${name}: ${[reached, failed && `${trial.reached.length > 0 ? 'else ' : ''}${failed}`].filter(Boolean).join(', ')}`;
    })
    .join('; ');
}

/** The fix when no route answers: the setting that names one. */
export function noRouteFix(engine: EngineIdentity): string {
  return `set STIGMER_RUNNER_HOST_ALIAS to the address at which a container on ${engine.description} reaches this machine (e.g. 192.168.5.2 on Lima, 10.0.2.2 under QEMU/slirp, or start the VM's dockerd with --host-gateway-ip set to this machine)`;
}

function isAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}
