/** `stigmer-runner` — run | plan | worker. Bad input exits 2 with the flag, env var or file key named. */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, type ConfigFlags } from '../core/config';
import { loadConfig } from '../config/load-config';
import { createProvisioningWorker } from '../worker';
import { planCommand, type Platform } from './plan';
import { EXIT, runCommand } from './run';
import { statusCommand } from './status';
import { teardownCommand } from './teardown';

const USAGE = `usage:
  stigmer-runner run      [--runner NAME] [--config FILE] [--image IMAGE] [--network auto|host|bridge] [--json]
                          [--verify-attempts N] [--verify-interval-ms MS] [--ready-timeout-ms MS]
  stigmer-runner plan     [--platform linux|darwin|win32] [--runner NAME] [--config FILE] [--image IMAGE] [--network …] [--json]
  stigmer-runner status   [--runner NAME] [--config FILE] [--json]
  stigmer-runner teardown [--runner NAME] [--config FILE] [--json]
  stigmer-runner worker   [--config FILE]`;

class UsageError extends Error {}

const COMMON = {
  runner: { type: 'string' },
  config: { type: 'string' },
  image: { type: 'string' },
  network: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': {
        const { values } = parse(rest, { ...COMMON, 'verify-attempts': { type: 'string' }, 'verify-interval-ms': { type: 'string' }, 'ready-timeout-ms': { type: 'string' } });
        return await runCommand(
          {
            flags: flagsOf(values),
            json: values.json === true,
            verifyAttempts: positiveInt(values['verify-attempts'], '--verify-attempts'),
            verifyIntervalMs: positiveInt(values['verify-interval-ms'], '--verify-interval-ms'),
            readyTimeoutMs: positiveInt(values['ready-timeout-ms'], '--ready-timeout-ms'),
          },
          env,
        );
      }
      case 'plan': {
        const { values } = parse(rest, { ...COMMON, platform: { type: 'string' } });
        const platform = values.platform as string | undefined;
        if (platform !== undefined && !['linux', 'darwin', 'win32'].includes(platform)) throw new UsageError(`flag:--platform: "${platform}" is not one of linux, darwin, win32`);
        return await planCommand(flagsOf(values), platform as Platform | undefined, values.json === true, env);
      }
      case 'status':
      case 'teardown': {
        const { values } = parse(rest, { runner: COMMON.runner, config: COMMON.config, json: COMMON.json });
        const run = command === 'status' ? statusCommand : teardownCommand;
        return await run(flagsOf(values), values.json === true, env);
      }
      case 'worker':
        return await workerCommand(flagsOf(parse(rest, { config: { type: 'string' } }).values), env);
      case undefined:
      case 'help':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.invalidInput : EXIT.ready;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.invalidInput;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`stigmer-runner: ${error.message}\n${USAGE}\n`);
      return EXIT.invalidInput;
    }
    process.stderr.write(`stigmer-runner: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

function parse(args: string[], options: OptionSpec): { values: Record<string, string | boolean | undefined> } {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }) as { values: Record<string, string | boolean | undefined> };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function flagsOf(values: Record<string, unknown>): ConfigFlags {
  const flags: ConfigFlags = {};
  for (const name of ['runner', 'config', 'image', 'network'] as const) {
    if (typeof values[name] === 'string') flags[name] = values[name] as string;
  }
  return flags; // validated, with every other source, by the config cascade
}

function positiveInt(text: unknown, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`flag:${flag}: "${String(text)}" is not a positive whole number`);
  return value;
}

/** Runs the provisioning worker against the configured Temporal until SIGINT/SIGTERM. */
async function workerCommand(flags: ConfigFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const { config } = loadConfig(flags, env);
  const connection = await NativeConnection.connect({ address: config.temporal.address.value });
  try {
    const worker = await createProvisioningWorker({ connection, namespace: config.temporal.namespace.value, bundle: 'auto', identity: `stigmer-runner worker ${process.pid}@${hostname()}` });
    process.stdout.write(`worker polling runner_provisioning on ${config.temporal.address.value} (namespace ${config.temporal.namespace.value})\n`);
    await worker.run(); // the SDK turns SIGINT/SIGTERM into a graceful shutdown
    return EXIT.ready;
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
