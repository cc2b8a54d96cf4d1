/**
 * The attack from a bridged runner on the managed default: `run` starts the dev server on loopback
 * and the forwarder on the bridge gateway (no authentication), and the user keeps a root
 * `stigmer-runner worker` on it. Agent code in the runner reaches that Temporal through the forwarder
 * and asks the worker for the machine's `/` as its workspace, or a home of its own: refused, and
 * nothing on this machine changes.
 */
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../../src/temporal/dev-server';
import { attackFrom } from '../../support/attacker';
import { useE2E, writeWorkerPolicy } from '../../support/e2e-harness';
import { MANAGED_PORT, stopManagedServerOf } from '../../support/managed-server';
import { childEnv, spawnNode } from '../../support/process';

jest.setTimeout(240_000);

const e2e = useE2E();

test('through the bridge forwarder of the managed dev server, a root worker refuses the runner’s hostile provisions', async () => {
  const runner = `e2e-forwarded-${process.pid}`;
  const home = await mkdtemp(join(tmpdir(), 'stigmer-forwarded-'));
  await chmod(home, 0o755);
  await writeWorkerPolicy(home);
  e2e.cleanup(async () => {
    await stopManagedServerOf(home);
    await rm(home, { recursive: true, force: true });
  });
  const env: Record<string, string> = { ...e2e.scenarioEnv(runner, await e2e.services('0.0.0.0')), HOME: home };
  delete env.TEMPORAL_SERVICE_ADDRESS; // nothing configured: the managed default, and its forwarder
  const run = await e2e.cli(['run', '--network', 'bridge', '--json'], env);
  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
  const [info] = await e2e.runnerContainers(runner);
  const container = e2e.docker.getContainer(info.Id);
  const address = (await container.inspect()).Config.Env.find((line) => line.startsWith('TEMPORAL_SERVICE_ADDRESS='));
  expect(address).toMatch(new RegExp(`=\\d+\\.\\d+\\.\\d+\\.\\d+:${MANAGED_PORT}$`)); // the gateway, forwarded

  // The user's standalone root worker on the managed server (its default), as on most Linux installs.
  const worker = spawnNode([join(projectRoot(), 'bin', 'stigmer-runner.js'), 'worker'], {
    env: childEnv(home, { STIGMER_RUNNER_IMAGE: e2e.image, STIGMER_RUNNER_PULL: 'never' }),
  });
  e2e.cleanup(() => worker.kill('SIGTERM'));
  await worker.waitForLine(/worker started/, 60_000);

  const before = await stat('/');
  const input = (env: Record<string, string>, homeDir = home) => ({
    flags: { runner: `atk-fwd-${process.pid}` },
    trigger: { env: { STIGMER_RUNNER_IMAGE: e2e.image, STIGMER_RUNNER_PULL: 'never', ...env }, homeDir },
  });
  const outcomes = await attackFrom(container, {
    attacks: [
      {
        id: `atk-fwd-root-${process.pid}`,
        type: 'provisionRunner',
        input: input({ STIGMER_RUNNER_WORKSPACE_DIR: '/' }),
      },
      { id: `atk-fwd-home-${process.pid}`, type: 'provisionRunner', input: input({}, '/workspace') },
    ],
  });
  expect(
    outcomes.map((outcome) => [
      outcome.status,
      outcome.type,
      (outcome.refusals ?? []).map((refusal) => `${refusal.setting} ${refusal.subject} ${refusal.rule}`),
    ]),
  ).toEqual([
    ['failed', 'PolicyRefused', ['env:STIGMER_RUNNER_WORKSPACE_DIR workspace system-folder']],
    ['failed', 'PolicyRefused', ['trigger.homeDir home not-served']],
  ]);
  const after = await stat('/');
  expect([after.uid, after.gid, after.mode]).toEqual([before.uid, before.gid, before.mode]);
  expect(await e2e.docker.listContainers({ all: true, filters: { name: [`^/?atk-fwd-${process.pid}$`] } })).toEqual([]);
});
