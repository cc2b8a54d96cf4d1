/**
 * The end-to-end scenarios every engine runs: the CLI (compiled, as a child process) provisions the
 * stand-in runner on that engine against a real dev server and stand-ins on real sockets. What
 * differs between engines is data (EXPECTED); each outcome is also written to
 * test-artifacts/engine-matrix.jsonl, from which scripts/engine-table.ts renders docs/engines.md.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { LABELS } from '../../../src/core/runner/container-spec';
import { listPollers } from '../../../src/temporal/task-queue';
import { startBackendStandIn } from '../../support/backend-standin';
import { stepOf as step, useE2E, type CliRun, type E2E } from '../../support/e2e-harness';
import type { MatrixEngine as TestEngine } from '../../support/engines';
import { startOllamaStandIn } from '../../support/ollama-standin';
import { recordTiming } from '../../support/timings';

interface Expected {
  kind: string;
  rootless: boolean;
  /** The mode `auto` picks, and the address the runner gets for a service on this machine's loopback. */
  defaultMode: 'host' | 'bridge';
  defaultHost: string;
  /** With --network bridge: the alias and its /etc/hosts entries. */
  bridgeAlias: string;
  bridgeExtraHosts: string[];
  /** A service on 127.0.0.1 only, behind the bridge: the named cause, or reachable (the route lands on loopback). */
  loopbackOnlyBridge: 'named cause' | 'reachable';
  /** Where the engine runs, as `plan` measures it. */
  placement: 'this-machine' | 'vm';
  /** The workspace folder bind-mounted, or the engine's volume (a VM that does not see this machine's folders). */
  workspace: 'bind' | 'volume';
}

export const EXPECTED: Record<TestEngine, Expected> = {
  'rootful-docker': {
    kind: 'native-linux',
    rootless: false,
    defaultMode: 'host',
    defaultHost: '127.0.0.1',
    bridgeAlias: 'host.docker.internal',
    bridgeExtraHosts: ['host.docker.internal:host-gateway'],
    loopbackOnlyBridge: 'named cause',
    placement: 'this-machine',
    workspace: 'bind',
  },
  'rootless-docker': {
    kind: 'native-linux',
    rootless: true,
    defaultMode: 'bridge',
    defaultHost: '10.0.2.2',
    bridgeAlias: '10.0.2.2',
    bridgeExtraHosts: [],
    loopbackOnlyBridge: 'reachable',
    placement: 'this-machine',
    workspace: 'bind',
  },
  'rootful-podman': {
    kind: 'podman',
    rootless: false,
    defaultMode: 'host',
    defaultHost: '127.0.0.1',
    bridgeAlias: 'host.containers.internal',
    bridgeExtraHosts: [],
    loopbackOnlyBridge: 'named cause',
    placement: 'this-machine',
    workspace: 'bind',
  },
  'rootless-podman': {
    kind: 'podman',
    rootless: true,
    defaultMode: 'bridge',
    defaultHost: '10.0.2.2',
    bridgeAlias: '10.0.2.2',
    bridgeExtraHosts: [],
    loopbackOnlyBridge: 'reachable',
    placement: 'this-machine',
    workspace: 'bind',
  },
  // Docker in a QEMU VM (scripts/lib/vm.sh). Lima's layout: the measured route is host-gateway, which
  // its dockerd maps to this machine (192.168.5.2); this machine's folders are shared at the same path.
  'vm-desktop': {
    kind: 'linux-vm',
    rootless: false,
    defaultMode: 'bridge',
    defaultHost: 'host.docker.internal',
    bridgeAlias: 'host.docker.internal',
    bridgeExtraHosts: ['host.docker.internal:host-gateway'],
    loopbackOnlyBridge: 'reachable',
    placement: 'vm',
    workspace: 'bind',
  },
  // A plain VM: host-gateway is its own docker0; the measured route is slirp's 10.0.2.2; nothing shared.
  'vm-plain': {
    kind: 'linux-vm',
    rootless: false,
    defaultMode: 'bridge',
    defaultHost: '10.0.2.2',
    bridgeAlias: '10.0.2.2',
    bridgeExtraHosts: [],
    loopbackOnlyBridge: 'reachable',
    placement: 'vm',
    workspace: 'volume',
  },
};

const ARTIFACTS = join(__dirname, '..', '..', '..', 'test-artifacts');

/** One row of docs/engines.md: what this engine did in this case, as measured. */
export function recordRow(engine: TestEngine, scenario: string, result: string, run?: CliRun, version?: string): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  appendFileSync(
    join(ARTIFACTS, 'engine-matrix.jsonl'),
    `${JSON.stringify({ engine, scenario, result, ms: run?.ms, version })}\n`,
  );
  if (run) recordTiming(`engines ${engine}: ${scenario}`, run.ms);
}
const record = recordRow;

/** What one class of engine checks beyond the matrix, on the same provisions (a provision in a VM costs a minute or more). */
export interface EngineExtras {
  /** On the plan test's `plan --json`. */
  plan?(shown: PlanJson): void;
  /** On the default network's ready runner, before the second run reuses it. */
  ready?(e2e: E2E, runner: string, run: CliRun): Promise<void>;
  /** Tests of that class alone, in the same harness. */
  tests?(e2e: E2E): void;
}

export type PlanJson = Record<string, any>;

/**
 * `core`: the default network's ready runner (its plan checked as `run --json` shows it, and its reuse)
 * and the extras' own tests only — what `npm test` runs on the engines in a VM, where every container
 * start costs 10-20 s of emulated CPU; `npm run test:vm` runs them `all` there, `plan --json` included.
 */
export type ScenarioSet = 'all' | 'core';

export function engineScenarios(engine: TestEngine, extras: EngineExtras = {}, set: ScenarioSet = 'all'): void {
  const expected = EXPECTED[engine];
  // In a VM a provision runs on an emulated CPU; the CLI's own bound is 280 s there.
  jest.setTimeout(expected.placement === 'vm' ? 600_000 : 180_000);
  const e2e = useE2E({ engine });
  const { cli, services, scenarioEnv, runnerContainers, containerEnv } = e2e;
  const name = (what: string) => `${engine}-${what}-${process.pid}`;
  /**
   * The workspace as this engine gives it. A bind: owned by the runner's user as this machine sees it
   * (1000 rootful and in a VM that shares the folder, a subordinate id rootless), never world-writable.
   * A volume: the step says so, naming the engine's volume.
   */
  const workspaceOutcome = async (runner: string, run: CliRun): Promise<string> => {
    if (expected.workspace === 'volume') {
      // Named by the runner and a keyed hash of the account and folder: never another account's.
      expect(step(run, 'startContainer')?.note).toMatch(
        new RegExp(`workspace in the engine's volume stigmer-workspace-${runner}-[0-9a-f]{12}$`),
      );
      return `workspace in the engine's volume stigmer-workspace-${runner}-… (the VM does not see this machine's folder)`;
    }
    const workspace = await stat(join(e2e.home, '.stigmer', 'data', runner));
    expect(workspace.uid).not.toBe(0);
    expect(workspace.mode & 0o002).toBe(0);
    return `workspace owned by uid ${workspace.uid}`;
  };
  const hostnameOf = async (id: string) => ({
    hostname: (await e2e.docker.getContainer(id).inspect()).Config.Hostname,
  });

  /** The plan as `plan --json` or, in the core set, `run --json` shows it: engine, where it runs, release. */
  const planOutcome = (shown: PlanJson): void => {
    expect(shown.network.engine).toMatchObject({ kind: expected.kind, rootless: expected.rootless });
    expect(shown.network.placement).toMatchObject({ placement: expected.placement, rule: 'own-facts' });
    expect(shown.runner).toMatchObject({
      contract: 'python-2026-01',
      contractReason: expect.stringContaining('declares it (label dev.stigmer.runner-contract)'),
    });
    record(
      engine,
      'plan: engine kind, rootless',
      `${shown.network.engine.kind}, rootless ${shown.network.engine.rootless}, ${expected.placement === 'vm' ? 'in a VM, ' : ''}mode ${shown.network.mode}`,
      undefined,
      shown.network.engine.description,
    );
    extras.plan?.(shown);
  };

  // In the core set (engines in a VM, where `plan` costs a probe container of its own: ~45 s under
  // emulation) the plan is checked as the provision made it, in `run --json`.
  if (set === 'all')
    test('plan names the engine kind and whether it is rootless', async () => {
      const plan = await cli(['plan', '--json'], scenarioEnv(name('plan'), await services('127.0.0.1')));
      expect({ code: plan.code, stderr: plan.code ? plan.stderr : '' }).toEqual({ code: 0, stderr: '' });
      planOutcome(JSON.parse(plan.stdout));
    });

  test(`default network: ${expected.defaultMode}, services reached at ${expected.defaultHost}, workspace writable by the runner's user; a second run reuses the container`, async () => {
    const runner = name('default');
    const scenario = await services(expected.defaultMode === 'host' ? '127.0.0.1' : '0.0.0.0');
    const run = await cli(['run', '--json'], scenarioEnv(runner, scenario));
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ status: 'ready', network: { mode: expected.defaultMode } });
    if (set === 'core') planOutcome(run.json as PlanJson);
    expect(
      run.json?.checks.filter((check) => check.site === 'container').map((check) => `${check.service} ${check.ok}`),
    ).toEqual(['temporal true', 'backend true', 'ollama true', 'workspace true']);
    const env = await containerEnv(runner);
    expect(env).toMatchObject({
      TEMPORAL_SERVICE_ADDRESS: `${expected.defaultHost}:${e2e.temporal.port}`,
      STIGMER_BACKEND_ENDPOINT: `${expected.defaultHost}:${scenario.backend.port}`,
      SANDBOX_ROOT_DIR: '/workspace',
    });
    const workspaceNote = await workspaceOutcome(runner, run);
    record(
      engine,
      'default network → ready',
      `ready: network ${run.json?.network.mode}, services at ${expected.defaultHost}, ${workspaceNote}`,
      run,
    );
    // Where the default is the bridge, this provision is the bridge case as well (services on 0.0.0.0).
    if (expected.defaultMode === 'bridge') await bridgeOutcome(run, runner);
    await extras.ready?.(e2e, runner, run);

    const [container] = await runnerContainers(runner);
    // Its own host name, drawn when it was created: readiness counted only pollers `…@<that name>`.
    const { hostname } = await hostnameOf(container.Id);
    expect(hostname).toMatch(new RegExp(`^${runner}-[0-9a-f]{8}$`));
    const again = await cli(['run', '--json'], scenarioEnv(runner, scenario));
    expect(again.code).toBe(0);
    expect(again.json?.container).toMatchObject({ id: container.Id, action: 'reused' });
    // Reused by the warm check, without a new provision (its outcome is the first run's) — on a VM too,
    // where the container's spec has the route the provision measured (the warm check does not measure).
    expect(again.json?.runId).toBe(run.json?.runId);
    expect(await runnerContainers(runner)).toHaveLength(1);
    expect((await hostnameOf(container.Id)).hostname).toBe(hostname);
    record(engine, 'second run', `ready, container ${again.json?.container?.action}`, again);
  });

  /** The bridge case as this engine gives it: the alias, its /etc/hosts entries, the address the runner has. */
  const bridgeOutcome = async (run: CliRun, runner: string): Promise<void> => {
    expect(run.json).toMatchObject({
      status: 'ready',
      network: { mode: 'bridge', extraHosts: expected.bridgeExtraHosts, hostAlias: expected.bridgeAlias },
    });
    expect((await containerEnv(runner)).TEMPORAL_SERVICE_ADDRESS).toBe(`${expected.bridgeAlias}:${e2e.temporal.port}`);
    record(
      engine,
      'bridge, services on 0.0.0.0',
      `ready via ${expected.bridgeAlias}${expected.bridgeExtraHosts.length ? ` (${expected.bridgeExtraHosts.join(', ')})` : ''}${expected.defaultMode === 'bridge' ? ' (the default network)' : ''}`,
      run,
    );
  };

  extras.tests?.(e2e);
  if (set === 'core') return;

  // Only where the bridge is not already the default (above): the same provision twice proves nothing more.
  if (expected.defaultMode !== 'bridge')
    test(`--network bridge, services on all interfaces: ready through ${expected.bridgeAlias}`, async () => {
      const runner = name('bridge');
      const run = await cli(['run', '--network', 'bridge', '--json'], scenarioEnv(runner, await services('0.0.0.0')));
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.code).toBe(0);
      await bridgeOutcome(run, runner);
    });

  test('the seed bug — a bridged container handed localhost — fails at once, non-retryably, naming the cause', async () => {
    const runner = name('seed');
    const run = await cli(
      ['run', '--network', 'bridge', '--json'],
      scenarioEnv(runner, await services('0.0.0.0'), { STIGMER_RUNNER_HOST_ALIAS: 'localhost' }),
    );
    expect(run.code).toBe(3);
    expect(step(run, 'verifyConnectivity')).toMatchObject({ status: 'failed', attempts: 1 });
    const ollama = run.json?.diagnosis.find((entry) => entry.service === 'ollama');
    expect(ollama?.cause).toBe('localhost inside a bridged container is the container itself, not this machine');
    record(engine, 'seed bug: bridged runner handed localhost', `exit 3 after 1 attempt: ${ollama?.cause}`, run);
  });

  test(`Ollama on 127.0.0.1 only, behind a bridge: ${expected.loopbackOnlyBridge}`, async () => {
    const runner = name('loopback');
    const backend = await startBackendStandIn({ host: '0.0.0.0' });
    const ollama = await startOllamaStandIn({ host: '127.0.0.1' });
    e2e.cleanup(() => backend.close());
    e2e.cleanup(() => ollama.close());
    const run = await cli(
      ['run', '--network', 'bridge', '--json'],
      scenarioEnv(runner, { backend, ollama, ollamaUrl: `http://localhost:${ollama.port}` }),
    );
    if (expected.loopbackOnlyBridge === 'reachable') {
      expect(run.code).toBe(0);
      record(
        engine,
        'Ollama on 127.0.0.1 only, bridge',
        `ready: ${expected.bridgeAlias} reaches this machine's loopback`,
        run,
      );
      return;
    }
    expect(run.code).toBe(3);
    expect(step(run, 'verifyConnectivity')).toMatchObject({ status: 'failed', attempts: 1 });
    const diagnosis = run.json?.diagnosis.find((entry) => entry.service === 'ollama');
    const gateway =
      /^Ollama listens on 127\.0\.0\.1 only, so the bridge gateway (\d+\.\d+\.\d+\.\d+) cannot reach it$/.exec(
        diagnosis?.cause ?? '',
      )?.[1];
    expect(gateway).toBeDefined();
    // Bound to the gateway the runner dials, never to every interface (issue 23).
    expect(diagnosis?.fix).toMatch(
      new RegExp(`^set OLLAMA_HOST=${gateway?.replace(/\./g, '\\.')}:11434 and restart Ollama \\(not 0\\.0\\.0\\.0,`),
    );
    record(engine, 'Ollama on 127.0.0.1 only, bridge', `exit 3, named: ${diagnosis?.cause}`, run);
  });

  test('Ollama down: retried, then failed naming host:port; the runner is stopped (kept for its logs) and polls no more', async () => {
    const runner = name('down');
    const scenario = await services(expected.defaultMode === 'host' ? '127.0.0.1' : '0.0.0.0', 'down');
    // Retries over ~3 s (1 s, then 2 s): the runner, which polls about a second after it starts, has polled
    // before it is stopped — else "polls no more" below would hold of a runner that never polled.
    const run = await cli(
      ['run', '--json', '--verify-attempts', '3', '--verify-interval-ms', '1000'],
      scenarioEnv(runner, scenario),
    );
    expect(run.code).toBe(3);
    expect(step(run, 'verifyConnectivity')).toMatchObject({ status: 'failed', attempts: 3 });
    const port = scenario.ollamaUrl.split(':')[2];
    expect(run.json?.diagnosis.find((entry) => entry.service === 'ollama')?.summary).toContain(
      `from this machine http://localhost:${port}/api/tags failed: ECONNREFUSED`,
    );

    const [container] = await runnerContainers(runner);
    expect(container.State).toBe('exited');
    const inspected = await e2e.docker.getContainer(container.Id).inspect();
    const finished = Date.parse(inspected.State.FinishedAt);
    const connection = await Connection.connect({ address: e2e.temporal.address });
    try {
      const own = (await listPollers(connection, 'default', 'agent_execution_runner')).filter((poller) =>
        poller.identity.endsWith(`@${inspected.Config.Hostname}`),
      );
      // Listed for minutes after it stopped, but no poll since: nothing of this runner takes work. It must be
      // listed at all: an empty list (a runner that never polled, or a listing that misses it) proves nothing.
      expect(own.length).toBeGreaterThan(0);
      for (const poller of own) expect(Date.parse(poller.lastAccessTime)).toBeLessThanOrEqual(finished + 500);
    } finally {
      await connection.close();
    }
    const shown = await cli(['status', '--json'], scenarioEnv(runner, scenario));
    expect(shown).toMatchObject({ code: 8 }); // the stopped runner is not healthy, and status says so now
    const status = JSON.parse(shown.stdout);
    expect(status.containers).toEqual([expect.objectContaining({ name: runner, state: 'exited' })]);
    expect(status.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'container-not-running', state: 'exited' })]),
    );
    expect(status.lastProvision.progress.stoppedAfterFailure).toMatchObject({ container: runner, stopped: true });
    record(engine, 'Ollama down', 'exit 3 after 3 attempts; runner stopped, no poll after it stopped', run);
  });

  test("a container of the runner's name that stigmer-runner did not make: refused naming --replace, left untouched; replaced with --replace, then torn down through its own workflow", async () => {
    const runner = name('stale');
    const users = await e2e.docker.createContainer({
      name: runner,
      Image: e2e.image,
      Labels: { 'dev.stigmer.test-run': runner },
    });
    e2e.cleanup(() =>
      e2e.docker
        .getContainer(runner)
        .remove({ force: true })
        .catch(() => undefined),
    );
    // As the engine recorded the image it was created from (Podman names a local one localhost/…).
    const before = await users.inspect();
    const env = scenarioEnv(runner, await services(expected.defaultMode === 'host' ? '127.0.0.1' : '0.0.0.0'));

    const refused = await cli(['run', '--json'], env);
    expect(refused.code).toBe(5);
    expect(refused.json).toMatchObject({ status: 'failed', error: { type: 'PolicyRefused' } });
    expect(refused.json?.error?.message).toBe(
      `stigmer-runner will not replace container ${runner} (image ${before.Config.Image}): it carries no stigmer-runner labels ` +
        `(dev.stigmer.managed-by=stigmer-runner), so stigmer-runner did not make it; to replace it, run ` +
        '`stigmer-runner run --replace` (workflow input: flags.replace: true); or remove or rename it yourself, ' +
        'or choose another runner name (--runner)',
    );
    expect(refused.json?.refusals).toEqual([
      expect.objectContaining({ subject: 'container', value: runner, setting: 'flags.replace', rule: 'not-managed' }),
    ]);
    // A teardown refuses it too, and removes nothing.
    const teardown = await cli(['teardown'], env);
    expect(teardown.code).toBe(5);
    expect(teardown.stdout).toContain(
      `✗ runner ${runner} was not torn down: stigmer-runner will not remove container ${runner}`,
    );
    expect(teardown.stdout).toContain('`stigmer-runner teardown --replace`');
    // Untouched: the same container, never started, its labels as the user set them.
    const after = await users.inspect();
    expect({ id: after.Id, state: after.State.Status, labels: after.Config.Labels }).toEqual({
      id: before.Id,
      state: before.State.Status,
      labels: before.Config.Labels,
    });
    record(
      engine,
      "unlabelled container with the runner's name",
      `run: exit ${refused.code} ${refused.json?.error?.type}, naming --replace; teardown: exit ${teardown.code}; container untouched`,
      refused,
    );

    const replaced = await cli(['run', '--replace', '--json'], env);
    expect(replaced.code).toBe(0);
    expect(replaced.json?.container).toMatchObject({
      action: 'replaced',
      replacedBecause: `container ${runner} (image ${before.Config.Image}) was not created by stigmer-runner: replaced as the input asked (flags.replace: true)`,
    });
    const containers = await runnerContainers(runner);
    expect(containers).toHaveLength(1);
    expect(containers[0].Id).not.toBe(before.Id);
    expect(containers[0].Labels[LABELS.managedBy]).toBe('stigmer-runner');
    record(
      engine,
      "unlabelled container with the runner's name, --replace",
      `${replaced.json?.container?.action}, one container, ready`,
      replaced,
    );

    // Now it is ours, a teardown removes it, through its own workflow.
    const removed = await cli(['teardown', '--json'], env);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout).removed).toEqual([
      expect.objectContaining({ id: containers[0].Id, name: runner, state: 'running' }),
    ]);
    expect(await runnerContainers(runner)).toEqual([]);
    record(engine, 'teardown', 'removed', removed);
  });
}
