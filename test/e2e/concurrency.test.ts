/** Concurrent triggers: many `run`s of one runner share one execution and one container; different runners do not interfere. */
import { Client } from '@temporalio/client';
import { LABELS } from '../../src/core/runner/container-spec';
import { provisionWorkflowId } from '../../src/core/contract/names';
import { useE2E } from '../support/e2e-harness';
import { recordTiming } from '../support/timings';
import { connectClient, devServerTarget } from '../../src/temporal/connection';

jest.setTimeout(240_000);

const e2e = useE2E();

test('ten simultaneous runs of the same runner: one workflow execution, one container, one outcome for all', async () => {
  const runner = `concurrent-${process.pid}`;
  const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
  const started = Date.now();
  const runs = await Promise.all(Array.from({ length: 10 }, () => e2e.cli(['run', '--json'], env)));
  recordTiming('concurrency: 10 simultaneous runs of one runner → all ready', Date.now() - started);

  expect(runs.map((run) => ({ code: run.code, status: run.json?.status }))).toEqual(
    runs.map(() => ({ code: 0, status: 'ready' })),
  );
  expect(new Set(runs.map((run) => run.json?.workflowId))).toEqual(new Set([provisionWorkflowId(runner)]));
  expect(new Set(runs.map((run) => run.json?.runId)).size).toBe(1);
  expect(new Set(runs.map((run) => run.json?.container?.id)).size).toBe(1);
  expect(await e2e.runnerContainers(runner)).toHaveLength(1);

  const client = new Client({ connection: await connectClient(devServerTarget(e2e.temporal.address)) });
  try {
    const executions = [];
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${provisionWorkflowId(runner)}'` }))
      executions.push(execution);
    expect(executions).toHaveLength(1);
  } finally {
    await client.connection.close();
  }
});

test('different runners provision in parallel without interfering: names, labels, workflow ids', async () => {
  const services = await e2e.services('127.0.0.1');
  const runners = ['alpha', 'beta', 'gamma'].map((name) => `parallel-${name}-${process.pid}`);
  const started = Date.now();
  const runs = await Promise.all(
    runners.map((runner) => e2e.cli(['run', '--json'], e2e.scenarioEnv(runner, services))),
  );
  recordTiming('concurrency: 3 runners in parallel → all ready', Date.now() - started);

  for (const [index, runner] of runners.entries()) {
    const run = runs[index];
    expect({ runner, code: run.code, status: run.json?.status, workflowId: run.json?.workflowId }).toEqual({
      runner,
      code: 0,
      status: 'ready',
      workflowId: provisionWorkflowId(runner),
    });
    const [container, ...others] = await e2e.runnerContainers(runner);
    expect(others).toEqual([]);
    expect(container.Names).toEqual([`/${runner}`]);
    expect(container.Labels).toMatchObject({
      [LABELS.runner]: runner,
      [LABELS.workflowId]: provisionWorkflowId(runner),
    });
  }
});
