/** The I/O edge of the config cascade: reads the file (when there is one), temporal.toml and the environment. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { findDockerEndpoint } from '../docker/endpoint';
import { locateConfigFile, resolveConfig } from '../core/settings/cascade';
import type { ConfigFlags, RunnerConfig, RunnerSecrets } from '../core/settings/types';
import { ConfigError } from '../core/settings/errors';
import { loadTemporalProfile } from './temporal-profile';

export function loadConfig(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): { config: RunnerConfig; secrets: RunnerSecrets } {
  const { config, secrets } = resolveFromFile(flags, env, home);
  return { config: { ...config, engine: engineOf(env, home) }, secrets };
}

/** The engine, as the `docker` CLI would pick it for the same environment and home. */
function engineOf(env: NodeJS.ProcessEnv, home: string): RunnerConfig['engine'] {
  try {
    const endpoint = findDockerEndpoint(env, home);
    return { value: endpoint.url, source: endpoint.source };
  } catch (error) {
    throw new ConfigError([
      {
        source: env.DOCKER_CONTEXT ? 'env:DOCKER_CONTEXT' : 'file:~/.docker/config.json#currentContext',
        message: (error as Error).message,
      },
    ]);
  }
}

function resolveFromFile(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv,
  home: string,
): { config: RunnerConfig; secrets: RunnerSecrets } {
  const file = locateConfigFile(flags, env, home);
  let fileText: string | undefined;
  try {
    fileText = readFileSync(file.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR')
      throw new ConfigError([
        {
          source: file.source === 'default' ? `file:${file.path}` : file.source,
          message: `${file.path} is a directory, not a config file`,
        },
      ]);
    if (code !== 'ENOENT')
      throw new ConfigError([
        {
          source: file.source === 'default' ? `file:${file.path}` : file.source,
          message: `cannot read ${file.path}: ${code ?? (error as Error).message}`,
        },
      ]);
  }
  return resolveConfig({ flags, env, homeDir: home, fileText, temporalProfile: loadTemporalProfile(env, home) });
}
