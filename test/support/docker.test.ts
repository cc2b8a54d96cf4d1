import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { removeContainers, requireDocker } from './docker';
import { ensureTestRunnerImage } from './runner-image';
import { freePort } from './temporal-server';

async function withDockerHost<T>(value: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
}

describe('requireDocker', () => {
  it('returns a client of an engine that answers', async () => {
    const docker = await requireDocker();
    expect(String(await docker.ping())).toBe('OK');
  });

  it('fails loudly, naming the unix socket it tried and the setup script', async () => {
    const socket = join(tmpdir(), `no-docker-${randomUUID()}.sock`);
    await withDockerHost(`unix://${socket}`, async () => {
      await expect(requireDocker()).rejects.toThrow(`No Docker engine answered at unix://${socket}`);
      await expect(requireDocker()).rejects.toThrow('bash scripts/setup.sh');
    });
  });

  it('names a tcp endpoint that refuses connections', async () => {
    const port = await freePort();
    await withDockerHost(`tcp://127.0.0.1:${port}`, async () => {
      await expect(requireDocker()).rejects.toThrow(
        new RegExp(`at tcp://127\\.0\\.0\\.1:${port} \\(env:DOCKER_HOST; .*ECONNREFUSED`),
      );
    });
  });
});

describe('removeContainers', () => {
  const run = randomUUID();
  const runLabel = `dev.stigmer.test-run=${run}`;
  let docker: Dockerode;
  let image: string;

  beforeAll(async () => {
    docker = await requireDocker();
    image = await ensureTestRunnerImage(docker);
  }, 180_000);
  afterAll(() => removeContainers(docker, { label: [runLabel] }));

  const create = (name: string, labels: Record<string, string>) =>
    docker.createContainer({
      name,
      Image: image,
      Cmd: ['node', '-e', 'setInterval(() => {}, 1000)'],
      Labels: { 'dev.stigmer.test-run': run, ...labels },
      HostConfig: { NetworkMode: 'none' },
    });
  const names = async () =>
    (await docker.listContainers({ all: true, filters: { label: [runLabel] } })).map((c) => c.Names[0].slice(1)).sort();

  it('force-removes running and stopped containers matching every label', async () => {
    const running = await create(`rm-running-${run}`, { role: 'doomed' });
    await running.start();
    await create(`rm-created-${run}`, { role: 'doomed' });
    await create(`rm-kept-${run}`, { role: 'kept' });

    await removeContainers(docker, { label: [runLabel, 'role=doomed'] });
    expect(await names()).toEqual([`rm-kept-${run}`]);
  }, 60_000);

  it('removes by name and tolerates containers that are already gone', async () => {
    await create(`rm-by-name-${run}`, {});
    await removeContainers(docker, { name: [`rm-by-name-${run}`, `never-created-${run}`] });
    await removeContainers(docker, { name: [`rm-by-name-${run}`] });
    expect(await names()).not.toContain(`rm-by-name-${run}`);
  }, 60_000);

  it('refuses an empty filter rather than removing every container', async () => {
    await expect(removeContainers(docker, {})).rejects.toThrow('needs a label or name filter');
    await expect(removeContainers(docker, { label: [], name: [] })).rejects.toThrow('needs a label or name filter');
  });
});
