/**
 * Every committed history (test/fixtures/histories, recorded from real runs by
 * `npm run record-histories`) replays against the current workflow code. A change that would
 * break executions in flight fails here, naming the workflow and the event where it diverged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { HistoryFixture } from '../../scripts/record-histories';

jest.setTimeout(60_000);

const DIR = join(__dirname, '..', 'fixtures', 'histories');
const fixtures: HistoryFixture[] = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as HistoryFixture);

/** One line per history that did not replay: the workflow, and the SDK's account of the divergence. */
async function replayFailures(workflowsPath: string, histories: HistoryFixture[]): Promise<string[]> {
  const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  const failures: string[] = [];
  const results = Worker.runReplayHistories({ workflowBundle }, histories.map((fixture) => ({ workflowId: fixture.workflowId, history: historyFromJSON(fixture.history) })));
  for await (const result of results) {
    if (!result.error) continue;
    const fixture = histories.find((entry) => entry.workflowId === result.workflowId) as HistoryFixture;
    failures.push(`${result.workflowId}${divergedAt(fixture, result.error.message)}: ${result.error.message}`);
  }
  return failures;
}

/** ` at event N (type)` when the SDK names the scheduled activity it could not match. */
function divergedAt(fixture: HistoryFixture, message: string): string {
  const activity = /scheduled event '([^']+)'/.exec(message)?.[1];
  const events = (fixture.history as { events: Array<{ eventId: string; eventType: string; activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }> }).events;
  const event = events.find((entry) => entry.activityTaskScheduledEventAttributes?.activityType?.name === activity);
  return event ? ` at event ${event.eventId} (${event.eventType.replace('EVENT_TYPE_', '')} ${activity})` : '';
}

beforeAll(() => Runtime.install({ logger: new DefaultLogger('ERROR') }));

test('the fixtures cover a clean provision, retries, a diagnosed failure, an attached trigger, bad input and a teardown', () => {
  expect(fixtures.map((fixture) => fixture.scenario).sort()).toEqual(expect.arrayContaining(['attached', 'clean', 'diagnosed', 'invalid-input', 'retried', 'teardown']));
  const retried = fixtures.find((fixture) => fixture.scenario === 'retried') as HistoryFixture;
  const attempts = (retried.history as { events: Array<{ activityTaskStartedEventAttributes?: { attempt: number } }> }).events.flatMap((event) => event.activityTaskStartedEventAttributes?.attempt ?? []);
  expect(Math.max(...attempts)).toBeGreaterThan(1);
});

test('every committed history replays against the current workflow code', async () => {
  expect(await replayFailures(require.resolve('../../src/workflows'), fixtures)).toEqual([]);
});

test('a nondeterministic change fails the replay, naming the workflow and the event where it diverged', async () => {
  const clean = fixtures.filter((fixture) => fixture.scenario === 'clean');
  const failures = await replayFailures(require.resolve('./nondeterministic/workflows'), clean);
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatch(/^provision-runner-history-clean at event 5 \(ACTIVITY_TASK_SCHEDULED resolveConfig\): .*Nondeterminism error/);
});
