/**
 * End to end: the CLI (`stigmer-runner run`, compiled, as a child process) provisions a locally
 * built agent-runner image on the real Docker engine, against a real Temporal dev server and
 * stand-ins for Ollama and the Stigmer backend on real sockets. Each scenario is one incident class.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDockerEndpoint } from '../../src/docker/endpoint';
import { readEngineFacts } from '../../src/docker/engine-facts';
import { stepOf as step, useE2E } from '../support/e2e-harness';
import { runProgram } from '../support/process';
import { MANAGED_PORT, stopManagedServerOf } from '../support/managed-server';
import { recordTiming } from '../support/timings';

jest.setTimeout(180_000);

const e2e = useE2E();
const { cli, services, scenarioEnv, runnerContainers, containerEnv } = e2e;

test.each([
  // contract, the variable carrying its queue, the queue, the variable carrying the workspace
  ['python-native-2026', 'STIGMER_TASK_QUEUE', 'agent_execution_runner', 'WORKSPACE_ROOT_DIR'],
  ['typescript-2026', 'STIGMER_TASK_QUEUE', 'stigmer_runner', 'WORKSPACE_ROOT_DIR'],
] as const)(
  'the %s stand-in, known by its image label, provisions to ready on its own queue and names',
  async (contract, queueVariable, queue, workspaceVariable) => {
    const runner = `e2e-${contract}-${process.pid}`;
    const env = scenarioEnv(runner, await services('127.0.0.1'), {
      STIGMER_RUNNER_IMAGE: await e2e.standInImage(contract),
    });
    const plan = JSON.parse((await cli(['plan', '--json'], env)).stdout);
    expect(plan.runner).toMatchObject({
      contract,
      taskQueue: queue,
      contractReason: expect.stringContaining('declares it'),
    });
    const run = await cli(['run', '--json'], env);
    recordTiming(`e2e contract ${contract} → ready`, run.ms);
    expect(run.code).toBe(0);
    const containerVariables = await containerEnv(runner);
    expect(containerVariables).toMatchObject({ [queueVariable]: queue, [workspaceVariable]: '/workspace' });
    expect(containerVariables).not.toHaveProperty('SANDBOX_ROOT_DIR');
    expect(containerVariables).not.toHaveProperty('TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE');
    // The TypeScript runner talks to no Ollama: nothing checks it, nothing tells it an Ollama URL.
    const services_ = run.json?.checks.filter((check) => check.site === 'container').map((check) => check.service);
    expect(services_).toEqual(
      contract === 'typescript-2026'
        ? ['temporal', 'backend', 'workspace']
        : ['temporal', 'backend', 'ollama', 'workspace'],
    );
    expect(step(run, 'awaitRunnerReady')?.status).toBe('succeeded');
  },
);

test('a workspace the runner cannot write is part of "not ready": named with path, uid and what to do', async () => {
  const runner = `e2e-workspace-${process.pid}`;
  // A read-only filesystem: a case the provisioner cannot fix itself (it is root here, so any
  // ownership problem it would simply fix).
  const workspace = join(e2e.home, runner, 'read-only');
  await mkdir(workspace, { recursive: true });
  await promisify(execFile)('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'stigmer-e2e', workspace]);
  e2e.cleanup(() => promisify(execFile)('umount', [workspace]));
  const run = await cli(
    ['run', '--json'],
    scenarioEnv(runner, await services('127.0.0.1'), { STIGMER_RUNNER_WORKSPACE_DIR: workspace }),
  );
  expect(run.code).toBe(3);
  expect(step(run, 'verifyConnectivity')).toMatchObject({ status: 'failed', attempts: 1 });
  const diagnosis = run.json?.diagnosis.find((entry) => entry.service === 'workspace');
  expect(diagnosis?.summary).toMatch(/EROFS/);
  expect(diagnosis?.cause).toContain(
    `the runner's user (uid 1000, gid 1000 in the container) cannot create files in /workspace (${workspace} on this machine; `,
  );
  expect(diagnosis?.fix).toBe(
    `${workspace} is on a read-only filesystem: set STIGMER_RUNNER_WORKSPACE_DIR to a writable folder`,
  );
});

describe('5. invalid configuration exits 2 naming the source, and creates nothing', () => {
  it.each<[string, (runner: string) => Promise<{ args: string[]; env: Record<string, string> }>, RegExp]>([
    [
      'malformed YAML in the file',
      async (runner) => {
        const file = join(e2e.home, `${runner}.yaml`);
        await writeFile(file, 'backend:\n  local:\n    llm: [unclosed\n');
        return { args: ['run', '--config', file], env: { STIGMER_RUNNER_NAME: runner } };
      },
      /file:.*\.yaml: not valid YAML \(line \d+, column \d+\)/,
    ],
    [
      'an unsupported provider in env',
      async (runner) => ({ args: ['run'], env: { STIGMER_RUNNER_NAME: runner, STIGMER_LLM_PROVIDER: 'gemini' } }),
      /env:STIGMER_LLM_PROVIDER: "gemini" is not one of "ollama", "anthropic", "openai"/,
    ],
    [
      'a network that does not exist',
      async (runner) => ({ args: ['run', '--network', 'overlay'], env: { STIGMER_RUNNER_NAME: runner } }),
      /flag:--network: "overlay" is not one of "auto", "host", "bridge"/,
    ],
    [
      'a config file that does not exist',
      async (runner) => ({
        args: ['run', '--config', join(e2e.home, 'missing.yaml')],
        env: { STIGMER_RUNNER_NAME: runner },
      }),
      /flag:--config: config file .*missing\.yaml does not exist/,
    ],
  ])('%s', async (_name, setup, message) => {
    const runner = `e2e-invalid-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
    const { args, env } = await setup(runner);
    const run = await cli(args, { ...env, TEMPORAL_SERVICE_ADDRESS: `localhost:${e2e.temporal.port}` });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(await runnerContainers(runner)).toHaveLength(0);
  });
});

test('embedded default, bridged on a native engine: the managed dev server answers on the bridge gateway — reachable, no wider', async () => {
  const runner = `e2e-embedded-${process.pid}`;
  const scenario = await services('0.0.0.0');
  const env = scenarioEnv(runner, scenario);
  delete env.TEMPORAL_SERVICE_ADDRESS; // nothing configured: the managed default
  const embeddedHome = await mkdtemp(join(tmpdir(), 'stigmer-embedded-'));
  e2e.cleanup(async () => {
    await stopManagedServerOf(embeddedHome);
    await rm(embeddedHome, { recursive: true, force: true });
  });
  const run = await cli(['run', '--network', 'bridge', '--json'], { ...env, HOME: embeddedHome });
  recordTiming('e2e embedded default (dev server started) → ready', run.ms);
  // On a clean machine (CI) the server is started; one a developer already runs is reused. The
  // forwarder (dev server on loopback, forwarder on the gateway alone) exits once the server stops.
  expect(run.code).toBe(0);
  const address = (await containerEnv(runner)).TEMPORAL_SERVICE_ADDRESS;
  // The bridge gateway as the engine reports it (the plan's source), not a literal.
  const { bridgeGateway: gateway } = await readEngineFacts(e2e.docker, findDockerEndpoint(process.env, homedir()));
  expect(address).toBe(`${gateway}:${MANAGED_PORT}`);
  const listening = (
    await runProgram('ss', ['-Hltn', `sport = :${MANAGED_PORT}`], { env: process.env, timeoutMs: 10_000 })
  ).stdout;
  expect(listening).toContain(`${gateway}:${MANAGED_PORT}`);
  expect(listening).toContain(`127.0.0.1:${MANAGED_PORT}`);
  expect(listening).not.toMatch(new RegExp(`(0\\.0\\.0\\.0|\\*|\\[::\\]):${MANAGED_PORT}`));
  // Its history is private to this user: the data folder 0700, the database the server made 0600.
  const data = join(embeddedHome, '.stigmer', 'temporal-data');
  expect((await stat(data)).mode & 0o777).toBe(0o700);
  expect((await stat(join(data, 'temporal.db'))).mode & 0o777).toBe(0o600);
});
