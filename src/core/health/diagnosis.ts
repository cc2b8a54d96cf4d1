/**
 * Connectivity checks and their diagnosis. A service is probed from inside the container's network
 * and from this machine (and, on a native bridge, at the bridge gateway); comparing where it answers
 * with where it does not names the cause and the fix, and tells whether waiting can help.
 */
import { classifyHost, endpointOf, parseAddress } from '../address';
import { SLIRP_HOST_LOOPBACK } from '../runner/engine';
import {
  bindFix,
  ROOTLESSKIT_LOOPBACK_FIX,
  servicesOnThisMachine,
  type NetworkPlan,
  type ServiceName,
} from '../runner/network-plan';
import { RUNNER_RELEASES } from '../runner/releases';
import { describeTrials, noRouteFix } from '../runner/reach';

export type ProbeSite = 'container' | 'host' | 'bridge-gateway';
/** What a check is about: a service the runner connects to, or its workspace. */
export type CheckSubject = ServiceName | 'workspace';

/** One thing to dial; the probe programs (in and out of the container) take a list of these. */
export interface ProbeTarget {
  id: string;
  /**
   * `write`: create and remove a file in `path`, as the user the probe runs as; `read`: the file at
   * `path` (its text in `body`); `claim` (run as root): when `marker` is set, its file in `path` must
   * hold `expect` (else ENOENT), then `path` is given to `user` (`name`, `uid`, `name:group`,
   * `uid:gid`, names resolved in the container's /etc/passwd and /etc/group) — `body` is `uid gid`.
   */
  kind: 'http' | 'tcp' | 'write' | 'read' | 'claim';
  /** For claim: the marker file's name in `path`, the text it must hold, and whom `path` goes to. */
  marker?: string;
  expect?: string;
  user?: string;
  host: string;
  port: number;
  /** For write: the directory to write in; for read: the file. */
  path?: string;
  /** For http: the full URL to GET. */
  url?: string;
  /** Host header to send for http when dialling an address other than the URL's host. */
  hostHeader?: string;
  timeoutMs: number;
}

export interface ProbeResult {
  id: string;
  ok: boolean;
  /** HTTP status for http targets. */
  status?: number;
  /** Up to a few KiB of the response body. */
  body?: string;
  /** errno-style code: ECONNREFUSED, ETIMEDOUT, ENOTFOUND, … */
  code?: string;
  message?: string;
  /** The address the name resolved to, when known. */
  address?: string;
  ms: number;
}

export interface PlannedCheck {
  service: CheckSubject;
  site: ProbeSite;
  target: ProbeTarget;
  /** What a reader should see: `http://host.docker.internal:11434/api/tags` or `host.docker.internal:7233`. */
  display: string;
}

/** A dial that failed before any answer, by its errno-style code. */
export type NetworkFailure = 'refused' | 'timeout' | 'unreachable' | 'dns' | 'io';

/**
 * What one check found, as data: diagnosis decides from this, and `CheckResult.detail` is its
 * rendering. Passing: `connected` (tcp), `model-listed` (Ollama lists the model), `writable`.
 */
export type CheckOutcome =
  | { kind: 'connected'; address?: string }
  | { kind: 'model-listed'; model: string }
  | { kind: 'writable' }
  /** `message` and `address` are shown, never decided on. */
  | { kind: NetworkFailure; code: string; message?: string; address?: string }
  /** An HTTP answer other than 200; `body` is its first 120 characters, for the reader. */
  | { kind: 'http'; status: number; body?: string }
  | { kind: 'model-missing'; model: string; listed: string[] }
  | { kind: 'not-ollama' }
  | { kind: 'not-writable'; code: string; message?: string }
  | { kind: 'no-result' };

export type OutcomeKind = CheckOutcome['kind'];

export interface CheckResult {
  service: CheckSubject;
  site: ProbeSite;
  target: string;
  ok: boolean;
  outcome: CheckOutcome;
  /** `outcome` rendered for people (`describeOutcome`). */
  detail: string;
  ms: number;
}

/** A check as a workflow history holds it: those recorded before outcomes existed carry only `detail`. */
export type RecordedCheck = Omit<CheckResult, 'outcome'> & { outcome?: CheckOutcome };

export interface ServiceDiagnosis {
  service: CheckSubject;
  ok: boolean;
  /** Waiting may fix it (the service is down everywhere, so it may still be starting). */
  healable: boolean;
  summary: string;
  cause?: string;
  fix?: string;
}

const DEFAULT_PORTS: Record<ServiceName, number> = { temporal: 7233, backend: 7234, ollama: 11434 };

/** The port a service's address dials: its own, else the service's default (Ollama's URL: 443 for https). */
export function servicePort(service: ServiceName, address: string): number {
  if (service !== 'ollama') return endpointOf(address, DEFAULT_PORTS[service]).port;
  const parsed = parseAddress(address);
  return parsed.port ?? (parsed.scheme.toLowerCase() === 'https://' ? 443 : DEFAULT_PORTS.ollama);
}
const PROBE_TIMEOUT_MS = 2000;

export function planChecks(plan: NetworkPlan): PlannedCheck[] {
  const checks: PlannedCheck[] = [];
  for (const planned of plan.services) {
    const add = (site: ProbeSite, address: string, dialHost?: string) =>
      checks.push(probeTargetFor(planned.service, site, address, dialHost));
    add('container', planned.container.resolved);
    add('host', planned.hostAddress);
    const local = classifyHost(parseAddress(planned.hostAddress).host) !== 'other';
    if (plan.bridgeGateway && local) add('bridge-gateway', planned.container.resolved, plan.bridgeGateway);
  }
  // Plans made before contracts were part of them had the January 2026 runner's /workspace.
  const path = RUNNER_RELEASES[plan.runner?.contract ?? 'python-2026-01'].workspacePath;
  checks.push({
    service: 'workspace',
    site: 'container',
    display: path,
    target: { id: 'workspace@container', kind: 'write', host: '', port: 0, path, timeoutMs: PROBE_TIMEOUT_MS },
  });
  return checks;
}

function probeTargetFor(service: ServiceName, site: ProbeSite, address: string, dialHost?: string): PlannedCheck {
  const id = `${service}@${site}`;
  if (service === 'ollama') {
    const parsed = parseAddress(address);
    const port = servicePort(service, address);
    const base = address.replace(/\/+$/, '');
    const url = `${base}/api/tags`;
    const hostHeader = parsed.port === undefined ? parsed.host : `${parsed.host}:${parsed.port}`;
    const host = dialHost ?? parsed.host;
    const display = dialHost ? `${url} (dialled at ${dialHost}:${port})` : url;
    return {
      service,
      site,
      display,
      target: { id, kind: 'http', host, port, url, hostHeader, timeoutMs: PROBE_TIMEOUT_MS },
    };
  }
  const { host } = parseAddress(address);
  const port = servicePort(service, address);
  const dialled = dialHost ?? host;
  return {
    service,
    site,
    display: `${dialled.includes(':') ? `[${dialled}]` : dialled}:${port}`,
    target: { id, kind: 'tcp', host: dialled, port, timeoutMs: PROBE_TIMEOUT_MS },
  };
}

/** Turns a raw probe result into a check, applying service-level meaning (Ollama must list the model). */
export function interpretProbe(check: PlannedCheck, result: ProbeResult | undefined, model: string): CheckResult {
  return checkResult(
    { service: check.service, site: check.site, target: check.display, ms: result?.ms ?? 0 },
    outcomeOf(check.target.kind, result, model),
  );
}

const PASSING: ReadonlySet<OutcomeKind> = new Set(['connected', 'model-listed', 'writable']);

/** A check from its outcome: `ok` and `detail` both follow from it. */
export function checkResult(
  check: Pick<CheckResult, 'service' | 'site' | 'target' | 'ms'>,
  outcome: CheckOutcome,
): CheckResult {
  return { ...check, ok: PASSING.has(outcome.kind), outcome, detail: describeOutcome(outcome) };
}

/** By the code the probe reported (node's and python's errno names); any other code is `io`. */
const NETWORK_FAILURES: Record<string, NetworkFailure> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  // Rootless Docker without host loopback answers 10.0.2.2 with "Network is unreachable".
  ENETUNREACH: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETDOWN: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_NONAME: 'dns',
  EAI_NODATA: 'dns',
  EAI_FAIL: 'dns',
};

function outcomeOf(kind: ProbeTarget['kind'], result: ProbeResult | undefined, model: string): CheckOutcome {
  if (!result) return { kind: 'no-result' };
  if (!result.ok) {
    const code = result.code ?? 'ERROR';
    if (kind === 'write') return { kind: 'not-writable', code, message: result.message };
    return { kind: NETWORK_FAILURES[code] ?? 'io', code, message: result.message, address: result.address };
  }
  if (kind === 'write') return { kind: 'writable' };
  if (kind === 'tcp') return { kind: 'connected', address: result.address };
  if (result.status !== 200)
    return { kind: 'http', status: result.status ?? 0, body: result.body?.slice(0, 120).trim() || undefined };
  const listed = listedModels(result.body);
  if (listed === undefined) return { kind: 'not-ollama' };
  if (!listed.includes(model)) return { kind: 'model-missing', model, listed };
  return { kind: 'model-listed', model };
}

/** The sentence a reader sees for an outcome (`CheckResult.detail`). */
export function describeOutcome(outcome: CheckOutcome): string {
  switch (outcome.kind) {
    case 'connected':
      return `connected${outcome.address ? ` to ${outcome.address}` : ''}`;
    case 'model-listed':
      return `HTTP 200, model ${outcome.model} listed`;
    case 'writable':
      return "created and removed a file as the runner's user";
    case 'http':
      return `HTTP ${outcome.status}${outcome.body ? `: ${outcome.body}` : ''}`;
    case 'model-missing':
      return `model ${outcome.model} is not pulled (listed: ${outcome.listed.join(', ') || 'none'})`;
    case 'not-ollama':
      return 'HTTP 200 but the body is not Ollama’s /api/tags JSON';
    case 'no-result':
      return 'no probe result (the probe did not run)';
    case 'not-writable':
      return `${outcome.code}${outcome.message ? `: ${outcome.message}` : ''}`;
    default:
      return `${outcome.code}${outcome.address ? ` (${outcome.address})` : ''}${outcome.message ? `: ${outcome.message}` : ''}`;
  }
}

function listedModels(body: string | undefined): string[] | undefined {
  try {
    const parsed = JSON.parse(body ?? '') as { models?: Array<{ name?: string; model?: string }> };
    if (!Array.isArray(parsed.models)) return undefined;
    // `name` and `model` are usually the same tag: list each once.
    return [
      ...new Set(
        parsed.models
          .flatMap((entry) => [entry.name, entry.model])
          .filter((name): name is string => typeof name === 'string'),
      ),
    ];
  } catch {
    return undefined;
  }
}

const SERVICE_TITLES: Record<ServiceName, string> = {
  temporal: 'Temporal',
  backend: 'Stigmer backend',
  ollama: 'Ollama',
};

/** Who owns the workspace, as startContainer found and left it: for the cause and the fix. */
export interface WorkspaceOwnership {
  hostPath: string;
  containerPath: string;
  /** The runner's user in the container, and the ids it has on this machine (they differ on rootless engines). */
  runnerUid?: number;
  runnerGid?: number;
  hostUid?: number;
  hostGid?: number;
  /** What was done: `owned by the runner already`, `chowned to 101000:101000`, or why nothing could be. */
  note: string;
  /** The engine's volume the runner works in instead of hostPath, which the engine cannot see (a VM that does not share it). */
  volume?: string;
}

/** The runner's user must write its workspace: a failed write check names the path, the uid and the fix. */
export function diagnoseWorkspace(
  checks: CheckResult[],
  containerName: string,
  ownership: WorkspaceOwnership | undefined,
): ServiceDiagnosis | undefined {
  const check = checks.find((entry) => entry.service === 'workspace');
  if (!check) return undefined;
  const path = ownership?.containerPath ?? check.target;
  if (check.ok)
    return {
      service: 'workspace',
      ok: true,
      healable: true,
      summary: `workspace ${path} writable by the runner's user in ${containerName}`,
    };
  const user =
    ownership?.runnerUid === undefined
      ? "the runner's user"
      : `the runner's user (uid ${ownership.runnerUid}, gid ${ownership.runnerGid} in the container)`;
  const mounted = ownership ? ` (${ownership.hostPath} on this machine; ${ownership.note})` : '';
  const hostIds = ownership?.hostUid === undefined ? undefined : `${ownership.hostUid}:${ownership.hostGid}`;
  return {
    service: 'workspace',
    ok: false,
    healable: false,
    summary: `workspace: ${user} cannot write ${path} in ${containerName}: ${check.detail}`,
    cause: `${user} cannot create files in ${path}${mounted}`,
    fix:
      check.outcome.kind === 'not-writable' && check.outcome.code === 'EROFS'
        ? `${ownership?.hostPath ?? path} is on a read-only filesystem: set STIGMER_RUNNER_WORKSPACE_DIR to a writable folder`
        : ownership && hostIds
          ? `sudo chown ${hostIds} ${ownership.hostPath} (the ids the runner's user has on this machine), then run again`
          : `make ${path} writable by the image's user`,
  };
}

/**
 * Why a service does not answer from the container: the container's check decides, compared with
 * this machine's and the bridge gateway's. The cause is decided as data (`causeOf`) and only then
 * put into words (`EXPLANATIONS`).
 */
export function diagnose(
  service: ServiceName,
  checks: CheckResult[],
  plan: NetworkPlan,
  containerName: string,
): ServiceDiagnosis {
  const at = (site: ProbeSite) => checks.find((check) => check.service === service && check.site === site);
  const container = at('container');
  const title = SERVICE_TITLES[service];
  const fromContainer = container
    ? `${container.target} from container ${containerName} (network ${plan.mode})`
    : `from container ${containerName}`;
  if (container?.ok)
    return { service, ok: true, healable: true, summary: `${title} reachable: ${fromContainer}: ${container.detail}` };

  const situation: Situation = {
    service,
    title,
    plan,
    containerName,
    containerHost: containerHostOf(plan, service),
    outcome: container?.outcome ?? { kind: 'no-result' },
    container,
    host: at('host'),
    gateway: at('bridge-gateway'),
  };
  const cause = causeOf(situation);
  // Only a service down everywhere may heal by waiting: it may still be starting.
  return {
    service,
    ok: false,
    healable: cause.kind === 'down',
    summary: failureSummary(situation, fromContainer),
    ...explain(cause, situation),
  };
}

/** What diagnosis decides from: a service's failed check from the container, and the checks beside it. */
interface Situation {
  service: ServiceName;
  title: string;
  plan: NetworkPlan;
  containerName: string;
  /** The host the container dials for the service, as planned ('' when the plan has no such service). */
  containerHost: string;
  /** The container's outcome; `no-result` when it was not checked at all. */
  outcome: CheckOutcome;
  container?: CheckResult;
  host?: CheckResult;
  gateway?: CheckResult;
}

function containerHostOf(plan: NetworkPlan, service: ServiceName): string {
  const planned = plan.services.find((entry) => entry.service === service);
  return planned ? parseAddress(planned.container.resolved).host : '';
}

/** `Temporal: <what the container dialled> failed: <detail>`, and what this machine saw when it was asked. */
function failureSummary({ title, container, host }: Situation, fromContainer: string): string {
  const failed = `${title}: ${fromContainer} failed: ${container?.detail ?? 'not checked'}`;
  const hostPart = host ? `; from this machine ${host.target} ${host.ok ? 'answered' : 'failed'}: ${host.detail}` : '';
  return failed + hostPart;
}

/** Why the container does not reach a service, as data; `EXPLANATIONS` words each. */
type Cause =
  | { kind: 'bridged-loopback' }
  | { kind: 'model-missing'; model: string }
  | { kind: 'no-result' }
  | { kind: 'loopback-blocked'; code: string }
  | { kind: 'down' }
  | { kind: 'loopback-only' }
  | { kind: 'unresolved' }
  | { kind: 'host-header-rejected' }
  | { kind: 'someone-else'; outcome: CheckOutcome }
  | { kind: 'foreign-host-network' }
  | { kind: 'no-route' }
  | { kind: 'blocked-between' };

/**
 * The causes in the order they are tried; the first that applies is the diagnosis. Facts about the
 * container's side come first, as they hold whether or not the service answers on this machine;
 * then what this machine's and the gateway's checks show.
 */
const CAUSES: ReadonlyArray<(situation: Situation) => Cause | undefined> = [
  ({ plan, containerHost }) =>
    plan.mode === 'bridge' && classifyHost(containerHost) !== 'other' ? { kind: 'bridged-loopback' } : undefined,
  ({ outcome }) => (outcome.kind === 'model-missing' ? { kind: 'model-missing', model: outcome.model } : undefined),
  ({ outcome }) => (outcome.kind === 'no-result' ? { kind: 'no-result' } : undefined),
  ({ outcome, plan }) =>
    outcome.kind === 'unreachable' && plan.engine.rootless && plan.hostAlias === SLIRP_HOST_LOOPBACK
      ? { kind: 'loopback-blocked', code: outcome.code }
      : undefined,
  ({ host }) => (host?.ok ? undefined : { kind: 'down' }),
  // The route was measured before the runner started, and no candidate reached this machine.
  ({ plan, service }) =>
    plan.mode === 'bridge' &&
    plan.route &&
    !plan.route.chosen &&
    servicesOnThisMachine(plan).some((planned) => planned.service === service)
      ? { kind: 'no-route' }
      : undefined,
  ({ gateway }) => (gateway && !gateway.ok ? { kind: 'loopback-only' } : undefined),
  ({ outcome }) => (outcome.kind === 'dns' ? { kind: 'unresolved' } : undefined),
  ({ service, outcome }) =>
    service === 'ollama' && outcome.kind === 'http' && outcome.status === 403
      ? { kind: 'host-header-rejected' }
      : undefined,
  // This machine's service answered the same URL properly: the container's address leads elsewhere.
  ({ outcome }) =>
    outcome.kind === 'http' || outcome.kind === 'not-ollama' ? { kind: 'someone-else', outcome } : undefined,
  ({ plan }) =>
    plan.mode === 'host' && (plan.engine.inVm || plan.engine.rootless) ? { kind: 'foreign-host-network' } : undefined,
];

function causeOf(situation: Situation): Cause {
  for (const rule of CAUSES) {
    const cause = rule(situation);
    if (cause) return cause;
  }
  return { kind: 'blocked-between' };
}

type Explanation = { cause: string; fix: string };

/** Each cause in words: what is wrong, and what to do about it. */
const EXPLANATIONS: { [K in Cause['kind']]: (cause: Extract<Cause, { kind: K }>, s: Situation) => Explanation } = {
  'bridged-loopback': (_, { plan, containerHost }) => ({
    cause: `${containerHost} inside a bridged container is the container itself, not this machine`,
    fix: `give the container ${plan.engine.hostAlias} (the default; remove the host alias override) or use --network host on a native Linux engine`,
  }),
  'model-missing': ({ model }) => ({
    cause: `Ollama answers but ${model} is not pulled`,
    fix: `run: ollama pull ${model}`,
  }),
  'no-result': (_, { containerName, container, title }) => ({
    cause: `the probe inside ${containerName} returned no result for ${container?.target ?? title}`,
    fix: "run again; if it repeats, report it with the worker's log",
  }),
  'loopback-blocked': ({ code }, { plan, title }) => ({
    cause: `this machine's loopback is blocked for the engine's containers: ${plan.engine.description} answers ${SLIRP_HOST_LOOPBACK} with ${code}`,
    fix: `${plan.engine.kind === 'podman' ? 'give the container NetworkMode slirp4netns:allow_host_loopback=true' : ROOTLESSKIT_LOOPBACK_FIX}, or set STIGMER_RUNNER_HOST_ALIAS to this machine's own address and make ${title} listen on it`,
  }),
  down: (_, { title, host, service }) => ({
    cause: `${title} is not answering on this machine either (${host?.target ?? 'not checked'}): it is down or still starting`,
    fix: startHint(service),
  }),
  'loopback-only': (_, { title, plan, service }) => ({
    cause: `${title} listens on 127.0.0.1 only, so the bridge gateway ${plan.bridgeGateway} cannot reach it`,
    fix: bindFix(service, title, plan.bridgeGateway),
  }),
  unresolved: (_, { containerHost, plan }) => ({
    cause: `the container cannot resolve ${containerHost}: ${plan.engine.description} does not define it`,
    fix: `add --add-host ${containerHost}:host-gateway (set the host alias or use an engine that provides it)`,
  }),
  'host-header-rejected': (_, { containerHost, plan }) => ({
    cause: `Ollama rejected the Host header ${containerHost}: bound to loopback it only accepts local names`,
    fix: `use ${plan.engine.hostAlias} as the host alias (Ollama accepts *.internal names), or ${bindFix('ollama', 'Ollama', plan.bridgeGateway)}`,
  }),
  'someone-else': ({ outcome }, { title, containerHost }) => ({
    cause: `something other than this machine's ${title} answers at ${containerHost} in the container (${describeOutcome(outcome)})`,
    fix: `set STIGMER_RUNNER_HOST_ALIAS to an address that is this machine inside the container`,
  }),
  'foreign-host-network': (_, { plan, containerHost }) => ({
    cause: plan.engine.inVm
      ? `host networking on ${plan.engine.description} is the VM's network, not this machine's: ${containerHost || 'localhost'} in the container is the VM itself`
      : `host networking on ${plan.engine.description} is not this machine's network`,
    fix: `use --network bridge${plan.engine.inVm || plan.engine.remote ? ' (the default on this engine: remove --network host)' : ''}`,
  }),
  'no-route': (_, { plan }) => ({
    cause: `no route from a container on ${plan.engine.description} reaches this machine (tried from a probe container: ${describeTrials(plan.route?.trials ?? [])})`,
    fix: noRouteFix(plan.engine),
  }),
  'blocked-between': (_, { title, plan }) => ({
    cause: `${title} answers on this machine but not from the container (network ${plan.mode})`,
    fix: 'check firewall rules between the container network and this machine',
  }),
};

function explain(cause: Cause, situation: Situation): Explanation {
  // TypeScript cannot tie the entry to the cause's own kind: every entry takes its own kind only.
  const words = EXPLANATIONS[cause.kind] as (cause: Cause, situation: Situation) => Explanation;
  return words(cause, situation);
}

function startHint(service: ServiceName): string {
  if (service === 'ollama') return 'start Ollama (ollama serve) and check the base URL';
  if (service === 'temporal') return 'start Temporal (temporal server start-dev) or set TEMPORAL_SERVICE_ADDRESS';
  return 'start the Stigmer backend (stigmer server) or set STIGMER_BACKEND_ENDPOINT';
}

export interface VerificationReport {
  ok: boolean;
  healable: boolean;
  checks: CheckResult[];
  diagnoses: ServiceDiagnosis[];
  message: string;
}

export function summarizeVerification(
  checks: CheckResult[],
  plan: NetworkPlan,
  containerName: string,
  workspace?: WorkspaceOwnership,
): VerificationReport {
  const workspaceDiagnosis = diagnoseWorkspace(checks, containerName, workspace);
  const diagnoses = [
    ...plan.services.map((planned) => diagnose(planned.service, checks, plan, containerName)),
    ...(workspaceDiagnosis ? [workspaceDiagnosis] : []),
  ];
  const failures = diagnoses.filter((diagnosis) => !diagnosis.ok);
  const message =
    failures.length === 0
      ? `all ${plan.services.length} services reachable from container ${containerName}${workspaceDiagnosis ? ', workspace writable' : ''}`
      : failures
          .map((failure) => `${failure.summary}\n    cause: ${failure.cause}\n    fix: ${failure.fix}`)
          .join('\n');
  return {
    ok: failures.length === 0,
    healable: failures.every((failure) => failure.healable),
    checks,
    diagnoses,
    message,
  };
}
