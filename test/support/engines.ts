/**
 * The engines the test matrix runs on: rootful Docker (the product's own discovery finds it) and
 * the ones scripts/engines.sh starts (rootful and rootless Podman, rootless Docker), each on its own
 * socket. A missing engine fails the suite loudly with the command that starts it — never a skip.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { connectDocker, connectDockerAt } from '../../src/docker/client';
import { projectRoot } from '../../src/temporal/dev-server';
import { requireDocker } from './docker';

export const TEST_ENGINES = ['rootful-docker', 'rootless-docker', 'rootful-podman', 'rootless-podman'] as const;
export type TestEngine = (typeof TEST_ENGINES)[number];

export interface EngineUnderTest {
  name: TestEngine;
  docker: Dockerode;
  /** What a child process needs to talk to this engine (DOCKER_HOST), as a user would set it. */
  env: Record<string, string>;
}

const ENGINES_DIR = join(projectRoot(), '.tools', 'engines');

export async function requireEngine(name: TestEngine): Promise<EngineUnderTest> {
  if (name === 'rootful-docker') return { name, docker: await requireDocker(), env: {} };
  const file = join(ENGINES_DIR, `${name}.env`);
  const host = existsSync(file) ? /^DOCKER_HOST=(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1] : undefined;
  if (!host)
    throw new Error(
      `engine ${name} is not running (no ${file}): start it with \`bash scripts/engines.sh up ${name}\` (npm test does)`,
    );
  const { docker } = connectDockerAt({ url: host, source: 'env:DOCKER_HOST' }, {});
  await docker.ping().catch((error: Error) => {
    throw new Error(
      `engine ${name} does not answer at ${host}: ${error.message}; restart it with \`bash scripts/engines.sh up ${name}\``,
    );
  });
  return { name, docker, env: { DOCKER_HOST: host } };
}

/** The DOCKER_HOST of every engine of the matrix this machine has started (rootful Docker's default included). */
export function engineUrls(): string[] {
  const started = TEST_ENGINES.filter((name) => name !== 'rootful-docker').flatMap((name) => {
    const file = join(ENGINES_DIR, `${name}.env`);
    const host = existsSync(file) ? /^DOCKER_HOST=(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1] : undefined;
    return host ? [host] : [];
  });
  return ['unix:///var/run/docker.sock', ...started];
}

/** Makes an image built on the rootful engine available on `engine` (copied with save | load when missing). */
export async function ensureImageOn(engine: EngineUnderTest, image: string): Promise<void> {
  if (engine.name === 'rootful-docker') return;
  const [source, target] = await Promise.all([
    connectDocker({}).docker.getImage(image).inspect(),
    engine.docker
      .getImage(image)
      .inspect()
      .catch(() => undefined),
  ]);
  if (target?.Id.replace(/^sha256:/, '') === source.Id.replace(/^sha256:/, '')) return;
  await promisify(execFile)('bash', [join(projectRoot(), 'scripts', 'engines.sh'), 'load', image, engine.name], {
    timeout: 120_000,
  });
}
