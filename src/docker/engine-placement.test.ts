import { identifyEngine } from '../core/runner/engine';
import { planNetworking } from '../core/runner/network-plan';
import type { PlacementFact, ThisMachine } from '../core/runner/placement';
import { configFrom } from '../core/test-fixtures';
import { engineFactsFrom } from './engine-facts';
import { RECORDED_ENGINES, recordedEngineFacts, recordingMachine, type RecordedEngine } from './test-fixtures';

const ALL = Object.keys(RECORDED_ENGINES) as RecordedEngine[];
const ENDPOINTS = [
  'unix:///var/run/docker.sock',
  'unix:///Users/u/.colima/default/docker.sock',
  'npipe:////./pipe/docker_engine',
  'tcp://127.0.0.1:2375',
  'tcp://localhost:2375',
  'ssh://me@127.0.0.1:2222',
  'tcp://10.1.2.3:2376',
  'ssh://me@build-box',
];

/** This machine as it would be were every fact the engine's own: only the client's OS is left to tell. */
function machineLike(engine: RecordedEngine, platform: string): ThisMachine {
  const facts = recordedEngineFacts(engine, platform, undefined, undefined);
  return {
    platform,
    hostName: facts.name,
    kernelRelease: facts.kernelVersion,
    cpus: facts.ncpu ?? 1,
    memTotal: facts.memTotal ?? 1,
  };
}

describe('no engine reached from darwin or win32 gets the host network', () => {
  const cases = ALL.flatMap((engine) =>
    ['darwin', 'win32'].flatMap((platform) =>
      ENDPOINTS.flatMap((endpoint) =>
        [recordingMachine(platform), machineLike(engine, platform)].map(
          (machine) => [engine, platform, endpoint, machine] as const,
        ),
      ),
    ),
  );
  it.each(cases)('%s from %s at %s', (engine, platform, endpoint, machine) => {
    const facts = recordedEngineFacts(engine, platform, endpoint, machine);
    const identity = identifyEngine(facts);
    expect(identity.placement?.placement).not.toBe('this-machine');
    expect(identity.hostNetworkIsThisMachine).toBe(false);
    expect(planNetworking(configFrom(), facts).mode).toBe('bridge');
  });
});

describe('the recorded Linux engines: on this machine when its facts match theirs, in a VM when one differs', () => {
  const LINUX: Array<[RecordedEngine, string, string, string]> = [
    // engine, kind on this machine, mode on this machine, kind in a VM
    ['rootful-docker', 'native-linux', 'host', 'linux-vm'],
    ['rootless-docker', 'native-linux', 'bridge', 'linux-vm'],
    ['rootful-podman', 'podman', 'host', 'podman-machine'],
    ['rootless-podman', 'podman', 'bridge', 'podman-machine'],
  ];
  it.each(LINUX)('%s on the machine it was recorded on → this machine, %s, %s', (engine, kind, mode) => {
    const facts = recordedEngineFacts(engine, 'linux');
    expect(identifyEngine(facts)).toMatchObject({ kind, placement: { placement: 'this-machine', differing: [] } });
    expect(planNetworking(configFrom(), facts).mode).toBe(mode);
  });

  const CHANGES: Array<[PlacementFact, Partial<ThisMachine>]> = [
    ['kernelRelease', { kernelRelease: '6.18.44-fc-v1272' }],
    ['hostName', { hostName: 'lima-docker' }],
    ['memTotal', { memTotal: 25276194816 }],
  ];
  const cases = LINUX.flatMap(([engine, , , vmKind]) =>
    CHANGES.map(([fact, change]) => [engine, fact, vmKind, change] as const),
  );
  it.each(cases)('%s when this machine’s %s differs → a VM (%s), bridged', (engine, fact, vmKind, change) => {
    const facts = recordedEngineFacts(engine, 'linux', undefined, { ...recordingMachine(), ...change });
    expect(identifyEngine(facts)).toMatchObject({
      kind: vmKind,
      inVm: true,
      hostNetworkIsThisMachine: false,
      placement: { placement: 'vm', rule: 'own-facts', differing: [fact] },
    });
    expect(planNetworking(configFrom(), facts).mode).toBe('bridge');
  });
});

describe('engines in VMs, synthesized from public documentation (test/fixtures/engines/README.md)', () => {
  const HINTED: Array<[RecordedEngine, string, string]> = [
    // engine, kind, host alias containers dial for this machine
    ['rancher-desktop', 'lima', 'host.lima.internal'],
    ['lima-docker', 'lima', 'host.lima.internal'],
    ['colima-profile', 'colima', 'host.docker.internal'],
    ['colima-docker-sock', 'colima', 'host.docker.internal'],
    ['podman-machine', 'podman-machine', 'host.containers.internal'],
  ];
  const cases = HINTED.flatMap(([engine, kind, alias]) =>
    ['darwin', 'win32', 'linux'].map((platform) => [engine, platform, kind, alias] as const),
  );
  it.each(cases)('%s from %s → %s in a VM, bridged via %s', (engine, platform, kind, alias) => {
    const facts = recordedEngineFacts(engine, platform);
    expect(identifyEngine(facts)).toMatchObject({ kind, inVm: true, placement: { placement: 'vm' } });
    expect(planNetworking(configFrom(), facts)).toMatchObject({ mode: 'bridge', hostAlias: alias });
  });

  it.each([
    // engine, platform, kind, label
    ['wsl2-docker', 'win32', 'docker-desktop', /^Docker in WSL2/],
    ['wsl2-docker', 'darwin', 'linux-vm', /^Docker in a Linux VM \(DESKTOP-4F2K9QA\)/],
    ['wsl2-docker', 'linux', 'linux-vm', /^Docker in a Linux VM/],
    ['debian-vm-tcp', 'linux', 'linux-vm', /^Docker in a Linux VM \(debian-vm\)/],
    ['debian-vm-tcp', 'darwin', 'linux-vm', /^Docker in a Linux VM/],
    ['debian-vm-tcp', 'win32', 'linux-vm', /^Docker in a Linux VM/],
  ] as const)('%s from %s → %s (%s), bridged', (engine, platform, kind, label) => {
    const facts = recordedEngineFacts(engine, platform);
    const plan = planNetworking(configFrom(), facts);
    expect(plan.engine).toMatchObject({ kind, inVm: true, placement: { placement: 'vm' } });
    expect(plan.engine.description).toMatch(label);
    expect(plan.mode).toBe('bridge');
  });

  it('a Debian VM behind 127.0.0.1:2375 is told by its own facts, and the plan says host-gateway is its docker0', () => {
    const facts = recordedEngineFacts('debian-vm-tcp', 'linux');
    const plan = planNetworking(configFrom(), facts);
    expect(plan.engine.placement).toMatchObject({
      placement: 'vm',
      rule: 'own-facts',
      differing: ['kernelRelease', 'hostName', 'memTotal', 'ncpu'],
    });
    expect(plan.extraHosts).toEqual(['host.docker.internal:host-gateway']);
    expect(plan.warnings.join('\n')).toMatch(/VM's own docker0.*STIGMER_RUNNER_HOST_ALIAS.*10\.0\.2\.2 under QEMU/);
    const routed = planNetworking(configFrom({ STIGMER_RUNNER_HOST_ALIAS: '10.0.2.2' }), facts);
    expect(routed).toMatchObject({ hostAlias: '10.0.2.2', extraHosts: [] });
    expect(routed.warnings.join('\n')).not.toMatch(/docker0/);
  });
});

describe('engineFactsFrom: what placement reads of /info', () => {
  it('reads NCPU, MemTotal and ID from a recorded engine, and the machine measured beside it', () => {
    const facts = recordedEngineFacts('rootful-docker');
    expect(facts).toMatchObject({
      ncpu: 2,
      memTotal: 25275990016,
      id: 'FLZH:LHWC:BW6Q:XBFQ:OYAP:BDZT:GG7D:SLKC:NEOG:OP4Y:S5OS:KDJU',
    });
    expect(facts.thisMachine).toEqual(recordingMachine());
  });

  it('leaves them out where the payload lacks them (documented fixtures, old payloads)', () => {
    const facts = engineFactsFrom({ info: { Name: 'colima' }, version: {} }, 'unix:///x.sock', 'darwin');
    expect(facts).not.toHaveProperty('ncpu');
    expect(facts).not.toHaveProperty('memTotal');
    expect(facts).not.toHaveProperty('id');
    expect(facts).not.toHaveProperty('thisMachine');
  });
});
