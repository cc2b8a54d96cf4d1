/** A dockerode client for the engine the user's `docker` CLI would talk to (docker/endpoint.ts finds it). */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { findDockerEndpoint, type DockerEndpoint } from './endpoint';

/** dockerode options for an endpoint URL (TLS material from DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set). */
export function dockerodeOptions(endpoint: DockerEndpoint, env: NodeJS.ProcessEnv): Dockerode.DockerOptions {
  const url = endpoint.url;
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length) };
  if (url.startsWith('npipe://')) return { socketPath: url.slice('npipe://'.length) };
  const parsed = new URL(url);
  if (parsed.protocol === 'ssh:') {
    return {
      protocol: 'ssh',
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : 22,
      username: parsed.username || undefined,
    };
  }
  const tls = env.DOCKER_TLS_VERIFY === '1' || parsed.port === '2376';
  const certPath = env.DOCKER_CERT_PATH ?? join(homedir(), '.docker');
  return {
    protocol: tls ? 'https' : 'http',
    host: parsed.hostname,
    port: Number(parsed.port || (tls ? 2376 : 2375)),
    ...(tls && existsSync(join(certPath, 'ca.pem'))
      ? {
          ca: readFileSync(join(certPath, 'ca.pem')),
          cert: readFileSync(join(certPath, 'cert.pem')),
          key: readFileSync(join(certPath, 'key.pem')),
        }
      : {}),
  };
}

export interface DockerConnection {
  docker: Dockerode;
  endpoint: DockerEndpoint;
}

export function connectDocker(env: NodeJS.ProcessEnv = process.env): DockerConnection {
  return connectDockerAt(findDockerEndpoint(env, homedir()), env);
}

export function connectDockerAt(endpoint: DockerEndpoint, env: NodeJS.ProcessEnv): DockerConnection {
  return { docker: new Dockerode(dockerodeOptions(endpoint, env)), endpoint };
}
