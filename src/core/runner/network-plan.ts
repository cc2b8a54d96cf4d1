/**
 * How the runner container reaches this machine's services, decided from the engine's identity and
 * the configured addresses. Every choice carries its reason, so the plan can be shown and trusted.
 */
import { classifyHost, parseAddress, rewriteLocalHost, type AddressRewrite } from '../address';
import type { RunnerConfig } from '../settings/types';
import { identifyEngine, SLIRP_HOST_LOOPBACK, type EngineFacts, type EngineIdentity } from './engine';
import { describeTrials, noRouteFix, type MeasuredRoute } from './reach';
import {
  chooseRelease,
  RUNNER_RELEASES,
  runnerTemporalBlockers,
  type ImageFacts,
  type RunnerRelease,
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
  /** The route to this machine as measured from a probe container (engines not on this machine); absent when not measured. */
  route?: MeasuredRoute;
  reasons: string[];
  /** Things that may fail and how to avoid them; the plan still runs. */
  warnings: string[];
  /** Things that cannot work as configured; provisioning must not start. */
  blockers: string[];
}

/**
 * How to make a service on this machine's loopback reachable from the bridge without opening it to
 * the network: bind it to the gateway address the plan knows, never to every interface (0.0.0.0
 * would expose an unauthenticated Ollama or backend to the LAN). Unknown gateway: say what to bind to.
 */
export function bindFix(service: string, title: string, gateway: string | null): string {
  const where = gateway ?? "the bridge gateway's address (docker network inspect bridge: its Gateway)";
  const notEvery = 'not 0.0.0.0, which would open it to every network this machine is on';
  return service === 'ollama'
    ? `set OLLAMA_HOST=${gateway ?? 'GATEWAY'}:11434${gateway ? '' : `, GATEWAY being ${where},`} and restart Ollama (${notEvery}; local ollama commands then need the same OLLAMA_HOST)`
    : `make ${title} listen on ${where} as well as 127.0.0.1 (${notEvery})`;
}
export const ROOTLESSKIT_LOOPBACK_FIX =
  'start dockerd-rootless with DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS=--disable-host-loopback=false';

/**
 * The plan as a pipeline: the runner release, the network mode, the route to this machine, the
 * services' addresses, then what this machine's loopback means for them. Each step returns what it
 * has to say instead of adding to shared lists, so reasons, warnings and blockers read in step order.
 */
export function planNetworking(
  config: RunnerConfig,
  facts: EngineFacts,
  image?: ImageFacts,
  measured?: MeasuredRoute,
): NetworkPlan {
  const engine = identifyEngine(facts);
  const release = planRunner(config, image);
  const network = chooseMode(config, engine);
  // A measured route serves only a bridged runner whose alias the user did not set (theirs stands).
  const used = network.mode === 'bridge' && !config.runner.hostAlias ? measured : undefined;
  const route = planRoute(config, engine, facts, network.mode, used);
  const services = planServices(config, release.services, network.mode, route.hostAlias);
  const notes = joinNotes(
    release,
    network,
    aliasNotes(route.alias, config, engine),
    measuredRouteNotes(used, engine),
    rootlessDockerNotes(engine, network.mode, route.hostAlias),
    linuxVmNotes(engine, network.mode, config, used),
    loopbackNotes(services, engine, facts, route.bridgeGateway),
  );
  return {
    runner: release.runner,
    mode: network.mode,
    networkMode: network.mode === 'host' ? 'host' : engine.bridgeNetworkMode,
    engine,
    extraHosts: route.extraHosts,
    hostAlias: route.hostAlias,
    bridgeGateway: route.bridgeGateway,
    services,
    ...(used ? { route: used } : {}),
    ...notes,
  };
}

/**
 * Whether the route to this machine must be measured: a bridged runner on an engine in a VM on this
 * machine, with no alias set by the user (whose choice stands), and services to reach here. Not on a
 * remote engine: its 10.0.2.2 or host-gateway is another network's, and whatever answers there (a
 * build box's own Temporal) is not this machine — the plan refuses this machine's loopback there.
 */
export function routeNeedsMeasuring(plan: NetworkPlan, config: RunnerConfig): boolean {
  const inVm = plan.engine.placement?.placement === 'vm';
  return plan.mode === 'bridge' && inVm && !config.runner.hostAlias && servicesOnThisMachine(plan).length > 0;
}

/** The planned services the container reaches through the host alias (they are on this machine). */
export function servicesOnThisMachine(plan: NetworkPlan): PlannedService[] {
  return plan.services.filter((planned) => planned.container.rewritten);
}

/** What a step of the plan has to say: why it chose, what may fail, what cannot work. */
interface Notes {
  reasons?: string[];
  warnings?: string[];
  blockers?: string[];
}

function joinNotes(...steps: Notes[]): Required<Notes> {
  return {
    reasons: steps.flatMap((step) => step.reasons ?? []),
    warnings: steps.flatMap((step) => step.warnings ?? []),
    blockers: steps.flatMap((step) => step.blockers ?? []),
  };
}

/** The runner release, and what its contract cannot do with this Temporal. */
function planRunner(
  config: RunnerConfig,
  image: ImageFacts | undefined,
): Notes & { runner: RunnerPlan; services: RunnerRelease['services'] } {
  const decision = chooseRelease(config.runner.contract, image);
  const contract = RUNNER_RELEASES[decision.id];
  const runner: RunnerPlan = {
    contract: contract.id,
    contractReason: decision.reason,
    taskQueue: contract.taskQueue,
    user: image?.present ? image.user || '0' : contract.defaultUser,
  };
  return {
    runner,
    services: contract.services,
    blockers: runnerTemporalBlockers(config.temporal, contract),
    warnings: decision.warning ? [decision.warning] : [],
  };
}

/**
 * The network mode: the setting when it names one, else bridge where host networking is not this
 * machine's (a VM, another machine, RootlessKit), else host. A host network that is not this
 * machine's is warned about when chosen anyway.
 */
function chooseMode(config: RunnerConfig, engine: EngineIdentity): Notes & { mode: NetworkMode } {
  const { mode, reason } = modeAndReason(config, engine);
  if (mode === 'bridge' || engine.hostNetworkIsThisMachine) return { mode, reasons: [reason] };
  const whose = engine.inVm ? 'VM' : engine.rootless ? 'RootlessKit' : 'remote engine';
  const warning = `host networking on ${engine.description} joins the ${whose} network, not this machine's: localhost in the container will not reach services on this machine (use --network bridge)`;
  return { mode, reasons: [reason], warnings: [warning] };
}

function modeAndReason(config: RunnerConfig, engine: EngineIdentity): { mode: NetworkMode; reason: string } {
  const choice = config.runner.network;
  if (choice.value !== 'auto')
    return { mode: choice.value, reason: `network ${choice.value}: chosen by ${choice.source}` };
  if (engine.remote || engine.inVm) {
    const where = engine.remote
      ? 'runs containers on another machine'
      : 'runs containers in a VM, where host networking is the VM’s, not this machine’s';
    return { mode: 'bridge', reason: `network bridge: ${engine.description} ${where}` };
  }
  if (engine.rootless) {
    const why = engine.hostNetworkIsThisMachine
      ? `slirp4netns with host loopback reaches this machine's services at ${engine.hostAlias}`
      : 'host networking is RootlessKit’s namespace, not this machine’s';
    const networkMode = engine.bridgeNetworkMode === 'bridge' ? '' : ` (NetworkMode ${engine.bridgeNetworkMode})`;
    return { mode: 'bridge', reason: `network bridge: ${engine.description}: ${why}${networkMode}` };
  }
  return {
    mode: 'host',
    reason: `network host: ${engine.description} runs containers natively, so they share this machine's loopback`,
  };
}

/** How a bridged container reaches this machine: the alias it dials, and the /etc/hosts entry it may need. */
function planRoute(
  config: RunnerConfig,
  engine: EngineIdentity,
  facts: EngineFacts,
  mode: NetworkMode,
  measured: MeasuredRoute | undefined,
) {
  const kept = measured?.chosen ?? undefined;
  const hostAlias = mode === 'bridge' ? (config.runner.hostAlias?.value ?? kept?.alias ?? engine.hostAlias) : null;
  // Only a native engine's own bridge is an interface of this machine that services can listen on.
  const bridgeGateway =
    mode === 'bridge' && !engine.bridgeReachesLoopback && !engine.remote && !engine.inVm
      ? (facts.bridgeGateway ?? null)
      : null;
  const alias: AliasDecision = kept
    ? kept.target
      ? { kind: 'add-host', alias: kept.alias, target: kept.target }
      : { kind: 'measured', alias: kept.alias }
    : decideAlias(hostAlias, engine, bridgeGateway);
  const extraHosts = alias.kind === 'add-host' ? [`${alias.alias}:${alias.target}`] : [];
  return { hostAlias, bridgeGateway, alias, extraHosts };
}

/** What the host alias is to the container, decided before anything is said about it. */
type AliasDecision =
  /** Host networking: the container dials this machine's own addresses. */
  | { kind: 'none' }
  /** A loopback name or address: in a bridged container that is the container itself. */
  | { kind: 'own-loopback'; alias: string }
  /** An IP literal: /etc/hosts needs no entry for it. */
  | { kind: 'address'; alias: string }
  /** The engine puts the name into containers itself. */
  | { kind: 'engine-defined'; alias: string }
  /** A name the engine does not define, mapped with --add-host NAME:TARGET. */
  | { kind: 'add-host'; alias: string; target: string }
  /** A name the engine does not define and nothing here can map (no host-gateway on Podman). */
  | { kind: 'unmappable'; alias: string }
  /** A name or address that reached this machine from a probe container as it is (reach.ts). */
  | { kind: 'measured'; alias: string };

function decideAlias(hostAlias: string | null, engine: EngineIdentity, bridgeGateway: string | null): AliasDecision {
  if (hostAlias === null) return { kind: 'none' };
  if (classifyHost(hostAlias) !== 'other') return { kind: 'own-loopback', alias: hostAlias };
  if (isIpAddress(hostAlias)) return { kind: 'address', alias: hostAlias };
  if (engine.providesHostAlias && hostAlias === engine.hostAlias) return { kind: 'engine-defined', alias: hostAlias };
  // Docker maps host-gateway; Podman would write it literally, so it gets the gateway's address (or,
  // where slirp4netns forwards it, the engine's own alias).
  const target = engine.acceptsHostGateway
    ? 'host-gateway'
    : (bridgeGateway ?? (engine.bridgeReachesLoopback && !engine.inVm ? engine.hostAlias : undefined));
  return target ? { kind: 'add-host', alias: hostAlias, target } : { kind: 'unmappable', alias: hostAlias };
}

function aliasNotes(decision: AliasDecision, config: RunnerConfig, engine: EngineIdentity): Notes {
  switch (decision.kind) {
    case 'none':
    case 'engine-defined':
    case 'measured': // measuredRouteNotes says why
      return {}; // nothing to explain: the container dials what it was given
    case 'own-loopback':
      return {
        warnings: [
          `host alias "${decision.alias}" (${config.runner.hostAlias?.source}) is the container's own loopback in bridge mode: the container will reach itself, not this machine`,
        ],
      };
    case 'address': {
      const source = config.runner.hostAlias ? config.runner.hostAlias.source : `${engine.description}'s route`;
      return { reasons: [`this machine is ${decision.alias} in the container (${source})`] };
    }
    case 'add-host':
      return {
        reasons: [
          `--add-host ${decision.alias}:${decision.target}: ${engine.description} does not define ${decision.alias} itself`,
        ],
      };
    case 'unmappable':
      return {
        warnings: [
          `${engine.description} does not define ${decision.alias} and cannot map it to this machine (no host-gateway on Podman): use ${engine.hostAlias} or an IP address`,
        ],
      };
  }
}

/** The measured route: which candidate was kept and what every candidate did — or that none answered. */
function measuredRouteNotes(measured: MeasuredRoute | undefined, engine: EngineIdentity): Notes {
  if (!measured) return {};
  const tried = describeTrials(measured.trials);
  if (!measured.chosen)
    return {
      warnings: [
        `no route from a container on ${engine.description} reached this machine's services (tried from a probe container of ${measured.image}: ${tried}): ${noRouteFix(engine)}`,
      ],
    };
  const { alias, target, reached } = measured.chosen;
  return {
    reasons: [
      `this machine is ${alias}${target ? ` (--add-host ${alias}:${target})` : ''} in the container: measured from a probe container on ${engine.description}, it reached ${reached.join(', ')} (tried: ${tried})`,
    ],
  };
}

/** Rootless Docker's 10.0.2.2 is this machine's loopback only if RootlessKit was started to allow it. */
function rootlessDockerNotes(engine: EngineIdentity, mode: NetworkMode, hostAlias: string | null): Notes {
  if (!(mode === 'bridge' && engine.rootless && engine.kind === 'native-linux' && hostAlias === SLIRP_HOST_LOOPBACK))
    return {};
  return {
    warnings: [
      `rootless Docker reaches this machine at ${SLIRP_HOST_LOOPBACK} only when RootlessKit allows host loopback (${ROOTLESSKIT_LOOPBACK_FIX}); otherwise set STIGMER_RUNNER_HOST_ALIAS to this machine's own address and make the services listen on it`,
    ],
  };
}

/**
 * A Linux VM of no known make: `host-gateway` is the VM's own docker0 unless its dockerd was started
 * with `--host-gateway-ip` pointing at this machine (what Desktop and Colima arrange). Only the user
 * knows the VM's route to this machine.
 */
function linuxVmNotes(
  engine: EngineIdentity,
  mode: NetworkMode,
  config: RunnerConfig,
  measured: MeasuredRoute | undefined,
): Notes {
  if (engine.kind !== 'linux-vm' || mode !== 'bridge' || config.runner.hostAlias || measured) return {};
  return {
    warnings: [
      `${engine.description} is a VM this runner does not know: host.docker.internal:host-gateway is the VM's own docker0, not this machine, unless its dockerd runs with --host-gateway-ip set to this machine; set STIGMER_RUNNER_HOST_ALIAS to the VM's route to this machine (e.g. 192.168.5.2 on Lima, 10.0.2.2 under QEMU/slirp)`,
    ],
  };
}

/** The services this release connects to, each as configured and as the container will dial it. */
function planServices(
  config: RunnerConfig,
  services: RunnerRelease['services'],
  mode: NetworkMode,
  hostAlias: string | null,
): PlannedService[] {
  const configured = (
    [
      { service: 'temporal', hostAddress: config.temporal.address.value },
      { service: 'backend', hostAddress: config.backend.endpoint.value },
      { service: 'ollama', hostAddress: config.llm.baseUrl.value },
    ] satisfies Array<{ service: ServiceName; hostAddress: string }>
  ).filter(
    ({ service }) => services.includes(service) && (service !== 'ollama' || config.llm.provider.value === 'ollama'),
  );
  return configured.map(({ service, hostAddress }) => ({
    service,
    hostAddress,
    container: containerAddress(hostAddress, mode, hostAlias),
  }));
}

/**
 * A service on this machine's loopback: a remote engine's containers cannot reach it at all; through
 * a native bridge they reach it only if it also listens on the gateway.
 */
function loopbackNotes(
  services: PlannedService[],
  engine: EngineIdentity,
  facts: EngineFacts,
  bridgeGateway: string | null,
): Notes {
  const onLoopback = services.filter((planned) => classifyHost(parseAddress(planned.hostAddress).host) !== 'other');
  if (engine.remote)
    return {
      blockers: onLoopback.map(
        (planned) =>
          `${planned.service} at ${planned.hostAddress} is on this machine's loopback, which containers of the remote engine ${facts.endpoint} cannot reach: give it an address that machine can reach`,
      ),
    };
  if (!bridgeGateway) return {};
  return {
    warnings: onLoopback.map((planned) => {
      const fix = bindFix(planned.service, planned.service, bridgeGateway);
      return `${planned.service} must listen on ${bridgeGateway}, not only 127.0.0.1, to be reached from the bridge: ${fix}`;
    }),
  };
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

/** The queue of runners planned before contracts were part of the plan (executions still in flight). */
export const LEGACY_RUNNER_TASK_QUEUE = 'agent_execution_runner';

/** The queue the planned runner polls; a plan recorded before contracts were in it names none. */
export function plannedTaskQueue(plan: Pick<NetworkPlan, 'runner'> | { runner?: NetworkPlan['runner'] }): string {
  return plan.runner?.taskQueue ?? LEGACY_RUNNER_TASK_QUEUE;
}
