import { fleetOf, renderHosts } from './hosts';
import { triggerEnv } from './run';
import { workflowIdHost } from './start';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const poll = (identity: string, secondsAgo: number) => ({
  identity,
  type: 'activity' as const,
  lastAccessTime: new Date(NOW - secondsAgo * 1000).toISOString(),
});

describe('fleetOf', () => {
  it('lists live hosts first, a dead poller as offline, and each runner once with its latest provision', () => {
    const hosts = fleetOf(
      new Map([
        ['a', [poll('stigmer-runner worker 1@m host=a engine=native-linux', 3)]],
        ['b', [poll('stigmer-runner worker 2@m host=b engine=podman', 200)]],
      ]),
      [
        {
          host: 'a',
          runner: 'r1',
          workflowId: 'provision-runner-r1@a',
          status: 'failed',
          step: 'verifyConnectivity',
          startTime: '2026-12-01T11:00:00.000Z',
        },
        {
          host: 'a',
          runner: 'r1',
          workflowId: 'provision-runner-r1@a',
          status: 'ready',
          step: 'awaitRunnerReady',
          startTime: '2026-12-01T11:30:00.000Z',
        },
        {
          host: 'c',
          runner: 'r2',
          workflowId: 'provision-runner-r2@c',
          status: 'ready',
          startTime: '2026-12-01T10:00:00.000Z',
        },
      ],
      NOW,
    );
    expect(hosts.map(({ host, live, engine }) => ({ host, live, engine }))).toEqual([
      { host: 'a', live: true, engine: 'native-linux' },
      { host: 'b', live: false, engine: 'podman' },
      { host: 'c', live: false, engine: undefined },
    ]);
    expect(hosts[0].runners).toEqual([expect.objectContaining({ runner: 'r1', status: 'ready' })]);
    expect(hosts[2].lastSeen).toBeUndefined();
    expect(renderHosts(hosts)).toMatch(/^b {2}offline {2}engine podman/m);
    expect(renderHosts([])).toMatch(/^no hosts/);
  });
});

describe('triggerEnv', () => {
  const env = { DOCKER_HOST: 'unix:///run/podman/podman.sock', DOCKER_CONTEXT: 'x', STIGMER_LLM_MODEL: 'm' };
  it("sends this machine's engine selection only to this machine's host", () => {
    expect(triggerEnv(env, 'here', 'here')).toEqual(env);
    expect(triggerEnv(env, 'there', 'here')).toEqual({ STIGMER_LLM_MODEL: 'm' });
  });
});

describe('workflowIdHost', () => {
  it("leaves this machine's ids as they were and names any other host", () => {
    expect(workflowIdHost('here', 'here')).toBeUndefined();
    expect(workflowIdHost('there', 'here')).toBe('there');
    expect(workflowIdHost(undefined, 'here')).toBeUndefined();
  });
});
