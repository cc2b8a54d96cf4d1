import {
  exitCodeFor,
  hostOfTaskQueue,
  hostTaskQueue,
  HOST_NAME,
  identityFields,
  provisionWorkflowId,
  teardownWorkflowId,
  workerIdentity,
} from './names';

describe('host names', () => {
  it('gives each host its own queue and reads the host back', () => {
    expect(hostTaskQueue('gpu-1')).toBe('runner_provisioning@gpu-1');
    expect(hostOfTaskQueue(hostTaskQueue('build.example.com'))).toBe('build.example.com');
    expect(hostOfTaskQueue('runner_provisioning')).toBeUndefined();
    expect(hostOfTaskQueue('agent_execution_runner')).toBeUndefined();
  });

  it.each([
    ['gpu-1', true],
    ['build.example.com', true],
    ['a_b', true],
    ['', false],
    ['-x', false],
    ['has space', false],
    ['a@b', false],
    ['x'.repeat(64), false],
  ])('%j is a host name: %s', (name, ok) => expect(HOST_NAME.test(name)).toBe(ok));

  it('keeps the unrouted ids and adds the host to routed ones', () => {
    expect(provisionWorkflowId('r1')).toBe('provision-runner-r1');
    expect(provisionWorkflowId('r1', 'a')).toBe('provision-runner-r1@a');
    expect(provisionWorkflowId('r1', 'a')).not.toBe(provisionWorkflowId('r1', 'b'));
    expect(teardownWorkflowId('r1', 'b')).toBe('teardown-runner-r1@b');
  });

  it('writes and reads host and engine in a worker identity', () => {
    const identity = workerIdentity('stigmer-runner worker', 42, 'box', 'host-b', 'podman');
    expect(identity).toBe('stigmer-runner worker 42@box host=host-b engine=podman');
    expect(identityFields(identity)).toEqual({ host: 'host-b', engine: 'podman' });
    expect(identityFields('test-worker 7')).toEqual({ host: undefined, engine: undefined });
    expect(identityFields(workerIdentity('stigmer-runner cli', 1, 'box', 'a'))).toEqual({
      host: 'a',
      engine: undefined,
    });
  });

  it('exits 4 when the host is offline', () => {
    expect(exitCodeFor({ status: 'failed', error: { type: 'HostOffline' } })).toBe(4);
  });
});
