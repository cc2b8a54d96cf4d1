/**
 * A fleet behind one Temporal, through the CLI a user runs: two hosts on this machine — rootful Docker
 * (host a) and rootful Podman (host b) — each with its own `stigmer-runner worker --host` polling
 * runner_provisioning and runner_provisioning@HOST. `run --host` lands on the host's engine; `hosts`
 * lists both; `status --host` reads another host's runner; `teardown --host` removes it on that host's
 * engine; a host whose worker is gone fails fast as HostOffline (exit 4) while the other keeps provisioning.
 */
import { join } from 'node:path';
import { removeContainers } from '../support/docker';
import { LABELS } from '../../src/core/runner/container-spec';
import { HOST_SCHEDULE_TO_START_MS, provisionWorkflowId } from '../../src/core/contract/names';
import { ensureImageOn, requireEngine, type EngineUnderTest } from '../support/engines';
import { stepOf, useE2E } from '../support/e2e-harness';
import { recordTiming } from '../support/timings';
import { childEnv, spawnNode, type Spawned } from '../support/process';
import { projectRoot } from '../../src/temporal/dev-server';
import type { RunnerStatus } from '../../src/cli/status-lines';

jest.setTimeout(300_000);

const e2e = useE2E({ engine: 'rootful-docker' });
const HOST_A = `fleet-a-${process.pid}`;
const HOST_B = `fleet-b-${process.pid}`;
let podman: EngineUnderTest;

beforeAll(async () => {
  podman = await requireEngine('rootful-podman');
  await ensureImageOn(podman, e2e.image);
});

/** `stigmer-runner worker --host HOST` as its operator starts it: its engine from its env, its home the e2e home (its policy). */
async function hostWorker(host: string, engine: EngineUnderTest): Promise<Spawned> {
  const worker = spawnNode([join(projectRoot(), 'bin', 'stigmer-runner.js'), 'worker', '--host', host], {
    env: childEnv(e2e.home, engine.env, { TEMPORAL_SERVICE_ADDRESS: e2e.temporal.address }),
  });
  e2e.cleanup(() => worker.kill('SIGTERM'));
  const started = JSON.parse(await worker.waitForLine(/"worker started"/, 60_000));
  expect(started).toMatchObject({ host, hostTaskQueue: `runner_provisioning@${host}` });
  return worker;
}

async function provision(host: string, runner: string, engine: EngineUnderTest) {
  const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
  e2e.cleanup(() => removeContainers(engine.docker, { label: [`${LABELS.runner}=${runner}`] }));
  return e2e.cli(['run', '--host', host, '--json'], env);
}

const onEngine = async (engine: EngineUnderTest, runner: string) =>
  (await engine.docker.listContainers({ all: true, filters: { label: [`${LABELS.runner}=${runner}`] } })).length;

test('provisions on two hosts at once land on their own engines; hosts lists both', async () => {
  await Promise.all([hostWorker(HOST_A, e2e.engine), hostWorker(HOST_B, podman)]);
  const [runnerA, runnerB] = [`e2e-fleet-a-${process.pid}`, `e2e-fleet-b-${process.pid}`];
  const started = Date.now();
  const [a, b] = await Promise.all([provision(HOST_A, runnerA, e2e.engine), provision(HOST_B, runnerB, podman)]);
  recordTiming('fleet: two hosts provisioned at once', Date.now() - started);
  expect({ a: a.code, b: b.code, stderr: a.code || b.code ? `${a.stderr}\n${b.stderr}` : '' }).toEqual({
    a: 0,
    b: 0,
    stderr: '',
  });
  expect(a.stderr).not.toMatch(/running a worker in this process/);
  expect(a.json?.workflowId).toBe(provisionWorkflowId(runnerA, HOST_A));
  expect(b.json?.workflowId).toBe(provisionWorkflowId(runnerB, HOST_B));
  expect(stepOf(a, 'planNetworking')?.note).toMatch(/^Docker/);
  expect(stepOf(b, 'planNetworking')?.note).toMatch(/^Podman/);
  expect([
    await onEngine(e2e.engine, runnerA),
    await onEngine(podman, runnerA),
    await onEngine(podman, runnerB),
    await onEngine(e2e.engine, runnerB),
  ]).toEqual([1, 0, 1, 0]);

  const hosts = await e2e.cli(['hosts', '--json'], e2e.scenarioEnv(runnerA, await e2e.services('127.0.0.1')));
  expect(hosts.code).toBe(0);
  const listed = (
    hosts.json as unknown as {
      hosts: Array<{
        host: string;
        live: boolean;
        engine?: string;
        runners: Array<{ runner: string; status: string }>;
      }>;
    }
  ).hosts;
  expect(listed.find((entry) => entry.host === HOST_A)).toMatchObject({
    live: true,
    engine: 'native-linux',
    runners: [{ runner: runnerA, status: 'ready' }],
  });
  expect(listed.find((entry) => entry.host === HOST_B)).toMatchObject({
    live: true,
    engine: 'podman',
    runners: [{ runner: runnerB, status: 'ready' }],
  });

  // From this machine, b's runner is read from Temporal only: its engine is seen by b's worker alone,
  // so status says so and fails closed (exit 8) rather than call it healthy.
  const envB = e2e.scenarioEnv(runnerB, await e2e.services('127.0.0.1'));
  const status = await e2e.cli(['status', '--host', HOST_B, '--json'], envB);
  const shown = JSON.parse(status.stdout) as RunnerStatus;
  expect({ code: status.code, problems: shown.problems }).toEqual({
    code: 8,
    problems: [{ kind: 'other-host', host: HOST_B }],
  });
  expect(shown).toMatchObject({ runner: runnerB, host: HOST_B, lastProvision: { status: 'COMPLETED' } });
  expect(shown.containers).toBeUndefined();

  // teardown --host runs on b's worker, against b's engine: a's runner stays.
  const teardown = await e2e.cli(['teardown', '--host', HOST_B, '--json'], envB);
  expect({ code: teardown.code, stderr: teardown.code ? teardown.stderr : '' }).toEqual({ code: 0, stderr: '' });
  expect([await onEngine(podman, runnerB), await onEngine(e2e.engine, runnerA)]).toEqual([0, 1]);
});

test("host b's worker SIGKILLed: a run for b fails fast as HostOffline while a keeps provisioning; restarted, b provisions", async () => {
  await hostWorker(HOST_A, e2e.engine);
  const workerB = await hostWorker(HOST_B, podman);
  await workerB.kill('SIGKILL');
  const [runnerA, runnerB] = [`e2e-fleet-a2-${process.pid}`, `e2e-fleet-b2-${process.pid}`];
  const [a, b] = await Promise.all([provision(HOST_A, runnerA, e2e.engine), provision(HOST_B, runnerB, podman)]);
  recordTiming('fleet: host offline reported', b.ms);
  expect(a.code).toBe(0);
  expect({ code: b.code, error: b.json?.error }).toEqual({
    code: 4,
    error: {
      type: 'HostOffline',
      message: expect.stringMatching(
        new RegExp(`host ${HOST_B} has no worker polling runner_provisioning@${HOST_B} .*\\(last seen \\d{4}-`),
      ),
    },
  });
  expect(b.ms).toBeLessThan(HOST_SCHEDULE_TO_START_MS + 25_000);
  expect(stepOf(b, 'planNetworking')).toMatchObject({ status: 'failed', attempts: 1 });
  expect(await onEngine(podman, runnerB)).toBe(0);

  await hostWorker(HOST_B, podman);
  const again = await provision(HOST_B, runnerB, podman);
  expect({ code: again.code, error: again.json?.error }).toEqual({ code: 0, error: undefined });
  expect(await onEngine(podman, runnerB)).toBe(1);
});
