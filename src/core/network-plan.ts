/**
 * How the runner container reaches this machine's services, decided from the engine's identity and
 * the configured addresses. Every choice carries its reason, so the plan can be shown and trusted.
 */
import { classifyHost, parseAddress, rewriteLocalHost, type AddressRewrite } from './address';
import type { RunnerConfig } from './config';
import { identifyEngine, type EngineFacts, type EngineIdentity } from './engine';
import { chooseContract, RUNNER_CONTRACTS, type ImageFacts, type RunnerContractId } from './runner-contract';

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
  contract: RunnerContractId;
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
  engine: EngineIdentity;
  /** `name:address` entries for the container's /etc/hosts (`--add-host`). */
  extraHosts: string[];
  /** The name the container dials for this machine in bridge mode; null in host mode. */
  hostAlias: string | null;
  /** Where a bridged container's traffic to the host alias lands on a native engine (docker0's address). */
  bridgeGateway: string | null;
  services: PlannedService[];
  reasons: string[];
  /** Things that may fail and how to avoid them; the plan still runs. */
  warnings: string[];
  /** Things that cannot work as configured; provisioning must not start. */
  blockers: string[];
}

const OLLAMA_BIND_FIX = 'set OLLAMA_HOST=0.0.0.0:11434 (or the bridge gateway address) and restart Ollama';

export function planNetworking(config: RunnerConfig, facts: EngineFacts, image?: ImageFacts): NetworkPlan {
  const engine = identifyEngine(facts);
  const reasons: string[] = [];
  const warnings: string[] = [];
  const blockers: string[] = [];
  const decision = chooseContract(config.runner.contract, image);
  const contract = RUNNER_CONTRACTS[decision.id];
  if (decision.warning) warnings.push(decision.warning);
  const runner: RunnerPlan = {
    contract: contract.id,
    contractReason: decision.reason,
    taskQueue: contract.taskQueue,
    user: image?.present ? image.user || '0' : contract.defaultUser,
  };
  const choice = config.runner.network;

  let mode: NetworkMode;
  if (choice.value !== 'auto') {
    mode = choice.value;
    reasons.push(`network ${mode}: chosen by ${choice.source}`);
  } else if (engine.inVm || engine.remote || engine.rootless) {
    mode = 'bridge';
    reasons.push(`network bridge: ${engine.description} ${engine.remote ? 'runs containers on another machine' : engine.inVm ? 'runs containers in a VM, where host networking is the VM’s, not this machine’s' : 'is rootless: host networking is RootlessKit’s namespace, not this machine’s'}`);
  } else {
    mode = 'host';
    reasons.push(`network host: ${engine.description} runs containers natively, so they share this machine's loopback`);
  }

  if (mode === 'host' && (engine.inVm || engine.rootless)) {
    warnings.push(
      `host networking on ${engine.description} joins the ${engine.inVm ? 'VM' : 'RootlessKit'} network, not this machine's: localhost in the container will not reach services on this machine (use --network bridge)`,
    );
  }

  const hostAlias = mode === 'bridge' ? (config.runner.hostAlias?.value ?? engine.hostAlias) : null;
  const extraHosts: string[] = [];
  if (mode === 'bridge' && hostAlias !== null && classifyHost(hostAlias) === 'other' && !engine.providesHostAlias) {
    extraHosts.push(`${hostAlias}:host-gateway`);
    reasons.push(`--add-host ${hostAlias}:host-gateway: ${engine.description} does not define ${hostAlias} itself`);
  }
  if (mode === 'bridge' && hostAlias !== null && classifyHost(hostAlias) !== 'other') {
    warnings.push(`host alias "${hostAlias}" (${config.runner.hostAlias?.source}) is the container's own loopback in bridge mode: the container will reach itself, not this machine`);
  }

  const bridgeGateway = mode === 'bridge' && engine.kind === 'native-linux' && !engine.remote ? (facts.bridgeGateway ?? null) : null;
  const configured = ([
    { service: 'temporal', hostAddress: config.temporal.address.value },
    { service: 'backend', hostAddress: config.backend.endpoint.value },
    { service: 'ollama', hostAddress: config.llm.baseUrl.value },
  ] satisfies Array<{ service: ServiceName; hostAddress: string }>).filter(({ service }) => contract.services.includes(service) && (service !== 'ollama' || config.llm.provider.value === 'ollama'));
  const services: PlannedService[] = configured.map(({ service, hostAddress }) => ({ service, hostAddress, container: containerAddress(hostAddress, mode, hostAlias) }));

  for (const planned of services) {
    const local = classifyHost(parseAddress(planned.hostAddress).host) !== 'other';
    if (!local) continue;
    if (engine.remote) {
      blockers.push(
        `${planned.service} at ${planned.hostAddress} is on this machine's loopback, which containers of the remote engine ${facts.endpoint} cannot reach: give it an address that machine can reach`,
      );
    } else if (bridgeGateway) {
      const fix = planned.service === 'ollama' ? OLLAMA_BIND_FIX : `make it listen on 0.0.0.0 or ${bridgeGateway}`;
      warnings.push(`${planned.service} must listen on ${bridgeGateway} or 0.0.0.0, not only 127.0.0.1, to be reached from the bridge: ${fix}`);
    } else if (engine.rootless && mode === 'bridge') {
      warnings.push(
        `${planned.service}: rootless Docker blocks this machine's loopback from containers by default; make it listen on a non-loopback address or start dockerd-rootless with DOCKERD_ROOTLESS_ROOTLESSKIT_DISABLE_HOST_LOOPBACK=false`,
      );
    }
  }

  return { runner, mode, engine, extraHosts, hostAlias, bridgeGateway, services, reasons, warnings, blockers };
}

function containerAddress(address: string, mode: NetworkMode, hostAlias: string | null): AddressRewrite {
  if (mode === 'bridge' && hostAlias !== null) {
    return rewriteLocalHost(address, hostAlias, "in a bridged container localhost is the container itself");
  }
  // Host mode shares this machine's loopback. Only the name `localhost` and bind-all addresses are
  // pinned to 127.0.0.1: inside the container `localhost` may resolve to ::1 first while services
  // such as Temporal's dev server listen on IPv4 only.
  const host = parseAddress(address).host;
  const pin = host.toLowerCase().replace(/\.$/, '') === 'localhost' || classifyHost(host) === 'unspecified';
  if (!pin) return { original: address, resolved: address, rewritten: false, reason: 'host network: kept' };
  return rewriteLocalHost(address, '127.0.0.1', 'localhost may resolve to ::1 first; services often listen on IPv4 only');
}

export function plannedService(plan: NetworkPlan, service: ServiceName): PlannedService | undefined {
  return plan.services.find((planned) => planned.service === service);
}
