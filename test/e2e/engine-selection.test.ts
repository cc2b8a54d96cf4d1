/**
 * The engine a user selects travels with the provision: `run` with DOCKER_HOST pointing at Podman,
 * served by a standalone worker started without it (whose own engine is rootful Docker), provisions
 * on Podman — and says which engine and why.
 */
import { connectDocker } from '../../src/docker/client';
import { stepOf, useE2E } from '../support/e2e-harness';
import { startWorkerProcess } from '../support/worker-process';

jest.setTimeout(180_000);

const e2e = useE2E({ engine: 'rootful-podman' });

test('a standalone worker provisions on the engine the trigger selected, not its own', async () => {
  const runner = `e2e-selected-engine-${process.pid}`;
  const worker = await startWorkerProcess({ temporalAddress: e2e.temporal.address, env: {} });
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
