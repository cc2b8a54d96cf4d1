import { placeEngine } from '../core/runner/placement';
import { networkDocument, placementLines } from './render';
import type { NetworkPlan } from '../core/runner/network-plan';

const HERE = { platform: 'linux', hostName: 'vm', kernelRelease: '6.18.44-fc-v1272', cpus: 2, memTotal: 25276194816 };
const QEMU_VM = {
  name: 'debian-vm',
  kernelVersion: '6.1.0-28-amd64',
  ncpu: 1,
  memTotal: 1532497920,
  endpoint: 'tcp://127.0.0.1:2375',
  clientPlatform: 'linux',
  thisMachine: HERE,
};

test('plan shows where the engine runs and each fact compared', () => {
  expect(placementLines(placeEngine(QEMU_VM))).toEqual([
    '  runs in a VM on this machine: its own facts compared with this machine’s',
    '    kernel: expected 6.18.44-fc-v1272, seen 6.1.0-28-amd64 (differs)',
    '    host name: expected vm, seen debian-vm (differs)',
    '    memory (bytes): expected 25276194816, seen 1532497920 (differs)',
    '    CPUs: expected 2, seen 1 (differs)',
  ]);
  expect(placementLines(placeEngine({ ...QEMU_VM, clientPlatform: 'darwin', endpoint: 'ssh://me@build-box' }))).toEqual(
    [
      '  runs on another machine: a Linux engine answering a client on another OS runs in a VM (or elsewhere)',
      '    client OS: expected linux, seen darwin (differs)',
      '    endpoint host: expected this machine, seen build-box (differs)',
    ],
  );
  expect(placementLines(placeEngine({ ...QEMU_VM, thisMachine: undefined }))[1]).toBe(
    '    kernel: expected not measured, seen 6.1.0-28-amd64 (differs)',
  );
});

test('a dry run says its placement is assumed, and a plan made before placement says nothing', () => {
  expect(placementLines(placeEngine({ ...QEMU_VM, thisMachine: undefined }), 'linux')).toEqual([
    '  runs in a VM on this machine: assumed for --platform linux (no engine was asked)',
  ]);
  expect(placementLines(undefined)).toEqual([]);
});

test('run --json prints a plan from any history: only the promised fields present is not an error', () => {
  const promised = { mode: 'bridge', extraHosts: [], hostAlias: 'host.docker.internal' } as unknown as NetworkPlan;
  expect(networkDocument(promised)).toEqual({
    mode: 'bridge',
    extraHosts: [],
    hostAlias: 'host.docker.internal',
    engine: null,
    placement: null,
    services: [],
    route: null,
    reasons: [],
  });
});
