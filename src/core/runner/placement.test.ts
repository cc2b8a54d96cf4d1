import fc from 'fast-check';
import { identifyEngine, type EngineFacts } from './engine';
import { planNetworking } from './network-plan';
import { placeEngine, type PlacementInput, type ThisMachine } from './placement';
import { configFrom } from '../test-fixtures';

const HERE: ThisMachine = {
  platform: 'linux',
  hostName: 'box',
  kernelRelease: '6.1.0-18-amd64',
  cpus: 8,
  memTotal: 33e9,
};
/** An engine whose own facts are HERE's. */
const SAME: PlacementInput = {
  name: 'box',
  kernelVersion: '6.1.0-18-amd64',
  ncpu: 8,
  memTotal: 33e9,
  endpoint: 'unix:///var/run/docker.sock',
  clientPlatform: 'linux',
  thisMachine: HERE,
};

describe('placeEngine: the precedence list', () => {
  it.each([
    // case, input, placement, rule, differing
    ['all facts match', SAME, 'this-machine', 'own-facts', []],
    ['loopback tcp, facts match', { ...SAME, endpoint: 'tcp://127.0.0.1:2375' }, 'this-machine', 'own-facts', []],
    ['kernel differs', { ...SAME, kernelVersion: '6.1.0-28-amd64' }, 'vm', 'own-facts', ['kernelRelease']],
    ['host name differs', { ...SAME, name: 'lima-docker' }, 'vm', 'own-facts', ['hostName']],
    ['memory differs', { ...SAME, memTotal: 1532497920 }, 'vm', 'own-facts', ['memTotal']],
    // The engine counts its daemon's CPU affinity (a pinned service sees fewer): shown, not decisive.
    ['CPUs differ', { ...SAME, ncpu: 1 }, 'this-machine', 'own-facts', ['ncpu']],
    [
      'engine facts missing',
      { ...SAME, ncpu: undefined, memTotal: undefined },
      'vm',
      'own-facts',
      ['memTotal', 'ncpu'],
    ],
    [
      'this machine not measured',
      { ...SAME, thisMachine: undefined },
      'vm',
      'own-facts',
      ['kernelRelease', 'hostName', 'memTotal', 'ncpu'],
    ],
    ['remote tcp', { ...SAME, endpoint: 'tcp://10.1.2.3:2376' }, 'remote', 'remote-endpoint', ['endpoint']],
    ['remote ssh', { ...SAME, endpoint: 'ssh://me@build-box' }, 'remote', 'remote-endpoint', ['endpoint']],
    [
      'loopback ssh, facts differ',
      { ...SAME, endpoint: 'ssh://me@127.0.0.1:2222', name: 'vm2' },
      'vm',
      'own-facts',
      ['hostName'],
    ],
    ['darwin, local socket', { ...SAME, clientPlatform: 'darwin' }, 'vm', 'client-platform', ['platform']],
    [
      'win32, loopback tcp',
      { ...SAME, clientPlatform: 'win32', endpoint: 'tcp://localhost:2375' },
      'vm',
      'client-platform',
      ['platform'],
    ],
    [
      'darwin, remote tcp',
      { ...SAME, clientPlatform: 'darwin', endpoint: 'tcp://10.1.2.3:2376' },
      'remote',
      'client-platform',
      ['platform', 'endpoint'],
    ],
  ] as const)('%s → %s by %s', (_case, input, placement, rule, differing) => {
    expect(placeEngine(input)).toMatchObject({ placement, rule, differing });
  });

  it('shows each fact compared: this machine’s value against the engine’s', () => {
    expect(placeEngine({ ...SAME, name: 'debian-vm' }).evidence).toEqual([
      { fact: 'kernelRelease', expected: '6.1.0-18-amd64', seen: '6.1.0-18-amd64', matches: true },
      { fact: 'hostName', expected: 'box', seen: 'debian-vm', matches: false },
      { fact: 'memTotal', expected: '33000000000', seen: '33000000000', matches: true },
      { fact: 'ncpu', expected: '8', seen: '8', matches: true },
    ]);
    expect(placeEngine({ ...SAME, clientPlatform: 'darwin' }).evidence).toEqual([
      { fact: 'platform', expected: 'linux', seen: 'darwin', matches: false },
    ]);
  });
});

/** Any engine facts at all: names that hint at products, at this machine, or at nothing. */
const anyFacts = (platform: fc.Arbitrary<string>): fc.Arbitrary<EngineFacts> =>
  fc
    .record({
      operatingSystem: fc.constantFrom('Docker Desktop', 'OrbStack', 'Ubuntu 24.04 LTS', 'fedora', 'debian', ''),
      name: fc.oneof(fc.constantFrom('box', 'docker-desktop', 'colima', 'lima-docker', 'localhost'), fc.string()),
      kernelVersion: fc.oneof(
        fc.constantFrom('6.1.0-18-amd64', '6.10.0-linuxkit', '5.15.1-microsoft-standard-WSL2'),
        fc.string(),
      ),
      serverVersion: fc.constantFrom('', '27.1.1'),
      securityOptions: fc.subarray(['name=seccomp,profile=default', 'name=rootless']),
      componentNames: fc.constantFrom<string[]>(['Engine'], ['Podman Engine', 'Conmon']),
      endpoint: fc.oneof(
        fc.constantFrom(
          'unix:///var/run/docker.sock',
          'tcp://127.0.0.1:2375',
          'ssh://me@localhost',
          'npipe:////./pipe/docker_engine',
          'tcp://10.1.2.3:2376',
        ),
        fc.domain().map((host) => `tcp://${host}:2376`),
      ),
      clientPlatform: platform,
      ncpu: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
      memTotal: fc.option(fc.integer({ min: 1, max: 2 ** 40 }), { nil: undefined }),
      sameAsHere: fc.boolean(),
    })
    .map(({ sameAsHere, ...facts }) => {
      // Half the time the engine's own facts are exactly this machine's: only the platform may then tell.
      const thisMachine = sameAsHere
        ? {
            platform: facts.clientPlatform,
            hostName: facts.name,
            kernelRelease: facts.kernelVersion,
            cpus: facts.ncpu ?? 1,
            memTotal: facts.memTotal ?? 1,
          }
        : { ...HERE, platform: facts.clientPlatform };
      return { ...facts, thisMachine };
    });

describe('no engine reached from macOS or Windows gets the host network', () => {
  it('generated facts: never this machine, never host networking by default', () => {
    fc.assert(
      fc.property(anyFacts(fc.constantFrom('darwin', 'win32')), (facts) => {
        const engine = identifyEngine(facts);
        expect(engine.placement?.placement).not.toBe('this-machine');
        expect(engine.hostNetworkIsThisMachine).toBe(false);
        expect(planNetworking(configFrom(), facts).mode).toBe('bridge');
      }),
      { numRuns: 500 },
    );
  });

  it('generated facts on Linux: host networking only for an engine placed on this machine', () => {
    fc.assert(
      fc.property(anyFacts(fc.constant('linux')), (facts) => {
        const engine = identifyEngine(facts);
        if (engine.hostNetworkIsThisMachine) expect(engine.placement?.placement).toBe('this-machine');
        if (planNetworking(configFrom(), facts).mode === 'host')
          expect(engine.placement?.placement).toBe('this-machine');
      }),
      { numRuns: 500 },
    );
  });
});
