/** The engines' own recorded API payloads (test/fixtures/engines) as facts, for table tests (excluded from the build). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineFacts } from '../core/runner/engine';
import type { ThisMachine } from '../core/runner/placement';
import { engineFactsFrom } from './engine-facts';

const DIR = join(__dirname, '..', '..', 'test', 'fixtures', 'engines');

/** Each recorded engine and the platform its client ran on: the Linux engines here, the VM engines on a Mac. */
export const RECORDED_ENGINES = {
  'rootful-docker': 'linux',
  'rootless-docker': 'linux',
  'rootful-podman': 'linux',
  'rootless-podman': 'linux',
  'docker-desktop': 'darwin',
  orbstack: 'darwin',
  colima: 'darwin',
  // Synthesized from public documentation and source (see test/fixtures/engines/README.md).
  'rancher-desktop': 'darwin',
  'lima-docker': 'darwin',
  'colima-profile': 'darwin',
  'colima-docker-sock': 'darwin',
  'podman-machine': 'darwin',
  'wsl2-docker': 'win32',
  'debian-vm-tcp': 'linux',
} as const;

export type RecordedEngine = keyof typeof RECORDED_ENGINES;

/** Where each fixture is reached from when not said otherwise (its default socket). */
const ENDPOINTS: Partial<Record<RecordedEngine, string>> = {
  'rancher-desktop': 'unix:///Users/u/.rd/docker.sock',
  'lima-docker': 'unix:///Users/u/.lima/docker/sock/docker.sock',
  'colima-profile': 'unix:///Users/u/.colima/work/docker.sock',
  'podman-machine': 'unix:///var/folders/x/podman/podman-machine-default-api.sock',
  'wsl2-docker': 'npipe:////./pipe/docker_engine',
  'debian-vm-tcp': 'tcp://127.0.0.1:2375',
};

function load(engine: string, file: string) {
  const path = join(DIR, engine, file);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

/**
 * The machine the Linux fixtures were recorded on, as this-machine.ts would have measured it there
 * (every engine on it reports the same Name, KernelVersion, NCPU and MemTotal). Never the live machine.
 */
export function recordingMachine(platform = 'linux'): ThisMachine {
  const info = load('rootful-docker', 'info.json');
  return {
    platform,
    hostName: info.Name,
    kernelRelease: info.KernelVersion,
    cpus: info.NCPU,
    memTotal: info.MemTotal,
  };
}

export function recordedEngineFacts(
  engine: RecordedEngine,
  platform: string = RECORDED_ENGINES[engine],
  endpoint = ENDPOINTS[engine] ?? 'unix:///var/run/docker.sock',
  thisMachine: ThisMachine | undefined = recordingMachine(platform),
): EngineFacts {
  const read = (file: string) => load(engine, file);
  return engineFactsFrom(
    {
      info: read('info.json'),
      version: read('version.json'),
      libpodInfo: read('libpod-info.json'),
      bridgeNetwork: read('networks-bridge.json'),
    },
    endpoint,
    platform,
    thisMachine,
  );
}
