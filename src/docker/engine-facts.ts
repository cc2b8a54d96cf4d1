/** Reads the engine's own facts (`docker info`, `docker version`, the default bridge) for identifyEngine. */
import type Dockerode from 'dockerode';
import type { EngineFacts } from '../core/engine';
import type { DockerEndpoint } from './client';

export async function readEngineFacts(docker: Dockerode, endpoint: DockerEndpoint, clientPlatform: string = process.platform): Promise<EngineFacts> {
  const [info, version, bridgeGateway] = await Promise.all([docker.info(), docker.version(), defaultBridgeGateway(docker)]);
  return {
    operatingSystem: String(info.OperatingSystem ?? ''),
    name: String(info.Name ?? ''),
    kernelVersion: String(info.KernelVersion ?? ''),
    serverVersion: String(info.ServerVersion ?? version.Version ?? ''),
    securityOptions: Array.isArray(info.SecurityOptions) ? info.SecurityOptions.map(String) : [],
    componentNames: (version.Components ?? []).map((component) => String(component.Name)),
    endpoint: endpoint.url,
    clientPlatform,
    ...(bridgeGateway ? { bridgeGateway } : {}),
  };
}

/** docker0's address: where a bridged container's host-gateway traffic lands on a native engine. */
async function defaultBridgeGateway(docker: Dockerode): Promise<string | undefined> {
  try {
    const network = (await docker.getNetwork('bridge').inspect()) as { IPAM?: { Config?: Array<{ Gateway?: string; Subnet?: string }> } };
    const configs = network.IPAM?.Config ?? [];
    // A daemon that picked the subnet itself may list no Gateway: docker0 then has the subnet's first address.
    return configs.find((config) => config.Gateway)?.Gateway ?? configs.map((config) => firstHostOf(config.Subnet)).find(Boolean);
  } catch {
    return undefined; // Podman and some remote engines name their default network differently
  }
}

/** `172.17.0.0/16` → `172.17.0.1`; undefined for anything but an IPv4 subnet. */
export function firstHostOf(subnet: string | undefined): string | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(subnet ?? '');
  if (!match) return undefined;
  const prefix = Number(match[5]);
  const base = match.slice(1, 5).reduce((value, octet) => value * 256 + Number(octet), 0);
  const network = prefix === 0 ? 0 : base - (base % 2 ** (32 - prefix));
  const first = network + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join('.');
}
