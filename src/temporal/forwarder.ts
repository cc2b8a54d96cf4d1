/**
 * A TCP forwarder from the Docker bridge gateway to the managed Temporal on loopback.
 *
 * Why: a bridged container on a native Linux engine reaches this machine only through the bridge
 * gateway (docker0), so Temporal must answer there — and no wider than that. The Temporal CLI's dev
 * server cannot bind only the gateway: with `--ip 172.17.0.1` its frontend still dials its own
 * internal services at 127.0.0.1 and every call fails (seen with CLI v1.5.1). So the server stays on
 * loopback and this forwarder listens on the gateway address alone. It runs detached beside the dev
 * server and exits once the server stops answering.
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { probeTargets } from '../probes/node-probe';

export interface Forwarding {
  listenHost: string;
  listenPort: number;
  targetHost: string;
  targetPort: number;
}

export function startForwarder(forwarding: Forwarding): Promise<Server> {
  const server = createServer((client) => {
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
