/**
 * Real payloads against the published contract: every recorded history (test/fixtures/histories,
 * recorded by older code too) carries plain JSON only, and its workflow input, result and failure
 * details validate against the committed JSON Schemas — fields added since are optional.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allPayloads,
  committedSchemaProblems,
  decodePayload,
  encodingOf,
  type Payload,
} from '../../../test/support/contract';
import type { SchemaName } from './schemas';
import { FAILURE_TYPES, WORKFLOW_TYPES } from './names';

const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'histories');

interface Event {
  eventType: string;
  workflowExecutionStartedEventAttributes?: { workflowType: { name: string }; input?: { payloads: Payload[] } };
  workflowExecutionCompletedEventAttributes?: { result?: { payloads: Payload[] } };
  workflowExecutionFailedEventAttributes?: {
    failure: { message: string; applicationFailureInfo?: { type: string; details?: { payloads: Payload[] } } };
  };
}
interface Fixture {
  scenario: string;
  history: { events: Event[] };
}

const fixtures: Fixture[] = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Fixture);

const SCHEMAS: Record<string, { input: SchemaName; result: SchemaName; failureDetails?: SchemaName }> = {
  [WORKFLOW_TYPES.provision]: {
    input: 'provision-runner.input',
    result: 'provision-runner.result',
    failureDetails: 'provision-runner.progress',
  },
  [WORKFLOW_TYPES.teardown]: { input: 'teardown-runner.input', result: 'teardown-runner.result' },
};

function closing(fixture: Fixture) {
  const events = fixture.history.events;
  const started = events.find(
    (event) => event.workflowExecutionStartedEventAttributes,
  )?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`${fixture.scenario}: no WorkflowExecutionStarted event`);
  return {
    type: started.workflowType.name,
    input: decodePayload((started.input as { payloads: Payload[] }).payloads[0]),
    completed: events.find((event) => event.workflowExecutionCompletedEventAttributes)
      ?.workflowExecutionCompletedEventAttributes,
    failed: events.find((event) => event.workflowExecutionFailedEventAttributes)
      ?.workflowExecutionFailedEventAttributes,
  };
}

test('the fixtures include both workflows, completed and failed provisions', () => {
  const kinds = fixtures.map((fixture) => {
    const { type, completed, failed } = closing(fixture);
    return `${type}:${completed ? 'completed' : failed ? 'failed' : 'open'}`;
  });
  expect(new Set(kinds)).toEqual(
    new Set(['provisionRunner:completed', 'provisionRunner:failed', 'teardownRunner:completed']),
  );
});

test.each(fixtures.map((fixture) => [fixture.scenario, fixture]))(
  '%s: every payload is plain JSON (the default data converter, no custom codec)',
  (_scenario, fixture) => {
    const payloads = allPayloads(fixture.history);
    expect(payloads.length).toBeGreaterThan(0);
    expect(new Set(payloads.map(encodingOf))).toEqual(new Set(['json/plain']));
    for (const payload of payloads) expect(() => decodePayload(payload)).not.toThrow();
  },
);

test.each(fixtures.map((fixture) => [fixture.scenario, fixture]))(
  '%s: input, result and failure details validate against the committed schemas',
  (scenario, fixture) => {
    const { type, input, completed, failed } = closing(fixture);
    const schemas = SCHEMAS[type];
    if (scenario === 'invalid-input') {
      // Recorded on purpose with a runner name Docker refuses: the schema rejects it where the workflow did.
      expect(committedSchemaProblems(schemas.input, input)).toEqual([expect.stringMatching(/^flags\.runner: /)]);
      expect(failed?.failure.applicationFailureInfo).toMatchObject({ type: FAILURE_TYPES.invalidInput });
      expect(failed?.failure.applicationFailureInfo?.details).toBeUndefined(); // no progress: it failed before any step
      return;
    }
    expect(committedSchemaProblems(schemas.input, input)).toEqual([]);
    if (completed)
      expect(
        committedSchemaProblems(
          schemas.result,
          decodePayload((completed.result as { payloads: Payload[] }).payloads[0]),
        ),
      ).toEqual([]);
    if (failed) {
      const details = failed.failure.applicationFailureInfo?.details?.payloads ?? [];
      expect(details).toHaveLength(1);
      const progress = decodePayload(details[0]) as { status: string; error: { type: string } };
      expect(committedSchemaProblems(schemas.failureDetails as SchemaName, progress)).toEqual([]);
      expect(progress).toMatchObject({
        status: 'failed',
        error: { type: failed.failure.applicationFailureInfo?.type },
      });
    }
  },
);

test('results recorded before newer fields (plan.runner, plan.networkMode, step summaries) still validate, and so do results with fields the contract does not name', () => {
  const clean = closing(fixtures.find((fixture) => fixture.scenario === 'clean') as Fixture);
  const result = decodePayload((clean.completed?.result as { payloads: Payload[] }).payloads[0]) as {
    plan: Record<string, unknown>;
    steps: Array<Record<string, unknown>>;
  };
  expect(result.plan.runner).toBeUndefined(); // recorded by older code: the premise of this test
  const stripped = {
    ...result,
    plan: { ...result.plan, networkMode: undefined },
    steps: result.steps.map(({ summary: _summary, ...step }) => step),
  };
  expect(committedSchemaProblems('provision-runner.result', JSON.parse(JSON.stringify(stripped)))).toEqual([]);
  const added = {
    ...result,
    newTopLevel: 1,
    plan: { ...result.plan, somethingNew: { x: 1 } },
    steps: result.steps.map((step) => ({ ...step, newField: true })),
  };
  expect(committedSchemaProblems('provision-runner.result', added)).toEqual([]);
  // …while what the contract promises is enforced.
  expect(committedSchemaProblems('provision-runner.result', { ...result, status: 'failed' })).not.toEqual([]);
  expect(
    committedSchemaProblems('provision-runner.result', {
      ...result,
      steps: [{ name: 'resolveConfig', status: 'done', attempts: 1 }],
    }),
  ).toEqual(['steps.0.status: Invalid option: expected one of "pending"|"running"|"succeeded"|"failed"']);
});
