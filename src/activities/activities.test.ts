/** Activity adapters at their honest level: real config files on disk, the SDK's activity context. */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerConnection } from '../docker/client';
import { triggerContext } from '../settings/trigger';
import { configFrom } from '../core/test-fixtures';
import { createAwaitRunnerReady } from './await-runner-ready';
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
  const result: Awaited<ReturnType<typeof resolveConfig>> = await new MockActivityEnvironment({ attempt: 2 }).run(
    resolveConfig,
    request({ STIGMER_CONFIG: file }),
  );
  expect(result.attempt).toBe(2);
  expect(result.value.llm.provider).toEqual({ value: 'anthropic', source: `file:${file}#backend.local.llm.provider` });
  expect(result.value.llm.apiKeySource).toBe(`file:${file}#backend.local.llm.api_key`);
  expect(JSON.stringify(result)).not.toContain('sk-file-secret');
});

test.each<[string, (dir: string) => Promise<NodeJS.ProcessEnv>, RegExp]>([
  [
    'invalid YAML',
    async (dir) => (await writeFile(join(dir, 'bad.yaml'), 'a: [\n'), { STIGMER_CONFIG: join(dir, 'bad.yaml') }),
    /file:.*bad\.yaml: not valid YAML/,
  ],
  [
    'a config path that is a directory',
    async (dir) => ({ STIGMER_CONFIG: dir }),
    /env:STIGMER_CONFIG: .* is a directory/,
  ],
  [
    'a bad env value',
    async () => ({ STIGMER_RUNNER_PULL: 'sometimes' }),
    /env:STIGMER_RUNNER_PULL: "sometimes" is not one of/,
  ],
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
  const resolveConfig = createResolveConfig(
    deps({ ANTHROPIC_API_KEY: 'sk-worker', STIGMER_LLM_MODEL: 'worker-model' }),
  );
  const trigger = triggerContext(
    {
      STIGMER_LLM_PROVIDER: 'anthropic',
      STIGMER_LLM_MODEL: 'trigger-model',
      ANTHROPIC_API_KEY: 'sk-trigger',
      PATH: '/bin',
    },
    home,
  );
  expect(trigger.env).toEqual({ STIGMER_LLM_PROVIDER: 'anthropic', STIGMER_LLM_MODEL: 'trigger-model' });
  const { value }: Awaited<ReturnType<typeof resolveConfig>> = await new MockActivityEnvironment().run(resolveConfig, {
    flags: {},
    trigger,
  });
  expect(value.llm.model).toEqual({ value: 'trigger-model', source: 'env:STIGMER_LLM_MODEL' });
  expect(value.llm.apiKeySource).toBe('env:ANTHROPIC_API_KEY');
});

test('without a trigger (a provision started by hand), the worker’s own settings and home are the config', async () => {
  const workerHome = join(home, 'worker-home');
  await mkdir(join(workerHome, '.stigmer'), { recursive: true });
  await writeFile(
    join(workerHome, '.stigmer', 'config.yaml'),
    'backend:\n  local:\n    llm:\n      model: file-model\n',
  );
  const resolveConfig = createResolveConfig({
    ...deps({
      STIGMER_LLM_PROVIDER: 'anthropic',
      ANTHROPIC_API_KEY: 'sk-worker',
      STIGMER_RUNNER_IMAGE: 'worker/image:1',
    }),
    homeDir: workerHome,
  });
  const { value }: Awaited<ReturnType<typeof resolveConfig>> = await new MockActivityEnvironment().run(resolveConfig, {
    flags: { runner: 'r1' },
  });
  expect(value.runner.image).toEqual({ value: 'worker/image:1', source: 'env:STIGMER_RUNNER_IMAGE' });
  expect(value.llm.model).toEqual({
    value: 'file-model',
    source: `file:${workerHome}/.stigmer/config.yaml#backend.local.llm.model`,
  });
  expect(value.llm.apiKeySource).toBe('env:ANTHROPIC_API_KEY');
  expect(value.runner.workspaceDir.value).toBe(`${workerHome}/.stigmer/data/workspace`);
});

describe('awaitRunnerReady', () => {
  const container = {
    id: 'c0ffee',
    name: 'stigmer-agent-runner',
    image: 'img',
    networkMode: 'host',
    hostname: 'stigmer-agent-runner-0a1b2c3d',
    action: 'created' as const,
    startedAt: new Date(Date.now() - 60_000).toISOString(),
  };
  const input = (timeoutMs: number) => ({
    config: configFrom(),
    container,
    taskQueue: 'agent_execution_runner',
    timeoutMs,
  });
  const seconds = (iso: string) => ({ seconds: Math.floor(Date.parse(iso) / 1000), nanos: 0 });
  /** An activity environment over a Temporal that answers `describeTaskQueue` from `pollers`, and an engine whose container is in `state`. */
  const environment = (
    pollers: (call: number) => Array<{ identity: string; lastAccessTime: ReturnType<typeof seconds> }>,
    state: () => object = () => ({ Running: true }),
  ) => {
    let calls = 0;
    const describeTaskQueue = async () => ({ pollers: pollers(Math.floor(calls++ / 2)) }); // twice a round: workflow and activity pollers
    const listTaskQueuePartitions = async () => ({}); // a server that lists no partitions: the queue itself
    const client = {
      workflowService: { describeTaskQueue, listTaskQueuePartitions },
      withAbortSignal: <R>(_signal: AbortSignal, fn: () => R) => fn(),
    } as unknown as Client;
    const docker = {
      endpoint: { url: 'unix:///var/run/docker.sock' },
      docker: {
        getContainer: () => ({
          inspect: async () => ({ State: state(), Config: { Labels: { 'dev.stigmer.managed-by': 'stigmer-runner' } } }),
        }),
      },
    } as unknown as DockerConnection;
    const env = new MockActivityEnvironment(undefined, { client });
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    return {
      env,
      heartbeats,
      awaitRunnerReady: createAwaitRunnerReady({ docker, env: {}, homeDir: home, platform: 'linux' }),
    };
  };
  const runner = { identity: `1@${container.hostname}`, lastAccessTime: seconds(new Date().toISOString()) };

  test('waits, heartbeating, until this runner polls its queue', async () => {
    const { env, heartbeats, awaitRunnerReady } = environment((round) =>
      round < 2 ? [{ identity: '9@other-runner', lastAccessTime: runner.lastAccessTime }] : [runner],
    );
    const { value }: Awaited<ReturnType<typeof awaitRunnerReady>> = await env.run(awaitRunnerReady, input(10_000));
    expect(value.poller.identity).toBe(runner.identity);
    expect(heartbeats).toHaveLength(3);
  });

  test("a poller with the runner's name but not its container's host name does not make it ready (an impostor)", async () => {
    // `1@stigmer-agent-runner`: the identity any container of that name had before each got its own host name.
    const impostor = { identity: `1@${container.name}`, lastAccessTime: runner.lastAccessTime };
    const { env, awaitRunnerReady } = environment(() => [impostor]);
    const failure = (await env
      .run(awaitRunnerReady, input(300))
      .catch((error: unknown) => error)) as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'RunnerNotReady', nonRetryable: true });
    expect(failure.message).toContain(`(pollers seen: 1@${container.name})`);
  });

  test('a runner that exited fails at once, non-retryably', async () => {
    const { env, awaitRunnerReady } = environment(
      () => [],
      () => ({ Running: false, Restarting: false, ExitCode: 3 }),
    );
    await expect(env.run(awaitRunnerReady, input(10_000))).rejects.toMatchObject({
      type: 'RunnerNotReady',
      nonRetryable: true,
      message: 'runner container stigmer-agent-runner exited with code 3',
    });
  });

  test('out of time, it names the queue, the pollers it saw and the last error', async () => {
    const { env, awaitRunnerReady } = environment((round) => {
      if (round > 0) throw new Error('14 UNAVAILABLE: connection refused');
      return [{ identity: '9@other-runner', lastAccessTime: runner.lastAccessTime }];
    });
    const failure = (await env
      .run(awaitRunnerReady, input(250))
      .catch((error: unknown) => error)) as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'RunnerNotReady', nonRetryable: true });
    expect(failure.message).toMatch(
      /^no worker with identity \*@stigmer-agent-runner-0a1b2c3d polled agent_execution_runner .* within 250 ms .*\(pollers seen: 9@other-runner; last error: 14 UNAVAILABLE: connection refused\)$/,
    );
  });

  test('a cancelled provision ends the wait', async () => {
    const { env, awaitRunnerReady } = environment(() => []);
    const running = env.run(awaitRunnerReady, input(60_000));
    setTimeout(() => env.cancel(), 150);
    await expect(running).rejects.toThrow(CancelledFailure);
  });
});
