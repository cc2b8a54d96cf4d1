/**
 * The engine a user selects travels with the provision: `run` with DOCKER_HOST pointing at Podman,
 * served by a standalone worker started without it (whose own engine is rootful Docker), provisions
 * on Podman — and says which engine and why.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectDocker } from '../../src/docker/client';
import { stepOf, useE2E, writeWorkerPolicy } from '../support/e2e-harness';
import { STAND_IN_REPOSITORY } from '../support/runner-image';
import { startWorkerProcess } from '../support/worker-process';

jest.setTimeout(180_000);

const e2e = useE2E({ engine: 'rootful-podman' });

test('an engine the worker’s own config does not list is refused: exit 5, naming the setting and how to allow it', async () => {
  // This worker's policy lists the stand-in images but no engine beyond its own (rootful Docker).
  await writeFile(join(e2e.home, '.stigmer', 'config.yaml'), `worker:\n  images: [${STAND_IN_REPOSITORY}]\n`);
  const runner = `e2e-refused-engine-${process.pid}`;
  const worker = await startWorkerProcess({ temporalAddress: e2e.temporal.address, env: { HOME: e2e.home } });
  e2e.cleanup(async () => (worker.kill('SIGTERM'), await writeWorkerPolicy(e2e.home)));
  const run = await e2e.cli(['run', '--json'], e2e.scenarioEnv(runner, await e2e.services('127.0.0.1')));
  expect(run.stderr).not.toMatch(/running a worker in this process/);
  expect({ code: run.code, type: run.json?.error?.type }).toEqual({ code: 5, type: 'PolicyRefused' });
  expect(run.json?.error?.message).toMatch(
    /env:DOCKER_HOST: engine unix:\/\/\/run\/podman\/podman\.sock is not one .*worker\.engines/,
  );
  expect(await e2e.runnerContainers(runner)).toEqual([]);
});

test('a standalone worker provisions on the engine the trigger selected, among those its config allows', async () => {
  const runner = `e2e-selected-engine-${process.pid}`;
  const worker = await startWorkerProcess({ temporalAddress: e2e.temporal.address, env: { HOME: e2e.home } });
  e2e.cleanup(() => worker.kill('SIGTERM'));
  const run = await e2e.cli(['run', '--json'], e2e.scenarioEnv(runner, await e2e.services('127.0.0.1')));
  expect(run.stderr).not.toMatch(/running a worker in this process/); // the standalone worker served it
  expect(run.code).toBe(0);
  expect(stepOf(run, 'planNetworking')?.note).toMatch(
    /^Podman \(engine [\d.]+\) at unix:\/\/\/run\/podman\/podman\.sock \(env:DOCKER_HOST\): network host$/,
  );
  expect(await e2e.runnerContainers(runner)).toHaveLength(1);
  const rootful = connectDocker({}).docker;
  expect(await rootful.listContainers({ all: true, filters: { name: [runner] } })).toEqual([]);
});
