/**
 * A real Temporal dev server for a test file, on free ports, stopped in afterAll. Fails loudly —
 * never skips — when the Temporal CLI is missing.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { startDevServer, temporalCliPath, type DevServer } from '../../src/temporal/dev-server';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TestTemporal extends DevServer {
  port: number;
}

/** `ip` 0.0.0.0 lets bridged test containers reach it through the Docker bridge gateway. */
export async function startTestTemporal(options: { ip?: string; ui?: boolean; dbFile?: string; port?: number } = {}): Promise<TestTemporal> {
  const cli = temporalCliPath();
  if (cli !== 'temporal' && !existsSync(cli)) throw new Error(`Temporal CLI not found at ${cli}: run bash scripts/setup.sh`);
  const port = options.port ?? (await freePort());
  const server = await startDevServer({
    ip: options.ip ?? '127.0.0.1',
    port,
    uiPort: options.ui ? await freePort() : undefined,
    dbFile: options.dbFile,
    extraArgs: ['--http-port', String(await freePort()), '--metrics-port', String(await freePort())],
  });
  return { ...server, port };
}
