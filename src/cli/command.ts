/** What the commands that name a runner start with. */
import type { ConfigFlags } from '../core/config';
import { loadConfig } from '../config/load-config';
import { hostFrom } from './worker';

/**
 * Where the command talks (stderr when stdout carries `--json`), its configuration (bad input throws
 * a ConfigError naming its source: exit 2), the runner and the host it means.
 */
export function commandContext(flags: ConfigFlags, json: boolean, env: NodeJS.ProcessEnv, hostFlag?: string) {
  const say = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  const loaded = loadConfig(flags, env);
  return { say, loaded, config: loaded.config, runner: loaded.config.runner.name.value, host: hostFrom(hostFlag) };
}
