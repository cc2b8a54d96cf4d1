/**
 * docker-compose.yml as Debian's docker-compose (v1.29) reads it: valid, and after compose's own
 * interpolation the agent-runner gets exactly the env the provisioner would hand a bridged runner
 * (src/core/runner/env.ts via the container spec). No image is pulled or built: `config` only parses.
 * Fails loudly — never skips — when docker-compose is missing.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_RUNNER_NAME } from '../../src/core/settings/cascade';
import { buildContainerSpec } from '../../src/core/runner/container-spec';
import { planNetworking } from '../../src/core/runner/network-plan';
import { provisionWorkflowId } from '../../src/core/contract/names';
import { RUNNER_RELEASES } from '../../src/core/runner/releases';
import { childEnv, runProgram, type Run } from '../support/process';
import { configFrom, ENGINES } from '../../src/core/test-fixtures';

const ROOT = join(__dirname, '..', '..');
const FILE = join(ROOT, 'docker-compose.yml');
const HOME = '/home/u'; // configFrom's home directory

async function compose(args: string[], env: Record<string, string> = {}): Promise<Run> {
  try {
    return await runProgram('docker-compose', ['-f', FILE, ...args], {
      cwd: ROOT,
      env: childEnv(HOME, env),
      timeoutMs: 60_000,
    });
  } catch (error) {
    if (/ENOENT/.test((error as Error).message))
      throw new Error(
        "docker-compose not found on PATH: run `bash scripts/setup.sh` (installs Debian's docker-compose)",
      );
    throw error;
  }
}

interface Normalized {
  services: Record<
    string,
    { image?: string; environment?: Record<string, string>; network_mode?: string; extra_hosts?: string[] }
  >;
}

async function normalized(env: Record<string, string> = {}): Promise<Normalized> {
  const run = await compose(['config'], env);
  if (run.code !== 0) throw new Error(`docker-compose config exited ${run.code}:\n${run.stderr}`);
  return parse(run.stdout) as Normalized;
}

const config = configFrom({ STIGMER_RUNNER_NETWORK: 'bridge' });
const spec = buildContainerSpec(
  config,
  planNetworking(config, ENGINES.nativeLinux),
  {},
  provisionWorkflowId(DEFAULT_RUNNER_NAME),
);
const specEnv = Object.fromEntries(
  spec.env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

test('docker-compose config -q accepts the file', async () => {
  const run = await compose(['config', '-q']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
});

test("after interpolation the runner has the provisioner's env for a bridged runner, its names all from the env contract", async () => {
  const { services } = await normalized();
  const env = services['agent-runner'].environment ?? {};
  expect(Object.keys(env).filter((name) => !RUNNER_RELEASES['python-2026-01'].reads.includes(name))).toEqual([]);
  expect(env).toEqual({ ...specEnv, TEMPORAL_SERVICE_ADDRESS: 'temporal:7233', STIGMER_LLM_API_KEY: '' });
  expect(services['agent-runner'].extra_hosts).toEqual(spec.extraHosts);
  for (const service of Object.values(services)) expect(service.network_mode).toBeUndefined();
});

test("image, model and API key come from the caller's environment", async () => {
  const { services } = await normalized({
    STIGMER_RUNNER_IMAGE: 'stigmer-agent-runner:local',
    STIGMER_LLM_MODEL: 'llama3.2:3b',
    ANTHROPIC_API_KEY: 'sk-from-env',
  });
  expect(services['agent-runner'].image).toBe('stigmer-agent-runner:local');
  expect(services['agent-runner'].environment).toMatchObject({
    STIGMER_LLM_MODEL: 'llama3.2:3b',
    STIGMER_LLM_API_KEY: 'sk-from-env',
  });
});
