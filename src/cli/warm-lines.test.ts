/** The lines `run` prints for a warm runner and for every reason it provisions in full. */
import type { WarmMiss, WarmMissReason, WarmReuse } from '../core/health/warm-run';
import { notWarmLine, warmLine } from './render';

test('a warm run says what it reused and what shows it still holds', () => {
  const reused: WarmReuse = {
    provision: { workflowId: 'provision-runner-r', runId: 'run-1', closeTime: '2026-11-20T09:50:03.120Z' },
    container: { id: '1a2b3c4d5e6f7a8b9c', startedAt: '2026-11-20T09:50:01.123456789Z', specHash: 'abc' },
    poller: { identity: '1@r', taskQueue: 'agent_execution_runner', lastAccessTime: '…', ageMs: 2_600 },
    services: [
      { service: 'temporal', site: 'host', target: 'localhost:7233', detail: 'connected' },
      { service: 'ollama', site: 'host', target: 'http://localhost:11434/api/tags', detail: 'HTTP 200' },
      { service: 'ollama', site: 'bridge-gateway', target: 'http://172.17.0.1:11434/api/tags', detail: 'HTTP 200' },
    ],
  };
  expect(warmLine('r', reused)).toBe(
    '✓ runner r is ready (reused: container 1a2b3c4d5e6f running since 2026-11-20T09:50:01Z, same spec; ' +
      'verified by provision provision-runner-r at 2026-11-20T09:50:03Z; agent_execution_runner polled 3 s ago; ' +
      'temporal, ollama answer)',
  );
});

const MISSES: Record<WarmMissReason, [WarmMiss, string]> = {
  'fresh-requested': [{ reason: 'fresh-requested' }, 'provisioning in full: --fresh'],
  'other-host': [
    { reason: 'other-host' },
    'provisioning in full: the runner is on another host (only its worker sees its engine)',
  ],
  'never-provisioned': [{ reason: 'never-provisioned' }, 'provisioning in full: no earlier provision of r'],
  'provision-running': [
    { reason: 'provision-running', workflowId: 'provision-runner-r' },
    'a provision of r is running (provision-runner-r): attaching',
  ],
  'last-provision-not-ready': [
    { reason: 'last-provision-not-ready', workflowId: 'provision-runner-r', status: 'TIMED_OUT' },
    'provisioning in full: the last provision (provision-runner-r) ended timed out',
  ],
  'plan-blocked': [
    { reason: 'plan-blocked', blockers: ['no route to this machine', 'another'] },
    'provisioning in full: the plan is blocked: no route to this machine',
  ],
  'pull-always': [
    { reason: 'pull-always' },
    'provisioning in full: pull policy always (the image may have a newer version)',
  ],
  'no-container': [{ reason: 'no-container' }, 'provisioning in full: no runner container'],
  'several-containers': [
    { reason: 'several-containers', ids: ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'] },
    "provisioning in full: 2 containers carry the runner's name or label (aaaaaaaaaaaa, bbbbbbbbbbbb)",
  ],
  'unverified-container': [
    { reason: 'unverified-container', id: 'aaaaaaaaaaaaaaaa', verified: 'bbbbbbbbbbbbbbbb' },
    'provisioning in full: container aaaaaaaaaaaa is not the one the last provision verified (bbbbbbbbbbbb)',
  ],
  'container-not-running': [
    { reason: 'container-not-running', id: 'aaaaaaaaaaaaaaaa', state: 'exited' },
    'provisioning in full: container aaaaaaaaaaaa is not running (exited)',
  ],
  'spec-changed': [
    { reason: 'spec-changed', id: 'aaaaaaaaaaaaaaaa' },
    'provisioning in full: spec changed (container aaaaaaaaaaaa was made for another configuration)',
  ],
  'image-changed': [
    { reason: 'image-changed', id: 'aaaaaaaaaaaaaaaa' },
    'provisioning in full: the image changed on the engine since container aaaaaaaaaaaa was made',
  ],
  'container-not-reusable': [
    { reason: 'container-not-reusable', id: 'aaaaaaaaaaaaaaaa', why: 'not-managed' },
    'provisioning in full: container aaaaaaaaaaaa was not created by stigmer-runner',
  ],
  'no-fresh-poller': [
    {
      reason: 'no-fresh-poller',
      taskQueue: 'agent_execution_runner',
      hostname: 'r',
      lastSeen: '2026-11-20T09:50:03.120Z',
    },
    'provisioning in full: no fresh poller: r last polled agent_execution_runner at 2026-11-20T09:50:03Z',
  ],
  'service-unreachable': [
    {
      reason: 'service-unreachable',
      failing: [{ service: 'ollama', site: 'host', target: 'http://localhost:11434/api/tags', detail: 'ECONNREFUSED' }],
    },
    'provisioning in full: not answering from this machine: ollama at http://localhost:11434/api/tags (ECONNREFUSED)',
  ],
  unchecked: [
    { reason: 'unchecked', error: 'connect ENOENT /var/run/docker.sock' },
    'provisioning in full: the runner could not be checked (connect ENOENT /var/run/docker.sock)',
  ],
};

it.each(Object.entries(MISSES))('%s', (_reason, [miss, line]) => {
  expect(notWarmLine(miss, 'r')).toBe(line);
});

test('no fresh poller, none listed at all', () => {
  expect(notWarmLine({ reason: 'no-fresh-poller', taskQueue: 'agent_execution_runner', hostname: 'r' }, 'r')).toBe(
    'provisioning in full: no fresh poller: none of r on agent_execution_runner',
  );
});
