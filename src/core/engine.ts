/**
 * What kind of Docker engine answers, decided from the engine's own facts (`docker info`,
 * `docker version`, the endpoint we dialled) — never from the CLI's OS alone: Docker Desktop on
 * Linux is a VM too, and a remote engine's containers live on another machine.
 */
import { isLocalHost } from './address';

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
  /** Gateway of the engine's default bridge network (docker0), when it has one. */
  bridgeGateway?: string;
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
  /** The name containers use for this machine in bridge mode. */
  hostAlias: string;
  /** Human summary: `Docker Desktop 4.x (engine 27.1.1)`. */
  description: string;
}

export function identifyEngine(facts: EngineFacts): EngineIdentity {
  const os = facts.operatingSystem.toLowerCase();
  const kernel = facts.kernelVersion.toLowerCase();
  const rootless = facts.securityOptions.some((option) => option.split(',').includes('name=rootless'));
  const remote = isRemoteEndpoint(facts.endpoint);
  const isPodman = facts.componentNames.some((name) => /podman/i.test(name));
  const version = facts.serverVersion ? ` (engine ${facts.serverVersion})` : '';

  const make = (kind: EngineKind, inVm: boolean, providesHostAlias: boolean, label: string): EngineIdentity => ({
    kind,
    inVm,
    rootless,
    remote,
    providesHostAlias,
    hostAlias: isPodman ? 'host.containers.internal' : 'host.docker.internal',
    description: `${label}${version}${rootless ? ', rootless' : ''}${remote ? `, remote at ${facts.endpoint}` : ''}`,
  });

  if (isPodman) {
    // Podman on Linux runs containers natively; on macOS/Windows it runs them in a "podman machine" VM.
    return facts.clientPlatform === 'linux' && !remote
      ? make('podman', false, true, 'Podman')
      : make('podman-machine', true, true, 'Podman machine');
  }
  if (os === 'orbstack') return make('orbstack', true, true, 'OrbStack');
  if (os === 'docker desktop' || facts.name === 'docker-desktop' || kernel.includes('linuxkit')) {
    return make('docker-desktop', true, true, 'Docker Desktop');
  }
  if (facts.name === 'colima' || facts.endpoint.includes('.colima')) return make('colima', true, false, 'Colima');
  if (kernel.includes('microsoft-standard-wsl2') && facts.clientPlatform === 'win32') {
    // An engine installed inside a WSL2 distribution, driven from Windows: a VM as far as Windows is concerned.
    return make('docker-desktop', true, true, 'Docker in WSL2');
  }
  return make('native-linux', false, false, `Docker on ${facts.operatingSystem || 'Linux'}`);
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
