/** The I/O edge of the config cascade: reads the file (when there is one), temporal.toml and the environment. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { ConfigError, locateConfigFile, resolveConfig, type ConfigFlags, type RunnerConfig, type RunnerSecrets } from '../core/config';
import { loadTemporalProfile } from './temporal-profile';

export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): { config: RunnerConfig; secrets: RunnerSecrets } {
  const file = locateConfigFile(flags, env, home);
  let fileText: string | undefined;
  try {
    fileText = readFileSync(file.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new ConfigError([{ source: file.source === 'default' ? `file:${file.path}` : file.source, message: `${file.path} is a directory, not a config file` }]);
    if (code !== 'ENOENT') throw new ConfigError([{ source: file.source === 'default' ? `file:${file.path}` : file.source, message: `cannot read ${file.path}: ${code ?? (error as Error).message}` }]);
  }
  return resolveConfig({ flags, env, homeDir: home, fileText, temporalProfile: loadTemporalProfile(env, home) });
}
