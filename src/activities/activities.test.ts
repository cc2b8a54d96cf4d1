/** Activity adapters at their honest level: real config files on disk, the SDK's activity context. */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerConnection } from '../docker/client';
import { triggerContext } from '../config/trigger';
import { createResolveConfig } from './resolve-config';

let home: string;
beforeAll(async () => (home = await mkdtemp(join(tmpdir(), 'stigmer-activity-'))));
afterAll(() => rm(home, { recursive: true, force: true }));

const deps = (env: NodeJS.ProcessEnv) => ({ docker: {} as DockerConnection, env, homeDir: home, platform: 'linux' });
/** The trigger carries the setting env vars; the worker's own env only contributes secrets. */
const request = (env: NodeJS.ProcessEnv) => ({ flags: {}, trigger: triggerContext(env, home) });

test('resolveConfig reads the file and env, returns provenance and no secret, and says which attempt it was', async () => {
  const file = join(home, 'ok.yaml');
  await writeFile(file, 'backend:\n  local:\n    llm:\n      provider: anthropic\n      api_key: sk-file-secret\n');
  const resolveConfig = createResolveConfig(deps({}));
  const result: Awaited<ReturnType<typeof resolveConfig>> = await new MockActivityEnvironment({ attempt: 2 }).run(resolveConfig, request({ STIGMER_CONFIG: file }));
  expect(result.attempt).toBe(2);
  expect(result.value.llm.provider).toEqual({ value: 'anthropic', source: `file:${file}#backend.local.llm.provider` });
  expect(result.value.llm.apiKeySource).toBe(`file:${file}#backend.local.llm.api_key`);
  expect(JSON.stringify(result)).not.toContain('sk-file-secret');
});

test.each<[string, (dir: string) => Promise<NodeJS.ProcessEnv>, RegExp]>([
  ['invalid YAML', async (dir) => (await writeFile(join(dir, 'bad.yaml'), 'a: [\n'), { STIGMER_CONFIG: join(dir, 'bad.yaml') }), /file:.*bad\.yaml: not valid YAML/],
  ['a config path that is a directory', async (dir) => ({ STIGMER_CONFIG: dir }), /env:STIGMER_CONFIG: .* is a directory/],
  ['a bad env value', async () => ({ STIGMER_RUNNER_PULL: 'sometimes' }), /env:STIGMER_RUNNER_PULL: "sometimes" is not one of/],
])('resolveConfig fails non-retryably as InvalidConfig on %s', async (_name, setup, message) => {
  const env = await setup(home);
  const run = new MockActivityEnvironment().run(createResolveConfig(deps({})), request(env));
  const failure = await run.catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'InvalidConfig', nonRetryable: true });
  expect((failure as ApplicationFailure).message).toMatch(message);
  expect((failure as ApplicationFailure).details?.[0]).toMatchObject({ attempt: 1 });
});

test('settings come from the trigger, secrets only from the worker’s own environment', async () => {
  const resolveConfig = createResolveConfig(deps({ ANTHROPIC_API_KEY: 'sk-worker', STIGMER_LLM_MODEL: 'worker-model' }));
  const trigger = triggerContext({ STIGMER_LLM_PROVIDER: 'anthropic', STIGMER_LLM_MODEL: 'trigger-model', ANTHROPIC_API_KEY: 'sk-trigger', PATH: '/bin' }, home);
  expect(trigger.env).toEqual({ STIGMER_LLM_PROVIDER: 'anthropic', STIGMER_LLM_MODEL: 'trigger-model' });
  const { value }: Awaited<ReturnType<typeof resolveConfig>> = await new MockActivityEnvironment().run(resolveConfig, { flags: {}, trigger });
  expect(value.llm.model).toEqual({ value: 'trigger-model', source: 'env:STIGMER_LLM_MODEL' });
  expect(value.llm.apiKeySource).toBe('env:ANTHROPIC_API_KEY');
});

test('without a trigger (a provision started by hand), the worker’s own settings and home are the config', async () => {
  const workerHome = join(home, 'worker-home');
  await mkdir(join(workerHome, '.stigmer'), { recursive: true });
  await writeFile(join(workerHome, '.stigmer', 'config.yaml'), 'backend:\n  local:\n    llm:\n      model: file-model\n');
  const resolveConfig = createResolveConfig({ ...deps({ STIGMER_LLM_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-worker', STIGMER_RUNNER_IMAGE: 'worker/image:1' }), homeDir: workerHome });
  const { value }: Awaited<ReturnType<typeof resolveConfig>> = await new MockActivityEnvironment().run(resolveConfig, { flags: { runner: 'r1' } });
  expect(value.runner.image).toEqual({ value: 'worker/image:1', source: 'env:STIGMER_RUNNER_IMAGE' });
  expect(value.llm.model).toEqual({ value: 'file-model', source: `file:${workerHome}/.stigmer/config.yaml#backend.local.llm.model` });
  expect(value.llm.apiKeySource).toBe('env:ANTHROPIC_API_KEY');
  expect(value.runner.workspaceDir.value).toBe(`${workerHome}/.stigmer/data/workspace`);
});
