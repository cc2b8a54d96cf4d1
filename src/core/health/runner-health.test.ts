import { LABELS, MANAGED_BY } from '../runner/container-spec';
import { checkResult, type CheckResult } from './diagnosis';
import { judgeRunnerHealth, type HealthProblem, type RunnerHealthFacts } from './runner-health';
import type { RunnerContainerSeen } from './warm-run';

const NOW = Date.parse('2026-12-07T22:00:00.000Z');
const at = (msBeforeNow: number) => new Date(NOW - msBeforeNow).toISOString();

const container: RunnerContainerSeen = {
  id: 'c0ffee1234567890',
  names: ['runner'],
  labels: { [LABELS.managedBy]: MANAGED_BY },
  imageId: 'sha256:image-1',
  state: 'running',
  hostname: 'runner-0a1b2c3d',
  startedAt: at(600_000),
};

const ok = (service: 'temporal' | 'backend' | 'ollama'): CheckResult =>
  checkResult(
    { service, site: 'host', target: `${service}-target`, ms: 1 },
    service === 'ollama' ? { kind: 'model-listed', model: 'qwen2.5-coder:7b' } : { kind: 'connected' },
  );
const refused = checkResult(
  { service: 'ollama', site: 'host', target: 'http://localhost:11434/api/tags', ms: 1 },
  { kind: 'refused', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:11434' },
);

const healthy: RunnerHealthFacts = {
  containers: [container],
  taskQueue: 'agent_execution_runner',
  poll: {
    now: NOW,
    pollers: [
      { identity: '1@other-runner', type: 'workflow', lastAccessTime: at(500) },
      { identity: '1@runner-0a1b2c3d', type: 'activity', lastAccessTime: at(3_000) },
    ],
  },
  services: { checkedAt: NOW, checks: [ok('temporal'), ok('backend'), ok('ollama')] },
};

test('a running container that polls, with every service answering from this machine, is healthy', () => {
  expect(judgeRunnerHealth(healthy)).toEqual({
    healthy: true,
    problems: [],
    poller: { identity: '1@runner-0a1b2c3d', lastAccessTime: at(3_000), ageMs: 3_000 },
  });
});

test.each<[string, Partial<RunnerHealthFacts>, HealthProblem[]]>([
  ['another host', { otherHost: 'gpu-1' }, [{ kind: 'other-host', host: 'gpu-1' }]],
  ['no container', { containers: [], poll: undefined }, [{ kind: 'no-container' }]],
  // A fact the gatherer did not bring is not a pass: it fails closed.
  ['the poll not looked for', { poll: undefined }, [{ kind: 'unchecked', what: 'poll', error: 'not looked for' }]],
  [
    'the services not checked',
    { services: undefined },
    [{ kind: 'unchecked', what: 'services', error: 'not checked' }],
  ],
  [
    'two containers',
    { containers: [container, { ...container, id: 'beef' }] },
    [{ kind: 'several-containers', ids: [container.id, 'beef'] }],
  ],
  [
    'container exited',
    { containers: [{ ...container, state: 'exited' }] },
    [{ kind: 'container-not-running', id: container.id, state: 'exited' }],
  ],
  [
    'no plan recorded: nothing says what to check',
    { taskQueue: undefined, services: undefined },
    [{ kind: 'no-plan' }],
  ],
  [
    'only another runner polls',
    { poll: { now: NOW, pollers: [{ identity: '1@other-runner', type: 'workflow', lastAccessTime: at(500) }] } },
    [{ kind: 'not-polling', taskQueue: 'agent_execution_runner', hostname: container.hostname }],
  ],
  [
    'its own poll is older than the live window (hung)',
    {
      poll: { now: NOW, pollers: [{ identity: '1@runner-0a1b2c3d', type: 'activity', lastAccessTime: at(90_000) }] },
    },
    [{ kind: 'not-polling', taskQueue: 'agent_execution_runner', hostname: container.hostname, lastSeen: at(90_000) }],
  ],
  [
    'Temporal could not list the pollers',
    { poll: { error: 'UNAVAILABLE' } },
    [{ kind: 'unchecked', what: 'poll', error: 'UNAVAILABLE' }],
  ],
  [
    'Ollama refuses from this machine',
    { services: { checkedAt: NOW, checks: [ok('temporal'), ok('backend'), refused] } },
    [
      {
        kind: 'service-failing',
        check: { service: 'ollama', site: 'host', target: refused.target, detail: refused.detail },
      },
    ],
  ],
  [
    'the probes could not run',
    { services: { error: 'spawn failed' } },
    [{ kind: 'unchecked', what: 'services', error: 'spawn failed' }],
  ],
  [
    'container exited and Ollama down: both said, no poll looked for',
    {
      containers: [{ ...container, state: 'exited' }],
      poll: undefined,
      services: { checkedAt: NOW, checks: [refused] },
    },
    [
      { kind: 'container-not-running', id: container.id, state: 'exited' },
      {
        kind: 'service-failing',
        check: { service: 'ollama', site: 'host', target: refused.target, detail: refused.detail },
      },
    ],
  ],
])('%s: not healthy', (_name, change, problems) => {
  const { healthy: isHealthy, problems: found } = judgeRunnerHealth({ ...healthy, ...change });
  expect({ healthy: isHealthy, problems: found }).toEqual({ healthy: false, problems });
});
