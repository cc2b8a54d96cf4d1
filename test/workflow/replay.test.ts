/**
 * Every committed history (test/fixtures/histories, recorded from real runs by
 * `npm run record-histories`) replays against the current workflow code. A change that would
 * break executions in flight fails here, naming the workflow and the event where it diverged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { HISTORIES_DIR, type HistoryFixture } from '../../scripts/record-histories';

jest.setTimeout(60_000);

const fixtures: HistoryFixture[] = readdirSync(HISTORIES_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as HistoryFixture);

/** One line per history that did not replay: the workflow, and the SDK's account of the divergence. */
async function replayFailures(workflowsPath: string, histories: HistoryFixture[]): Promise<string[]> {
  const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  const failures: string[] = [];
  const results = Worker.runReplayHistories(
    { workflowBundle },
    histories.map((fixture) => ({ workflowId: fixture.workflowId, history: historyFromJSON(fixture.history) })),
  );
  for await (const result of results) {
    if (!result.error) continue;
    const fixture = histories.find((entry) => entry.workflowId === result.workflowId) as HistoryFixture;
    failures.push(`${result.workflowId}${divergedAt(fixture, result.error.message)}: ${result.error.message}`);
  }
  return failures;
}

/** ` at event N (type …)`, from the two ways the SDK names where a replay diverged. */
function divergedAt(fixture: HistoryFixture, message: string): string {
  const byId = /HistoryEvent\(id: (\d+), (\w+)/.exec(message);
  if (byId) return ` at event ${byId[1]} (${byId[2]})`;
  const activity = /scheduled event '([^']+)'/.exec(message)?.[1];
  if (!activity) return '';
  const events = (
    fixture.history as {
      events: Array<{ eventId: string; activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }>;
    }
  ).events;
  const event = events.find((entry) => entry.activityTaskScheduledEventAttributes?.activityType?.name === activity);
  return event ? ` at event ${event.eventId} (ActivityTaskScheduled ${activity})` : '';
}

beforeAll(() => Runtime.install({ logger: new DefaultLogger('ERROR') }));

test('the fixtures cover a clean provision, retries, a diagnosed failure, an attached trigger, bad input, a teardown, and both sides of a patch', () => {
  expect(fixtures.map((fixture) => fixture.scenario).sort()).toEqual(
    expect.arrayContaining([
      'attached',
      'clean',
      'diagnosed',
      'indexed',
      'invalid-input',
      'pre-search-attributes',
      'retried',
      'stopped-after-failure',
      'teardown',
    ]),
  );
  const retried = fixtures.find((fixture) => fixture.scenario === 'retried') as HistoryFixture;
  const attempts = (
    retried.history as { events: Array<{ activityTaskStartedEventAttributes?: { attempt: number } }> }
  ).events.flatMap((event) => event.activityTaskStartedEventAttributes?.attempt ?? []);
  expect(Math.max(...attempts)).toBeGreaterThan(1);
});

type Events = Array<{ eventType: string; markerRecordedEventAttributes?: { markerName?: string } }>;
const eventsOf = (scenario: string) =>
  ((fixtures.find((fixture) => fixture.scenario === scenario) as HistoryFixture).history as { events: Events }).events;

test('patched(): a history recorded before the search-attributes change replays on its old branch; one recorded after, on its new one', async () => {
  // Both asked for search attributes; only the newer code recorded the patch marker and the upsert.
  expect(
    eventsOf('pre-search-attributes').filter((event) =>
      /MARKER_RECORDED|UPSERT_WORKFLOW_SEARCH_ATTRIBUTES/.test(event.eventType),
    ),
  ).toEqual([]);
  expect(
    eventsOf('indexed')
      .filter((event) => event.eventType === 'EVENT_TYPE_MARKER_RECORDED')
      .map((event) => event.markerRecordedEventAttributes?.markerName),
  ).toEqual(['core_patch']);
  expect(
    eventsOf('indexed').filter((event) => event.eventType === 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'),
  ).toHaveLength(2);
  const pair = fixtures.filter((fixture) => ['pre-search-attributes', 'indexed'].includes(fixture.scenario));
  expect(await replayFailures(require.resolve('../../src/workflows'), pair)).toEqual([]);
});

test('every committed history replays against the current workflow code', async () => {
  expect(await replayFailures(require.resolve('../../src/workflows'), fixtures)).toEqual([]);
});

test('a nondeterministic change fails the replay, naming the workflow and the event where it diverged', async () => {
  const clean = fixtures.filter((fixture) => fixture.scenario === 'clean');
  const failures = await replayFailures(require.resolve('./nondeterministic/workflows'), clean);
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatch(
    /^provision-runner-history-clean at event 5 \(ActivityTaskScheduled resolveConfig\): .*Nondeterminism error/,
  );
});
