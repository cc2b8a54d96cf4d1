/**
 * Temporal's promise, held by our provision: a worker killed in any step, a Temporal server
 * restarted, a Docker engine gone for a while, a runner removed by hand — the provision completes,
 * with exactly one runner container.
 */
import { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { triggerContext } from '../../src/settings/trigger';
import { STEP_NAMES, type StepName } from '../../src/core/contract/progress';
import { waitUntil } from '../../src/core/wait';
import { findDockerEndpoint } from '../../src/docker/endpoint';
import { startProvision } from '../../src/cli/start';
import type { ProvisionResult } from '../../src/workflows';
import { useE2E } from '../support/e2e-harness';
import { startTestTemporal } from '../support/temporal-server';
import { recordTiming } from '../support/timings';
import { startUnixProxy } from '../support/unix-proxy';
import { startWorkerProcess, type WorkerProcessOptions } from '../support/worker-process';
import { connectClient, devServerTarget } from '../../src/temporal/connection';

jest.setTimeout(240_000);

const e2e = useE2E();

async function clientOf(address: string): Promise<Client> {
  const client = new Client({ connection: await connectClient(devServerTarget(address)) });
  e2e.cleanup(() => client.connection.close());
  return client;
}

async function worker(options: WorkerProcessOptions) {
  const process = await startWorkerProcess({ ...options, env: { HOME: e2e.home, ...options.env } });
  e2e.cleanup(() => process.kill('SIGKILL'));
  return process;
}

function attemptsOf(result: ProvisionResult, step: StepName): number | undefined {
  return result.steps.find((entry) => entry.name === step)?.attempts;
}

describe('the worker is SIGKILLed in a step, after the step did its work but before it reported', () => {
  it.each(STEP_NAMES.map((step) => [step]))(
    '%s: a new worker finishes the provision; one runner container',
    async (step) => {
      const runner = `crash-${step.toLowerCase()}-${process.pid}`;
      const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
      const client = await clientOf(e2e.temporal.address);
      const first = await worker({ temporalAddress: e2e.temporal.address, env, pause: { step, when: 'after' } });
      const started = Date.now();
      const handle = await startProvision(client, { flags: { runner }, trigger: triggerContext(env, e2e.home) });
      await first.paused;
      await first.kill('SIGKILL');
      await worker({ temporalAddress: e2e.temporal.address, env });

      const result = await handle.result();
      recordTiming(`durability: worker killed in ${step} → ready`, Date.now() - started);
      expect(result.status).toBe('ready');
      expect(attemptsOf(result, step)).toBeGreaterThanOrEqual(2); // the killed attempt, then the new worker's
      const containers = await e2e.runnerContainers(runner);
      expect(containers).toHaveLength(1);
      expect(containers[0].State).toBe('running');
      // No stray containers of this runner by name either (the probe runs by exec, never as a container).
      expect(await e2e.docker.listContainers({ all: true, filters: { name: [runner] } })).toHaveLength(1);
    },
  );
});

test('the Temporal server (with a db file) is stopped and restarted mid-provision; the provision completes', async () => {
  const runner = `restart-${process.pid}`;
  const dbFile = join(e2e.home, `temporal-${randomUUID()}.db`);
  const server = await startTestTemporal({ ip: '0.0.0.0', dbFile });
  e2e.cleanup(() => server.stop());
  const env = {
    ...e2e.scenarioEnv(runner, await e2e.services('127.0.0.1')),
    TEMPORAL_SERVICE_ADDRESS: `localhost:${server.port}`,
  };
  const first = await worker({
    temporalAddress: server.address,
    env,
    pause: { step: 'verifyConnectivity', when: 'after' },
  });
  const client = await clientOf(server.address);
  const started = Date.now();
  const handle = await startProvision(client, { flags: { runner }, trigger: triggerContext(env, e2e.home) });
  await first.paused;

  await server.stop();
  const restarted = await startTestTemporal({ ip: '0.0.0.0', dbFile, port: server.port });
  e2e.cleanup(() => restarted.stop());
  first.resume();

  const result = await handle.result();
  recordTiming('durability: Temporal restarted mid-provision → ready', Date.now() - started);
  expect(result.status).toBe('ready');
  expect(result.steps.map((entry) => entry.status)).toEqual(STEP_NAMES.map(() => 'succeeded'));
  expect(await e2e.runnerContainers(runner)).toHaveLength(1);
});

const OUTAGE = { failedAttempts: 2, timeoutMs: 30_000 };

test('the Docker engine is unreachable for a while during startContainer; the step retries with backoff and completes', async () => {
  const runner = `engine-gone-${process.pid}`;
  // The rootful engine's socket, found as the product finds it (DOCKER_HOST, docker context, default).
  const engine = findDockerEndpoint({ ...process.env, ...e2e.engine.env }, homedir());
  if (!engine.url.startsWith('unix://'))
    throw new Error(`the engine-outage test needs a unix-socket engine; found ${engine.url} (${engine.source})`);
  const proxy = await startUnixProxy(
    join(e2e.home, `docker-${randomUUID().slice(0, 8)}.sock`),
    engine.url.slice('unix://'.length),
  );
  e2e.cleanup(() => proxy.down());
  const env = { ...e2e.scenarioEnv(runner, await e2e.services('127.0.0.1')), DOCKER_HOST: `unix://${proxy.path}` };
  const first = await worker({
    temporalAddress: e2e.temporal.address,
    env,
    pause: { step: 'startContainer', when: 'before' },
  });
  const client = await clientOf(e2e.temporal.address);
  const handle = await startProvision(client, { flags: { runner }, trigger: triggerContext(env, e2e.home) });
  await first.paused;

  await proxy.down();
  const outage = Date.now();
  first.resume();
  // The outage lasts until startContainer has failed OUTAGE.failedAttempts times against the gone
  // engine (1 s then 2 s backoff: about 3 s) — awaited on the server's record, not on a clock.
  await waitUntil(
    async () => {
      const pending = (await handle.describe()).raw.pendingActivities?.find(
        (activity) => activity.activityType?.name === 'startContainer',
      );
      return (pending?.attempt ?? 0) > OUTAGE.failedAttempts || undefined;
    },
    {
      intervalMs: 100,
      timeoutMs: OUTAGE.timeoutMs,
      what: `startContainer to fail ${OUTAGE.failedAttempts} times while the engine is gone`,
    },
  );
  await proxy.up();

  const result = await handle.result();
  recordTiming(`durability: engine back after ${OUTAGE.failedAttempts} failed attempts → ready`, Date.now() - outage);
  expect(result.status).toBe('ready');
  expect(attemptsOf(result, 'startContainer')).toBeGreaterThanOrEqual(OUTAGE.failedAttempts + 1);
  expect(await e2e.runnerContainers(runner)).toHaveLength(1);
});

describe('a runner changed by hand after a successful provision', () => {
  it.each([
    ['removed', 'created'],
    ['stopped', 'restarted'],
  ])('%s: the next run notices and re-provisions (%s)', async (change, action) => {
    const runner = `by-hand-${change}-${process.pid}`;
    const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
    const first = await e2e.cli(['run', '--json'], env);
    expect({ code: first.code, stderr: first.stderr }).toMatchObject({ code: 0 });
    const container = e2e.docker.getContainer(first.json?.container?.id as string);
    if (change === 'removed') await container.remove({ force: true });
    else await container.stop({ t: 1 });

    const again = await e2e.cli(['run', '--json'], env);
    recordTiming(`durability: runner ${change} by hand → re-provisioned`, again.ms);
    expect({ code: again.code, stderr: again.stderr }).toMatchObject({ code: 0 });
    expect(again.json?.container?.action).toBe(action);
    const containers = await e2e.runnerContainers(runner);
    expect(containers).toHaveLength(1);
    expect(containers[0].State).toBe('running');
    if (change === 'removed') expect(containers[0].Id).not.toBe(first.json?.container?.id);
  });
});
