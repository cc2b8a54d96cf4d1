/**
 * What kind of Docker engine answers, decided from the engine's own facts (`docker info`,
 * `docker version`, the endpoint we dialled) — never from the CLI's OS alone: Docker Desktop on
 * Linux is a VM too, and a remote engine's containers live on another machine.
 */
import { placeEngine, type EnginePlacement, type ThisMachine } from './placement';

/** The raw facts the docker edge reads; plain data so the workflow can carry them. */
export interface EngineFacts {
  /** info.OperatingSystem, e.g. `Debian GNU/Linux 12 (bookworm)`, `Docker Desktop`, `OrbStack`. */
  operatingSystem: string;
  /** info.Name, e.g. `docker-desktop`, `colima`, a host name. */
  name: string;
  kernelVersion: string;
  serverVersion: string;
  /** info.SecurityOptions, e.g. `name=seccomp,profile=default`, `name=rootless`. */
  securityOptions: string[];
  /** version.Components[].Name, e.g. `Engine`, `Podman Engine`. */
  componentNames: string[];
  /** The endpoint dialled: `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2376`, `ssh://…`, `npipe://…`. */
  endpoint: string;
  /** process.platform of the machine the CLI and worker run on. */
  clientPlatform: string;
  /** Gateway of the engine's default bridge network (docker0, Podman's cni-podman0), when it lists one. */
  bridgeGateway?: string;
  /** From Podman's own `/libpod/info` (its Docker-compatible `/info` does not say it is rootless). */
  podman?: { rootless: boolean; networkBackend: string };
  /** info.NCPU, info.MemTotal (bytes), info.ID: absent in payloads recorded before placement read them. */
  ncpu?: number;
  memTotal?: number;
  id?: string;
  /** The machine the CLI and worker run on, measured beside the engine: what placement compares with. */
  thisMachine?: ThisMachine;
}

export type EngineKind =
  'native-linux' | 'docker-desktop' | 'orbstack' | 'colima' | 'lima' | 'linux-vm' | 'podman' | 'podman-machine';

export interface EngineIdentity {
  kind: EngineKind;
  /** Containers run inside a VM, so the host's loopback is not theirs even with host networking. */
  inVm: boolean;
  rootless: boolean;
  /** The engine is on another machine: nothing on this machine's loopback is reachable from it. */
  remote: boolean;
  /** The engine itself puts host.docker.internal (or host.containers.internal) into containers. */
  providesHostAlias: boolean;
  /** The name (or address) containers use for this machine in bridge mode. */
  hostAlias: string;
  /** What `NetworkMode` a bridged runner gets: `bridge`, or for rootless Podman slirp4netns with host loopback. */
  bridgeNetworkMode: string;
  /** A bridged container reaches services bound to this machine's 127.0.0.1 (a VM or slirp forwards it). */
  bridgeReachesLoopback: boolean;
  /** Host networking shares this machine's network (false for a VM's, and for RootlessKit's namespace). */
  hostNetworkIsThisMachine: boolean;
  /** Docker's `host-gateway` works in --add-host (Podman writes it literally: it resolves to nothing). */
  acceptsHostGateway: boolean;
  /** Human summary: `Docker Desktop 4.x (engine 27.1.1)`. */
  description: string;
  /** Where the engine runs and the facts that say so (absent in plans recorded before placement existed). */
  placement?: EnginePlacement;
}

/**
 * Rootless engines, measured on Debian 12 (REFERENCE.md, test/fixtures/engines): RootlessKit's
 * `host-gateway` (172.17.0.1) is a bridge inside its own namespace and reaches nothing here, while
 * slirp4netns's 10.0.2.2 is this machine's loopback (when RootlessKit allows it). Rootless Podman
 * behind the compat API defaults to a private bridge that reaches nothing; slirp4netns with
 * `allow_host_loopback=true` gives it the same 10.0.2.2.
 */
export const SLIRP_HOST_LOOPBACK = '10.0.2.2';
const ROOTLESS_PODMAN_NETWORK = 'slirp4netns:allow_host_loopback=true';

export function identifyEngine(facts: EngineFacts): EngineIdentity {
  const signs = signsOf(facts);
  // Podman first: behind its Docker-compatible API it looks like a Docker engine, and only its
  // component names (or libpod's info) tell it apart. Names then say which VM product an engine
  // that is not on this machine runs in; they never say whether it is on this machine.
  return describe(signs, podman(signs) ?? dockerInVm(signs) ?? nativeDocker(signs));
}

/** What the facts give away before the kind is known, each read once. */
interface EngineSigns {
  facts: EngineFacts;
  os: string;
  kernel: string;
  name: string;
  isPodman: boolean;
  rootless: boolean;
  remote: boolean;
  placement: EnginePlacement;
}

/** What follows from the engine's kind: everything but the facts every engine shares (rootless, remote). */
type Traits = Omit<EngineIdentity, 'kind' | 'inVm' | 'rootless' | 'remote' | 'description' | 'placement'>;

/** An engine recognised: its kind, the name it is shown by, and its traits. */
interface Recognised {
  kind: EngineKind;
  inVm: boolean;
  label: string;
  traits: Traits;
}

function signsOf(facts: EngineFacts): EngineSigns {
  const placement = placeEngine(facts);
  return {
    facts,
    os: facts.operatingSystem.toLowerCase(),
    kernel: facts.kernelVersion.toLowerCase(),
    name: facts.name.toLowerCase(),
    isPodman: facts.componentNames.some((name) => /podman/i.test(name)) || facts.podman !== undefined,
    rootless:
      facts.securityOptions.some((option) => option.split(',').includes('name=rootless')) ||
      facts.podman?.rootless === true,
    remote: placement.placement === 'remote',
    placement,
  };
}

function describe(signs: EngineSigns, { kind, inVm, label, traits }: Recognised): EngineIdentity {
  const { facts, rootless, remote, placement } = signs;
  const version = facts.serverVersion ? ` (engine ${facts.serverVersion})` : '';
  return {
    kind,
    inVm,
    rootless,
    remote,
    ...traits,
    description: `${label}${version}${rootless ? ', rootless' : ''}${remote ? `, remote at ${facts.endpoint}` : ''}`,
    placement,
  };
}

/** A VM forwards the alias to this machine's loopback; its host network is the VM's. */
function vmTraits(hostAlias: string, providesHostAlias: boolean, acceptsHostGateway: boolean): Traits {
  return {
    providesHostAlias,
    hostAlias,
    bridgeNetworkMode: 'bridge',
    bridgeReachesLoopback: true,
    hostNetworkIsThisMachine: false,
    acceptsHostGateway,
  };
}

/** Podman runs containers natively only on this machine; elsewhere in a "podman machine" VM (or remotely). */
function podman({ isPodman, rootless, placement }: EngineSigns): Recognised | undefined {
  if (!isPodman) return undefined;
  if (placement.placement !== 'this-machine')
    return {
      kind: 'podman-machine',
      inVm: true,
      label: 'Podman machine',
      traits: vmTraits('host.containers.internal', true, false),
    };
  return { kind: 'podman', inVm: false, label: 'Podman', traits: rootless ? ROOTLESS_PODMAN : ROOTFUL_PODMAN };
}

/** A VM product, by what gives it away: which one it is, the alias it defines, how it names this machine. */
interface VmProduct {
  kind: EngineKind;
  label: string;
  /** The name containers dial for this machine. */
  hostAlias: string;
  /** The VM puts the alias into containers itself (Colima does not: it needs --add-host). */
  providesHostAlias: boolean;
  matches: (signs: EngineSigns) => boolean;
}

/** Docker engines in a VM product, by name hints; the first that matches names it. Consulted only off this machine. */
const DOCKER_VMS: readonly VmProduct[] = [
  {
    kind: 'orbstack',
    label: 'OrbStack',
    hostAlias: 'host.docker.internal',
    providesHostAlias: true,
    matches: ({ os, name }) => os === 'orbstack' || name === 'orbstack',
  },
  {
    kind: 'docker-desktop',
    label: 'Docker Desktop',
    hostAlias: 'host.docker.internal',
    providesHostAlias: true,
    matches: ({ os, name, kernel }) =>
      os === 'docker desktop' || name === 'docker-desktop' || kernel.includes('linuxkit'),
  },
  {
    // Rancher Desktop runs dockerd in a Lima VM named `rancher-desktop` (host name `lima-rancher-desktop`).
    kind: 'lima',
    label: 'Rancher Desktop (Lima VM)',
    hostAlias: 'host.lima.internal',
    providesHostAlias: true,
    matches: ({ name, facts }) => name === 'lima-rancher-desktop' || facts.endpoint.includes('/.rd/'),
  },
  {
    kind: 'colima',
    label: 'Colima',
    hostAlias: 'host.docker.internal',
    providesHostAlias: false,
    matches: ({ name, facts }) => name === 'colima' || name.startsWith('colima-') || facts.endpoint.includes('.colima'),
  },
  {
    // A Lima instance (e.g. the docker template): the VM's host name is `lima-<instance>`.
    kind: 'lima',
    label: 'Lima VM',
    hostAlias: 'host.lima.internal',
    providesHostAlias: true,
    matches: ({ name, facts }) => name.startsWith('lima-') || facts.endpoint.includes('/.lima/'),
  },
  {
    // An engine installed inside a WSL2 distribution, driven from Windows: a VM as far as Windows is concerned.
    kind: 'docker-desktop',
    label: 'Docker in WSL2',
    hostAlias: 'host.docker.internal',
    providesHostAlias: true,
    matches: ({ kernel, facts }) => kernel.includes('microsoft-standard-wsl2') && facts.clientPlatform === 'win32',
  },
];

/**
 * An engine not on this machine: a known VM product by its hints, else a Linux VM of unknown make
 * (bridged; `host-gateway` maps host.docker.internal, which on a plain VM is the VM's own docker0 —
 * the plan warns), else, when remote, Docker on that machine.
 */
function dockerInVm(signs: EngineSigns): Recognised | undefined {
  if (signs.placement.placement === 'this-machine') return undefined;
  const vm = DOCKER_VMS.find((entry) => entry.matches(signs));
  if (vm)
    return {
      kind: vm.kind,
      inVm: true,
      label: vm.label,
      traits: vmTraits(vm.hostAlias, vm.providesHostAlias, true),
    };
  if (signs.placement.placement === 'remote') return undefined;
  const label = `Docker in a Linux VM (${signs.facts.name || 'unnamed'})`;
  return { kind: 'linux-vm', inVm: true, label, traits: vmTraits('host.docker.internal', false, true) };
}

/** Whatever else answers is Docker running containers natively (on this machine, or on another one). */
function nativeDocker({ facts, rootless, remote }: EngineSigns): Recognised {
  const traits = rootless ? ROOTLESS_DOCKER : { ...ROOTFUL_DOCKER, hostNetworkIsThisMachine: !remote };
  return { kind: 'native-linux', inVm: false, label: `Docker on ${facts.operatingSystem || 'Linux'}`, traits };
}

/** Rootless Podman behind the compat API: slirp4netns with host loopback (see SLIRP_HOST_LOOPBACK). */
const ROOTLESS_PODMAN: Traits = {
  providesHostAlias: false,
  hostAlias: SLIRP_HOST_LOOPBACK,
  bridgeNetworkMode: ROOTLESS_PODMAN_NETWORK,
  bridgeReachesLoopback: true,
  hostNetworkIsThisMachine: true,
  acceptsHostGateway: false,
};
/** Rootful Podman names this machine itself, but its bridge reaches only addresses bound on the gateway. */
const ROOTFUL_PODMAN: Traits = {
  providesHostAlias: true,
  hostAlias: 'host.containers.internal',
  bridgeNetworkMode: 'bridge',
  bridgeReachesLoopback: false,
  hostNetworkIsThisMachine: true,
  acceptsHostGateway: false,
};
/** Rootless Docker: slirp4netns reaches this machine's loopback, host networking is RootlessKit's namespace. */
const ROOTLESS_DOCKER: Traits = {
  providesHostAlias: false,
  hostAlias: SLIRP_HOST_LOOPBACK,
  bridgeNetworkMode: 'bridge',
  bridgeReachesLoopback: true,
  hostNetworkIsThisMachine: false,
  acceptsHostGateway: true,
};
/** Rootful Docker on Linux: host networking is this machine's unless the engine is remote (set by nativeDocker). */
const ROOTFUL_DOCKER: Traits = {
  providesHostAlias: false,
  hostAlias: 'host.docker.internal',
  bridgeNetworkMode: 'bridge',
  bridgeReachesLoopback: false,
  hostNetworkIsThisMachine: true,
  acceptsHostGateway: true,
};

/**
 * A Linux engine whose own facts are this machine's: what a native engine reports. Used for the
 * dry-run's assumption, and by tests that mean "an engine on this machine".
 */
export function onThisMachine(facts: EngineFacts): EngineFacts {
  const ncpu = facts.ncpu ?? 1;
  const memTotal = facts.memTotal ?? 1;
  const kernelVersion = facts.kernelVersion || 'assumed';
  const thisMachine = {
    platform: facts.clientPlatform,
    hostName: facts.name,
    kernelRelease: kernelVersion,
    cpus: ncpu,
    memTotal,
  };
  return { ...facts, kernelVersion, ncpu, memTotal, thisMachine };
}

/** Facts for a dry-run plan with no engine at hand: macOS and Windows as Docker Desktop, Linux native. */
export function assumedEngineFacts(platform: 'linux' | 'darwin' | 'win32'): EngineFacts {
  if (platform === 'linux') {
    return onThisMachine({
      operatingSystem: 'Linux',
      name: 'localhost',
      kernelVersion: '',
      serverVersion: '',
      securityOptions: [],
      componentNames: ['Engine'],
      endpoint: 'unix:///var/run/docker.sock',
      clientPlatform: platform,
      bridgeGateway: '172.17.0.1',
    });
  }
  return {
    operatingSystem: 'Docker Desktop',
    name: 'docker-desktop',
    kernelVersion: platform === 'win32' ? 'microsoft-standard-WSL2' : 'linuxkit',
    serverVersion: '',
    securityOptions: [],
    componentNames: ['Engine'],
    endpoint: platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock',
    clientPlatform: platform,
  };
}
