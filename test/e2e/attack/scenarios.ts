/**
 * The attacker is where an attacker is: a process inside a runner container (agent code), speaking
 * to the same Temporal the runner polls, with the address the runner was given. It starts
 * provisionRunner and teardownRunner with hostile inputs against a standalone `stigmer-runner worker`
 * running as this machine's root — and the suite proves from the outside (file owners, the engine's
 * containers and mounts, listeners that record every connection and byte) that nothing happened, and
 * that each refusal names its setting.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { lstat, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { attackFrom, type AttackPlan, type Outcome } from '../../support/attacker';
import { projectRoot } from '../../../src/temporal/dev-server';
import type { TestEngine } from '../../support/engines';
import { useE2E } from '../../support/e2e-harness';
import { scenarioEnv } from '../../support/scenario';
import { childEnv, spawnNode, type Spawned } from '../../support/process';

/** A TCP listener that records every connection and every byte: an endpoint of the attacker's own. */
async function recorder(): Promise<{
  url: (scheme: string) => string;
  seen: () => string[];
  close: () => Promise<void>;
}> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    seen.push('connection');
    socket.on('data', (chunk) => seen.push(chunk.toString('utf8')));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    seen: () => seen,
    // Open connections are ended too: a server's close waits for them, and the test run with it.
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function attackScenarios(engineName: TestEngine, networks: Array<'host' | 'bridge'>): void {
  jest.setTimeout(300_000);
  const e2e = useE2E({ engine: engineName });
  const secret = `sk-ant-${randomBytes(16).toString('hex')}`;
  let worker: Spawned;
  let ownLlm: Awaited<ReturnType<typeof recorder>>;

  beforeAll(async () => {
    ownLlm = await recorder();
    // The victim: `stigmer-runner worker` as root, its home the e2e home (its policy: that home's
    // .stigmer/data, the stand-in images, the matrix's engines), holding an API key it sends to its
    // own LLM endpoint only.
    worker = spawnNode([join(projectRoot(), 'bin', 'stigmer-runner.js'), 'worker'], {
      env: childEnv(e2e.home, e2e.engine.env, {
        TEMPORAL_SERVICE_ADDRESS: e2e.temporal.address,
        STIGMER_RUNNER_IMAGE: e2e.image,
        STIGMER_RUNNER_PULL: 'never',
        STIGMER_LLM_PROVIDER: 'anthropic',
        STIGMER_LLM_BASE_URL: ownLlm.url('http'),
        ANTHROPIC_API_KEY: secret,
      }),
    });
    await worker.waitForLine(/worker started/, 60_000);
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await ownLlm?.close();
  });

  describe.each(networks)('from inside a runner on the %s network', (network) => {
    const runner = `attacked-${network}-${process.pid}`;
    /** The foothold's settings: what a curious agent reads in its own env, so its provisions would work. */
    let base: Record<string, string>;
    let workspace: string;
    let attack: (plan: AttackPlan) => Promise<Outcome[]>;

    beforeAll(async () => {
      // The user's own runner, provisioned through the standalone worker: the attacker's foothold.
      const services = await e2e.services('0.0.0.0');
      // Not e2e.scenarioEnv: that removes the runner after the next test, and the foothold serves them all.
      const env: Record<string, string> = {
        ...scenarioEnv(e2e.scenario(services), runner),
        STIGMER_RUNNER_NETWORK: network,
      };
      workspace = env.STIGMER_RUNNER_WORKSPACE_DIR;
      // The engine and image the user's runner has: the attacks differ from it only where they attack.
      base = {
        ...e2e.engine.env,
        STIGMER_RUNNER_IMAGE: e2e.image,
        STIGMER_RUNNER_PULL: 'never',
        STIGMER_RUNNER_NETWORK: network,
        TEMPORAL_SERVICE_ADDRESS: env.TEMPORAL_SERVICE_ADDRESS,
        STIGMER_BACKEND_ENDPOINT: env.STIGMER_BACKEND_ENDPOINT,
      };
      const run = await e2e.cli(['run', '--json'], env);
      expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
      expect(run.stderr).not.toMatch(/running a worker in this process/); // the root worker served it
      const [info] = await e2e.runnerContainers(runner);
      const container = e2e.docker.getContainer(info.Id);
      attack = (plan) => attackFrom(container, plan);
    }, 300_000);
    afterAll(() =>
      e2e.docker
        .getContainer(runner)
        .remove({ force: true })
        .catch(() => undefined),
    );

    const id = (name: string) => `atk-${name}-${network}-${process.pid}`;
    const provision = (name: string, env: Record<string, string>, homeDir = e2e.home, flags = {}) => ({
      id: id(name),
      type: 'provisionRunner',
      input: { flags: { runner: id(name), ...flags }, trigger: { env: { ...base, ...env }, homeDir } },
    });
    const refusalsOf = (outcome: Outcome) => {
      expect({ id: outcome.id, status: outcome.status, type: outcome.type }).toEqual({
        id: outcome.id,
        status: 'failed',
        type: 'PolicyRefused',
      });
      return (outcome.refusals ?? []).map((refusal) => `${refusal.setting} ${refusal.subject} ${refusal.rule}`);
    };
    const facts = async (path: string) =>
      ((info) => `${info.uid}:${info.gid} ${info.mode.toString(8)}`)(await stat(path));
    const made = async (name: string) =>
      e2e.docker.listContainers({ all: true, filters: { name: [`^/?${id(name)}$`] } });

    test('system and symlinked workspaces, a planted home, a FIFO and another file as config: refused, nothing touched', async () => {
      const watched = ['/', '/etc', '/etc/shadow', e2e.home, join(e2e.home, '.stigmer')];
      const before = await Promise.all(watched.map(facts));
      execFileSync('mkfifo', [join(workspace, `fifo-${network}`)]); // node has no mkfifo: planted from here
      const outcomes = await attack({
        plant: [
          ['symlink', '/workspace/escape', '/etc'],
          ['mkdir', '/workspace/.stigmer'],
          ['write', '/workspace/.stigmer/config.yaml', 'backend:\n  local:\n    runner:\n      workspace_dir: /\n'],
          ['symlink', '/workspace/.stigmer/data', '/'],
        ],
        attacks: [
          provision('root', { STIGMER_RUNNER_WORKSPACE_DIR: '/' }),
          provision('dotdot', { STIGMER_RUNNER_WORKSPACE_DIR: `${e2e.home}/../../etc` }),
          provision('link', { STIGMER_RUNNER_WORKSPACE_DIR: join(workspace, 'escape') }),
          provision('inside', { STIGMER_RUNNER_WORKSPACE_DIR: join(workspace, 'nested') }),
          provision('home', {}, workspace),
          provision('fifo', { STIGMER_CONFIG: join(workspace, `fifo-${network}`) }),
          provision('shadow', { STIGMER_CONFIG: '/etc/shadow' }),
        ],
      });
      expect(outcomes.map(refusalsOf)).toEqual([
        ['env:STIGMER_RUNNER_WORKSPACE_DIR workspace system-folder'],
        ['env:STIGMER_RUNNER_WORKSPACE_DIR workspace system-folder'],
        ['env:STIGMER_RUNNER_WORKSPACE_DIR workspace system-folder'],
        // Inside its own workspace: a folder the runner itself could swap — never mounted through.
        ['env:STIGMER_RUNNER_WORKSPACE_DIR workspace untrusted-folder'],
        ['trigger.homeDir home not-served'],
        ['env:STIGMER_CONFIG file not-regular'],
        ['env:STIGMER_CONFIG file outside-roots'],
      ]);
      const shadowFields = readFileSync('/etc/shadow', 'utf8')
        .split('\n')
        .flatMap((line) => line.split(':').slice(1, 2))
        .filter((field) => field.length > 8);
      for (const outcome of outcomes) {
        expect(outcome.message).toMatch(/: the worker's policy refuses this \(nothing was created or changed\):\n  - /);
        for (const field of shadowFields) expect(outcome.message).not.toContain(field);
        expect(await made(outcome.id.split('-')[1])).toEqual([]);
      }
      expect(await Promise.all(watched.map(facts))).toEqual(before);
      await expect(lstat(join(workspace, 'nested'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test('an engine, an image, a user’s container and an LLM endpoint of its own: none of it happens', async () => {
      const engine = await recorder();
      const evilLlm = await recorder();
      // The stand-ins live per test: the LLM provisions below need a backend to verify against.
      const { backend } = await e2e.services('0.0.0.0');
      const reachable = { STIGMER_BACKEND_ENDPOINT: `localhost:${backend.port}` };
      e2e.cleanup(() => Promise.all([engine.close(), evilLlm.close()]));
      const users = id('users');
      const mine = await e2e.docker.createContainer({ name: users, Image: e2e.image, Cmd: ['node', '-e', '0'] });
      e2e.cleanup(() => mine.remove({ force: true }).catch(() => undefined));
      for (const name of ['llm-own', 'llm-evil'])
        e2e.cleanup(() =>
          e2e.docker
            .getContainer(id(name))
            .remove({ force: true })
            .catch(() => undefined),
        );
      const outcomes = await attack({
        attacks: [
          provision('engine', { DOCKER_HOST: engine.url('tcp') }),
          provision('image', { STIGMER_RUNNER_IMAGE: 'alpine:3' }),
          { ...provision('users', {}), input: { ...provision('users', {}).input, flags: { runner: users } } },
          {
            id: id('teardown-engine'),
            type: 'teardownRunner',
            input: { runner: runner, engine: { value: engine.url('tcp'), source: 'env:DOCKER_HOST' } },
          },
          { id: id('teardown-users'), type: 'teardownRunner', input: { runner: users } },
          provision('llm-own', {
            ...reachable,
            STIGMER_LLM_PROVIDER: 'anthropic',
            STIGMER_LLM_BASE_URL: ownLlm.url('http'),
          }),
          provision('llm-evil', {
            ...reachable,
            STIGMER_LLM_PROVIDER: 'anthropic',
            STIGMER_LLM_BASE_URL: evilLlm.url('http'),
          }),
        ],
      });
      expect(outcomes.slice(0, 5).map(refusalsOf)).toEqual([
        ['env:DOCKER_HOST engine not-allowed'],
        ['env:STIGMER_RUNNER_IMAGE image not-allowed'],
        ['flags.replace container not-managed'],
        ['env:DOCKER_HOST engine not-allowed'],
        ['replace container not-managed'],
      ]);
      expect(engine.seen()).toEqual([]); // never dialled
      expect((await mine.inspect()).Id).toBe(mine.id); // the user's container, still there
      expect(await e2e.runnerContainers(runner)).toHaveLength(1); // the foothold, not torn down
      // The key goes with the worker's own endpoint (the control) and not with the attacker's.
      const [own, evil] = outcomes.slice(5);
      expect({ status: own.status, withheld: own.withheld }).toEqual({ status: 'completed', withheld: undefined });
      expect(evil.status).toBe('completed');
      expect(evil.withheld).toMatch(/withheld/);
      const envOf = async (name: string) => (await e2e.docker.getContainer(id(name)).inspect()).Config.Env.join('\n');
      expect(await envOf('llm-own')).toContain(secret);
      expect(await envOf('llm-evil')).not.toContain(secret);
      expect(evilLlm.seen().join('')).not.toContain(secret);
      expect(JSON.stringify(outcomes)).not.toContain(secret);
    });

    test('a symlink swapped in a loop while provisions run never gets a foreign folder mounted or chowned', async () => {
      const etc = await facts('/etc');
      const outcomes = await attack({
        swap: { path: '/workspace/swap', target: '/etc' },
        attacks: [1, 2, 3, 4, 5].map((round) =>
          provision(`swap${round}`, { STIGMER_RUNNER_WORKSPACE_DIR: join(workspace, 'swap', 'inner') }),
        ),
      });
      for (const outcome of outcomes) {
        const rules = refusalsOf(outcome).map((line) => line.split(' ').pop());
        expect(rules).toHaveLength(1);
        expect(['system-folder', 'untrusted-folder', 'symlink', 'mount-mismatch']).toContain(rules[0]);
      }
      expect(await facts('/etc')).toBe(etc);
      await expect(lstat('/etc/inner')).rejects.toMatchObject({ code: 'ENOENT' });
      for (const round of [1, 2, 3, 4, 5]) expect(await made(`swap${round}`)).toEqual([]);
    });
  });
}
