import { LABELS, MANAGED_BY } from '../runner/container-spec';
import { checkResult, type CheckResult } from './diagnosis';
import { LIVE_POLLER_WINDOW_MS } from '../pollers';
import {
  decideWarmRun,
  type LiveFacts,
  type RecordFacts,
  type RunnerContainerSeen,
  type WarmMissReason,
  type WarmRunFacts,
} from './warm-run';

const NOW = Date.parse('2026-11-20T10:00:00.000Z');
const at = (msBeforeNow: number) => new Date(NOW - msBeforeNow).toISOString();

const container: RunnerContainerSeen = {
  id: 'c0ffee1234567890',
  names: ['runner'],
  labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.specHash]: 'hash-1' },
  imageId: 'sha256:image-1',
  state: 'running',
  hostname: 'runner-0a1b2c3d',
  startedAt: at(600_000),
};

const record: RecordFacts = {
  last: {
    workflowId: 'provision-runner-runner',
    runId: 'run-1',
    status: 'COMPLETED',
    closeTime: at(590_000),
    outcome: { status: 'ready', container: { id: container.id } },
  },
  containers: [container],
  wanted: {
    name: 'runner',
    specHash: 'hash-1',
    imageId: 'sha256:image-1',
    pull: 'missing',
    blockers: [],
    taskQueue: 'agent_execution_runner',
  },
};

const ok = (service: 'temporal' | 'backend' | 'ollama'): CheckResult =>
  checkResult(
    { service, site: 'host', target: `${service}-target`, ms: 1 },
    service === 'ollama' ? { kind: 'model-listed', model: 'qwen2.5-coder:7b' } : { kind: 'connected' },
  );

const live: LiveFacts = {
  now: NOW,
  pollers: [
    { identity: '1@other-runner', type: 'workflow', lastAccessTime: at(500) },
    { identity: '1@runner-0a1b2c3d', type: 'activity', lastAccessTime: at(3_000) },
    { identity: '1@runner-0a1b2c3d', type: 'workflow', lastAccessTime: at(5_000) },
  ],
  checks: [ok('temporal'), ok('backend'), ok('ollama')],
};

const warm: WarmRunFacts = { fresh: false, otherHost: false, record, live };

/** The warm facts with one stage's part changed. */
function withRecord(change: Partial<RecordFacts>): WarmRunFacts {
  return { ...warm, record: { ...record, ...change } };
}
function withContainer(change: Partial<RunnerContainerSeen>): WarmRunFacts {
  return withRecord({ containers: [{ ...container, ...change }] });
}
function withWanted(change: Partial<RecordFacts['wanted']>): WarmRunFacts {
  return withRecord({ wanted: { ...record.wanted, ...change } });
}
function withLast(change: Partial<NonNullable<RecordFacts['last']>>): WarmRunFacts {
  return withRecord({ last: { ...(record.last as NonNullable<RecordFacts['last']>), ...change } });
}
function withLive(change: Partial<LiveFacts>): WarmRunFacts {
  return { ...warm, live: { ...live, ...change } };
}

test('warm: the verified container runs with the wanted spec and image, polls, and its services answer', () => {
  expect(decideWarmRun(warm)).toEqual({
    warm: true,
    reused: {
      provision: { workflowId: 'provision-runner-runner', runId: 'run-1', closeTime: at(590_000) },
      container: { id: container.id, startedAt: container.startedAt, specHash: 'hash-1' },
      // its own freshest poll, not the other runner's fresher one
      poller: {
        identity: '1@runner-0a1b2c3d',
        taskQueue: 'agent_execution_runner',
        lastAccessTime: at(3_000),
        ageMs: 3_000,
      },
      services: live.checks.map(({ service, site, target, detail }) => ({ service, site, target, detail })),
    },
  });
});

test('the facts are asked for in stages: the record first, then — only when it holds — what is live', () => {
  expect(decideWarmRun({ fresh: false, otherHost: false })).toEqual({ needs: 'record' });
  expect(decideWarmRun({ ...warm, live: undefined })).toEqual({
    needs: 'live',
    container,
    taskQueue: 'agent_execution_runner',
  });
  // Nothing is gathered when the request alone decides, nor live facts when the record does.
  expect(decideWarmRun({ fresh: true, otherHost: false })).toEqual({ warm: false, reason: 'fresh-requested' });
  expect(decideWarmRun({ ...withContainer({ state: 'exited' }), live: undefined })).toMatchObject({
    warm: false,
    reason: 'container-not-running',
  });
});

const failingOllama = checkResult(
  { service: 'ollama', site: 'host', target: 'http://localhost:11434/api/tags', ms: 1 },
  { kind: 'refused', code: 'ECONNREFUSED', address: '127.0.0.1:11434' },
);

const MISSES: Array<[string, WarmRunFacts, WarmMissReason, Record<string, unknown>?]> = [
  ['--fresh', { ...warm, fresh: true }, 'fresh-requested'],
  ['another host', { ...warm, otherHost: true }, 'other-host'],
  ['the record cannot be read', { ...warm, record: { error: 'engine gone' } }, 'unchecked', { error: 'engine gone' }],
  ['never provisioned', withRecord({ last: undefined }), 'never-provisioned'],
  ['a provision is running (attach)', withLast({ status: 'RUNNING', closeTime: undefined }), 'provision-running'],
  [
    'the last provision failed',
    withLast({ status: 'FAILED', outcome: { status: 'failed' } }),
    'last-provision-not-ready',
  ],
  [
    'the last provision was terminated',
    withLast({ status: 'TERMINATED', outcome: undefined }),
    'last-provision-not-ready',
  ],
  ['the last provision recorded no container', withLast({ outcome: { status: 'ready' } }), 'last-provision-not-ready'],
  ['the plan is blocked now', withWanted({ blockers: ['no route'] }), 'plan-blocked', { blockers: ['no route'] }],
  ['pull policy always', withWanted({ pull: 'always' }), 'pull-always'],
  ['no container', withRecord({ containers: [] }), 'no-container'],
  [
    'two containers',
    withRecord({ containers: [container, { ...container, id: 'beef' }] }),
    'several-containers',
    { ids: [container.id, 'beef'] },
  ],
  [
    'not the container the provision verified',
    withContainer({ id: 'beef' }),
    'unverified-container',
    { id: 'beef', verified: container.id },
  ],
  ['stopped', withContainer({ state: 'exited' }), 'container-not-running', { state: 'exited' }],
  ['restarting', withContainer({ state: 'restarting' }), 'container-not-running', { state: 'restarting' }],
  ['another spec now', withWanted({ specHash: 'hash-2' }), 'spec-changed'],
  ['another image now', withWanted({ imageId: 'sha256:image-2' }), 'image-changed'],
  ['the image is gone from the engine', withWanted({ imageId: undefined }), 'image-changed'],
  ['not made by stigmer-runner', withContainer({ labels: {} }), 'container-not-reusable', { why: 'not-managed' }],
  [
    "another tool's managed-by label",
    withContainer({ labels: { ...container.labels, [LABELS.managedBy]: 'other-tool' } }),
    'container-not-reusable',
    { why: 'not-managed' },
  ],
  [
    "Stigmer's own CLI's container (a provision replaces it; it is never warm)",
    withContainer({ names: ['stigmer-agent-runner'], labels: {} }),
    'container-not-reusable',
    { why: 'not-managed' },
  ],
  ['another name', withContainer({ names: ['renamed'] }), 'container-not-reusable', { why: 'other-name' }],
  ['live facts cannot be read', { ...warm, live: { error: 'Temporal gone' } }, 'unchecked', { error: 'Temporal gone' }],
  [
    'no poller of its own',
    withLive({ pollers: [live.pollers[0]] }),
    'no-fresh-poller',
    { taskQueue: 'agent_execution_runner', hostname: 'runner-0a1b2c3d', lastSeen: undefined },
  ],
  [
    'its last poll is older than the live window',
    withLive({
      pollers: [{ identity: '1@runner-0a1b2c3d', type: 'workflow', lastAccessTime: at(LIVE_POLLER_WINDOW_MS + 2_000) }],
    }),
    'no-fresh-poller',
    { lastSeen: at(LIVE_POLLER_WINDOW_MS + 2_000) },
  ],
  [
    'its last poll is from before the container (re)started',
    {
      ...withContainer({ startedAt: at(10_000) }),
      live: { ...live, pollers: [{ identity: '1@runner-0a1b2c3d', type: 'workflow', lastAccessTime: at(20_000) }] },
    },
    'no-fresh-poller',
  ],
  [
    "a fresh poller with the runner's name but not its container's host name (another host's runner, an impostor)",
    withLive({ pollers: [{ identity: '1@runner', type: 'activity', lastAccessTime: at(1_000) }] }),
    'no-fresh-poller',
    { hostname: 'runner-0a1b2c3d', lastSeen: undefined },
  ],
  ['a start time that cannot be read', withContainer({ startedAt: 'not a time' }), 'no-fresh-poller'],
  [
    'a service does not answer from this machine',
    withLive({ checks: [ok('temporal'), ok('backend'), failingOllama] }),
    'service-unreachable',
    {
      failing: [
        {
          service: 'ollama',
          site: 'host',
          target: 'http://localhost:11434/api/tags',
          detail: 'ECONNREFUSED (127.0.0.1:11434)',
        },
      ],
    },
  ],
];

it.each(MISSES.map(([name, facts, reason, fields]) => [name, reason, facts, fields] as const))(
  'not warm: %s → %s',
  (_case, reason, facts, fields = {}) => {
    expect(decideWarmRun(facts)).toEqual(expect.objectContaining({ warm: false, reason, ...fields }));
  },
);

test('the table above has every reason', () => {
  // A Record over the union: a reason added to WarmMiss fails to compile here until it is listed.
  const reasons: Record<WarmMissReason, true> = {
    'fresh-requested': true,
    'other-host': true,
    'never-provisioned': true,
    'provision-running': true,
    'last-provision-not-ready': true,
    'plan-blocked': true,
    'pull-always': true,
    'no-container': true,
    'several-containers': true,
    'unverified-container': true,
    'container-not-running': true,
    'spec-changed': true,
    'image-changed': true,
    'container-not-reusable': true,
    'no-fresh-poller': true,
    'service-unreachable': true,
    unchecked: true,
  };
  expect([...new Set(MISSES.map(([, , reason]) => reason))].sort()).toEqual(Object.keys(reasons).sort());
});
