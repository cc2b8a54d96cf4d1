/** `status`'s lines: every check says its side and when; the last provision's checks are history, never now. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkResult } from '../core/health/diagnosis';
import type { ProvisionProgress } from '../workflows/provision-runner';
import { judgeRunnerHealth } from '../core/health/runner-health';
import type { LastProvision } from './last-provision';
import { ago, currentChecks, pastChecks, renderStatus, type RunnerStatus } from './status-lines';

const NOW = Date.parse('2026-12-07T22:00:00.000Z');
const iso = (msBeforeNow: number) => new Date(NOW - msBeforeNow).toISOString();

/** The failed provision recorded before checks carried an outcome (only `detail`). */
function recordedProvision(): LastProvision {
  const fixture = JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'histories', 'diagnosed.json'), 'utf8'),
  );
  const failed = fixture.history.events.find(
    (event: Record<string, unknown>) => event.workflowExecutionFailedEventAttributes,
  ).workflowExecutionFailedEventAttributes;
  const progress = JSON.parse(
    Buffer.from(failed.failure.applicationFailureInfo.details.payloads[0].data, 'base64').toString('utf8'),
  ) as ProvisionProgress;
  expect(progress.checks.filter((check) => check.outcome !== undefined)).toEqual([]);
  // Verified 12 minutes before NOW, as far as the lines are concerned.
  const steps = progress.steps.map((step) =>
    step.name === 'verifyConnectivity' ? { ...step, startedAt: NOW - 12 * 60_000 - 500, durationMs: 500 } : step,
  );
  return {
    workflowId: fixture.workflowId,
    runId: 'r',
    status: 'FAILED',
    startTime: iso(13 * 60_000),
    progress: { ...progress, steps },
  };
}

const ollamaDown = checkResult(
  { service: 'ollama', site: 'host', target: 'http://localhost:11434/api/tags', ms: 1 },
  { kind: 'refused', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:11434' },
);
const temporalUp = checkResult(
  { service: 'temporal', site: 'host', target: '127.0.0.1:7233', ms: 1 },
  { kind: 'connected' },
);

function statusOf(overrides: Partial<RunnerStatus>): RunnerStatus {
  const last = recordedProvision();
  const services = { checkedAt: NOW, checks: [temporalUp, ollamaDown] };
  const health = judgeRunnerHealth({ containers: [], taskQueue: 'agent_execution_runner', services });
  return {
    runner: 'r1',
    host: 'h1',
    checkedAt: iso(0),
    healthy: health.healthy,
    problems: health.problems,
    containers: [],
    checks: [...currentChecks(services), ...pastChecks(last)],
    lastProvision: last,
    ...overrides,
  };
}

const CHECK_LINE = /^ {2,4}[✓✗] /;

test('every check line says its side and its time; the provision’s checks only as history, 12 min ago', () => {
  const lines = renderStatus(statusOf({}), NOW).split('\n');
  const checks = lines.filter((line) => CHECK_LINE.test(line));
  expect(checks.length).toBeGreaterThan(2);
  for (const line of checks)
    expect(line).toMatch(/ from (this machine|container), (now|at provision \d+ (s|min|h|d) ago \(\S+Z\))[:]/);
  const history = lines.indexOf("  history (the last provision's checks, not rechecked now):");
  expect(history).toBeGreaterThan(0);
  // Nothing after the history heading says "now"; nothing the provision checked is before it.
  for (const line of lines.slice(history + 1).filter((entry) => CHECK_LINE.test(entry)))
    expect(line).toMatch(/at provision 12 min ago \(2026-12-07T21:48:00Z\)/);
  for (const line of lines.slice(0, history).filter((entry) => CHECK_LINE.test(entry))) expect(line).toMatch(/, now: /);
  expect(lines.find((line) => line.startsWith('    ✗ temporal from container'))).toMatch(
    /— ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
  );
  expect(lines).toContain(
    '  ✗ ollama from this machine, now: http://localhost:11434/api/tags — ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:11434',
  );
  expect(lines[0]).toBe(
    'runner r1: not healthy (no container; ollama does not answer from this machine: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:11434) — checked 2026-12-07T22:00:00Z from this machine',
  );
});

test('--json: each check carries checkedAt and side; the past ones are not current', () => {
  const { checks } = statusOf({});
  expect(checks.filter((check) => check.current)).toEqual([
    expect.objectContaining({ service: 'temporal', side: 'this-machine', checkedAt: iso(0), when: 'now' }),
    expect.objectContaining({ service: 'ollama', side: 'this-machine', checkedAt: iso(0), ok: false, when: 'now' }),
  ]);
  const past = checks.filter((check) => !check.current);
  expect(past.length).toBeGreaterThan(0);
  for (const check of past) expect(check).toMatchObject({ when: 'at-provision', checkedAt: iso(12 * 60_000) });
  expect(past.some((check) => check.side === 'container')).toBe(true);
});

test('healthy: one line says so, with the time', () => {
  const shown = renderStatus(
    statusOf({ healthy: true, problems: [], checks: currentChecks({ checkedAt: NOW, checks: [temporalUp] }) }),
    NOW,
  );
  expect(shown.split('\n')[0]).toBe('runner r1: healthy — checked 2026-12-07T22:00:00Z from this machine');
  expect(shown).not.toContain('history (');
});

test.each([
  [0, '0 s ago'],
  [89_000, '89 s ago'],
  [12 * 60_000, '12 min ago'],
  [3 * 3600_000, '3 h ago'],
  [72 * 3600_000, '3 d ago'],
])('ago(%d) = %s', (ms, text) => expect(ago(ms)).toBe(text));
