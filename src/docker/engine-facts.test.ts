import { identifyEngine } from '../core/runner/engine';
import { planNetworking } from '../core/runner/network-plan';
import { configFrom } from '../core/test-fixtures';
import { firstHostOf } from './engine-facts';
import { recordedEngineFacts } from './test-fixtures';

test.each([
  ['172.17.0.0/16', '172.17.0.1'],
  ['172.18.5.7/16', '172.18.0.1'],
  ['192.168.65.0/24', '192.168.65.1'],
  ['10.0.0.0/8', '10.0.0.1'],
  ['fd00::/64', undefined],
  [undefined, undefined],
])('first host of %s is %s', (subnet, expected) => expect(firstHostOf(subnet)).toBe(expected));

/**
 * The recorded API payloads of every engine run on this machine kind (test/fixtures/engines), and
 * the documented ones of VM engines, through the same code the product runs: what each is, and the
 * route a runner gets on it.
 */
describe('engines from their own API payloads', () => {
  it.each([
    // engine, client platform, kind, rootless, mode, NetworkMode, host alias, extra hosts, gateway services must listen on
    ['rootful-docker', 'linux', 'native-linux', false, 'host', 'host', null, [], null],
    ['rootless-docker', 'linux', 'native-linux', true, 'bridge', 'bridge', '10.0.2.2', [], null],
    ['rootful-podman', 'linux', 'podman', false, 'host', 'host', null, [], null],
    [
      'rootless-podman',
      'linux',
      'podman',
      true,
      'bridge',
      'slirp4netns:allow_host_loopback=true',
      '10.0.2.2',
      [],
      null,
    ],
    ['docker-desktop', 'darwin', 'docker-desktop', false, 'bridge', 'bridge', 'host.docker.internal', [], null],
    ['orbstack', 'darwin', 'orbstack', false, 'bridge', 'bridge', 'host.docker.internal', [], null],
    [
      'colima',
      'darwin',
      'colima',
      false,
      'bridge',
      'bridge',
      'host.docker.internal',
      ['host.docker.internal:host-gateway'],
      null,
    ],
  ] as const)(
    '%s (%s) → %s, rootless %s: %s (%s) via %s',
    (engine, platform, kind, rootless, mode, networkMode, alias, extraHosts, gateway) => {
      const facts = recordedEngineFacts(engine, platform);
      expect(identifyEngine(facts)).toMatchObject({ kind, rootless, remote: false });
      const plan = planNetworking(configFrom(), facts);
      expect(plan).toMatchObject({ mode, networkMode, hostAlias: alias, extraHosts, bridgeGateway: gateway });
    },
  );

  it.each([
    // engine, host alias, extra hosts, gateway a loopback-only service is invisible at
    ['rootful-docker', 'host.docker.internal', ['host.docker.internal:host-gateway'], '172.17.0.1'],
    ['rootless-docker', '10.0.2.2', [], null], // RootlessKit's 172.17.0.1 is not this machine's: never the gateway
    ['rootful-podman', 'host.containers.internal', [], '10.88.0.1'],
    ['rootless-podman', '10.0.2.2', [], null],
  ] as const)(
    '%s with --network bridge: via %s %j, services must listen on %s',
    (engine, alias, extraHosts, gateway) => {
      const plan = planNetworking(configFrom({}, { network: 'bridge' }), recordedEngineFacts(engine, 'linux'));
      expect(plan).toMatchObject({ mode: 'bridge', hostAlias: alias, extraHosts, bridgeGateway: gateway });
      if (!gateway) expect(plan.warnings.join('\n')).not.toMatch(/must listen on/);
    },
  );

  it('Podman never gets a literal host-gateway entry: a name it lacks maps to its own gateway, an IP alias gets no entry', () => {
    const podman = recordedEngineFacts('rootful-podman', 'linux');
    const named = planNetworking(
      configFrom({ STIGMER_RUNNER_HOST_ALIAS: 'host.docker.internal' }, { network: 'bridge' }),
      podman,
    );
    expect(named.extraHosts).toEqual(['host.docker.internal:10.88.0.1']);
    for (const engine of ['rootful-docker', 'rootless-docker', 'rootful-podman', 'rootless-podman'] as const) {
      const byIp = planNetworking(
        configFrom({ STIGMER_RUNNER_HOST_ALIAS: '192.0.2.10' }, { network: 'bridge' }),
        recordedEngineFacts(engine, 'linux'),
      );
      expect(byIp.extraHosts).toEqual([]);
    }
    const rootlessNamed = planNetworking(
      configFrom({ STIGMER_RUNNER_HOST_ALIAS: 'host.docker.internal' }),
      recordedEngineFacts('rootless-podman', 'linux'),
    );
    expect(rootlessNamed.extraHosts).toEqual(['host.docker.internal:10.0.2.2']);
  });

  it('rootless Docker states what its route needs', () => {
    expect(planNetworking(configFrom(), recordedEngineFacts('rootless-docker', 'linux')).warnings.join('\n')).toMatch(
      /--disable-host-loopback=false/,
    );
  });
});
