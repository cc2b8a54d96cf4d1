import { identifyEngine } from './engine';
import { planNetworking } from './network-plan';
import { configFrom, ENGINES } from '../test-fixtures';

describe('identifyEngine', () => {
  it.each([
    ['nativeLinux', 'native-linux', false, false, false, 'host.docker.internal'],
    ['desktopMac', 'docker-desktop', true, false, false, 'host.docker.internal'],
    ['desktopWindows', 'docker-desktop', true, false, false, 'host.docker.internal'],
    ['desktopLinux', 'docker-desktop', true, false, false, 'host.docker.internal'],
    ['orbstack', 'orbstack', true, false, false, 'host.docker.internal'],
    ['colima', 'colima', true, false, false, 'host.docker.internal'],
    ['rootless', 'native-linux', false, true, false, '10.0.2.2'],
    ['podmanLinux', 'podman', false, false, false, 'host.containers.internal'],
    ['podmanMac', 'podman-machine', true, false, false, 'host.containers.internal'],
    ['remote', 'native-linux', false, false, true, 'host.docker.internal'],
    ['remoteSsh', 'native-linux', false, false, true, 'host.docker.internal'],
    ['localTcp', 'native-linux', false, false, false, 'host.docker.internal'],
  ])('%s → %s (vm %s, rootless %s, remote %s)', (engine, kind, inVm, rootless, remote, alias) => {
    expect(identifyEngine(ENGINES[engine])).toMatchObject({ kind, inVm, rootless, remote, hostAlias: alias });
  });
});

describe('planNetworking with default addresses', () => {
  it.each([
    // engine, mode, extra hosts, temporal as the container sees it, ollama as the container sees it
    ['nativeLinux', 'host', [], '127.0.0.1:7233', 'http://127.0.0.1:11434'],
    ['desktopMac', 'bridge', [], 'host.docker.internal:7233', 'http://host.docker.internal:11434'],
    ['desktopWindows', 'bridge', [], 'host.docker.internal:7233', 'http://host.docker.internal:11434'],
    ['desktopLinux', 'bridge', [], 'host.docker.internal:7233', 'http://host.docker.internal:11434'],
    ['orbstack', 'bridge', [], 'host.docker.internal:7233', 'http://host.docker.internal:11434'],
    [
      'colima',
      'bridge',
      ['host.docker.internal:host-gateway'],
      'host.docker.internal:7233',
      'http://host.docker.internal:11434',
    ],
    ['rootless', 'bridge', [], '10.0.2.2:7233', 'http://10.0.2.2:11434'],
    ['podmanLinux', 'host', [], '127.0.0.1:7233', 'http://127.0.0.1:11434'],
    ['podmanMac', 'bridge', [], 'host.containers.internal:7233', 'http://host.containers.internal:11434'],
  ])('%s → %s', (engine, mode, extraHosts, temporal, ollama) => {
    const plan = planNetworking(configFrom(), ENGINES[engine]);
    expect(plan.mode).toBe(mode);
    expect(plan.extraHosts).toEqual(extraHosts);
    expect(plan.services.find((s) => s.service === 'temporal')?.container.resolved).toBe(temporal);
    expect(plan.services.find((s) => s.service === 'ollama')?.container.resolved).toBe(ollama);
    expect(plan.services.find((s) => s.service === 'backend')?.container.resolved).toBe(
      temporal.replace('7233', '7234'),
    );
    expect(plan.blockers).toEqual([]);
    expect(plan.reasons[0]).toMatch(new RegExp(`^network ${mode}: `));
  });

  it('never hands a bridged container a loopback address, whatever form it was written in', () => {
    for (const address of [
      'localhost:7233',
      '127.0.0.1:7233',
      '[::1]:7233',
      '0.0.0.0:7233',
      'LOCALHOST:7233',
      '127.1:7233',
      '0:7233',
    ]) {
      const plan = planNetworking(configFrom({ TEMPORAL_SERVICE_ADDRESS: address }), ENGINES.desktopMac);
      expect(plan.services[0].container.resolved).toBe('host.docker.internal:7233');
    }
  });

  it('keeps non-local addresses in every mode', () => {
    for (const engine of Object.keys(ENGINES)) {
      const plan = planNetworking(
        configFrom({
          TEMPORAL_SERVICE_ADDRESS: 'temporal.corp.example:7233',
          STIGMER_LLM_BASE_URL: 'http://mylocalhost.example.com:11434',
        }),
        ENGINES[engine],
      );
      expect(plan.services.find((s) => s.service === 'temporal')?.container.resolved).toBe(
        'temporal.corp.example:7233',
      );
      expect(plan.services.find((s) => s.service === 'ollama')?.container.resolved).toBe(
        'http://mylocalhost.example.com:11434',
      );
    }
  });

  it('forced bridge on a native engine adds host-gateway and warns that loopback-only services are unreachable', () => {
    const plan = planNetworking(configFrom({}, { network: 'bridge' }), ENGINES.nativeLinux);
    expect(plan).toMatchObject({
      mode: 'bridge',
      extraHosts: ['host.docker.internal:host-gateway'],
      bridgeGateway: '172.17.0.1',
    });
    expect(plan.reasons[0]).toBe('network bridge: chosen by flag:--network');
    expect(plan.warnings.join('\n')).toContain('OLLAMA_HOST=172.17.0.1:11434');
    expect(plan.warnings.join('\n')).not.toMatch(/=0\.0\.0\.0|listen on 0\.0\.0\.0/);
    expect(plan.warnings).toHaveLength(3);
  });

  it('forced host networking on Docker Desktop is planned but warned about (incident 2)', () => {
    const plan = planNetworking(configFrom({ STIGMER_RUNNER_NETWORK: 'host' }), ENGINES.desktopMac);
    expect(plan.mode).toBe('host');
    expect(plan.reasons[0]).toBe('network host: chosen by env:STIGMER_RUNNER_NETWORK');
    expect(plan.warnings[0]).toMatch(/joins the VM network/);
  });

  it('a remote engine cannot reach this machine’s loopback: blocked, named per service', () => {
    const plan = planNetworking(configFrom({ TEMPORAL_SERVICE_ADDRESS: '10.1.2.4:7233' }), ENGINES.remote);
    expect(plan.mode).toBe('bridge');
    expect(plan.blockers).toHaveLength(2);
    expect(plan.blockers[0]).toMatch(
      /^backend at localhost:7234 is on this machine's loopback.*tcp:\/\/10\.1\.2\.3:2376/,
    );
    expect(plan.blockers[1]).toMatch(/^ollama at http:\/\/localhost:11434/);
  });

  it('a loopback host alias in bridge mode is warned about (the seed bug, reproduced on purpose)', () => {
    const plan = planNetworking(
      configFrom({ STIGMER_RUNNER_HOST_ALIAS: 'localhost' }, { network: 'bridge' }),
      ENGINES.nativeLinux,
    );
    expect(plan.services[0].container.resolved).toBe('localhost:7233');
    expect(plan.extraHosts).toEqual([]);
    expect(plan.warnings[0]).toMatch(/container's own loopback/);
  });

  it('a non-ollama provider plans no Ollama check', () => {
    const plan = planNetworking(configFrom({ STIGMER_LLM_PROVIDER: 'anthropic' }), ENGINES.nativeLinux);
    expect(plan.services.map((s) => s.service)).toEqual(['temporal', 'backend']);
  });
});
