/**
 * How the runner container reaches this machine's services, decided from the engine's identity and
 * the configured addresses. Every choice carries its reason, so the plan can be shown and trusted.
 */
import { classifyHost, parseAddress, rewriteLocalHost, type AddressRewrite } from '../address';
import type { RunnerConfig } from '../settings/types';
import { identifyEngine, SLIRP_HOST_LOOPBACK, type EngineFacts, type EngineIdentity } from './engine';
import {
  chooseRelease,
  RUNNER_RELEASES,
  runnerTemporalBlockers,
  type ImageFacts,
  type RunnerReleaseId,
} from './releases';

export type NetworkMode = 'host' | 'bridge';
export type ServiceName = 'temporal' | 'backend' | 'ollama';

export interface PlannedService {
  service: ServiceName;
  /** As configured, for dialling from this machine. */
  hostAddress: string;
  /** As the container receives it. */
  container: AddressRewrite;
}

/** The runner release this plan is for, and what follows from its contract. */
export interface RunnerPlan {
  contract: RunnerReleaseId;
  /** Why this contract (setting, image label, what the image runs, or assumed). */
  contractReason: string;
  /** The queue readiness waits on. */
  taskQueue: string;
  /** The user the runner runs as: the image's `Config.User`, else the contract's. */
  user: string;
}

export interface NetworkPlan {
  runner: RunnerPlan;
  mode: NetworkMode;
  /** The engine's `NetworkMode` for the container: `host`, `bridge`, or `slirp4netns:allow_host_loopback=true`. */
  networkMode: string;
  engine: EngineIdentity;
  /** `name:address` entries for the container's /etc/hosts (`--add-host`). */
  extraHosts: string[];
  /** The name (or address) the container dials for this machine in bridge mode; null in host mode. */
  hostAlias: string | null;
  /**
   * Where a bridged container's traffic to this machine lands when that is a host interface (docker0,
   * Podman's cni-podman0): services must listen there, and the diagnosis dials it. Null when the route
   * reaches loopback (VM engines, slirp4netns) or is not this machine's.
   */
  bridgeGateway: string | null;
  services: PlannedService[];
  reasons: string[];
  /** Things that may fail and how to avoid them; the plan still runs. */
  warnings: string[];
  /** Things that cannot work as configured; provisioning must not start. */
  blockers: string[];
}

const OLLAMA_BIND_FIX = 'set OLLAMA_HOST=0.0.0.0:11434 (or the bridge gateway address) and restart Ollama';
export const ROOTLESSKIT_LOOPBACK_FIX =
  'start dockerd-rootless with DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS=--disable-host-loopback=false';

export function planNetworking(config: RunnerConfig, facts: EngineFacts, image?: ImageFacts): NetworkPlan {
  const engine = identifyEngine(facts);
  const reasons: string[] = [];
  const warnings: string[] = [];
  const blockers: string[] = [];
  const decision = chooseRelease(config.runner.contract, image);
  const contract = RUNNER_RELEASES[decision.id];
  blockers.push(...runnerTemporalBlockers(config.temporal, contract));
  if (decision.warning) warnings.push(decision.warning);
  const runner: RunnerPlan = {
    contract: contract.id,
    contractReason: decision.reason,
    taskQueue: contract.taskQueue,
    user: image?.present ? image.user || '0' : contract.defaultUser,
  };

  const mode = chooseMode(config, engine, reasons);
  if (mode === 'host' && !engine.hostNetworkIsThisMachine) {
    const whose = engine.inVm ? 'VM' : engine.rootless ? 'RootlessKit' : 'remote engine';
    warnings.push(
      `host networking on ${engine.description} joins the ${whose} network, not this machine's: localhost in the container will not reach services on this machine (use --network bridge)`,
    );
  }

  const hostAlias = mode === 'bridge' ? (config.runner.hostAlias?.value ?? engine.hostAlias) : null;
  const aliasSource = config.runner.hostAlias ? config.runner.hostAlias.source : `${engine.description}'s route`;
  const bridgeGateway =
    mode === 'bridge' && !engine.bridgeReachesLoopback && !engine.remote && !engine.inVm
      ? (facts.bridgeGateway ?? null)
      : null;
  const extraHosts: string[] = [];
  if (hostAlias !== null) {
    const aliasClass = classifyHost(hostAlias);
    if (aliasClass !== 'other') {
      warnings.push(
        `host alias "${hostAlias}" (${config.runner.hostAlias?.source}) is the container's own loopback in bridge mode: the container will reach itself, not this machine`,
      );
    } else if (isIpAddress(hostAlias)) {
      reasons.push(`this machine is ${hostAlias} in the container (${aliasSource})`);
    } else if (!(engine.providesHostAlias && hostAlias === engine.hostAlias)) {
      // A name the engine does not define: Docker maps host-gateway; Podman would write it literally.
      const target = engine.acceptsHostGateway
        ? 'host-gateway'
        : (bridgeGateway ?? (engine.bridgeReachesLoopback && !engine.inVm ? engine.hostAlias : undefined));
      if (target) {
        extraHosts.push(`${hostAlias}:${target}`);
        reasons.push(`--add-host ${hostAlias}:${target}: ${engine.description} does not define ${hostAlias} itself`);
      } else {
        warnings.push(
          `${engine.description} does not define ${hostAlias} and cannot map it to this machine (no host-gateway on Podman): use ${engine.hostAlias} or an IP address`,
        );
      }
    }
  }
  if (mode === 'bridge' && engine.rootless && engine.kind === 'native-linux' && hostAlias === SLIRP_HOST_LOOPBACK) {
    warnings.push(
      `rootless Docker reaches this machine at ${SLIRP_HOST_LOOPBACK} only when RootlessKit allows host loopback (${ROOTLESSKIT_LOOPBACK_FIX}); otherwise set STIGMER_RUNNER_HOST_ALIAS to this machine's own address and make the services listen on it`,
    );
  }

  const configured = (
    [
      { service: 'temporal', hostAddress: config.temporal.address.value },
      { service: 'backend', hostAddress: config.backend.endpoint.value },
      { service: 'ollama', hostAddress: config.llm.baseUrl.value },
    ] satisfies Array<{ service: ServiceName; hostAddress: string }>
  ).filter(
    ({ service }) =>
      contract.services.includes(service) && (service !== 'ollama' || config.llm.provider.value === 'ollama'),
  );
  const services: PlannedService[] = configured.map(({ service, hostAddress }) => ({
    service,
    hostAddress,
    container: containerAddress(hostAddress, mode, hostAlias),
  }));

  for (const planned of services) {
    const local = classifyHost(parseAddress(planned.hostAddress).host) !== 'other';
    if (!local) continue;
    if (engine.remote) {
      blockers.push(
        `${planned.service} at ${planned.hostAddress} is on this machine's loopback, which containers of the remote engine ${facts.endpoint} cannot reach: give it an address that machine can reach`,
      );
    } else if (bridgeGateway) {
      const fix = planned.service === 'ollama' ? OLLAMA_BIND_FIX : `make it listen on 0.0.0.0 or ${bridgeGateway}`;
      warnings.push(
        `${planned.service} must listen on ${bridgeGateway} or 0.0.0.0, not only 127.0.0.1, to be reached from the bridge: ${fix}`,
      );
    }
  }

  const networkMode = mode === 'host' ? 'host' : engine.bridgeNetworkMode;
  return {
    runner,
    mode,
    networkMode,
    engine,
    extraHosts,
    hostAlias,
    bridgeGateway,
    services,
    reasons,
    warnings,
    blockers,
  };
}

function chooseMode(config: RunnerConfig, engine: EngineIdentity, reasons: string[]): NetworkMode {
  const choice = config.runner.network;
  if (choice.value !== 'auto') {
    reasons.push(`network ${choice.value}: chosen by ${choice.source}`);
    return choice.value;
  }
  if (engine.remote || engine.inVm) {
    reasons.push(
      `network bridge: ${engine.description} ${engine.remote ? 'runs containers on another machine' : 'runs containers in a VM, where host networking is the VM’s, not this machine’s'}`,
    );
    return 'bridge';
  }
  if (engine.rootless) {
    const why = engine.hostNetworkIsThisMachine
      ? `slirp4netns with host loopback reaches this machine's services at ${engine.hostAlias}`
      : 'host networking is RootlessKit’s namespace, not this machine’s';
    reasons.push(
      `network bridge: ${engine.description}: ${why}${engine.bridgeNetworkMode === 'bridge' ? '' : ` (NetworkMode ${engine.bridgeNetworkMode})`}`,
    );
    return 'bridge';
  }
  reasons.push(`network host: ${engine.description} runs containers natively, so they share this machine's loopback`);
  return 'host';
}

/** An IPv4 or IPv6 literal: /etc/hosts needs no entry for it, and host-gateway would be wrong. */
function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.includes(':') && /^[0-9a-f:.]+$/i.test(host));
}

function containerAddress(address: string, mode: NetworkMode, hostAlias: string | null): AddressRewrite {
  if (mode === 'bridge' && hostAlias !== null) {
    return rewriteLocalHost(address, hostAlias, 'in a bridged container localhost is the container itself');
  }
  // Host mode shares this machine's loopback. Only the name `localhost` and bind-all addresses are
  // pinned to 127.0.0.1: inside the container `localhost` may resolve to ::1 first while services
  // such as Temporal's dev server listen on IPv4 only.
  const host = parseAddress(address).host;
  const pin = host.toLowerCase().replace(/\.$/, '') === 'localhost' || classifyHost(host) === 'unspecified';
  if (!pin) return { original: address, resolved: address, rewritten: false, reason: 'host network: kept' };
  return rewriteLocalHost(
    address,
    '127.0.0.1',
    'localhost may resolve to ::1 first; services often listen on IPv4 only',
  );
}

export function plannedService(plan: NetworkPlan, service: ServiceName): PlannedService | undefined {
  return plan.services.find((planned) => planned.service === service);
}
