/**
 * Reads the engine's own facts for identifyEngine: `/info`, `/version`, the default bridge network,
 * and on Podman its `/libpod/info` — the compat `/info` of rootless Podman does not say rootless.
 */
import type Dockerode from 'dockerode';
import type { EngineFacts } from '../core/runner/engine';
import type { ThisMachine } from '../core/runner/placement';
import type { DockerEndpoint } from './endpoint';
import { readThisMachine } from './this-machine';

type Json = Record<string, unknown>;

/** The API payloads as the engine returned them; `engineFactsFrom` is pure so recorded ones test it. */
export interface EnginePayloads {
  info: Json;
  version: Json;
  libpodInfo?: Json;
  bridgeNetwork?: Json;
}

export async function readEngineFacts(
  docker: Dockerode,
  endpoint: DockerEndpoint,
  clientPlatform: string = process.platform,
): Promise<EngineFacts> {
  const [info, version, bridgeNetwork] = await Promise.all([
    docker.info() as Promise<Json>,
    docker.version() as unknown as Promise<Json>,
    (docker.getNetwork('bridge').inspect() as unknown as Promise<Json>).catch(() => undefined), // some remote engines name it differently
  ]);
  const podman = ((version.Components ?? []) as Array<{ Name?: string }>).some((component) =>
    /podman/i.test(String(component.Name)),
  );
  // Podman 4.3 serves its own API only under a version prefix (`/libpod/info` is a 404).
  const libpodInfo = podman
    ? ((await libpod(docker, `/v${String(version.Version ?? '4.0.0')}/libpod/info`)) ??
      (await libpod(docker, '/v4.0.0/libpod/info')))
    : undefined;
  const payloads = { info, version, libpodInfo, bridgeNetwork };
  return engineFactsFrom(payloads, endpoint.url, clientPlatform, readThisMachine(clientPlatform));
}

/** The engine's facts from its payloads, and (when measured) the machine the client runs on. */
export function engineFactsFrom(
  payloads: EnginePayloads,
  endpoint: string,
  clientPlatform: string,
  thisMachine?: ThisMachine,
): EngineFacts {
  const { info, version, libpodInfo, bridgeNetwork } = payloads;
  const host = libpodInfo?.host as { security?: { rootless?: unknown }; networkBackend?: unknown } | undefined;
  const bridgeGateway = gatewayOf(bridgeNetwork);
  return {
    operatingSystem: String(info.OperatingSystem ?? ''),
    name: String(info.Name ?? ''),
    kernelVersion: String(info.KernelVersion ?? ''),
    serverVersion: String(info.ServerVersion ?? version.Version ?? ''),
    securityOptions: Array.isArray(info.SecurityOptions) ? info.SecurityOptions.map(String) : [],
    componentNames: ((version.Components ?? []) as Array<{ Name?: string }>).map((component) => String(component.Name)),
    endpoint,
    clientPlatform,
    ...(bridgeGateway ? { bridgeGateway } : {}),
    ...placementFacts(info),
    ...(thisMachine ? { thisMachine } : {}),
    ...(host
      ? { podman: { rootless: host.security?.rootless === true, networkBackend: String(host.networkBackend ?? '') } }
      : {}),
  };
}

/** info.NCPU, MemTotal and ID, each only when the engine reported it. */
function placementFacts(info: Json): Pick<EngineFacts, 'ncpu' | 'memTotal' | 'id'> {
  const count = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
  const [ncpu, memTotal] = [count(info.NCPU), count(info.MemTotal)];
  const id = typeof info.ID === 'string' && info.ID ? info.ID : undefined;
  return { ...(ncpu ? { ncpu } : {}), ...(memTotal ? { memTotal } : {}), ...(id ? { id } : {}) };
}

/** A GET on Podman's own API through the same connection dockerode uses. */
function libpod(docker: Dockerode, path: string): Promise<Json | undefined> {
  return new Promise((resolve) => {
    docker.modem.dial(
      { path, method: 'GET', statusCodes: { 200: true }, options: {} },
      (error: unknown, data: unknown) => resolve(error ? undefined : (data as Json)),
    );
  });
}

/** The gateway a bridged container's traffic lands on; a daemon that picked the subnet itself may list none. */
function gatewayOf(network: Json | undefined): string | undefined {
  const configs =
    (network?.IPAM as { Config?: Array<{ Gateway?: string; Subnet?: string }> } | undefined)?.Config ?? [];
  return (
    configs.find((config) => config.Gateway)?.Gateway ??
    configs.map((config) => firstHostOf(config.Subnet)).find(Boolean)
  );
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

/** The subnets of the engine's bridge network (IPv4 and IPv6), from its inspect. */
function subnetsOf(network: Json | undefined): string[] {
  const configs = (network?.IPAM as { Config?: Array<{ Subnet?: string }> } | undefined)?.Config ?? [];
  return configs.flatMap((config) => (config.Subnet ? [config.Subnet] : []));
}

/** The bridge network's subnets as the engine reports them; none when it has no `bridge` network. */
export async function readBridgeSubnets(docker: Dockerode): Promise<string[]> {
  const network = await (docker.getNetwork('bridge').inspect() as unknown as Promise<Json>).catch(() => undefined);
  return subnetsOf(network);
}
