/**
 * The worker's policy at the activities' edge, on real files: a trigger's home, the files it makes the
 * worker read, its workspace, engine and image — each refused as a PolicyRefused failure naming its
 * setting, before anything is touched. (The decisions themselves are table-tested in core/policy.)
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { execFileSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerConnection } from '../docker/client';
import { triggerContext } from '../settings/trigger';
import { loadWorkerPolicy } from '../settings/worker-policy';
import { FAILURE_TYPES } from '../core/contract/names';
import type { Refusal } from '../core/policy/types';
import { createResolveConfig } from './resolve-config';
import { createStopRunner } from './stop-runner';
import type { RunnerContainer } from '../docker/runner-container';
import { resolveTriggerConfig, runnerContainerSpec } from './runner-spec';
import type { NetworkPlan } from '../core/runner/network-plan';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'stigmer-policy-'));
  await mkdir(join(home, '.stigmer'), { recursive: true });
});
afterAll(() => rm(home, { recursive: true, force: true }));

const workerEnv = { DOCKER_HOST: 'unix:///var/run/docker.sock', ANTHROPIC_API_KEY: 'sk-worker-own-key' };
const worker = () => ({ env: workerEnv, homeDir: home });
const policy = () => loadWorkerPolicy(worker()).policy;

/** The refusals a resolveConfig of this trigger ends with (a PolicyRefused failure), or [] when it resolves. */
async function refusalsOf(env: NodeJS.ProcessEnv, homeDir = home, flags = {}): Promise<Refusal[]> {
  const resolveConfig = createResolveConfig({
    docker: {} as DockerConnection,
    ...worker(),
    platform: 'linux',
    policy: policy(),
  });
  try {
    await new MockActivityEnvironment().run(resolveConfig, { flags, trigger: triggerContext(env, homeDir) });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationFailure);
    const failure = error as ApplicationFailure;
    expect(failure.type).toBe(FAILURE_TYPES.policyRefused);
    expect(failure.nonRetryable).toBe(true);
    return (failure.details?.[0] as { refusals: Refusal[] }).refusals;
  }
}
const summary = (refusals: Refusal[]) =>
  refusals.map((refusal) => `${refusal.setting} ${refusal.subject} ${refusal.rule}`);

test('the worker’s own trigger resolves', async () => {
  expect(await refusalsOf({ DOCKER_HOST: workerEnv.DOCKER_HOST })).toEqual([]);
});

test('a home the worker does not serve — the runner’s own workspace with a planted .stigmer — is refused', async () => {
  const planted = join(home, '.stigmer', 'data', 'workspace');
  await mkdir(join(planted, '.stigmer'), { recursive: true });
  await writeFile(
    join(planted, '.stigmer', 'config.yaml'),
    'backend:\n  local:\n    runner:\n      workspace_dir: /\n',
  );
  expect(summary(await refusalsOf({}, planted))).toEqual(['trigger.homeDir home not-served']);
  expect(summary(await refusalsOf({}, '/etc'))).toEqual(['trigger.homeDir home not-served']);
  expect(summary(await refusalsOf({}, `${home}/../..${home}/.stigmer`))).toEqual(['trigger.homeDir home not-served']);
});

test('workspace, engine and image outside policy are refused together, each naming its setting', async () => {
  const refusals = await refusalsOf(
    { STIGMER_RUNNER_WORKSPACE_DIR: '/', DOCKER_HOST: 'tcp://127.0.0.1:9', STIGMER_RUNNER_IMAGE: 'evil/runner:1' },
    home,
  );
  expect(summary(refusals)).toEqual([
    'env:STIGMER_RUNNER_WORKSPACE_DIR workspace system-folder',
    'env:DOCKER_HOST engine not-allowed',
    'env:STIGMER_RUNNER_IMAGE image not-allowed',
  ]);
  expect(refusals.every((refusal) => refusal.allow.length > 0)).toBe(true);
});

test('a workspace that reaches a system folder through a symlink or `..` is judged where it leads', async () => {
  const link = join(home, '.stigmer', 'data', 'escape');
  await mkdir(join(home, '.stigmer', 'data'), { recursive: true });
  await symlink('/etc', link);
  expect(summary(await refusalsOf({ STIGMER_RUNNER_WORKSPACE_DIR: link }))).toEqual([
    'env:STIGMER_RUNNER_WORKSPACE_DIR workspace system-folder',
  ]);
  expect(summary(await refusalsOf({ STIGMER_RUNNER_WORKSPACE_DIR: `${home}/../../etc` }))).toEqual([
    'env:STIGMER_RUNNER_WORKSPACE_DIR workspace system-folder',
  ]);
});

test.each<[string, (dir: string) => Promise<string>, string]>([
  [
    'a FIFO (would block)',
    async (dir) => (execFileSync('mkfifo', [join(dir, 'fifo')]), join(dir, 'fifo')),
    'not-regular',
  ],
  ['/dev/zero (would never end)', async () => '/dev/zero', 'not-regular'],
  [
    'a symlink out of the home',
    async (dir) => (await symlink('/etc/passwd', join(dir, 'out')), join(dir, 'out')),
    'outside-roots',
  ],
  ['a file outside the home', async () => '/etc/hostname', 'outside-roots'],
  [
    'a huge file',
    async (dir) => (await writeFile(join(dir, 'big.yaml'), 'a'.repeat(300_000)), join(dir, 'big.yaml')),
    'too-large',
  ],
  [
    'another user’s file in the home',
    async (dir) => (
      await writeFile(join(dir, 'theirs.yaml'), 'x: 1\n'),
      await chown(join(dir, 'theirs.yaml'), 4242, 4242),
      join(dir, 'theirs.yaml')
    ),
    'foreign-owner',
  ],
])(
  'a config file that is %s is refused before it is read',
  async (_name, make, rule) => {
    const dir = await mkdtemp(join(home, 'files-'));
    const path = await make(dir);
    const started = Date.now();
    const refusals = await refusalsOf({ STIGMER_CONFIG: path });
    expect(summary(refusals)).toEqual([`env:STIGMER_CONFIG file ${rule}`]);
    expect(refusals[0].value).toBe(path);
    expect(Date.now() - started).toBeLessThan(5000); // a FIFO or /dev/zero read would never return
  },
  10_000,
); // a read that blocks fails here rather than hanging the suite

test('the worker’s own config file may live outside its home', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-own-config-'));
  const file = join(dir, 'worker.yaml');
  await writeFile(file, 'backend:\n  local:\n    llm:\n      model: own-model\n');
  const own = loadWorkerPolicy({ env: { ...workerEnv, STIGMER_CONFIG: file }, homeDir: home }).policy;
  const config = resolveTriggerConfig(
    { flags: {}, trigger: triggerContext({ STIGMER_CONFIG: file }, home) },
    worker(),
    own,
  );
  expect(config.llm.model.value).toBe('own-model');
  let refused: unknown;
  try {
    resolveTriggerConfig({ flags: {}, trigger: triggerContext({ STIGMER_CONFIG: file }, home) }, worker(), policy());
  } catch (error) {
    refused = error;
  }
  expect(refused).toMatchObject({ refusals: [{ subject: 'file', rule: 'outside-roots' }] });
  await rm(dir, { recursive: true, force: true });
});

describe('the worker’s API key goes only where its own configuration sends it', () => {
  const plan = {
    runner: { contract: 'python-2026-01' },
    mode: 'host',
    extraHosts: [],
    services: [],
  } as unknown as NetworkPlan;
  const specFor = (baseUrl: string) => {
    const env = { STIGMER_LLM_PROVIDER: 'anthropic', STIGMER_LLM_BASE_URL: baseUrl };
    const request = { flags: {}, trigger: triggerContext(env, home) };
    const own = loadWorkerPolicy({
      env: { ...workerEnv, ...env, STIGMER_LLM_BASE_URL: 'https://api.anthropic.com' },
      homeDir: home,
    }).policy;
    const config = resolveTriggerConfig(request, worker(), own);
    return runnerContainerSpec(request, config, plan, 'wf', worker(), own);
  };

  test('to the worker’s own endpoint: the key goes', () => {
    const { spec, withheld } = specFor('https://api.anthropic.com');
    expect(withheld).toBeUndefined();
    expect(spec.env.join('\n')).toContain('sk-worker-own-key');
  });

  test('to an endpoint the trigger named: the runner gets no key, and the result says why', () => {
    const { spec, withheld } = specFor('http://127.0.0.1:9/');
    expect(spec.env.join('\n')).not.toContain('sk-worker-own-key');
    expect(withheld).toMatch(/withheld: the runner's LLM \(env:STIGMER_LLM_BASE_URL, key env:ANTHROPIC_API_KEY\)/);
  });
});

test('a forged activity input naming a container this worker did not make is refused before any act', async () => {
  const acts: string[] = [];
  const container = (labels: Record<string, string>) => ({
    inspect: async () => ({ Config: { Labels: labels }, State: { Status: 'running' } }),
    stop: async () => void acts.push('stop'),
  });
  let labels: Record<string, string> = { 'com.example': 'a user container' };
  const docker = {
    endpoint: { url: workerEnv.DOCKER_HOST, source: 'env:DOCKER_HOST' },
    docker: { getContainer: () => container(labels) },
  } as unknown as DockerConnection;
  const stopRunner = createStopRunner({ docker, ...worker(), platform: 'linux', policy: policy() });
  const input = { id: 'c0ffee', name: 'postgres' } as RunnerContainer;
  await expect(new MockActivityEnvironment().run(stopRunner, input)).rejects.toMatchObject({
    type: FAILURE_TYPES.policyRefused,
    nonRetryable: true,
  });
  expect(acts).toEqual([]);
  labels = { 'dev.stigmer.managed-by': 'stigmer-runner' };
  await new MockActivityEnvironment().run(stopRunner, input);
  expect(acts).toEqual(['stop']);
});
