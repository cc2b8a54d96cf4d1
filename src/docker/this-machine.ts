/**
 * This machine's facts, read once per question: what a native engine would report about the
 * machine it runs on (info.Name, KernelVersion, NCPU, MemTotal), for placement to compare with.
 */
import { cpus, hostname, release, totalmem } from 'node:os';
import type { ThisMachine } from '../core/runner/placement';

export function readThisMachine(platform: string = process.platform): ThisMachine {
  return {
    platform,
    hostName: hostname(),
    kernelRelease: release(),
    // Online CPUs; the engine's info.NCPU counts its daemon's affinity, so placement only shows it.
    cpus: cpus().length,
    // Bytes: equals the engine's MemTotal (/proc/meminfo MemTotal × 1024) on the same machine.
    memTotal: totalmem(),
  };
}
