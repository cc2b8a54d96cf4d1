/**
 * Where an engine runs relative to this machine — on it, in a VM on it, or on another machine —
 * decided from facts, never from names: the engine's own `/info` compared with this machine's.
 * A Linux engine answering a macOS or Windows client is in a VM whatever it is called, and a local
 * socket or loopback port may lead into a VM (a forwarded socket, a QEMU hostfwd), which only the
 * engine's own kernel, host name and memory give away (its CPU count is shown, not decisive).
 */
import { isLocalHost } from '../address';

/** This machine's facts, as the edge measures them (src/docker/this-machine.ts). */
export interface ThisMachine {
  /** process.platform: `linux`, `darwin`, `win32`. */
  platform: string;
  /** os.hostname(): what a native engine reports as info.Name. */
  hostName: string;
  /** os.release(): what a native engine reports as info.KernelVersion. */
  kernelRelease: string;
  /** Online CPUs: what a native, unpinned engine reports as info.NCPU. */
  cpus: number;
  /** Total memory in bytes: what a native engine reports as info.MemTotal. */
  memTotal: number;
}

/** What placement reads of the engine's facts (a structural part of EngineFacts). */
export interface PlacementInput {
  name: string;
  kernelVersion: string;
  ncpu?: number;
  memTotal?: number;
  endpoint: string;
  clientPlatform: string;
  /** Absent in payloads recorded before placement existed: then nothing proves the engine is here. */
  thisMachine?: ThisMachine;
}

export type Placement = 'this-machine' | 'vm' | 'remote';

/** The facts placement compares; each names one side of a comparison. */
export type PlacementFact = 'platform' | 'endpoint' | 'kernelRelease' | 'hostName' | 'memTotal' | 'ncpu';

/** One fact compared: what this machine would show if the engine ran on it, and what the engine showed. */
export interface PlacementEvidence {
  fact: PlacementFact;
  expected: string | null;
  seen: string | null;
  matches: boolean;
}

/** Which rule of the precedence list decided. */
export type PlacementRule = 'client-platform' | 'remote-endpoint' | 'own-facts';

export interface EnginePlacement {
  placement: Placement;
  rule: PlacementRule;
  evidence: PlacementEvidence[];
  /** The facts that did not match (or were not measured): why the engine is not on this machine. */
  differing: PlacementFact[];
}

type Rule = (input: PlacementInput) => EnginePlacement | undefined;

/** The rules, walked in order until one decides; the last always does. */
const RULES: readonly Rule[] = [byClientPlatform, byRemoteEndpoint, byOwnFacts];

export function placeEngine(input: PlacementInput): EnginePlacement {
  for (const rule of RULES) {
    const decided = rule(input);
    if (decided) return decided;
  }
  throw new Error('unreachable: the last placement rule always decides');
}

/** Only a Linux client can share a machine with a Linux engine: from macOS or Windows it is in a VM (or remote). */
function byClientPlatform(input: PlacementInput): EnginePlacement | undefined {
  if (input.clientPlatform === 'linux') return undefined;
  const platform = compared('platform', 'linux', input.clientPlatform);
  const remote = remoteHostOf(input.endpoint);
  const evidence = remote === undefined ? [platform] : [platform, compared('endpoint', 'this machine', remote)];
  return decide(remote === undefined ? 'vm' : 'remote', 'client-platform', evidence);
}

/** An engine dialled at another machine's address is that machine's. */
function byRemoteEndpoint(input: PlacementInput): EnginePlacement | undefined {
  const remote = remoteHostOf(input.endpoint);
  if (remote === undefined) return undefined;
  return decide('remote', 'remote-endpoint', [compared('endpoint', 'this machine', remote)]);
}

/** The facts that decide; the CPU count is shown but does not (see byOwnFacts). */
const DECISIVE: readonly PlacementFact[] = ['kernelRelease', 'hostName', 'memTotal'];

/**
 * On this machine only when the engine's kernel, host name and memory are this machine's; anything
 * else is a VM. The CPU count is evidence only: the engine counts the CPUs its daemon may run on
 * (a service pinned with CPUAffinity= or isolcpus sees fewer), this process counts online ones.
 */
function byOwnFacts({ thisMachine, name, kernelVersion, memTotal, ncpu }: PlacementInput): EnginePlacement {
  const evidence = [
    compared('kernelRelease', thisMachine?.kernelRelease, kernelVersion),
    compared('hostName', thisMachine?.hostName.toLowerCase(), name.toLowerCase()),
    compared('memTotal', thisMachine?.memTotal, memTotal),
    compared('ncpu', thisMachine?.cpus, ncpu),
  ];
  const here = evidence.every((item) => item.matches || !DECISIVE.includes(item.fact));
  return decide(here ? 'this-machine' : 'vm', 'own-facts', evidence);
}

function decide(placement: Placement, rule: PlacementRule, evidence: PlacementEvidence[]): EnginePlacement {
  return { placement, rule, evidence, differing: evidence.filter((item) => !item.matches).map((item) => item.fact) };
}

/** A fact matches only when both sides were measured and agree: a missing fact proves nothing. */
function compared(fact: PlacementFact, expected: string | number | undefined, seen: string | number | undefined) {
  const shown = (value: string | number | undefined) => (value === undefined || value === '' ? null : String(value));
  const [want, got] = [shown(expected), shown(seen)];
  return { fact, expected: want, seen: got, matches: want !== null && want === got };
}

/** The host of a tcp/ssh/http endpoint that is not this machine's loopback; undefined for sockets, pipes, loopback. */
function remoteHostOf(endpoint: string): string | undefined {
  const match = /^(tcp|ssh|https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(endpoint);
  if (!match) return undefined; // unix sockets and named pipes are on this machine
  const host = match[2].replace(/^\[|\]$/g, '');
  return isLocalHost(host) ? undefined : host;
}
