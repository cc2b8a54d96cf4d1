/**
 * What kind of Docker engine answers, decided from the engine's own facts (`docker info`,
 * `docker version`, the endpoint we dialled) — never from the CLI's OS alone: Docker Desktop on
 * Linux is a VM too, and a remote engine's containers live on another machine.
 */
import { isLocalHost } from '../address';

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
}

export type EngineKind = 'native-linux' | 'docker-desktop' | 'orbstack' | 'colima' | 'podman' | 'podman-machine';

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
  const os = facts.operatingSystem.toLowerCase();
  const kernel = facts.kernelVersion.toLowerCase();
  const isPodman = facts.componentNames.some((name) => /podman/i.test(name)) || facts.podman !== undefined;
  const rootless =
    facts.securityOptions.some((option) => option.split(',').includes('name=rootless')) ||
    facts.podman?.rootless === true;
  const remote = isRemoteEndpoint(facts.endpoint);
  const version = facts.serverVersion ? ` (engine ${facts.serverVersion})` : '';

  type Traits = Omit<EngineIdentity, 'kind' | 'inVm' | 'rootless' | 'remote' | 'description'>;
  const vmEngine = (alias: string, provides: boolean): Traits => ({
    providesHostAlias: provides,
    hostAlias: alias,
    bridgeNetworkMode: 'bridge',
    bridgeReachesLoopback: true, // the VM forwards the alias to this machine's loopback
    hostNetworkIsThisMachine: false,
    acceptsHostGateway: !isPodman,
  });
  const make = (kind: EngineKind, inVm: boolean, label: string, traits: Traits): EngineIdentity => ({
    kind,
    inVm,
    rootless,
    remote,
    ...traits,
    description: `${label}${version}${rootless ? ', rootless' : ''}${remote ? `, remote at ${facts.endpoint}` : ''}`,
  });

  if (isPodman) {
    // Podman on Linux runs containers natively; on macOS/Windows it runs them in a "podman machine" VM.
    if (facts.clientPlatform !== 'linux' || remote)
      return make('podman-machine', true, 'Podman machine', vmEngine('host.containers.internal', true));
    return make(
      'podman',
      false,
      'Podman',
      rootless
        ? {
            providesHostAlias: false,
            hostAlias: SLIRP_HOST_LOOPBACK,
            bridgeNetworkMode: ROOTLESS_PODMAN_NETWORK,
            bridgeReachesLoopback: true,
            hostNetworkIsThisMachine: true,
            acceptsHostGateway: false,
          }
        : {
            providesHostAlias: true,
            hostAlias: 'host.containers.internal',
            bridgeNetworkMode: 'bridge',
            bridgeReachesLoopback: false,
            hostNetworkIsThisMachine: true,
            acceptsHostGateway: false,
          },
    );
  }
  if (os === 'orbstack') return make('orbstack', true, 'OrbStack', vmEngine('host.docker.internal', true));
  if (os === 'docker desktop' || facts.name === 'docker-desktop' || kernel.includes('linuxkit'))
    return make('docker-desktop', true, 'Docker Desktop', vmEngine('host.docker.internal', true));
  if (facts.name === 'colima' || facts.endpoint.includes('.colima'))
    return make('colima', true, 'Colima', vmEngine('host.docker.internal', false));
  if (kernel.includes('microsoft-standard-wsl2') && facts.clientPlatform === 'win32') {
    // An engine installed inside a WSL2 distribution, driven from Windows: a VM as far as Windows is concerned.
    return make('docker-desktop', true, 'Docker in WSL2', vmEngine('host.docker.internal', true));
  }
  const label = `Docker on ${facts.operatingSystem || 'Linux'}`;
  if (rootless) {
    return make('native-linux', false, label, {
      providesHostAlias: false,
      hostAlias: SLIRP_HOST_LOOPBACK,
      bridgeNetworkMode: 'bridge',
      bridgeReachesLoopback: true,
      hostNetworkIsThisMachine: false,
      acceptsHostGateway: true,
    });
  }
  return make('native-linux', false, label, {
    providesHostAlias: false,
    hostAlias: 'host.docker.internal',
    bridgeNetworkMode: 'bridge',
    bridgeReachesLoopback: false,
    hostNetworkIsThisMachine: !remote,
    acceptsHostGateway: true,
  });
}

function isRemoteEndpoint(endpoint: string): boolean {
  const match = /^(tcp|ssh|https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(endpoint);
  if (!match) return false; // unix sockets and named pipes are on this machine
  return !isLocalHost(match[2].replace(/^\[|\]$/g, ''));
}

/** Facts for a dry-run plan with no engine at hand: macOS and Windows as Docker Desktop, Linux native. */
export function assumedEngineFacts(platform: 'linux' | 'darwin' | 'win32'): EngineFacts {
  if (platform === 'linux') {
    return {
      operatingSystem: 'Linux',
      name: 'localhost',
      kernelVersion: '',
      serverVersion: '',
      securityOptions: [],
      componentNames: ['Engine'],
      endpoint: 'unix:///var/run/docker.sock',
      clientPlatform: platform,
      bridgeGateway: '172.17.0.1',
    };
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
