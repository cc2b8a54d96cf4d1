import type { DockerConnection } from '../docker/client';

/** What the activities need from the outside world; tests hand in real ones. */
export interface ActivityDeps {
  docker: DockerConnection;
  /** The worker's environment: the env layer of the config cascade and the source of secrets. */
  env: NodeJS.ProcessEnv;
  homeDir: string;
  platform: string;
}
