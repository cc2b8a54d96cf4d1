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
    const network = (await docker.getNetwork('bridge').inspect()) as { IPAM?: { Config?: Array<{ Gateway?: string }> } };
    return network.IPAM?.Config?.find((config) => config.Gateway)?.Gateway;
  } catch {
    return undefined; // Podman and some remote engines name their default network differently
  }
}
