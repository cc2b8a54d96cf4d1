/**
 * A warm `run` (issue 12): with the runner provisioned, ready and its spec unchanged, `run` reuses it
 * — no workflow execution, no worker, the same container — and says what it reused; `--fresh`, a
 * changed setting or a service gone provision in full, the last failing with the usual diagnosis.
 */
import { Client } from '@temporalio/client';
import { provisionWorkflowId } from '../../src/core/contract/names';
import { connectClient, devServerTarget } from '../../src/temporal/connection';
import { stepOf, useE2E } from '../support/e2e-harness';
import { startOllamaStandIn } from '../support/ollama-standin';
import { recordTiming } from '../support/timings';

jest.setTimeout(300_000);

const e2e = useE2E();

let client: Client;
beforeAll(async () => {
  client = new Client({ connection: await connectClient(devServerTarget(e2e.temporal.address)) });
});
afterAll(() => client?.connection.close());

/** The executions of the runner's provision the server lists. */
async function executions(runner: string): Promise<string[]> {
  const runIds: string[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${provisionWorkflowId(runner)}'` }))
    runIds.push(execution.runId);
  return runIds;
}

test('a second run reuses the warm runner and says what; --fresh and a changed setting provision in full', async () => {
  const runner = `warm-${process.pid}`;
  const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
  const workflowId = provisionWorkflowId(runner);

  const first = await e2e.cli(['run', '--json'], env);
  expect({ code: first.code, status: first.json?.status }).toEqual({ code: 0, status: 'ready' });
  expect(first.stderr).toContain(`provisioning in full: no earlier provision of ${runner}\n`);
  const containerId = first.json?.container?.id as string;

  // Warm: the line says what was reused; nothing is started (no worker, no workflow).
  const warm = await e2e.cli(['run'], env);
  recordTiming('warm run → ready (reused)', warm.ms);
  expect({ code: warm.code, stderr: warm.stderr }).toEqual({ code: 0, stderr: '' });
  expect(warm.stdout).toMatch(
    new RegExp(
      `^✓ runner ${runner} is ready \\(reused: container ${containerId.slice(0, 12)} running since \\S+Z, same spec; ` +
        `verified by provision ${workflowId} at \\S+Z; agent_execution_runner polled \\d+ s ago; ` +
        `temporal, backend, ollama answer\\)\\n$`,
    ),
  );

  // --json: a normal run's document (the last provision's ids, steps and checks) plus what was reused.
  const warmJson = await e2e.cli(['run', '--json'], env);
  expect(warmJson.code).toBe(0);
  const shown = JSON.parse(warmJson.stdout) as Record<string, unknown>;
  expect(Object.keys(shown).sort()).toEqual([...Object.keys(JSON.parse(first.stdout)), 'reused'].sort());
  expect(warmJson.json).toMatchObject({
    workflowId,
    runId: first.json?.runId,
    status: 'ready',
    steps: first.json?.steps,
    checks: first.json?.checks,
    diagnosis: [],
    network: first.json?.network,
    container: { id: containerId, name: runner, action: 'reused' },
  });
  expect(shown.reused).toMatchObject({
    provision: { workflowId, runId: first.json?.runId },
    container: { id: containerId, specHash: expect.stringMatching(/^[0-9a-f]{16}$/) },
    // the container's own host name (`<runner>-<8 hex>`), kept since the first provision made it
    poller: {
      identity: expect.stringMatching(new RegExp(`@${runner}-[0-9a-f]{8}$`)),
      taskQueue: 'agent_execution_runner',
    },
    services: expect.arrayContaining([
      expect.objectContaining({ service: 'ollama', site: 'host', detail: 'HTTP 200, model qwen2.5-coder:7b listed' }),
    ]),
  });
  expect(await executions(runner)).toEqual([first.json?.runId]);
  expect((await e2e.runnerContainers(runner)).map((container) => container.Id)).toEqual([containerId]);

  // --fresh: the whole provision again, on the same container.
  const fresh = await e2e.cli(['run', '--fresh', '--json'], env);
  expect(fresh.code).toBe(0);
  expect(fresh.stderr).toContain('provisioning in full: --fresh\n');
  expect(fresh.json).toMatchObject({ status: 'ready', container: { id: containerId, action: 'reused' } });
  expect(fresh.json).not.toHaveProperty('reused');
  expect(fresh.json?.runId).not.toBe(first.json?.runId);
  expect(stepOf(fresh, 'awaitRunnerReady')?.status).toBe('succeeded');
  expect((await executions(runner)).sort()).toEqual([first.json?.runId, fresh.json?.runId].sort());

  // Another setting that reaches the container: its spec changed, so it is provisioned (and replaced).
  const changed = { ...env, STIGMER_SANDBOX_IMAGE: 'example.test/agent-sandbox:other' };
  const respec = await e2e.cli(['run', '--json'], changed);
  expect(respec.code).toBe(0);
  expect(respec.stderr).toContain(
    `provisioning in full: spec changed (container ${containerId.slice(0, 12)} was made for another configuration)\n`,
  );
  expect(respec.json?.container).toMatchObject({ action: 'replaced' });
  expect(respec.json?.container?.id).not.toBe(containerId);
  expect(await executions(runner)).toHaveLength(3);
  // …and with that setting kept, warm again.
  const warmAgain = await e2e.cli(['run', '--json'], changed);
  expect(JSON.parse(warmAgain.stdout)).toMatchObject({
    runId: respec.json?.runId,
    container: { id: respec.json?.container?.id, action: 'reused' },
    reused: { provision: { runId: respec.json?.runId } },
  });
});

test('Ollama stopped since the runner was verified: not warm, and the full provision fails with the usual diagnosis', async () => {
  const runner = `warm-down-${process.pid}`;
  // Its own stand-in, which this test stops (the harness's would be closed again after the test).
  const ollama = await startOllamaStandIn({ host: '127.0.0.1' });
  let stopped = false;
  e2e.cleanup(() => (stopped ? Promise.resolve() : ollama.close()));
  const { backend } = await e2e.services('127.0.0.1', 'down');
  const env = e2e.scenarioEnv(runner, { backend, ollama, ollamaUrl: `http://localhost:${ollama.port}` });

  const first = await e2e.cli(['run', '--json'], env);
  expect(first.code).toBe(0);
  await ollama.close();
  stopped = true;

  const down = await e2e.cli(['run', '--json', '--verify-attempts', '1'], env);
  expect(down.code).toBe(3);
  expect(down.stderr).toMatch(
    new RegExp(
      `provisioning in full: not answering from this machine: ollama at http://localhost:${ollama.port}/api/tags \\(ECONNREFUSED`,
    ),
  );
  expect(down.json).not.toHaveProperty('reused');
  expect(down.json?.runId).not.toBe(first.json?.runId);
  expect(stepOf(down, 'verifyConnectivity')).toMatchObject({ status: 'failed' });
  expect(down.json?.diagnosis).toEqual([
    expect.objectContaining({ service: 'ollama', summary: expect.stringContaining('ECONNREFUSED') }),
  ]);
  expect(down.json?.error?.type).toBe('ConnectivityFailed');
});
