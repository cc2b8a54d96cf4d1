import { identifyEngine, type EngineFacts } from './engine';
import { planNetworking, routeNeedsMeasuring } from './network-plan';
import {
  chooseRoute,
  describeTrials,
  probeExtraHosts,
  probeHost,
  recordedRoute,
  routeCandidates,
  type RouteTrial,
} from './reach';
import { configFrom, ENGINES } from '../test-fixtures';

/** A Debian VM behind a forwarded loopback port: its own kernel, host name and memory (placed in a VM). */
const PLAIN_VM: EngineFacts = {
  ...ENGINES.nativeLinux,
  name: 'stigmer-vm',
  kernelVersion: '6.1.0-28-amd64',
  memTotal: 1_500_000_000,
  endpoint: 'tcp://127.0.0.1:23750',
  bridgeGateway: '172.17.0.1',
};

const trial = (alias: string, reached: string[], target?: string): RouteTrial => ({
  alias,
  ...(target ? { target } : {}),
  offeredBy: 'test',
  reached,
  failed: ['temporal', 'backend', 'ollama']
    .filter((service) => !reached.includes(service))
    .map((service) => ({ service, code: 'ECONNREFUSED' })),
});

describe('routeCandidates', () => {
  it.each([
    // engine, the candidates in order (alias>target)
    [
      'PLAIN_VM',
      PLAIN_VM,
      [
        'host.docker.internal>host-gateway',
        'host.docker.internal>',
        'host.containers.internal>',
        '10.0.2.2>',
        'host.lima.internal>',
        '192.168.5.2>',
        '172.17.0.1>',
      ],
    ],
    [
      'desktopMac',
      ENGINES.desktopMac,
      [
        'host.docker.internal>',
        'host.docker.internal>host-gateway',
        'host.containers.internal>',
        '10.0.2.2>',
        'host.lima.internal>',
        '192.168.5.2>',
      ],
    ],
    [
      'podmanMac',
      ENGINES.podmanMac,
      ['host.containers.internal>', 'host.docker.internal>', '10.0.2.2>', 'host.lima.internal>', '192.168.5.2>'],
    ],
  ])('%s: the engine’s own route first, each candidate once', (_, facts, expected) => {
    const candidates = routeCandidates(identifyEngine(facts), facts);
    expect(candidates.map((candidate) => `${candidate.alias}>${candidate.target ?? ''}`)).toEqual(expected);
  });

  it('gives a mapped candidate a probe name of its own, so the engine’s own host.docker.internal is tried too', () => {
    const candidates = routeCandidates(identifyEngine(ENGINES.desktopMac), ENGINES.desktopMac);
    expect(candidates.map((candidate, index) => probeHost(candidate, index))).toEqual([
      'host.docker.internal',
      'stigmer-route-1',
      'host.containers.internal',
      '10.0.2.2',
      'host.lima.internal',
      '192.168.5.2',
    ]);
    expect(probeExtraHosts(candidates)).toEqual(['stigmer-route-1:host-gateway']);
  });
});

describe('chooseRoute', () => {
  it.each([
    ['the first that reaches every service', [trial('a', []), trial('b', ['temporal', 'backend', 'ollama'])], 'b'],
    ['earlier wins a tie', [trial('a', ['temporal']), trial('b', ['temporal'])], 'a'],
    ['more services beat order', [trial('a', ['temporal']), trial('b', ['temporal', 'backend'])], 'b'],
    ['none when nothing answered', [trial('a', []), trial('b', [])], null],
    ['none when nothing was tried', [], null],
  ])('%s', (_, trials, alias) => {
    expect(chooseRoute(trials)?.alias ?? null).toBe(alias);
  });

  it('describes every trial with what it reached and how the rest failed', () => {
    expect(
      describeTrials([
        trial('host.docker.internal', [], 'host-gateway'),
        trial('10.0.2.2', ['temporal', 'backend', 'ollama']),
      ]),
    ).toBe('host.docker.internal (host-gateway): ECONNREFUSED; 10.0.2.2: reached temporal, backend, ollama');
  });
});

describe('recordedRoute', () => {
  const candidates = routeCandidates(identifyEngine(PLAIN_VM), PLAIN_VM);
  const recorded = (chosen: RouteTrial | null) => ({ trials: chosen ? [chosen] : [], chosen, image: 'runner:1' });
  it.each([
    ['a candidate this engine offers, as recorded', recorded(trial('10.0.2.2', ['temporal'])), '10.0.2.2'],
    [
      'the same name with the same mapping',
      recorded(trial('host.docker.internal', ['temporal'], 'host-gateway')),
      'host.docker.internal',
    ],
    [
      'an address this engine does not offer (a history is not trusted)',
      recorded(trial('203.0.113.9', ['temporal'])),
      null,
    ],
    ['an offered name mapped elsewhere', recorded(trial('host.docker.internal', ['temporal'], '203.0.113.9')), null],
    ['a measurement where nothing answered', recorded(null), null],
    ['no recorded route (a history before routes were measured)', undefined, null],
  ])('%s', (_, route, alias) => {
    expect(recordedRoute(route, candidates)?.chosen?.alias ?? null).toBe(alias);
  });

  it('takes only the choice from a history, as this engine offers it: nothing else it recorded, malformed or not', () => {
    const forged = { trials: 'not a list', chosen: { alias: '10.0.2.2', reached: 'x', offeredBy: 'me' }, image: 7 };
    expect(recordedRoute(forged, candidates)).toEqual({
      trials: [{ ...candidates.find((c) => c.alias === '10.0.2.2'), reached: [], failed: [] }],
      chosen: { ...candidates.find((c) => c.alias === '10.0.2.2'), reached: [], failed: [] },
      image: '',
    });
    expect(recordedRoute({ chosen: 'host.docker.internal' }, candidates)).toBeUndefined();
    expect(recordedRoute('garbage', candidates)).toBeUndefined();
  });
});

describe('planNetworking with a measured route', () => {
  it('measures only a bridged runner off this machine with no alias set, and services here', () => {
    const needs = (facts: EngineFacts, env: Record<string, string> = {}) =>
      routeNeedsMeasuring(planNetworking(configFrom(env), facts), configFrom(env));
    expect(needs(PLAIN_VM)).toBe(true);
    expect(needs(ENGINES.desktopMac)).toBe(true);
    expect(needs(ENGINES.nativeLinux)).toBe(false); // on this machine: host network
    expect(needs(ENGINES.rootless)).toBe(false); // on this machine: its route is known
    // Another machine: its 10.0.2.2 or host-gateway is that network's, whatever answers there is not us.
    expect(needs(ENGINES.remote)).toBe(false);
    expect(needs(PLAIN_VM, { STIGMER_RUNNER_HOST_ALIAS: '10.9.9.9' })).toBe(false); // the user's choice stands
    expect(needs(PLAIN_VM, { STIGMER_RUNNER_NETWORK: 'host' })).toBe(false);
    expect(
      needs(PLAIN_VM, {
        TEMPORAL_SERVICE_ADDRESS: 'temporal.example.com:7233',
        STIGMER_BACKEND_ENDPOINT: 'backend.example.com:7234',
        STIGMER_LLM_BASE_URL: 'http://ollama.example.com:11434',
      }),
    ).toBe(false); // nothing on this machine to reach
  });

  it('a plain VM: 10.0.2.2 kept — every address rewritten to it, no --add-host, the trials as the reason', () => {
    const measured = {
      image: 'runner:1',
      trials: [trial('host.docker.internal', [], 'host-gateway'), trial('10.0.2.2', ['temporal', 'backend', 'ollama'])],
      chosen: trial('10.0.2.2', ['temporal', 'backend', 'ollama']),
    };
    const plan = planNetworking(configFrom(), PLAIN_VM, undefined, measured);
    expect(plan).toMatchObject({ mode: 'bridge', hostAlias: '10.0.2.2', extraHosts: [], route: measured });
    expect(plan.services.map((service) => service.container.resolved)).toEqual([
      '10.0.2.2:7233',
      '10.0.2.2:7234',
      'http://10.0.2.2:11434',
    ]);
    expect(plan.reasons).toContainEqual(
      expect.stringMatching(
        /^this machine is 10\.0\.2\.2 in the container: measured from a probe container on .*, it reached temporal, backend, ollama \(tried: host\.docker\.internal \(host-gateway\): ECONNREFUSED; 10\.0\.2\.2: reached/,
      ),
    );
    // The unknown-VM warning gives way to the measurement.
    expect(plan.warnings.join('\n')).not.toMatch(/is a VM this runner does not know/);
  });

  it('a Desktop-like VM: host.docker.internal via host-gateway kept, mapped with --add-host', () => {
    const chosen = trial('host.docker.internal', ['temporal', 'backend', 'ollama'], 'host-gateway');
    const plan = planNetworking(configFrom(), PLAIN_VM, undefined, { image: 'r', trials: [chosen], chosen });
    expect(plan).toMatchObject({
      hostAlias: 'host.docker.internal',
      extraHosts: ['host.docker.internal:host-gateway'],
    });
  });

  it('nothing answered: the engine’s own route stays, with a warning naming every trial and the setting', () => {
    const trials = [trial('host.docker.internal', [], 'host-gateway'), trial('10.0.2.2', [])];
    const plan = planNetworking(configFrom(), PLAIN_VM, undefined, { image: 'r', trials, chosen: null });
    expect(plan.hostAlias).toBe('host.docker.internal');
    expect(plan.warnings).toContainEqual(
      expect.stringMatching(
        /^no route from a container on .* reached this machine's services \(tried from a probe container of r: host\.docker\.internal \(host-gateway\): ECONNREFUSED; 10\.0\.2\.2: ECONNREFUSED\): set STIGMER_RUNNER_HOST_ALIAS/,
      ),
    );
  });

  it('a measured route never overrides the alias the user set', () => {
    const chosen = trial('10.0.2.2', ['temporal']);
    const config = configFrom({ STIGMER_RUNNER_HOST_ALIAS: '192.168.5.2' });
    const plan = planNetworking(config, PLAIN_VM, undefined, { image: 'r', trials: [chosen], chosen });
    expect(plan.hostAlias).toBe('192.168.5.2');
    expect(plan.extraHosts).toEqual([]);
    expect(plan.services.map((service) => service.container.resolved)).toContain('192.168.5.2:7233');
    expect(plan.reasons.join('\n')).not.toContain('this machine is 10.0.2.2');
  });
});
