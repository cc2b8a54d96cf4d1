/**
 * Two Docker hosts behind the bench's Temporal, as issue 11's fleet runs them: rootful Docker and
 * rootful Podman (scripts/engines.sh), each served by its own host workers (the shared queue and
 * `runner_provisioning@HOST`) over its own connection — the two workers a two-machine fleet runs.
 */
import { connectDockerAt } from '../src/docker/client';
import { createHostWorkers } from '../src/provisioning-worker';
import { connectWorker, devServerTarget } from '../src/temporal/connection';
import { removeContainers } from '../test/support/docker';
import { ensureImageOn, requireEngine } from '../test/support/engines';
import type { Fixture } from './fixture';
import type { P4Host } from './measures';

export async function withTwoHosts<T>(fixture: Fixture, body: (hosts: P4Host[]) => Promise<T>): Promise<T> {
  const podman = await requireEngine('rootful-podman');
  await ensureImageOn(podman, fixture.image);
  const hosts = [
    { host: `bench-${fixture.runId}-a`, engine: fixture.deps.docker },
    {
      host: `bench-${fixture.runId}-b`,
      engine: connectDockerAt({ url: podman.env.DOCKER_HOST, source: 'env:DOCKER_HOST' }, fixture.deps.env),
    },
  ];
  const connections = await Promise.all(hosts.map(() => connectWorker(devServerTarget(fixture.temporal.address))));
  try {
    const workers = await Promise.all(
      hosts.map(({ host, engine }, index) =>
        createHostWorkers({
          connection: connections[index],
          namespace: 'default',
          deps: { ...fixture.deps, docker: engine },
          bundle: 'prebuilt',
          host,
          identity: `bench ${fixture.runId} host=${host}`,
        }),
      ),
    );
    const measured = body(hosts.map(({ host, engine }) => ({ host, docker: engine.docker })));
    return (await Promise.all(workers.map((worker) => worker.runUntil(measured))))[0];
  } finally {
    await Promise.all(connections.map((connection) => connection.close()));
    // Whatever this run left on the second engine (a provision cut short); the fixture cleans the first.
    await removeContainers(podman.docker, { name: [`^/?bench-${fixture.runId}-`] });
  }
}
