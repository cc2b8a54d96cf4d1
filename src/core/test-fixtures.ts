/** Builders shared by the core's table tests (excluded from the build). */
import { resolveConfig } from './settings/cascade';
import type { ConfigFlags, RunnerConfig } from './settings/types';
import { assumedEngineFacts, onThisMachine, type EngineFacts } from './runner/engine';

export function configFrom(env: Record<string, string> = {}, flags: ConfigFlags = {}, fileText?: string): RunnerConfig {
  return resolveConfig({ env, flags, homeDir: '/home/u', fileText }).config;
}

export const ENGINES: Record<string, EngineFacts> = {
  // An engine on this machine: its own facts are this machine's (see placement.ts).
  nativeLinux: onThisMachine({
    ...assumedEngineFacts('linux'),
    operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
    name: 'box',
    kernelVersion: '6.1.0-18-amd64',
    serverVersion: '24.0.7',
  }),
  desktopMac: { ...assumedEngineFacts('darwin'), kernelVersion: '6.10.4-linuxkit', serverVersion: '27.1.1' },
  desktopWindows: {
    ...assumedEngineFacts('win32'),
    kernelVersion: '5.15.153.1-microsoft-standard-WSL2',
    serverVersion: '27.1.1',
  },
  desktopLinux: {
    ...assumedEngineFacts('linux'),
    operatingSystem: 'Docker Desktop',
    name: 'docker-desktop',
    kernelVersion: '6.10.4-linuxkit',
    bridgeGateway: undefined,
  },
  orbstack: {
    ...assumedEngineFacts('darwin'),
    operatingSystem: 'OrbStack',
    name: 'orbstack',
    kernelVersion: '6.9.8-orbstack',
  },
  colima: {
    ...assumedEngineFacts('darwin'),
    operatingSystem: 'Ubuntu 24.04 LTS',
    name: 'colima',
    kernelVersion: '6.8.0-39-generic',
    endpoint: 'unix:///Users/u/.colima/default/docker.sock',
  },
  rootless: {
    ...assumedEngineFacts('linux'),
    securityOptions: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'],
    bridgeGateway: '172.17.0.1',
  },
  podmanLinux: {
    ...assumedEngineFacts('linux'),
    componentNames: ['Podman Engine', 'Conmon'],
    operatingSystem: 'fedora',
  },
  podmanMac: {
    ...assumedEngineFacts('darwin'),
    operatingSystem: 'fedora',
    name: 'localhost.localdomain',
    kernelVersion: '6.8.5-301.fc40',
    componentNames: ['Podman Engine'],
  },
  remote: { ...assumedEngineFacts('linux'), endpoint: 'tcp://10.1.2.3:2376' },
  remoteSsh: { ...assumedEngineFacts('linux'), endpoint: 'ssh://me@build-box' },
  localTcp: { ...assumedEngineFacts('linux'), endpoint: 'tcp://127.0.0.1:2375' },
};
