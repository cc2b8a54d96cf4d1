/**
 * A real Temporal dev server for a test file, on free ports, stopped in afterAll: the SDK's
 * `TestWorkflowEnvironment.createLocal` running this project's Temporal CLI (`existing-path`), with
 * the Stigmer* search attributes from the contract. The product's `startDevServer` stays for what the
 * product itself starts (the managed, detached server). Fails loudly — never skips — when the
 * Temporal CLI is missing.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../src/core/contract/names';
import { DEV_SERVER_DYNAMIC_CONFIG_ARGS, temporalCliPath } from '../../src/temporal/dev-server';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TestTemporal {
  /** Where to dial it from this machine (`127.0.0.1:port` also when it listens on 0.0.0.0). */
  address: string;
  port: number;
  uiUrl?: string;
  /** The SDK's environment: `client`, `nativeConnection` (for a Worker). */
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

/**
 * `ip` 0.0.0.0 lets bridged test containers reach it through the Docker bridge gateway; `port` and
 * `dbFile` together restart a server with its history (the durability test).
 */
export async function startTestTemporal(
  options: { ip?: string; ui?: boolean; dbFile?: string; port?: number } = {},
): Promise<TestTemporal> {
  const cli = temporalCliPath();
  if (cli !== 'temporal' && !existsSync(cli))
    throw new Error(`Temporal CLI not found at ${cli}: run bash scripts/setup.sh`);
  const ip = options.ip ?? '127.0.0.1';
  const uiPort = options.ui ? await freePort() : undefined;
  // The SDK gives the server a fixed 5 s to answer, which a loaded 2-core machine sometimes misses
  // (seen once in 40 starts): start it again, on fresh ports unless the test needs its own.
  const start = async () => {
    const port = options.port ?? (await freePort());
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli },
        ip,
        port,
        ui: options.ui ?? false,
        uiPort,
        dbFilename: options.dbFile,
        searchAttributes: Object.values(SEARCH_ATTRIBUTES),
        // Configured as the product's own dev server; free ports for what it would otherwise put on
        // fixed ones (two files' servers side by side).
        extraArgs: [
          ...DEV_SERVER_DYNAMIC_CONFIG_ARGS,
          '--http-port',
          String(await freePort()),
          '--metrics-port',
          String(await freePort()),
        ],
      },
    });
    return { env, port };
  };
  const { env, port } = await start().catch((error: Error) => {
    if (!/did not start within/.test(error.message)) throw error;
    return start();
  });
  const dialHost = ip === '0.0.0.0' ? '127.0.0.1' : ip;
  let stopped: Promise<void> | undefined;
  return {
    address: `${dialHost}:${port}`,
    port,
    uiUrl: uiPort === undefined ? undefined : `http://${dialHost}:${uiPort}`,
    env,
    stop: () => (stopped ??= env.teardown()),
  };
}
