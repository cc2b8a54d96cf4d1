/**
 * The attacker is where an attacker is: a process inside a runner container (agent code), speaking
 * to the same Temporal the runner polls, with the address the runner was given. It starts
 * provisionRunner and teardownRunner with hostile inputs against a standalone `stigmer-runner worker`
 * running as this machine's root — and the suite proves from the outside (file owners, the engine's
 * containers and mounts, listeners that record every connection and byte) that nothing happened, and
 * that each refusal names its setting.
 */
import { createServer, type Server } from 'node:net';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execInContainer } from '../../../src/docker/exec';
import { projectRoot } from '../../../src/temporal/dev-server';
import type { TestEngine } from '../../support/engines';
import { useE2E } from '../../support/e2e-harness';
import { childEnv, spawnNode, type Spawned } from '../../support/process';

/** What the attacker's script reports for one workflow it started. */
interface Outcome {
  id: string;
  status: 'completed' | 'failed';
  type?: string;
  refusals?: Array<{ subject: string; setting: string; rule: string; value: string; allow: string }>;
  message?: string;
}

/** Runs inside the runner: the runner's own Temporal address and namespace, the image's own SDK. */
const ATTACKER = `
const { Connection, Client } = require('@temporalio/client');
(async () => {
  const attacks = JSON.parse(process.argv[1]);
  const connection = await Connection.connect({ address: process.env.TEMPORAL_SERVICE_ADDRESS });
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE || 'default' });
  for (const attack of attacks) {
    const handle = await client.workflow.start(attack.type, {
      taskQueue: 'runner_provisioning', workflowId: attack.id, args: [attack.input],
    });
    try {
      await handle.result();
      console.log(JSON.stringify({ id: attack.id, status: 'completed' }));
    } catch (error) {
      const cause = error.cause || {};
      const details = cause.details && cause.details[0];
      console.log(JSON.stringify({ id: attack.id, status: 'failed', type: cause.type, message: cause.message,
        refusals: details && details.error && details.error.refusals || details && details.refusals }));
    }
  }
  await connection.close();
})().catch((error) => { console.error(error); process.exit(3); });
`;

/** A TCP listener that records every connection and every byte: an endpoint of the attacker's own. */
async function recorder(): Promise<{
  url: (scheme: string) => string;
  seen: () => string[];
  close: () => Promise<void>;
}> {
  const seen: string[] = [];
  const server: Server = createServer((socket) => {
    seen.push('connection');
    socket.on('data', (chunk) => seen.push(chunk.toString('utf8')));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    seen: () => seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function attackScenarios(engineName: TestEngine, networks: Array<'host' | 'bridge'>): void {
  jest.setTimeout(300_000);
  const e2e = useE2E({ engine: engineName });
  const secret = `sk-ant-${randomBytes(16).toString('hex')}`;
  let worker: Spawned;

  beforeAll(async () => {
    // The victim: `stigmer-runner worker` as root, its home the e2e home (its policy: that home's
    // .stigmer/data, the stand-in images, the matrix's engines), holding an API key.
    worker = spawnNode([join(projectRoot(), 'bin', 'stigmer-runner.js'), 'worker'], {
      env: childEnv(e2e.home, e2e.engine.env, {
        TEMPORAL_SERVICE_ADDRESS: e2e.temporal.address,
        STIGMER_RUNNER_IMAGE: e2e.image,
        STIGMER_RUNNER_PULL: 'never',
        ANTHROPIC_API_KEY: secret,
      }),
    });
    await worker.waitForLine(/worker started/, 60_000);
  });
  afterAll(() => worker?.kill('SIGTERM'));

  describe.each(networks)('from inside a runner on the %s network', (network) => {
    const runner = `attacked-${network}-${process.pid}`;
    let workspace: string;
    let attack: (cases: Array<{ id: string; type: string; input: unknown }>) => Promise<Outcome[]>;

    beforeAll(async () => {
      // The user's own runner, provisioned through the worker: the attacker's foothold.
      const services = await e2e.services('0.0.0.0');
      const env: Record<string, string> = { ...e2e.scenarioEnv(runner, services), STIGMER_RUNNER_NETWORK: network };
      workspace = env.STIGMER_RUNNER_WORKSPACE_DIR;
      const run = await e2e.cli(['run', '--json'], env);
      expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
      const [info] = await e2e.runnerContainers(runner);
      const container = e2e.docker.getContainer(info.Id);
      attack = async (cases) => {
        const result = await execInContainer(container, ['node', '-e', ATTACKER, JSON.stringify(cases)], 240_000);
        expect({ exit: result.exitCode, stderr: result.stderr }).toMatchObject({ exit: 0 });
        return result.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Outcome);
      };
    }, 300_000);
    // The harness removes each test's containers after it; this runner outlives the tests of its block.
    afterAll(() =>
      e2e.docker
        .getContainer(runner)
        .remove({ force: true })
        .catch(() => undefined),
    );

    const trigger = (env: Record<string, string>, homeDir = e2e.home) => ({ env, homeDir });
    const provision = (id: string, env: Record<string, string>, homeDir?: string, flags = {}) => ({
      id,
      type: 'provisionRunner',
      input: { flags: { runner: id, ...flags }, trigger: trigger({ STIGMER_RUNNER_PULL: 'never', ...env }, homeDir) },
    });
    const refusalOf = (outcome: Outcome) => {
      expect({ status: outcome.status, type: outcome.type }).toEqual({ status: 'failed', type: 'PolicyRefused' });
      return (outcome.refusals ?? []).map((refusal) => `${refusal.setting} ${refusal.subject} ${refusal.rule}`);
    };
    const owner = async (path: string) => ((info) => `${info.uid}:${info.gid}`)(await stat(path));

    test('system and symlinked workspaces, a planted home, a FIFO config: refused, nothing touched', async () => {
      const before = { root: await owner('/'), etc: await owner('/etc'), home: await owner(e2e.home) };
      // Planted from inside its own workspace (host path known to a curious agent).
      await symlink('/etc', join(workspace, 'escape')).catch(() => undefined);
      await mkdir(join(workspace, '.stigmer'), { recursive: true });
      await writeFile(
        join(workspace, '.stigmer', 'config.yaml'),
        'backend:\n  local:\n    runner:\n      workspace_dir: /\n',
      );
      await symlink('/', join(workspace, '.stigmer', 'data')).catch(() => undefined);
      execFileSync('mkfifo', [join(workspace, `fifo-${network}`)]);
      const id = (name: string) => `atk-${name}-${network}-${process.pid}`;
      const outcomes = await attack([
        provision(id('root'), { STIGMER_RUNNER_WORKSPACE_DIR: '/' }),
        provision(id('dotdot'), { STIGMER_RUNNER_WORKSPACE_DIR: `${e2e.home}/../../etc` }),
        provision(id('link'), { STIGMER_RUNNER_WORKSPACE_DIR: join(workspace, 'escape') }),
        provision(id('home'), {}, workspace),
        provision(id('fifo'), { STIGMER_CONFIG: join(workspace, `fifo-${network}`) }),
        provision(id('config'), { STIGMER_CONFIG: '/etc/shadow' }),
      ]);
      expect(outcomes.map(refusalOf)).toEqual([
        ['env:STIGMER_RUNNER_WORKSPACE_DIR workspace system-folder'],
        ['env:STIGMER_RUNNER_WORKSPACE_DIR workspace system-folder'],
        ['env:STIGMER_RUNNER_WORKSPACE_DIR workspace system-folder'],
        ['trigger.homeDir home not-served'],
        ['env:STIGMER_CONFIG file not-regular'],
        ['env:STIGMER_CONFIG file outside-roots'],
      ]);
      for (const outcome of outcomes) {
        expect(outcome.message).toMatch(/worker's policy refuses .*to allow it|name a regular file|lies in its home/s);
        expect(outcome.message).not.toContain('root:'); // no line of /etc/shadow
      }
      expect({ root: await owner('/'), etc: await owner('/etc'), home: await owner(e2e.home) }).toEqual(before);
      for (const outcome of outcomes)
        expect(await e2e.docker.listContainers({ all: true, filters: { name: [outcome.id] } })).toEqual([]);
    });

    test('an engine, an image and an LLM endpoint of its own: the engine is never dialled, the key never sent', async () => {
      const engine = await recorder();
      const llm = await recorder();
      e2e.cleanup(() => Promise.all([engine.close(), llm.close()]));
      const id = (name: string) => `atk-${name}-${network}-${process.pid}`;
      const users = `users-own-${network}-${process.pid}`;
      const mine = await e2e.docker.createContainer({
        name: users,
        Image: e2e.image,
        Cmd: ['node', '-e', 'setInterval(() => {}, 1e6)'],
      });
      e2e.cleanup(() => mine.remove({ force: true }).catch(() => undefined));
      const outcomes = await attack([
        provision(id('engine'), { DOCKER_HOST: engine.url('tcp') }),
        provision(id('image'), { STIGMER_RUNNER_IMAGE: 'alpine:3' }),
        provision(users, {}),
        {
          id: id('teardown'),
          type: 'teardownRunner',
          input: { runner: users, engine: { value: engine.url('tcp'), source: 'env:DOCKER_HOST' } },
        },
        provision(id('llm'), { STIGMER_LLM_PROVIDER: 'anthropic', STIGMER_LLM_BASE_URL: llm.url('http') }),
      ]);
      expect(outcomes.slice(0, 2).map(refusalOf)).toEqual([
        ['env:DOCKER_HOST engine not-allowed'],
        ['env:STIGMER_RUNNER_IMAGE image not-allowed'],
      ]);
      expect(outcomes[2]).toMatchObject({ status: 'failed', type: 'PolicyRefused' });
      expect(outcomes[2].message).toMatch(/--replace|replace/);
      expect(outcomes[3]).toMatchObject({ status: 'failed', type: 'PolicyRefused' });
      expect(engine.seen()).toEqual([]);
      expect((await mine.inspect()).State.Status).toBe('created'); // the user's container, untouched
      // The LLM endpoint of its own: the runner may be made, but without the worker's key.
      const [llmRunner] = await e2e.docker.listContainers({ all: true, filters: { name: [id('llm')] } });
      if (llmRunner) {
        e2e.cleanup(() =>
          e2e.docker
            .getContainer(llmRunner.Id)
            .remove({ force: true })
            .catch(() => undefined),
        );
        const inspected = await e2e.docker.getContainer(llmRunner.Id).inspect();
        expect(inspected.Config.Env.join('\n')).not.toContain(secret);
      }
      expect(llm.seen().join('')).not.toContain(secret);
      expect(JSON.stringify(outcomes)).not.toContain(secret);
    });

    test('a symlink swapped in a loop while the provision runs never gets a foreign folder mounted or chowned', async () => {
      const swap = join(workspace, 'swap');
      const etc = await owner('/etc');
      let swapping = true;
      const ignore = () => undefined;
      const swapper = (async () => {
        const { rm } = await import('node:fs/promises');
        while (swapping) {
          await rm(swap, { recursive: true, force: true }).catch(ignore);
          await symlink('/etc', swap).catch(ignore);
          await new Promise((resolve) => setImmediate(resolve));
          await rm(swap, { recursive: true, force: true }).catch(ignore);
          await mkdir(swap).catch(ignore);
        }
      })();
      const id = `atk-swap-${network}-${process.pid}`;
      e2e.cleanup(() =>
        e2e.docker
          .getContainer(id)
          .remove({ force: true })
          .catch(() => undefined),
      );
      const [outcome] = await attack([provision(id, { STIGMER_RUNNER_WORKSPACE_DIR: join(swap, 'inner') })]);
      swapping = false;
      await swapper;
      expect(await owner('/etc')).toBe(etc);
      await expect(lstat('/etc/inner')).rejects.toMatchObject({ code: 'ENOENT' });
      // Refused (the walk met the link, or the mount check saw another folder), or — the race lost —
      // a runner whose workspace is a real folder inside the attacker's own workspace.
      const [made] = await e2e.docker.listContainers({ all: true, filters: { name: [id] } });
      if (outcome.status === 'failed') expect(outcome.type).toMatch(/PolicyRefused|ConnectivityFailed|RunnerNotReady/);
      if (made) {
        const mount = (await e2e.docker.getContainer(made.Id).inspect()).Mounts.find(
          (entry) => entry.Destination === '/workspace',
        );
        expect(mount?.Source).toBe(join(swap, 'inner'));
        expect((await lstat(join(swap, 'inner')).catch(() => undefined))?.isSymbolicLink() ?? false).toBe(false);
      }
    });
  });
}
