/**
 * The workflow's orchestration on a real Temporal dev server: step order, retries per step, failure
 * types, the progress query, UI summaries and current details. Activity bodies are test doubles
 * wrapped by the real `attempted` adapter; the real bodies run in test/e2e against Docker.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { ConnectivityError } from '../../src/activities/failures';
import { ConfigError } from '../../src/core/settings/errors';
import { checkResult, summarizeVerification, type CheckOutcome } from '../../src/core/health/diagnosis';
import { progressQuery, provisionRunner, type ProvisionInput } from '../../src/workflows';
import { useWorkflowServer } from '../support/workflow-harness';
import { fakeActivities, passingReport, plan } from '../support/activity-doubles';

jest.setTimeout(60_000);

const server = useWorkflowServer();
const { withWorker } = server;

const REFUSED: CheckOutcome = { kind: 'refused', code: 'ECONNREFUSED' };

const input = (runner: string, verify?: ProvisionInput['verify']): ProvisionInput => ({
  flags: { runner },
  trigger: { env: {}, homeDir: '/home/u' },
  verify,
});

test('runs the five steps in order and reports each in the result, the progress query and the UI', async () => {
  const calls: string[] = [];
  await withWorker(fakeActivities(calls), async (taskQueue) => {
    const handle = await server.client.workflow.start(provisionRunner, {
      taskQueue,
      workflowId: `wf-${randomUUID()}`,
      args: [input('r1')],
    });
    const result = await handle.result();
    expect(calls).toEqual([
      'resolveConfig',
      'planNetworking',
      'startContainer',
      'verifyConnectivity',
      'awaitRunnerReady',
    ]);
    expect(result.status).toBe('ready');
    expect(result.steps.map((step) => [step.name, step.status, step.attempts])).toEqual(
      calls.map((name) => [name, 'succeeded', 1]),
    );
    expect(result.plan.mode).toBe('host');
    expect(result.checks).toHaveLength(6);

    const progress = await handle.query(progressQuery);
    expect(progress.status).toBe('ready');

    const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails: string };
    expect(metadata.currentDetails).toMatch(/^\*\*Provisioning runner `r1`\*\*/);
    expect(metadata.currentDetails.match(/^- ✓ /gm)).toHaveLength(5);
    expect(metadata.currentDetails).toMatch(/\n_ready_$/);

    const history = await handle.fetchHistory();
    const summaries = (history.events ?? [])
      .filter((event) => event.activityTaskScheduledEventAttributes)
      .map((event) => Buffer.from(event.userMetadata?.summary?.data ?? new Uint8Array()).toString('utf8'));
    expect(summaries).toEqual([
      '"resolve config for r1"',
      '"ask the Docker engine what it is and plan networking"',
      '"start ghcr.io/stigmer/agent-runner:latest as r1 (network host)"',
      '"probe temporal, backend, ollama and the workspace from inside r1 (host)"',
      '"wait up to 60 s for r1 to poll agent_execution_runner"',
    ]);
  });
});

test('invalid configuration fails the provision at once, non-retryably, naming the source; nothing else runs', async () => {
  const calls: string[] = [];
  const behaviour = {
    resolveConfig: async () =>
      Promise.reject(new ConfigError([{ source: 'env:STIGMER_LLM_PROVIDER', message: '"gemini" is not one of …' }])),
  };
  await withWorker(fakeActivities(calls, behaviour), async (taskQueue) => {
    const handle = await server.client.workflow.start(provisionRunner, {
      taskQueue,
      workflowId: `wf-${randomUUID()}`,
      args: [input('r2')],
    });
    const error = await handle.result().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('InvalidConfig');
    expect(cause.message).toContain('resolveConfig failed: Invalid configuration:\n  - env:STIGMER_LLM_PROVIDER');
    expect(calls).toEqual(['resolveConfig']);
    const progress = await handle.query(progressQuery);
    expect(progress.steps[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(progress.steps.slice(1).every((step) => step.status === 'pending')).toBe(true);
  });
});

test('a connectivity failure that waiting can heal is retried with backoff; one that cannot fails on the first attempt', async () => {
  const failing = (healable: boolean) => {
    const outcome = (ok: boolean): CheckOutcome => (ok ? { kind: 'connected' } : REFUSED);
    const checks = plan.services.flatMap((service) => [
      checkResult(
        { service: service.service, site: 'container', target: 'in', ms: 1 },
        outcome(service.service !== 'ollama'),
      ),
      checkResult(
        { service: service.service, site: 'host', target: 'out', ms: 1 },
        outcome(service.service !== 'ollama' || !healable),
      ),
    ]);
    return new ConnectivityError(summarizeVerification(checks, plan, 'r'));
  };

  const healing: string[] = [];
  await withWorker(
    fakeActivities(healing, {
      verifyConnectivity: async (attempt) => (attempt < 3 ? Promise.reject(failing(true)) : passingReport),
    }),
    async (taskQueue) => {
      const result = await server.client.workflow.execute(provisionRunner, {
        taskQueue,
        workflowId: `wf-${randomUUID()}`,
        args: [input('r3', { initialIntervalMs: 100, maximumAttempts: 5 })],
      });
      expect(result.steps.find((step) => step.name === 'verifyConnectivity')).toMatchObject({
        status: 'succeeded',
        attempts: 3,
      });
    },
  );
  expect(healing.filter((name) => name === 'verifyConnectivity')).toHaveLength(3);

  const permanent: string[] = [];
  await withWorker(
    fakeActivities(permanent, { verifyConnectivity: async () => Promise.reject(failing(false)) }),
    async (taskQueue) => {
      const handle = await server.client.workflow.start(provisionRunner, {
        taskQueue,
        workflowId: `wf-${randomUUID()}`,
        args: [input('r4', { initialIntervalMs: 100, maximumAttempts: 5 })],
      });
      const error = (await handle.result().catch((failure: unknown) => failure)) as WorkflowFailedError;
      const cause = error.cause as ApplicationFailure;
      expect(cause.type).toBe('ConnectivityFailed');
      expect(cause.message).toMatch(
        /Ollama: in from container r \(network host\) failed: ECONNREFUSED; from this machine out answered/,
      );
      const progress = (cause.details?.[0] ?? {}) as {
        diagnoses: Array<{ service: string; ok: boolean }>;
        steps: Array<{ name: string; attempts: number }>;
      };
      expect(progress.diagnoses.filter((diagnosis) => !diagnosis.ok).map((diagnosis) => diagnosis.service)).toEqual([
        'ollama',
      ]);
      expect(progress.steps.find((step) => step.name === 'verifyConnectivity')?.attempts).toBe(1);
      expect(cause.details?.[0]).toMatchObject({
        stoppedAfterFailure: { container: 'stigmer-agent-runner', stopped: true },
      });
    },
  );
  expect(permanent.filter((name) => name === 'verifyConnectivity')).toHaveLength(1);
  expect(permanent).not.toContain('awaitRunnerReady');
  // A runner that failed verification must take no work: the provision stops it before failing.
  expect(permanent.at(-1)).toBe('stopRunner');
  expect(healing).not.toContain('stopRunner');
});

test('healable failures stop after the configured attempts and report the last diagnosis', async () => {
  const calls: string[] = [];
  const down = () => {
    const checks = plan.services.flatMap((service) =>
      (['container', 'host'] as const).map((site) =>
        checkResult(
          { service: service.service, site, target: `${service.service}@${site}`, ms: 1 },
          service.service === 'ollama' ? REFUSED : { kind: 'connected' },
        ),
      ),
    );
    return Promise.reject(new ConnectivityError(summarizeVerification(checks, plan, 'r')));
  };
  await withWorker(fakeActivities(calls, { verifyConnectivity: down }), async (taskQueue) => {
    const handle = await server.client.workflow.start(provisionRunner, {
      taskQueue,
      workflowId: `wf-${randomUUID()}`,
      args: [input('r5', { initialIntervalMs: 50, maximumAttempts: 3 })],
    });
    const error = (await handle.result().catch((failure: unknown) => failure)) as WorkflowFailedError;
    expect((error.cause as ApplicationFailure).message).toMatch(
      /ollama@container .* failed: ECONNREFUSED; from this machine ollama@host failed/,
    );
    expect((await handle.query(progressQuery)).steps.find((step) => step.name === 'verifyConnectivity')).toMatchObject({
      status: 'failed',
      attempts: 3,
    });
  });
  expect(calls.filter((name) => name === 'verifyConnectivity')).toHaveLength(3);
});

test('bad workflow input fails that workflow only, with InvalidInput; the same worker goes on to provision', async () => {
  const calls: string[] = [];
  await withWorker(fakeActivities(calls), async (taskQueue) => {
    for (const bad of [
      null,
      'stigmer',
      { flags: { runner: 'not a name' }, trigger: { env: {}, homeDir: '/h' } },
      { flags: { runner: 'r' }, trigger: { env: {}, homeDir: 'relative' } },
    ]) {
      const error = await server.client.workflow
        .execute('provisionRunner', { taskQueue, workflowId: `wf-${randomUUID()}`, args: [bad] })
        .catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect((error as WorkflowFailedError).cause).toMatchObject({
        type: 'InvalidInput',
        message: expect.stringMatching(/^invalid provisionRunner input: /),
      });
    }
    expect(calls).toEqual([]);
    const result = await server.client.workflow.execute(provisionRunner, {
      taskQueue,
      workflowId: `wf-${randomUUID()}`,
      args: [input('r6')],
    });
    expect(result.status).toBe('ready');
  });
});

test('an input with just the runner (no trigger) is valid: the steps get no trigger and resolve with their worker’s own env and home', async () => {
  const calls: string[] = [];
  const requests: unknown[] = [];
  const activities = fakeActivities(calls);
  const resolveConfig: typeof activities.resolveConfig = async (request) => (
    requests.push(request),
    activities.resolveConfig(request)
  );
  await withWorker({ ...activities, resolveConfig }, async (taskQueue) => {
    const result = await server.client.workflow.execute('provisionRunner', {
      taskQueue,
      workflowId: `wf-${randomUUID()}`,
      args: [{ flags: { runner: 'r7' } }],
    });
    expect(result).toMatchObject({ status: 'ready', runnerName: 'r7' });
  });
  expect(requests).toEqual([{ flags: { runner: 'r7' } }]);
});
