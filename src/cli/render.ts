/** What the CLI prints: one line per step as it settles, and the plan for `plan`. */
import type { RunnerConfig, Sourced } from '../core/settings/types';
import type { NetworkPlan } from '../core/runner/network-plan';
import type { EnginePlacement, PlacementEvidence, PlacementFact } from '../core/runner/placement';
import { formatDuration, type StepProgress } from '../core/contract/progress';
import type { RunnerEnv } from '../core/runner/env';
import type { WarmMiss, WarmReuse } from '../core/health/warm-run';

/**
 * The network plan as `plan --json` and `run --json` print it: how it was decided (engine, where it
 * runs, the route measured), not only what it chose. `assumed`: `plan --platform` asked no engine.
 */
export function networkDocument(plan: NetworkPlan, assumed = false) {
  // `run` prints plans read back from Temporal, written by any version (or anyone): the contract
  // promises only mode, extraHosts and hostAlias; the rest is shown when present.
  const { engine, route, services, reasons } = plan as Partial<NetworkPlan>;
  return {
    mode: plan.mode,
    extraHosts: plan.extraHosts,
    hostAlias: plan.hostAlias,
    engine: engine ?? null,
    // Where the engine runs and the facts compared (also inside engine).
    placement: engine?.placement ? { ...engine.placement, assumed } : null,
    services: services ?? [],
    // The route to this machine as measured from a probe container (engines not on this machine), or null.
    route: route ?? null,
    reasons: reasons ?? [],
  };
}

export function stepLine(step: StepProgress): string {
  const mark = step.status === 'succeeded' ? '✓' : step.status === 'failed' ? '✗' : '…';
  const attempt = step.attempts > 1 ? ` (attempt ${step.attempts})` : '';
  const tail =
    step.status === 'failed'
      ? `\n    ${(step.error ?? '').split('\n').join('\n    ')}`
      : step.note
        ? `  ${step.note}`
        : '';
  return `${mark} ${step.name.padEnd(19)} ${formatDuration(step.durationMs).padStart(7)}${attempt}${tail}`;
}

/** What a step still running after a moment waits for (its summary), printed once. */
export function waitingLine(step: StepProgress): string {
  return `… ${step.name.padEnd(19)} ${step.summary ?? ''}`;
}

/** Nested values and a flat `key → source` map, so `--json` readers get both without provenance noise. */
export function configForDisplay(config: RunnerConfig): {
  values: Record<string, unknown>;
  sources: Record<string, string>;
} {
  const values: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  const walk = (node: unknown, path: string[], target: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const here = [...path, key];
      if (isSourced(value)) {
        target[key] = value.value;
        sources[here.join('.')] = value.source;
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        walk(value, here, (target[key] = {}) as Record<string, unknown>);
      } else {
        target[key] = value;
      }
    }
  };
  walk(config, [], values);
  return { values, sources };
}

function isSourced(value: unknown): value is Sourced<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    'value' in value &&
    'source' in value &&
    Object.keys(value).length === 2
  );
}

/** `assumedFor`: the platform a dry run assumed instead of asking an engine. */
export function renderPlan(config: RunnerConfig, plan: NetworkPlan, env: RunnerEnv, assumedFor?: string): string {
  const { sources } = configForDisplay(config);
  const lines = [
    `config file: ${config.configFile.path} (${config.configFile.found ? 'found' : 'not found'}; ${config.configFile.source})`,
    ...Object.entries(sources).map(
      ([key, source]) => `  ${key} = ${JSON.stringify(valueAt(config, key))}  [${source}]`,
    ),
    `  llm.apiKey: ${config.llm.apiKeySource ? `set [${config.llm.apiKeySource}]` : 'not set'}`,
    '',
    temporalLine(config.temporal),
    `runner: ${plan.runner.contract} (${plan.runner.contractReason}); polls ${plan.runner.taskQueue}; user ${plan.runner.user}`,
    `engine: ${plan.engine.description}`,
    ...placementLines(plan.engine.placement, assumedFor),
    `network: ${plan.mode}${plan.hostAlias ? ` (this machine is ${plan.hostAlias} in the container)` : ''}`,
    ...plan.extraHosts.map((entry) => `  --add-host ${entry}`),
    ...plan.reasons.map((reason) => `  why: ${reason}`),
    '',
    'addresses:',
    ...plan.services.map(
      (service) =>
        `  ${service.service.padEnd(8)} ${service.hostAddress} → ${service.container.resolved}${service.container.rewritten ? `  (${service.container.reason})` : ''}`,
    ),
    '',
    'container env:',
    ...Object.entries(env).map(([name, value]) => `  ${name}=${value}`),
    ...(plan.warnings.length || config.warnings.length
      ? ['', 'warnings:', ...[...config.warnings, ...plan.warnings].map((warning) => `  ! ${warning}`)]
      : []),
    ...(plan.blockers.length
      ? ['', 'cannot work as configured:', ...plan.blockers.map((blocker) => `  ✗ ${blocker}`)]
      : []),
  ];
  return lines.join('\n');
}

const WHERE: Record<EnginePlacement['placement'], string> = {
  'this-machine': 'on this machine',
  vm: 'in a VM on this machine',
  remote: 'on another machine',
};

const HOW: Record<EnginePlacement['rule'], string> = {
  'client-platform': 'a Linux engine answering a client on another OS runs in a VM (or elsewhere)',
  'remote-endpoint': 'it is dialled at another machine’s address',
  'own-facts': 'its own facts compared with this machine’s',
};

const FACT_NAMES: Record<PlacementFact, string> = {
  platform: 'client OS',
  endpoint: 'endpoint host',
  kernelRelease: 'kernel',
  hostName: 'host name',
  memTotal: 'memory (bytes)',
  ncpu: 'CPUs',
};

/** Where the engine runs, and each fact that says so: what it would be were the engine on this machine, and what it is. */
export function placementLines(placement: EnginePlacement | undefined, assumedFor?: string): string[] {
  if (!placement) return [];
  if (assumedFor !== undefined)
    return [`  runs ${WHERE[placement.placement]}: assumed for --platform ${assumedFor} (no engine was asked)`];
  return [
    `  runs ${WHERE[placement.placement]}: ${HOW[placement.rule]}`,
    ...placement.evidence.map((item) => `    ${evidenceLine(item)}`),
  ];
}

function evidenceLine({ fact, expected, seen, matches }: PlacementEvidence): string {
  const show = (value: string | null) => value ?? 'not measured';
  return `${FACT_NAMES[fact]}: expected ${show(expected)}, seen ${show(seen)}${matches ? '' : ' (differs)'}`;
}

/** The connection in one line: where, which namespace, TLS, and how this client proves who it is (never the credential). */
export function temporalLine(temporal: RunnerConfig['temporal']): string {
  const tls = temporal.tls.value
    ? `TLS on${temporal.serverCa ? ` (CA ${temporal.serverCa.value})` : ' (system CAs)'}`
    : 'TLS off';
  const auth = temporal.auth.value === 'none' ? 'auth none' : `auth ${temporal.auth.value} [${temporal.auth.source}]`;
  const profile = temporal.profile.found
    ? `; profile "${temporal.profile.name.value}" of ${temporal.profile.file.value}`
    : '';
  return `temporal: ${temporal.address.value}, namespace ${temporal.namespace.value}, ${temporal.managed.value ? 'managed dev server' : 'external'}, ${tls}, ${auth}${profile}`;
}

function valueAt(config: RunnerConfig, key: string): unknown {
  const node = key.split('.').reduce<unknown>((current, part) => (current as Record<string, unknown>)[part], config);
  return (node as Sourced<unknown>).value;
}

/** What a warm `run` reused and what shows it still holds, in the line that says the runner is ready. */
export function warmLine(runner: string, reused: WarmReuse): string {
  const { container, provision, poller } = reused;
  const services = [...new Set(reused.services.map((check) => check.service))];
  return [
    `✓ runner ${runner} is ready (reused: container ${shortId(container.id)} running since ${isoSeconds(container.startedAt)}, same spec;`,
    `verified by provision ${provision.workflowId}${provision.closeTime ? ` at ${isoSeconds(provision.closeTime)}` : ''};`,
    `${poller.taskQueue} polled ${Math.round(poller.ageMs / 1000)} s ago;`,
    `${services.join(', ')} answer${services.length === 1 ? 's' : ''})`,
  ].join(' ');
}

/** Why `run` does not reuse the runner: one line before the normal path's. */
export function notWarmLine(miss: WarmMiss, runner: string): string {
  if (miss.reason === 'provision-running') return `a provision of ${runner} is running (${miss.workflowId}): attaching`;
  return `provisioning in full: ${whyNotWarm(miss, runner)}`;
}

function whyNotWarm(miss: Exclude<WarmMiss, { reason: 'provision-running' }>, runner: string): string {
  switch (miss.reason) {
    case 'fresh-requested':
      return '--fresh';
    case 'other-host':
      return 'the runner is on another host (only its worker sees its engine)';
    case 'never-provisioned':
      return `no earlier provision of ${runner}`;
    case 'last-provision-not-ready':
      return `the last provision (${miss.workflowId}) ended ${miss.status.toLowerCase().replace(/_/g, ' ')}`;
    case 'plan-blocked':
      return `the plan is blocked: ${miss.blockers[0]}`;
    case 'pull-always':
      return 'pull policy always (the image may have a newer version)';
    case 'no-container':
      return 'no runner container';
    case 'several-containers':
      return `${miss.ids.length} containers carry the runner's name or label (${miss.ids.map(shortId).join(', ')})`;
    case 'unverified-container':
      return `container ${shortId(miss.id)} is not the one the last provision verified${miss.verified ? ` (${shortId(miss.verified)})` : ''}`;
    case 'container-not-running':
      return `container ${shortId(miss.id)} is not running (${miss.state})`;
    case 'spec-changed':
      return `spec changed (container ${shortId(miss.id)} was made for another configuration)`;
    case 'image-changed':
      return `the image changed on the engine since container ${shortId(miss.id)} was made`;
    case 'container-not-reusable':
      return `container ${shortId(miss.id)} ${miss.why === 'not-managed' ? 'was not created by stigmer-runner' : miss.why === 'other-name' ? "carries the runner's label under another name" : 'is dead or being removed'}`;
    case 'no-fresh-poller':
      return miss.lastSeen
        ? `no fresh poller: ${miss.hostname} last polled ${miss.taskQueue} at ${isoSeconds(miss.lastSeen)}`
        : `no fresh poller: none of ${miss.hostname} on ${miss.taskQueue}`;
    case 'service-unreachable':
      return `not answering from this machine: ${miss.failing.map((check) => `${check.service} at ${check.target} (${check.detail})`).join('; ')}`;
    case 'unchecked':
      return `the runner could not be checked (${miss.error})`;
  }
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** An ISO time to the second (Docker's carry nanoseconds). */
export function isoSeconds(time: string): string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}
