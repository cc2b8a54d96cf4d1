/** The I/O edge of the config cascade: reads the file (when there is one), temporal.toml and the environment. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { findDockerEndpoint } from '../docker/endpoint';
import { locateConfigFile, resolveConfig } from '../core/settings/cascade';
import type { ConfigFlags, RunnerConfig, RunnerSecrets } from '../core/settings/types';
import { ConfigError } from '../core/settings/errors';
import { PolicyRefusedError } from '../core/policy/errors';
import { loadTemporalProfile } from './temporal-profile';

/** How the cascade reads a file: `(path, the setting that named it)`, throwing the errno error. */
export type ReadConfigFile = (path: string, setting: string) => string;
const readPlain: ReadConfigFile = (path) => readFileSync(path, 'utf8');

export function loadConfig(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
  read: ReadConfigFile = readPlain,
): { config: RunnerConfig; secrets: RunnerSecrets } {
  const { config, secrets } = resolveFromFile(flags, env, home, read);
  return { config: { ...config, engine: engineOf(env, home, read) }, secrets };
}

/** The engine, as the `docker` CLI would pick it for the same environment and home. */
function engineOf(env: NodeJS.ProcessEnv, home: string, read: ReadConfigFile): RunnerConfig['engine'] {
  const files = {
    readText: (path: string) => {
      try {
        return read(path, 'docker config');
      } catch (error) {
        if (error instanceof PolicyRefusedError) throw error;
        return undefined;
      }
    },
    exists: existsSync,
  };
  try {
    const endpoint = findDockerEndpoint(env, home, files);
    return { value: endpoint.url, source: endpoint.source };
  } catch (error) {
    if (error instanceof PolicyRefusedError) throw error;
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
  read: ReadConfigFile,
): { config: RunnerConfig; secrets: RunnerSecrets } {
  const file = locateConfigFile(flags, env, home);
  let fileText: string | undefined;
  try {
    fileText = read(file.path, file.source);
  } catch (error) {
    if (error instanceof PolicyRefusedError) throw error;
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
  return resolveConfig({
    flags,
    env,
    homeDir: home,
    fileText,
    temporalProfile: loadTemporalProfile(env, home, process.platform, (path) => read(path, 'temporal config')),
  });
}
