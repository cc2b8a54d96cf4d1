/** A unix-socket forwarder that can be taken down and brought back: an engine that goes away for a while. */
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface UnixProxy {
  path: string;
  down(): Promise<void>;
  up(): Promise<void>;
}

export async function startUnixProxy(path: string, target: string): Promise<UnixProxy> {
  let server: Server | undefined;
  const open = new Set<Socket>();
  const up = async () => {
    rmSync(path, { force: true });
    server = createServer((client) => {
      const upstream = connect(target);
      open.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const close = () => (client.destroy(), upstream.destroy(), open.delete(client), open.delete(upstream));
      client.once('error', close).once('close', close);
      upstream.once('error', close).once('close', close);
    });
    await new Promise<void>((resolve) => (server as Server).listen(path, resolve));
  };
  const down = async () => {
    open.forEach((socket) => socket.destroy());
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    rmSync(path, { force: true });
  };
  await up();
  return { path, up, down };
}
