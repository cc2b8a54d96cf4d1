import type Dockerode from 'dockerode';
import { connectDocker } from '../../src/docker/client';

const PING_TIMEOUT_MS = 5000;

/** A client for the engine the product would use (DOCKER_HOST, docker context, default socket); throws, never skips, when none answers. */
export async function requireDocker(): Promise<Dockerode> {
  const { docker, endpoint } = connectDocker();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
      }),
    ]);
    return docker;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `No Docker engine answered at ${endpoint.url} (${endpoint.source}; ${reason}). Run \`bash scripts/setup.sh\` to install and start one.`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Force-removes (with anonymous volumes) every container matching the filter, running or not.
 * Docker's semantics apply: all `label` entries must match (`key` or `key=value`); any `name` entry
 * may match, and a name is an unanchored regular expression.
 */
export async function removeContainers(
  docker: Dockerode,
  filter: { label?: string[]; name?: string[] },
): Promise<void> {
  if (!filter.label?.length && !filter.name?.length) throw new Error('removeContainers needs a label or name filter');
  const found = await docker.listContainers({ all: true, filters: filter });
  await Promise.all(
    found.map(async ({ Id }) => {
      try {
        await docker.getContainer(Id).remove({ force: true, v: true });
      } catch (err) {
        // 404: already gone; 409: removal already in progress.
        const status = (err as { statusCode?: number }).statusCode;
        if (status !== 404 && status !== 409) throw err;
      }
    }),
  );
}
