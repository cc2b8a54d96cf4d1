/**
 * `stigmer-runner` — run | plan | status | logs | teardown | hosts | worker. Only dispatches; bad input exits
 * 2 with the flag, env var or file key named. Each command's module is loaded when it runs, so that
 * `plan` and `--help` do not load the Temporal SDK, dockerode and the worker (`startup.test.ts`).
 */
import { parseArgs } from 'node:util';
import type { ConfigFlags } from '../core/settings/types';
import { ConfigError, TemporalConnectionError } from '../core/settings/errors';
import { EXIT_CODES } from '../core/contract/names';
import type { Platform } from './plan';

const COMMON = {
  runner: { type: 'string' },
  config: { type: 'string' },
  image: { type: 'string' },
  network: { type: 'string' },
  contract: { type: 'string' },
  json: { type: 'boolean' },
  host: { type: 'string' },
} as const;

const COMMANDS = {
  run: {
    usage: `stigmer-runner run      [--host NAME] [--runner NAME] [--config FILE] [--image IMAGE] [--network auto|host|bridge] [--contract auto|ID] [--json]
                          [--verify-attempts N] [--verify-interval-ms MS] [--ready-timeout-ms MS]
                          [--fresh]   provision in full even when the runner is warm (reused as it runs)
                          [--replace] replace a container of the runner's name that this tool did not make`,
    options: {
      ...COMMON,
      fresh: { type: 'boolean' },
      replace: { type: 'boolean' },
      'verify-attempts': { type: 'string' },
      'verify-interval-ms': { type: 'string' },
      'ready-timeout-ms': { type: 'string' },
    },
  },
  plan: {
    usage:
      'stigmer-runner plan     [--platform linux|darwin|win32] [--runner NAME] [--config FILE] [--image IMAGE] [--network …] [--contract …] [--json]',
    options: { ...COMMON, platform: { type: 'string' } },
  },
  status: {
    usage: `stigmer-runner status   [--host NAME] [--runner NAME] [--config FILE] [--json]
                          checks now, from this machine; exit 0 healthy, 8 not healthy`,
    options: { runner: COMMON.runner, config: COMMON.config, json: COMMON.json, host: COMMON.host },
  },
  logs: {
    usage: `stigmer-runner logs     [--runner NAME] [--config FILE] [--follow] [--tail N]
                          the runner container's log; --follow streams until it stops or Ctrl-C`,
    options: { runner: COMMON.runner, config: COMMON.config, follow: { type: 'boolean' }, tail: { type: 'string' } },
  },
  teardown: {
    usage: `stigmer-runner teardown [--host NAME] [--runner NAME] [--config FILE] [--json]
                          [--replace] also remove a container of the runner's name that this tool did not make`,
    options: {
      runner: COMMON.runner,
      config: COMMON.config,
      json: COMMON.json,
      host: COMMON.host,
      replace: { type: 'boolean' },
    },
  },
  hosts: {
    usage: 'stigmer-runner hosts    [--config FILE] [--json]',
    options: { config: COMMON.config, json: COMMON.json },
  },
  worker: {
    usage: 'stigmer-runner worker   [--host NAME] [--config FILE] [--metrics HOST:PORT]',
    options: { config: COMMON.config, metrics: { type: 'string' }, host: COMMON.host },
  },
} as const satisfies Record<string, { usage: string; options: OptionSpec }>;

const usageOf = (commands: ReadonlyArray<{ usage: string }>) =>
  `usage:\n${commands.map((command) => `  ${command.usage}`).join('\n')}`;
const USAGE = usageOf(Object.values(COMMANDS));

class UsageError extends Error {}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  // Help wins over every other flag, valid or not: nothing is checked or started.
  if (isCommand(command) && rest.some((arg) => arg === '--help' || arg === '-h')) {
    process.stdout.write(`${usageOf([COMMANDS[command]])}\n`);
    return EXIT_CODES.ready;
  }
  try {
    return await dispatch(command, rest, env);
  } catch (error) {
    return reportFailure(error);
  }
}

type CommandName = keyof typeof COMMANDS;

const isCommand = (command: string | undefined): command is CommandName => Object.hasOwn(COMMANDS, command ?? '');

async function dispatch(command: string | undefined, rest: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (isCommand(command)) return await RUN[command](rest, env);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    // Bare `stigmer-runner` is a mistake shown its usage; asking for help is not.
    return command === undefined ? EXIT_CODES.invalidInput : EXIT_CODES.ready;
  }
  throw new UsageError(`unknown command "${command}"`);
}

/**
 * Each command: its flags parsed, its module loaded, then run. The module is loaded here, once the
 * command runs, so that `plan` and `--help` load neither the Temporal SDK nor dockerode.
 */
const RUN: Record<CommandName, (args: string[], env: NodeJS.ProcessEnv) => Promise<number>> = {
  run: async (args, env) => {
    const { values } = parse(args, COMMANDS.run.options);
    const { runCommand } = await import('./run');
    return await runCommand(
      {
        flags: flagsOf(values),
        host: values.host as string | undefined,
        json: values.json === true,
        verifyAttempts: positiveInt(values['verify-attempts'], '--verify-attempts'),
        verifyIntervalMs: positiveInt(values['verify-interval-ms'], '--verify-interval-ms'),
        readyTimeoutMs: positiveInt(values['ready-timeout-ms'], '--ready-timeout-ms'),
        fresh: values.fresh === true,
        replace: values.replace === true,
      },
      env,
    );
  },
  plan: async (args, env) => {
    const { values } = parse(args, COMMANDS.plan.options);
    const platform = values.platform as string | undefined;
    if (platform !== undefined && !['linux', 'darwin', 'win32'].includes(platform))
      throw new UsageError(`flag:--platform: "${platform}" is not one of linux, darwin, win32`);
    const { planCommand } = await import('./plan');
    return await planCommand(flagsOf(values), platform as Platform | undefined, values.json === true, env);
  },
  status: async (args, env) => {
    const { values } = parse(args, COMMANDS.status.options);
    const { statusCommand } = await import('./status');
    return await statusCommand(flagsOf(values), values.json === true, env, values.host as string | undefined);
  },
  logs: async (args, env) => {
    const { values } = parse(args, COMMANDS.logs.options);
    const tail = values.tail === undefined ? undefined : wholeNumber(values.tail, '--tail');
    const { logsCommand } = await import('./logs');
    return await logsCommand(flagsOf(values), { follow: values.follow === true, tail }, env);
  },
  teardown: async (args, env) => {
    const { values } = parse(args, COMMANDS.teardown.options);
    const { teardownCommand } = await import('./teardown');
    return await teardownCommand(flagsOf(values), values.json === true, env, values.host as string | undefined, {
      replace: values.replace === true,
    });
  },
  hosts: async (args, env) => {
    const { values } = parse(args, COMMANDS.hosts.options);
    const { hostsCommand } = await import('./hosts');
    return await hostsCommand(flagsOf(values), values.json === true, env);
  },
  worker: async (args, env) => {
    const { values } = parse(args, COMMANDS.worker.options);
    const { workerCommand } = await import('./worker');
    return await workerCommand(
      flagsOf(values),
      { metrics: values.metrics as string | undefined, host: values.host as string | undefined },
      env,
    );
  },
};

/** A failure's message and exit code: bad input names its source (2), Temporal out of reach is 3. */
function reportFailure(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return EXIT_CODES.invalidInput;
  }
  if (error instanceof TemporalConnectionError) {
    process.stderr.write(`stigmer-runner: ${error.message}\n`);
    return EXIT_CODES.unreachable;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`stigmer-runner: ${error.message}\n${USAGE}\n`);
    return EXIT_CODES.invalidInput;
  }
  process.stderr.write(`stigmer-runner: ${(error as Error).message}\n`);
  return EXIT_CODES.failed;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

function parse(args: string[], options: OptionSpec): { values: Record<string, string | boolean | undefined> } {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }) as {
      values: Record<string, string | boolean | undefined>;
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function flagsOf(values: Record<string, unknown>): ConfigFlags {
  const flags: ConfigFlags = {};
  for (const name of ['runner', 'config', 'image', 'network', 'contract'] as const) {
    if (typeof values[name] === 'string') flags[name] = values[name] as string;
  }
  return flags; // validated, with every other source, by the config cascade
}

function positiveInt(text: unknown, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new UsageError(`flag:${flag}: "${String(text)}" is not a positive whole number`);
  return value;
}

/** `--tail 0` is allowed, as docker's: nothing already logged, only what follows. */
function wholeNumber(text: unknown, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || String(text).trim() === '')
    throw new UsageError(`flag:${flag}: "${String(text)}" is not a whole number`);
  return value;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
