/**
 * End to end: the CLI (`stigmer-runner run`, compiled, as a child process) provisions a locally
 * built agent-runner image on the real Docker engine, against a real Temporal dev server and
 * stand-ins for Ollama and the Stigmer backend on real sockets. Each scenario is one incident class.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABELS } from '../../src/core/container-spec';
import { startBackendStandIn } from '../support/backend-standin';
import { stepOf as step, useE2E } from '../support/e2e-harness';
import { startOllamaStandIn } from '../support/ollama-standin';
import { recordTiming } from '../support/timings';

jest.setTimeout(180_000);

const e2e = useE2E();
const { cli, services, scenarioEnv, runnerContainers, containerEnv } = e2e;

test('1. default on a native Linux engine: host network, localhost pinned to 127.0.0.1, ready', async () => {
  const runner = `e2e-host-${process.pid}`;
  const scenario = await services('127.0.0.1');
  const run = await cli(['run', '--json'], scenarioEnv(runner, scenario));
  recordTiming('e2e 1 default → host network → ready', run.ms);
  expect(run.stderr).not.toMatch(/Error/);
  expect(run.code).toBe(0);
  expect(run.json).toMatchObject({ status: 'ready', network: { mode: 'host', extraHosts: [] }, container: { name: runner } });
  expect(run.json?.steps.map((entry) => entry.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
  expect(run.json?.checks.filter((check) => check.site === 'container').map((check) => check.ok)).toEqual([true, true, true]);

  const env = await containerEnv(runner);
  expect(env).toMatchObject({
    TEMPORAL_SERVICE_ADDRESS: `127.0.0.1:${e2e.temporal.port}`,
    OLLAMA_BASE_URL: `http://127.0.0.1:${scenario.ollama?.port}`,
    STIGMER_BACKEND_ENDPOINT: `127.0.0.1:${scenario.backend.port}`,
    SANDBOX_ROOT_DIR: '/workspace',
  });
  const [container] = await runnerContainers(runner);
  expect(container.Names).toEqual([`/${runner}`]);
  expect(container.Labels[LABELS.managedBy]).toBe('stigmer-runner');
  expect(container.HostConfig.NetworkMode).toBe('host');

  // A second run for the same runner finds the container it made and reuses it: never two.
  const again = await cli(['run', '--json'], scenarioEnv(runner, scenario));
  recordTiming('e2e 1b second run → container reused → ready', again.ms);
  expect(again.code).toBe(0);
  expect(again.json?.container).toMatchObject({ id: container.Id, action: 'reused' });
  expect(await runnerContainers(runner)).toHaveLength(1);
});

test('2. --network bridge with services on all interfaces: ready through host.docker.internal', async () => {
  const runner = `e2e-bridge-${process.pid}`;
  const run = await cli(['run', '--network', 'bridge', '--json'], scenarioEnv(runner, await services('0.0.0.0')));
  recordTiming('e2e 2 bridge via host.docker.internal → ready', run.ms);
  expect(run.stderr).not.toMatch(/Error/);
  expect(run.code).toBe(0);
  expect(run.json).toMatchObject({ status: 'ready', network: { mode: 'bridge', extraHosts: ['host.docker.internal:host-gateway'], hostAlias: 'host.docker.internal' } });
  const env = await containerEnv(runner);
  expect(env.TEMPORAL_SERVICE_ADDRESS).toBe(`host.docker.internal:${e2e.temporal.port}`);
  expect(env.OLLAMA_BASE_URL).toMatch(/^http:\/\/host\.docker\.internal:\d+$/);
  expect(env.STIGMER_BACKEND_ENDPOINT).toMatch(/^host\.docker\.internal:\d+$/);
  const gateway = run.json?.checks.filter((check) => check.site === 'bridge-gateway') ?? [];
  expect(gateway.map((check) => check.ok)).toEqual([true, true, true]);
});

test('3. the seed bug — a bridged container handed localhost — fails within seconds, non-retryably, naming URL, container and mode', async () => {
  const runner = `e2e-seed-${process.pid}`;
  const run = await cli(['run', '--network', 'bridge', '--json'], scenarioEnv(runner, await services('0.0.0.0'), { STIGMER_RUNNER_HOST_ALIAS: 'localhost' }));
  recordTiming('e2e 3 seed bug → diagnosis', run.ms);
  expect(run.code).toBe(3);
  expect(run.json?.status).toBe('failed');
  expect(step(run, 'verifyConnectivity')).toMatchObject({ status: 'failed', attempts: 1 });
  expect(step(run, 'awaitRunnerReady')?.status).toBe('pending');
  const ollama = run.json?.diagnosis.find((entry) => entry.service === 'ollama');
  expect(ollama?.cause).toBe('localhost inside a bridged container is the container itself, not this machine');
  expect(ollama?.summary).toMatch(new RegExp(`^Ollama: http://localhost:\\d+/api/tags from container ${runner} \\(network bridge\\) failed: ECONNREFUSED`));
  expect(run.json?.error?.message).toContain(`from container ${runner} (network bridge)`);
});

test('4. Ollama down: retried with backoff, then failed, naming host:port from the container and from this machine', async () => {
  const runner = `e2e-down-${process.pid}`;
  const scenario = await services('0.0.0.0', 'down');
  const port = scenario.ollamaUrl.split(':')[2];
  const run = await cli(['run', '--json', '--verify-attempts', '3', '--verify-interval-ms', '200'], scenarioEnv(runner, scenario));
  recordTiming('e2e 4 Ollama down → 3 attempts → failed', run.ms);
  expect(run.code).toBe(3);
  expect(step(run, 'verifyConnectivity')).toMatchObject({ status: 'failed', attempts: 3 });
  const ollama = run.json?.diagnosis.find((entry) => entry.service === 'ollama');
  expect(ollama?.summary).toContain(`http://127.0.0.1:${port}/api/tags from container ${runner} (network host) failed: ECONNREFUSED`);
  expect(ollama?.summary).toContain(`from this machine http://localhost:${port}/api/tags failed: ECONNREFUSED`);
  expect(ollama?.fix).toMatch(/ollama serve/);
});

test('incident 4: Ollama on 127.0.0.1 only behind a bridge is diagnosed with the OLLAMA_HOST fix, without retrying', async () => {
  const runner = `e2e-loopback-${process.pid}`;
  const backend = await startBackendStandIn({ host: '0.0.0.0' });
  const ollama = await startOllamaStandIn({ host: '127.0.0.1' });
  e2e.cleanup(() => backend.close());
  e2e.cleanup(() => ollama.close());
  const run = await cli(['run', '--network', 'bridge', '--json'], scenarioEnv(runner, { backend, ollama, ollamaUrl: `http://localhost:${ollama.port}` }));
  recordTiming('e2e incident 4 loopback-only Ollama → diagnosis', run.ms);
  expect(run.code).toBe(3);
  expect(step(run, 'verifyConnectivity')).toMatchObject({ status: 'failed', attempts: 1 });
  const diagnosis = run.json?.diagnosis.find((entry) => entry.service === 'ollama');
  expect(diagnosis?.cause).toMatch(/^Ollama listens on 127\.0\.0\.1 only, so the bridge gateway 172\.\d+\.\d+\.\d+ cannot reach it$/);
  expect(diagnosis?.fix).toBe('set OLLAMA_HOST=0.0.0.0:11434 and restart Ollama');
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
    ['an unsupported provider in env', async (runner) => ({ args: ['run'], env: { STIGMER_RUNNER_NAME: runner, STIGMER_LLM_PROVIDER: 'gemini' } }), /env:STIGMER_LLM_PROVIDER: "gemini" is not one of "ollama", "anthropic", "openai"/],
    ['a network that does not exist', async (runner) => ({ args: ['run', '--network', 'overlay'], env: { STIGMER_RUNNER_NAME: runner } }), /flag:--network: "overlay" is not one of "auto", "host", "bridge"/],
    ['a config file that does not exist', async (runner) => ({ args: ['run', '--config', join(e2e.home, 'missing.yaml')], env: { STIGMER_RUNNER_NAME: runner } }), /flag:--config: config file .*missing\.yaml does not exist/],
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
    // The detached dev server, if this test started it: stop it and wait until it is gone, or it
    // would still be writing its database into the folder being removed.
    const running = () => new Promise<boolean>((resolve) => execFile('pgrep', ['-f', embeddedHome], (error) => resolve(!error)));
    await new Promise((resolve) => execFile('pkill', ['-f', embeddedHome], resolve));
    for (const deadline = Date.now() + 15_000; (await running()) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 100));
    await rm(embeddedHome, { recursive: true, force: true });
  });
  const run = await cli(['run', '--network', 'bridge', '--json'], { ...env, HOME: embeddedHome });
  recordTiming('e2e embedded default (dev server started) → ready', run.ms);
  // On a clean machine (CI) the server is started; one a developer already runs is reused. The
  // forwarder (dev server on loopback, forwarder on the gateway alone) exits once the server stops.
  expect(run.code).toBe(0);
  const address = (await containerEnv(runner)).TEMPORAL_SERVICE_ADDRESS;
  expect(address).toMatch(/^172\.\d+\.\d+\.\d+:7233$/);
  const gateway = address.split(':')[0];
  const listening = await new Promise<string>((resolve) => execFile('ss', ['-Hltn', 'sport = :7233'], (_error, stdout) => resolve(stdout)));
  expect(listening).toContain(`${gateway}:7233`);
  expect(listening).toContain('127.0.0.1:7233');
  expect(listening).not.toMatch(/(0\.0\.0\.0|\*|\[::\]):7233/);
});
