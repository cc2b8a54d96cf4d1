/** The engines' own recorded API payloads (test/fixtures/engines) as facts, for table tests (excluded from the build). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineFacts } from '../core/runner/engine';
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
} as const;

export type RecordedEngine = keyof typeof RECORDED_ENGINES;

export function recordedEngineFacts(
  engine: RecordedEngine,
  platform: string = RECORDED_ENGINES[engine],
  endpoint = 'unix:///var/run/docker.sock',
): EngineFacts {
  const load = (file: string) =>
    existsSync(join(DIR, engine, file)) ? JSON.parse(readFileSync(join(DIR, engine, file), 'utf8')) : undefined;
  return engineFactsFrom(
    {
      info: load('info.json'),
      version: load('version.json'),
      libpodInfo: load('libpod-info.json'),
      bridgeNetwork: load('networks-bridge.json'),
    },
    endpoint,
    platform,
  );
}
