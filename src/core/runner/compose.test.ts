/**
 * docker-compose.yml's agent-runner is the container the provisioner would create for the same
 * setup — a bridged runner on a native Linux engine, defaults everywhere — so the two cannot drift:
 * same env names and values (from the env contract), extra hosts, mounts, restart and log policy.
 * The one intended difference: Temporal is the stack's own `temporal` service, not this machine's.
 * (test/compose/ runs Debian's docker-compose on the file; this one needs no binary.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_RUNNER_NAME } from '../settings/cascade';
import { buildContainerSpec } from './container-spec';
import { planNetworking } from './network-plan';
import { provisionWorkflowId } from '../contract/names';
import { RUNNER_RELEASES } from './releases';
import { DEV_SERVER_DYNAMIC_CONFIG_ARGS } from '../../temporal/dev-server';
import { configFrom, ENGINES } from '../test-fixtures';

const contract = RUNNER_RELEASES['python-2026-01'];

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  network_mode?: string;
  extra_hosts?: string[];
  volumes?: string[];
  restart?: string;
  logging?: { driver?: string; options?: Record<string, string> };
}

const HOME = '/home/u'; // configFrom's home directory
const text = readFileSync(join(__dirname, '..', '..', '..', 'docker-compose.yml'), 'utf8');
const compose = parse(text) as { services: Record<string, ComposeService> };
const runner = compose.services['agent-runner'];
const temporal = compose.services.temporal;

/** Compose interpolation with nothing set but HOME: `${NAME:-default}` → default. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_, name: string, fallback?: string) =>
    name === 'HOME' ? HOME : (fallback ?? ''),
  );
}

const config = configFrom({ STIGMER_RUNNER_NETWORK: 'bridge' });
const plan = planNetworking(config, ENGINES.nativeLinux);
const spec = buildContainerSpec(config, plan, {}, provisionWorkflowId(DEFAULT_RUNNER_NAME));
const specEnv = Object.fromEntries(
  spec.env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const runnerEnv = Object.fromEntries(
  Object.entries(runner.environment ?? {}).map(([name, value]) => [name, interpolate(String(value))]),
);

test('the runner service sets only names the runner reads — every one the provisioner sets, plus the API key at most', () => {
  const names = Object.keys(runner.environment ?? {});
  expect(names.filter((name) => !contract.reads.includes(name))).toEqual([]);
  const optional = names.filter((name) => contract.secrets.includes(name) && !(name in specEnv));
  expect(optional).toEqual(['STIGMER_LLM_API_KEY']);
  expect(names.filter((name) => !optional.includes(name)).sort()).toEqual(Object.keys(specEnv).sort());
});

test("each value is the one the provisioner hands a bridged runner; Temporal is the stack's own service", () => {
  const port = temporal.command?.[temporal.command.indexOf('--port') + 1];
  expect(port).toBeDefined();
  expect({ ...runnerEnv, STIGMER_LLM_API_KEY: undefined }).toEqual({
    ...specEnv,
    TEMPORAL_SERVICE_ADDRESS: `temporal:${port}`,
    STIGMER_LLM_API_KEY: undefined,
  });
  // A secret only ever comes from the caller's environment, never a literal in the file.
  expect(runner.environment?.STIGMER_LLM_API_KEY).toMatch(/^\$\{[A-Z_]+(:-)?\}$/);
});

test('the runner is bridged with host.docker.internal, never on the host network', () => {
  for (const service of Object.values(compose.services)) expect(service.network_mode).toBeUndefined();
  expect(plan.mode).toBe('bridge');
  expect(runner.extra_hosts).toEqual(spec.extraHosts);
  expect(runner.extra_hosts).toEqual(['host.docker.internal:host-gateway']);
  expect(Object.values(runnerEnv).join(' ')).not.toMatch(/localhost|127\.0\.0\.1/);
});

test("the stack's Temporal is configured as every dev server Stigmer starts", () => {
  const command = temporal.command ?? [];
  const dynamicConfig = command.flatMap((arg, index) =>
    command[index - 1] === '--dynamic-config-value' ? ['--dynamic-config-value', arg] : [],
  );
  expect(dynamicConfig).toEqual(DEV_SERVER_DYNAMIC_CONFIG_ARGS);
});

test('mounts, restart and log policy match the container the provisioner creates', () => {
  expect((runner.volumes ?? []).map(interpolate)).toEqual(spec.binds);
  expect(runner.restart).toBe(spec.restartPolicy);
  expect(runner.logging).toEqual({ driver: spec.logConfig.Type, options: spec.logConfig.Config });
});

test("no name from Stigmer's known drift appears anywhere in the file", () => {
  for (const name of ['STIGMER_BACKEND_URL', 'TASK_QUEUE', 'WORKSPACE_ROOT', 'STIGMER_LLM_BASE_URL'])
    expect(text).not.toMatch(new RegExp(`(^|[^A-Z_])${name}([^A-Z_]|$)`, 'm'));
});
