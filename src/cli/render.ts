/** What the CLI prints: one line per step as it settles, and the plan for `plan`. */
import type { RunnerConfig, Sourced } from '../core/config';
import type { NetworkPlan } from '../core/network-plan';
import { formatDuration, type StepProgress } from '../core/progress';
import type { RunnerEnv } from '../core/runner-env';

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

export function renderPlan(config: RunnerConfig, plan: NetworkPlan, env: RunnerEnv): string {
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
