/**
 * Every `patched()` branch of the workflows has a recorded history that took it: the replay test
 * (replay.test.ts, beside this file) can only protect a branch some history holds. The ids are read
 * from the workflow sources, so a new patch without `npm run record-histories <scenario>` fails here,
 * naming the id; a history counts when it holds the SDK's patch marker (MarkerRecorded `core_patch`)
 * for that id — the event written only when `patched(id)` returned true on first execution.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HISTORIES_DIR, type HistoryFixture } from '../../scripts/record-histories';
import { projectRoot } from '../../src/temporal/dev-server';

const WORKFLOWS_DIR = join(projectRoot(), 'src', 'workflows');

/** Calls of patched()/deprecatePatch() in a source, comments aside: the literal id, or null when the argument is not one. */
export function patchCalls(source: string): Array<string | null> {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  return [...code.matchAll(/\b(?:patched|deprecatePatch)\(([^)]*)\)/g)].map(
    ([, argument]) => /^\s*(['"`])([^'"`]+)\1\s*$/.exec(argument)?.[2] ?? null,
  );
}

function workflowSources(): Array<{ file: string; source: string }> {
  return readdirSync(WORKFLOWS_DIR)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => ({ file, source: readFileSync(join(WORKFLOWS_DIR, file), 'utf8') }));
}

interface MarkerEvent {
  markerRecordedEventAttributes?: {
    markerName?: string;
    details?: Record<string, { payloads?: Array<{ data?: string }> }>;
  };
}

/** The patch ids a history's markers record (payloads as historyToJSON writes them: base64 JSON). */
export function recordedPatchIds(history: unknown): string[] {
  const events = (history as { events?: MarkerEvent[] }).events ?? [];
  return events.flatMap(({ markerRecordedEventAttributes: marker }) => {
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id] : [];
  });
}

const fixtures: HistoryFixture[] = readdirSync(HISTORIES_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as HistoryFixture);

test('the scan finds patch ids, and a call whose id is not a literal', () => {
  const source = `// patched() keeps it\n/* patched('old') */ if (patched('a-b')) x(); deprecatePatch("c"); patched(name);`;
  expect(patchCalls(source)).toEqual(['a-b', 'c', null]);
});

test('every patched() id in src/workflows is a literal, and a recorded history took its branch', () => {
  const calls = workflowSources().flatMap(({ file, source }) => patchCalls(source).map((id) => ({ file, id })));
  // A workflow with no patch at all would make the check below vacuous: provisionRunner has three.
  expect(calls.length).toBeGreaterThanOrEqual(3);
  expect(calls.filter(({ id }) => id === null).map(({ file }) => file)).toEqual([]);
  const recorded = new Set(fixtures.flatMap((fixture) => recordedPatchIds(fixture.history)));
  const missing = [...new Set(calls.map(({ id }) => id as string))].filter((id) => !recorded.has(id));
  expect({ missing, recorded: [...recorded].sort() }).toEqual({ missing: [], recorded: expect.any(Array) });
});

test('the stop-runner-on-failure history stops the runner after its verification failed', () => {
  const fixture = fixtures.find((entry) => entry.scenario === 'stopped-after-failure') as HistoryFixture;
  type Event = MarkerEvent & { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } };
  const steps = (fixture.history as { events: Event[] }).events.flatMap(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
  );
  expect(steps.slice(-2)).toEqual(['verifyConnectivity', 'stopRunner']);
  expect(recordedPatchIds(fixture.history)).toContain('stop-runner-on-failure');
});
