/**
 * The standalone worker (`stigmer-runner worker`): `run` uses it instead of starting its own; it
 * logs what it configured as JSON lines, serves Prometheus metrics, and stops gracefully on SIGTERM.
 */
import { join } from 'node:path';
import { projectRoot } from '../../src/temporal/dev-server';
import { PROVISIONING_TASK_QUEUE, provisionWorkflowId } from '../../src/core/contract/names';
import { useE2E } from '../support/e2e-harness';
import { childEnv, spawnNode } from '../support/process';
import { freePort } from '../support/temporal-server';

jest.setTimeout(120_000);

const e2e = useE2E();

test('a standalone worker serves `run`, logs addresses, mode and engine as JSON lines, exports metrics, and shuts down on SIGTERM', async () => {
  const runner = `observed-${process.pid}`;
  const env = e2e.scenarioEnv(runner, await e2e.services('0.0.0.0'));
  const metricsPort = await freePort();
  const worker = spawnNode(
    [join(projectRoot(), 'bin', 'stigmer-runner.js'), 'worker', '--metrics', `127.0.0.1:${metricsPort}`],
    { env: childEnv(e2e.home, env) },
  );
  e2e.cleanup(() => worker.kill('SIGKILL'));
  /** The worker's stdout arrives through a pipe, possibly after `run` has already seen the outcome. */
  const logged = (message: string) => worker.waitForLine(new RegExp(`"message":"${message}"`), 20_000);
  await logged('worker started');

  const run = await e2e.cli(['run', '--network', 'bridge', '--json'], env);
  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
  expect(run.stderr).not.toContain('running a worker in this process');

  await logged('runner polling');
  const events = worker
    .stdout()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const byMessage = (message: string) => events.find((event) => event.message === message) as Record<string, unknown>;
  expect(byMessage('worker started')).toMatchObject({
    level: 'info',
    taskQueue: PROVISIONING_TASK_QUEUE,
    metrics: `http://127.0.0.1:${metricsPort}/metrics`,
  });
  expect(byMessage('network planned')).toMatchObject({
    mode: 'bridge',
    engineKind: 'native-linux',
    engine: expect.stringMatching(/^Docker on /),
    hostAlias: 'host.docker.internal',
    extraHosts: ['host.docker.internal:host-gateway'],
    addresses: {
      temporal: `host.docker.internal:${e2e.temporal.port}`,
      backend: expect.stringMatching(/^host\.docker\.internal:\d+$/),
      ollama: expect.stringMatching(/^http:\/\/host\.docker\.internal:\d+$/),
    },
    workflowId: provisionWorkflowId(runner),
  });
  expect(byMessage('runner container ready')).toMatchObject({
    container: runner,
    action: 'created',
    mode: 'bridge',
    addresses: { temporal: `host.docker.internal:${e2e.temporal.port}` },
  });
  expect(byMessage('connectivity verified')).toMatchObject({ mode: 'bridge' });
  expect(byMessage('runner polling')).toMatchObject({ taskQueue: 'agent_execution_runner', container: runner });

  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  expect(metrics).toMatch(/^temporal_/m);
  expect(metrics).toMatch(/temporal_activity_execution_latency\w*\{[^}]*activity_type="startContainer"/);

  await worker.kill('SIGTERM');
  expect(worker.child.exitCode).toBe(0);
  expect(worker.output()).toContain('"worker stopped"');
});
