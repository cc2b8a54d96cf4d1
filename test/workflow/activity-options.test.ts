/**
 * How provisionRunner schedules each step, as the server recorded it: for every ActivityTaskScheduled
 * event, the activity type, task queue, the four timeouts, the whole retry policy and the summary,
 * from real runs on a real dev server, compared with test/fixtures/activity-options.json. Replay
 * cannot see these (it matches activity types and ids, not options): a change to the workflow that
 * schedules any step differently fails here, naming the scenario and the field.
 *
 * The paths: ready on the shared queue; ready routed to a host (its engine-bound steps on the host's
 * queue); a verification that fails and a readiness that fails, each followed by stopRunner, one of
 * them routed. Activities are the doubles of test/support/activity-doubles.ts on the product's own
 * workers (createHostWorkers). After a deliberate change, record the fixture anew and read its diff:
 * RECORD_ACTIVITY_OPTIONS=1 npx jest test/workflow/activity-options.test.ts --selectProjects workflow
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { ConnectivityError, PermanentError } from '../../src/activities/failures';
import { checkResult, summarizeVerification } from '../../src/core/health/diagnosis';
import {
  FAILURE_TYPES,
  HOST_BOUND_ACTIVITIES,
  HOST_SCHEDULE_TO_START_MS,
  hostTaskQueue,
  PROVISIONING_TASK_QUEUE,
} from '../../src/core/contract/names';
import { createHostWorkers } from '../../src/provisioning-worker';
import { provisionRunner, type ProvisionInput } from '../../src/workflows';
import { fakeActivities, plan, type Behaviour } from '../support/activity-doubles';
import { startTestTemporal, type TestTemporal } from '../support/temporal-server';

jest.setTimeout(60_000);

const FIXTURE = join(__dirname, '..', 'fixtures', 'activity-options.json');
const RECORDING = process.env.RECORD_ACTIVITY_OPTIONS === '1';
/** The host the test's workers serve: routed steps go to runner_provisioning@options-host. */
const HOST = 'options-host';

/** One ActivityTaskScheduled event's options, durations as the server's JSON spells them ("10s"). */
interface Scheduled {
  activityType: string;
  taskQueue: string;
  scheduleToCloseTimeout?: string;
  scheduleToStartTimeout?: string;
  startToCloseTimeout?: string;
  heartbeatTimeout?: string;
  retryPolicy?: Record<string, unknown>;
  summary?: string;
}

interface Recorded {
  description: string;
  input: ProvisionInput;
  /** `ready`, or the type of the failure the provision ended with. */
  outcome: string;
  scheduled: Scheduled[];
}

interface Scenario {
  description: string;
  input: ProvisionInput;
  behaviour?: Behaviour;
}

/** Ollama refused from inside the container but answering from the machine: no wait heals that. */
const unreachableFromContainer = () =>
  Promise.reject(
    new ConnectivityError(
      summarizeVerification(
        plan.services.flatMap((service) =>
          (['container', 'host'] as const).map((site) =>
            checkResult(
              { service: service.service, site, target: `${service.service}@${site}`, ms: 1 },
              service.service === 'ollama' && site === 'container'
                ? { kind: 'refused', code: 'ECONNREFUSED' }
                : { kind: 'connected' },
            ),
          ),
        ),
        plan,
        'stigmer-agent-runner',
      ),
    ),
  );

const neverPolls = () =>
  Promise.reject(new PermanentError(FAILURE_TYPES.runnerNotReady, 'the runner never polled its queue'));

const trigger = { env: {}, homeDir: '/home/u' };

/** The workflow's paths; the inputs also vary what options depend on (verify, readyTimeoutMs). */
const SCENARIOS: Record<string, Scenario> = {
  ready: {
    description: 'ready on the shared queue, default verify and readiness options',
    input: { flags: { runner: 'options-ready' }, trigger },
  },
  'verification-failed': {
    description: 'verifyConnectivity fails for good (input verify options); the runner is stopped',
    input: { flags: { runner: 'options-unverified' }, trigger, verify: { initialIntervalMs: 250, maximumAttempts: 4 } },
    behaviour: { verifyConnectivity: unreachableFromContainer },
  },
  'routed-ready': {
    description: 'ready, routed to a host (input verify options and readyTimeoutMs)',
    input: {
      flags: { runner: 'options-routed' },
      trigger,
      host: HOST,
      verify: { initialIntervalMs: 2000, maximumAttempts: 2 },
      readyTimeoutMs: 30_000,
    },
  },
  'routed-readiness-failed': {
    description: 'routed to a host, awaitRunnerReady fails for good; the runner is stopped on the host',
    input: { flags: { runner: 'options-not-ready' }, trigger, host: HOST },
    behaviour: { awaitRunnerReady: neverPolls },
  },
};

let temporal: TestTemporal;
let client: Client;
let workflowBundle: { code: string };
const recorded: Record<string, Recorded> = {};

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  [temporal, workflowBundle] = await Promise.all([
    startTestTemporal(),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') }),
  ]);
  client = temporal.env.client;
});

afterAll(async () => {
  await temporal?.stop();
  if (!RECORDING) return;
  const missing = Object.keys(SCENARIOS).filter((name) => !(name in recorded));
  if (missing.length) throw new Error(`not recording ${FIXTURE}: scenarios ${missing.join(', ')} did not run`);
  writeFileSync(FIXTURE, `${JSON.stringify(recorded, null, 2)}\n`);
});

function committed(): Record<string, Recorded> {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Recorded>;
}

interface HistoryJSON {
  events: Array<{
    activityTaskScheduledEventAttributes?: {
      activityType: { name: string };
      taskQueue: { name: string };
      scheduleToCloseTimeout?: string;
      scheduleToStartTimeout?: string;
      startToCloseTimeout?: string;
      heartbeatTimeout?: string;
      retryPolicy?: Record<string, unknown>;
    };
    userMetadata?: { summary?: { data?: string } };
  }>;
}

function scheduledIn(history: HistoryJSON): Scheduled[] {
  return history.events.flatMap(({ activityTaskScheduledEventAttributes: scheduled, userMetadata }) =>
    scheduled
      ? [
          {
            activityType: scheduled.activityType.name,
            taskQueue: scheduled.taskQueue.name,
            scheduleToCloseTimeout: scheduled.scheduleToCloseTimeout,
            scheduleToStartTimeout: scheduled.scheduleToStartTimeout,
            startToCloseTimeout: scheduled.startToCloseTimeout,
            heartbeatTimeout: scheduled.heartbeatTimeout,
            retryPolicy: scheduled.retryPolicy,
            summary: userMetadata?.summary?.data
              ? (JSON.parse(Buffer.from(userMetadata.summary.data, 'base64').toString('utf8')) as string)
              : undefined,
          },
        ]
      : [],
  );
}

/** Runs one scenario on the product's workers (shared queue and the host's), to its end. */
async function run(name: string, scenario: Scenario): Promise<Recorded> {
  const workers = await createHostWorkers({
    connection: temporal.env.nativeConnection,
    namespace: 'default',
    activities: fakeActivities([], scenario.behaviour),
    workflowBundle,
    host: HOST,
  });
  return workers.runUntil(
    (async () => {
      const handle = await client.workflow.start(provisionRunner, {
        taskQueue: PROVISIONING_TASK_QUEUE,
        workflowId: `activity-options-${name}`,
        args: [scenario.input],
      });
      const outcome = await handle.result().then(
        () => 'ready',
        (error: unknown) => ((error as WorkflowFailedError).cause as ApplicationFailure).type ?? String(error),
      );
      const history = JSON.parse(historyToJSON(await handle.fetchHistory())) as HistoryJSON;
      return { description: scenario.description, input: scenario.input, outcome, scheduled: scheduledIn(history) };
    })(),
  );
}

/** Where each step went, independently of the fixture: a routed provision's engine-bound steps on the host's queue. */
function expectRouting(input: ProvisionInput, scheduled: Scheduled[]): void {
  const bound: readonly string[] = HOST_BOUND_ACTIVITIES;
  const onHost = (step: Scheduled) => input.host !== undefined && bound.includes(step.activityType);
  expect(scheduled.map((step) => [step.activityType, step.taskQueue, step.scheduleToStartTimeout])).toEqual(
    scheduled.map((step) =>
      onHost(step)
        ? [step.activityType, hostTaskQueue(HOST), `${HOST_SCHEDULE_TO_START_MS / 1000}s`]
        : [step.activityType, PROVISIONING_TASK_QUEUE, '0s'],
    ),
  );
}

test.each(Object.keys(SCENARIOS))('%s: every step is scheduled with the recorded options', async (name) => {
  const result = await run(name, SCENARIOS[name]);
  recorded[name] = result;
  expectRouting(result.input, result.scheduled);
  // A failed provision stops the runner it started.
  expect(result.scheduled.at(-1)?.activityType).toBe(result.outcome === 'ready' ? 'awaitRunnerReady' : 'stopRunner');
  if (!RECORDING) expect(result).toEqual(committed()[name]);
});

test('the fixture holds exactly these scenarios', () => {
  if (RECORDING) return;
  expect(Object.keys(committed()).sort()).toEqual(Object.keys(SCENARIOS).sort());
});
