/**
 * The engine the user's `docker` CLI would talk to: DOCKER_HOST first, then the docker context
 * (DOCKER_CONTEXT or ~/.docker/config.json's currentContext), which docker-modem alone does not read —
 * Colima, OrbStack and rootless setups live in contexts. Apart from the client (docker/client.ts) so
 * that the config cascade names the engine without loading dockerode.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DockerEndpoint {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`, `npipe:////./pipe/docker_engine`. */
  url: string;
  /** `env:DOCKER_HOST`, `context:colima`, `default`. */
  source: string;
}

export interface FileLookup {
  readText(path: string): string | undefined;
  exists(path: string): boolean;
}

const realFiles: FileLookup = {
  readText: (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
  exists: existsSync,
};

export function findDockerEndpoint(
  env: NodeJS.ProcessEnv,
  home: string,
  files: FileLookup = realFiles,
  platform = process.platform,
): DockerEndpoint {
  const readText = files.readText;
  if (env.DOCKER_HOST) return { url: env.DOCKER_HOST, source: 'env:DOCKER_HOST' };
  const dockerDir = env.DOCKER_CONFIG ?? join(home, '.docker');
  const context = env.DOCKER_CONTEXT ?? currentContext(readText(join(dockerDir, 'config.json')));
  if (context && context !== 'default') {
    const metaPath = join(
      dockerDir,
      'contexts',
      'meta',
      createHash('sha256').update(context).digest('hex'),
      'meta.json',
    );
    const host = contextHost(readText(metaPath));
    if (!host)
      throw new Error(
        `docker context "${context}" (${env.DOCKER_CONTEXT ? 'env:DOCKER_CONTEXT' : `${dockerDir}/config.json`}) has no docker endpoint in ${metaPath}`,
      );
    return { url: host, source: `context:${context}` };
  }
  if (platform === 'win32') return { url: 'npipe:////./pipe/docker_engine', source: 'default' };
  const desktopSocket = join(home, '.docker', 'run', 'docker.sock');
  // Docker Desktop may serve only its per-user socket when /var/run/docker.sock is not linked.
  const socket =
    !files.exists('/var/run/docker.sock') && files.exists(desktopSocket) ? desktopSocket : '/var/run/docker.sock';
  return { url: `unix://${socket}`, source: 'default' };
}

function currentContext(configText: string | undefined): string | undefined {
  if (!configText) return undefined;
  try {
    const value = (JSON.parse(configText) as { currentContext?: unknown }).currentContext;
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

function contextHost(metaText: string | undefined): string | undefined {
  if (!metaText) return undefined;
  try {
    const host = (JSON.parse(metaText) as { Endpoints?: { docker?: { Host?: unknown } } }).Endpoints?.docker?.Host;
    return typeof host === 'string' && host !== '' ? host : undefined;
  } catch {
    return undefined;
  }
}
