/**
 * A refusal of the worker's policy (a container stigmer-runner did not make, without `replace`) on a
 * real dev server: the step's PolicyRefused failure becomes the workflow's — its type, which the CLI
 * and the Go trigger map to exit 5, and its refusals — for a provision and for a teardown; and a
 * teardown that asks `replace` hands it to its step. Activity bodies are doubles wrapped by the real
 * `attempted` adapter, so the failure crosses as the real one does.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { RunnerActivities } from '../../src/activities';
import { attempted } from '../../src/activities/failures';
import { exitCodeFor } from '../../src/core/contract/names';
import { PolicyRefusedError } from '../../src/core/policy/errors';
import type { Refusal } from '../../src/core/policy/types';
import { provisionRunner, teardownRunner, type ProvisionProgress } from '../../src/workflows';
import { useWorkflowServer } from '../support/workflow-harness';
import { fakeActivities } from '../support/activity-doubles';

jest.setTimeout(60_000);

const server = useWorkflowServer();
const { withWorker } = server;

const worker = { env: {}, homeDir: '/nonexistent' };
const refusal: Refusal = {
  subject: 'container',
  value: 'r1',
  setting: 'flags.replace',
  rule: 'not-managed',
  allow: 'to replace it, run `stigmer-runner run --replace` (workflow input: flags.replace: true)',
};
const refused = () =>
  new PolicyRefusedError([refusal], 'stigmer-runner will not replace container r1 (image busybox:latest): …');

test('a refused startContainer fails the provision at once as PolicyRefused (exit 5), its refusals in the progress', async () => {
  const calls: string[] = [];
  const activities = fakeActivities(calls);
  const startContainer = attempted(async () => {
    calls.push('startContainer');
    throw refused();
  }, worker) as unknown as RunnerActivities['startContainer'];
  await withWorker({ ...activities, startContainer }, async (taskQueue) => {
    const error = await server.client.workflow
      .execute(provisionRunner, {
        taskQueue,
        workflowId: `wf-${randomUUID()}`,
        args: [{ flags: { runner: 'r1' }, trigger: { env: {}, homeDir: '/home/u' } }],
      })
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'PolicyRefused', nonRetryable: true });
    const progress = failure.details?.[0] as ProvisionProgress;
    expect(progress.error).toEqual({ type: 'PolicyRefused', message: refused().message });
    expect(progress.refusals).toEqual([refusal]);
    expect(progress.steps.find((step) => step.name === 'startContainer')).toMatchObject({
      status: 'failed',
      attempts: 1,
    });
    expect(exitCodeFor(progress)).toBe(5);
  });
  // Not retried, and nothing after it ran (no verification, no stop of a container it never made).
  expect(calls).toEqual(['resolveConfig', 'planNetworking', 'startContainer']);
});

test('a refused teardown fails as PolicyRefused with its refusals; `replace: true` reaches the step', async () => {
  const asked: unknown[][] = [];
  const removeRunner = attempted(async (...args: unknown[]) => {
    asked.push(args);
    const options = args[2] as { replace?: boolean } | undefined;
    if (options?.replace !== true) throw refused();
    return [{ id: 'c0ffee', name: 'r1', state: 'created', removedBecause: 'as asked' }];
  }, worker) as unknown as RunnerActivities['removeRunner'];
  await withWorker({ ...fakeActivities([]), removeRunner }, async (taskQueue) => {
    const error = await server.client.workflow
      .execute(teardownRunner, { taskQueue, workflowId: `wf-${randomUUID()}`, args: [{ runner: 'r1' }] })
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'PolicyRefused', nonRetryable: true, message: refused().message });
    expect(failure.details?.[0]).toEqual({ attempt: 1, refusals: [refusal] });

    const result = await server.client.workflow.execute(teardownRunner, {
      taskQueue,
      workflowId: `wf-${randomUUID()}`,
      args: [{ runner: 'r1', replace: true }],
    });
    expect(result.removed).toEqual([expect.objectContaining({ name: 'r1', removedBecause: 'as asked' })]);
  });
  // A plain teardown's arguments are what they always were; `replace` only when asked.
  expect(asked).toEqual([['r1'], ['r1', undefined, { replace: true }]]);
});

test('a malformed teardown input fails that workflow with InvalidInput, before any step', async () => {
  const asked: unknown[] = [];
  const removeRunner = attempted(async (...args: unknown[]) => (asked.push(args), []), worker);
  await withWorker({ ...fakeActivities([]), removeRunner } as unknown as RunnerActivities, async (taskQueue) => {
    for (const bad of [{ runner: 'r1', replace: 'yes' }, { runner: 'not a name' }, null]) {
      const error = await server.client.workflow
        .execute('teardownRunner', { taskQueue, workflowId: `wf-${randomUUID()}`, args: [bad] })
        .catch((failure: unknown) => failure);
      expect((error as WorkflowFailedError).cause).toMatchObject({
        type: 'InvalidInput',
        message: expect.stringMatching(/^invalid teardownRunner input: /),
      });
    }
  });
  expect(asked).toEqual([]);
});
