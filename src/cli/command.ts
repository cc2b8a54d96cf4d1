/** What the commands that name a runner start with. */
import { hostname } from 'node:os';
import type { ConfigFlags } from '../core/settings/types';
import { ConfigError } from '../core/settings/errors';
import { HOST_NAME } from '../core/contract/names';
import { loadConfig } from '../settings/load-config';

/**
 * Where the command talks (stderr when stdout carries `--json`), its configuration (bad input throws
 * a ConfigError naming its source: exit 2), the runner and the host it means.
 */
export function commandContext(flags: ConfigFlags, json: boolean, env: NodeJS.ProcessEnv, hostFlag?: string) {
  const say = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  const loaded = loadConfig(flags, env);
  return { say, loaded, config: loaded.config, runner: loaded.config.runner.name.value, host: hostFrom(hostFlag) };
}

/** This machine's host name: what `--host` defaults to, for `worker` and for `run`, `status`, `teardown`. */
export function localHost(): string {
  return hostname();
}

/** `--host NAME` checked, or this machine's; the source is named in the error. */
export function hostFrom(flag: string | undefined): string {
  const host = flag ?? localHost();
  if (!HOST_NAME.test(host))
    throw new ConfigError([
      {
        source: flag === undefined ? 'hostname' : 'flag:--host',
        message: `"${host}" is not a host name (letters, digits, '.', '_', '-'; at most 63)`,
      },
    ]);
  return host;
}
