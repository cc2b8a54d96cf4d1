/**
 * A TCP forwarder from the Docker bridge gateway to the managed Temporal on loopback.
 *
 * Why: a bridged container on a native Linux engine reaches this machine only through the bridge
 * gateway (docker0), so Temporal must answer there — and no wider than that. The Temporal CLI's dev
 * server cannot bind only the gateway: with `--ip 172.17.0.1` its frontend still dials its own
 * internal services at 127.0.0.1 and every call fails (seen with CLI v1.5.1). So the server stays on
 * loopback and this forwarder listens on the gateway address alone. It runs detached beside the dev
 * server and exits once the server stops answering.
 *
 * Only peers on the engine's bridge subnet(s) and this machine's own addresses are let through: the
 * gateway address is reachable from the LAN too, and the managed server has no auth. Others are
 * refused and logged (their address only) to `logFile`.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { inSubnet } from '../core/address';
import { probeTargets } from '../probes/node-probe';

export interface Forwarding {
  listenHost: string;
  listenPort: number;
  targetHost: string;
  targetPort: number;
  /** The engine's bridge subnets (CIDR): the runners' addresses. */
  allowedSubnets: string[];
  /** Where refusals are logged; omitted → stderr. */
  logFile?: string;
}

/** This machine's own addresses (loopback included), as one-address CIDRs. */
export function ownAddresses(): string[] {
  const interfaces = Object.values(networkInterfaces()).flatMap((entries) => entries ?? []);
  return ['127.0.0.0/8', '::1/128', ...interfaces.map((entry) => entry.address.replace(/%.*$/, ''))];
}

/** Whether a peer may use the forwarder: on an allowed subnet, or one of this machine's addresses. */
export function peerAllowed(peer: string | undefined, allowedSubnets: string[], own: () => string[] = ownAddresses) {
  if (!peer) return false;
  return allowedSubnets.some((cidr) => inSubnet(peer, cidr)) || own().some((cidr) => inSubnet(peer, cidr));
}

function logRefusal(forwarding: Forwarding, peer: string | undefined): void {
  const line = `${new Date().toISOString()} refused a connection from ${peer ?? 'an unknown address'} to ${forwarding.listenHost}:${forwarding.listenPort}: not on the engine's bridge (${forwarding.allowedSubnets.join(', ') || 'no subnet known'}) nor this machine\n`;
  try {
    if (forwarding.logFile) appendFileSync(forwarding.logFile, line, { mode: 0o600 });
    else process.stderr.write(line);
  } catch {
    // a log that cannot be written does not let the peer in
  }
}

export function startForwarder(forwarding: Forwarding, own: () => string[] = ownAddresses): Promise<Server> {
  const server = createServer((client) => {
    if (!peerAllowed(client.remoteAddress, forwarding.allowedSubnets, own)) {
      logRefusal(forwarding, client.remoteAddress);
      client.destroy();
      return;
    }
    const upstream = connect({ host: forwarding.targetHost, port: forwarding.targetPort });
    client.pipe(upstream).pipe(client);
    const close = () => (client.destroy(), upstream.destroy());
    client.once('error', close).once('close', close);
    upstream.once('error', close).once('close', close);
  });
  return new Promise((resolve, reject) =>
    server.once('error', reject).listen(forwarding.listenPort, forwarding.listenHost, () => resolve(server)),
  );
}

/** Starts the forwarder as its own detached process, returning once it listens. */
export async function spawnDetachedForwarder(forwarding: Forwarding): Promise<void> {
  const child = spawn(process.execPath, [__filename, JSON.stringify(forwarding)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) =>
      reject(
        new Error(
          `the Temporal forwarder on ${forwarding.listenHost}:${forwarding.listenPort} exited (${code}): ${errors.trim()}`,
        ),
      ),
    );
  });
  child.stdout?.destroy();
  child.stderr?.destroy();
  child.unref();
}

async function targetAnswers(forwarding: Forwarding): Promise<boolean> {
  const [result] = await probeTargets([
    { id: 'target', kind: 'tcp', host: forwarding.targetHost, port: forwarding.targetPort, timeoutMs: 2000 },
  ]);
  return result.ok;
}

if (require.main === module) {
  const forwarding = JSON.parse(process.argv[2]) as Forwarding;
  startForwarder(forwarding).then(
    () => {
      process.stdout.write('listening\n');
      // A watchdog for the process's lifetime, not a wait with an end: it stays a plain interval.
      setInterval(() => {
        void targetAnswers(forwarding).then((answers) => answers || process.exit(0));
      }, 5000);
    },
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
