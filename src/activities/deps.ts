import type { Sourced } from '../core/settings/types';
import { connectDockerAt, type DockerConnection } from '../docker/client';

/** What the activities need from the outside world; tests hand in real ones. */
export interface ActivityDeps {
  docker: DockerConnection;
  /** The worker's environment: the env layer of the config cascade and the source of secrets. */
  env: NodeJS.ProcessEnv;
  homeDir: string;
  platform: string;
}

const engines = new Map<string, DockerConnection>();

/**
 * The engine a provision targets: the one its trigger selected (DOCKER_HOST, docker context), so a
 * standalone worker started elsewhere provisions where the user asked; the worker's own when the
 * config names none (configs resolved before the engine was recorded).
 */
export function engineFor(deps: ActivityDeps, engine: Sourced<string> | undefined): DockerConnection {
  if (engine === undefined || engine.value === deps.docker.endpoint.url) return deps.docker;
  let connection = engines.get(engine.value);
  if (!connection) {
    connection = connectDockerAt({ url: engine.value, source: engine.source }, deps.env);
    engines.set(engine.value, connection);
  }
  return connection;
}
