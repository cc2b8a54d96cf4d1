import { randomUUID } from 'node:crypto';
import type Dockerode from 'dockerode';
import { execInContainer } from '../../src/docker/exec';
import { removeContainers, requireDocker } from './docker';
import { ensureTestRunnerImage, STAND_IN_USERS } from './runner-image';
import { runnerEvents, waitForRunnerEvents } from './runner-events';

describe('test agent-runner image', () => {
  const run = randomUUID();
  const runLabel = `dev.stigmer.test-run=${run}`;
  let docker: Dockerode;
  let image: string;

  beforeAll(async () => {
    docker = await requireDocker();
    image = await ensureTestRunnerImage(docker);
  }, 180_000);
  afterAll(() => removeContainers(docker, { label: [runLabel] }));

  // No network but the container's own loopback: nothing it does can leave it.
  const start = async (env: Record<string, string>, from = image): Promise<Dockerode.Container> => {
    const container = await docker.createContainer({
      Image: from,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Labels: { 'dev.stigmer.test-run': run },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    return container;
  };

  it('is tagged by content, labelled, and reused when it exists', async () => {
    expect(image).toMatch(/^stigmer-agent-runner:test-python-2026-01-[0-9a-f]{12}$/);
    const info = await docker.getImage(image).inspect();
    expect(info.Config.Labels).toMatchObject({
      'dev.stigmer.test-image': 'agent-runner',
      'dev.stigmer.runner-contract': 'python-2026-01',
    });
    expect(info.Config.User).toBe('stigmer');
    expect(info.Config.Cmd).toEqual(['node', '/app/agent-runner.js']);
    expect(info.Config.WorkingDir).toBe('/app');
    expect(info.Config.Env).toEqual(['PATH=/usr/bin:/bin']);

    const started = Date.now();
    await expect(ensureTestRunnerImage(docker)).resolves.toBe(image);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await docker.getImage(image).inspect()).Id).toBe(info.Id);
  });

  it('prints the env contract it read, retries a closed Temporal port naming it, runs node -e, and stops on SIGTERM', async () => {
    const container = await start({
      TEMPORAL_SERVICE_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'stigmer-test',
      STIGMER_BACKEND_ENDPOINT: 'host.docker.internal:7234',
      OLLAMA_BASE_URL: 'http://host.docker.internal:11434',
      STIGMER_LLM_PROVIDER: 'ollama',
      STIGMER_LLM_MODEL: 'qwen2.5-coder:7b',
      SANDBOX_ROOT_DIR: '/workspace',
      LOG_LEVEL: 'DEBUG',
      ANTHROPIC_API_KEY: 'sk-ant-must-not-leak',
      // Names Stigmer once set that the real runner never reads.
      TASK_QUEUE: 'wrong-queue',
      WORKSPACE_ROOT: '/elsewhere',
      STIGMER_BACKEND_URL: 'http://wrong:1',
    });

    const evs = await waitForRunnerEvents(
      container,
      (e) => e.filter((x) => x.event === 'runner.connect_failed').length >= 2,
    );
    expect(evs[0]).toEqual({
      event: 'runner.config',
      contract: 'python-2026-01',
      uid: 1000,
      env: {
        MODE: 'local',
        TEMPORAL_SERVICE_ADDRESS: '127.0.0.1:7233',
        TEMPORAL_NAMESPACE: 'stigmer-test',
        TASK_QUEUE: 'agent_execution_runner',
        STIGMER_BACKEND_ENDPOINT: 'host.docker.internal:7234',
        OLLAMA_BASE_URL: 'http://host.docker.internal:11434',
        STIGMER_LLM_PROVIDER: 'ollama',
        STIGMER_LLM_MODEL: 'qwen2.5-coder:7b',
        WORKSPACE: '/workspace',
        LOG_LEVEL: 'DEBUG',
      },
      secretsSet: { STIGMER_API_KEY: false, STIGMER_LLM_API_KEY: false, ANTHROPIC_API_KEY: true },
    });
    const failures = evs.filter((e) => e.event === 'runner.connect_failed');
    expect(failures.map((f) => f.attempt)).toEqual(failures.map((_, i) => i + 1));
    for (const failure of failures) {
      expect(failure.address).toBe('127.0.0.1:7233');
      expect(failure.message).toMatch(/^cannot reach Temporal at 127\.0\.0\.1:7233: .*Connection refused/);
    }

    const probe = await execInContainer(
      container,
      [
        'node',
        '-e',
        'const fs = require("fs"); console.log(JSON.stringify({ v: process.version, tmp: (fs.statSync("/tmp").mode & 0o7777).toString(8), ws: fs.statSync("/workspace").isDirectory(), cwd: process.cwd() }))',
      ],
      10_000,
    );
    expect(probe).toMatchObject({ exitCode: 0, stderr: '' });
    expect(JSON.parse(probe.stdout)).toEqual({ v: process.version, tmp: '1777', ws: true, cwd: '/app' });
    await expect(execInContainer(container, ['node', '-e', 'process.exit(3)'], 10_000)).resolves.toMatchObject({
      exitCode: 3,
    });

    await container.stop({ t: 10 });
    const state = (await container.inspect()).State;
    expect(state.ExitCode).toBe(0);
    const { raw, events: final } = await runnerEvents(container);
    // Its LLM check (no route to that Ollama here) may end at any point; every other event comes in order.
    expect(final.filter((e) => e.event !== 'runner.llm_check').at(-1)).toEqual({
      event: 'runner.signal',
      signal: 'SIGTERM',
    });
    expect(raw).not.toContain('sk-ant-must-not-leak');
  }, 60_000);

  it('exits 1 at once when TEMPORAL_SERVICE_ADDRESS is missing', async () => {
    const container = await start({});
    expect((await container.wait()).StatusCode).toBe(1);
    const { events: evs } = await runnerEvents(container);
    expect(evs.map((e) => e.event)).toEqual(['runner.config', 'runner.config_error']);
    expect(evs[0]).toMatchObject({
      env: { TEMPORAL_SERVICE_ADDRESS: null, TEMPORAL_NAMESPACE: 'default', MODE: 'local', LOG_LEVEL: 'INFO' },
    });
  }, 30_000);

  it.each([
    // contract, env, the queue it polls, the workspace it reads
    ['typescript-2026', {}, 'stigmer_runner', null],
    [
      'typescript-2026',
      { STIGMER_TASK_QUEUE: 'q1', TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE: 'q2', WORKSPACE_ROOT_DIR: '/workspace' },
      'q1',
      '/workspace',
    ],
    [
      'python-native-2026',
      { TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE: 'q2', SANDBOX_ROOT_DIR: '/ignored' },
      'q2',
      null,
    ],
  ] as const)(
    "the %s stand-in reads its own release's names (%j)",
    async (contract, env, queue, workspace) => {
      const standIn = await ensureTestRunnerImage(docker, contract);
      const info = await docker.getImage(standIn).inspect();
      expect(info.Config.Labels['dev.stigmer.runner-contract']).toBe(contract);
      const container = await start({ TEMPORAL_SERVICE_ADDRESS: '127.0.0.1:1', ...env }, standIn);
      const [config] = await waitForRunnerEvents(container, (e) => e.some((x) => x.event === 'runner.config'));
      expect(config).toMatchObject({
        contract,
        uid: STAND_IN_USERS[contract].uid,
        env: { TASK_QUEUE: queue, WORKSPACE: workspace },
      });
      if (contract === 'typescript-2026') expect(config.env).not.toHaveProperty('OLLAMA_BASE_URL');
    },
    180_000,
  );

  it('gives up with exit 1 after 30 s of refused connections', async () => {
    const container = await start({ TEMPORAL_SERVICE_ADDRESS: 'localhost:7233' });
    expect((await container.wait()).StatusCode).toBe(1);
    const { events: evs } = await runnerEvents(container);
    const failures = evs.filter((e) => e.event === 'runner.connect_failed');
    expect(failures.length).toBeGreaterThanOrEqual(25);
    expect(evs.at(-1)).toMatchObject({
      event: 'runner.connect_gave_up',
      address: 'localhost:7233',
      attempts: failures.length,
    });
  }, 60_000);
});
