/**
 * What only an engine in a VM shows, on the real thing (Docker inside QEMU, scripts/lib/vm.sh): that
 * `plan` knows it is in a VM from the engine's own facts, the route to this machine as measured (a
 * different one in each VM's addressing, so no hard-coded address passes both), the seeds' macOS
 * failure — `--network host` — explained, and the workspace: shared and given to the runner's user
 * inside the VM, or, where the VM cannot see this machine's folders, the engine's volume, said.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execInContainer } from '../../../src/docker/exec';
import { stepOf as step, type CliRun, type E2E } from '../../support/e2e-harness';
import type { VmEngine } from '../../support/engines';
import { EXPECTED, recordRow, type EngineExtras, type PlanJson } from './scenarios';

/** The route each VM's addressing leaves: the first candidate that reached this machine, and what was tried before it. */
const ROUTES: Record<VmEngine, { alias: string; target?: string; failedBefore: string[] }> = {
  'vm-desktop': { alias: 'host.docker.internal', target: 'host-gateway', failedBefore: [] },
  'vm-plain': {
    alias: '10.0.2.2',
    failedBefore: ['host.docker.internal>host-gateway', 'host.docker.internal>', 'host.containers.internal>'],
  },
};

/**
 * The matrix's provisions, checked for what only a VM shows: its plan (where it runs, the route), its
 * default runner's workspace; and the one provision only a VM needs (`--network host` forced).
 */
export function vmExtras(engine: VmEngine): EngineExtras {
  return {
    plan: (shown) => routeChecks(engine, shown),
    ready: (e2e, runner, run) => workspaceChecks(engine, e2e, runner, run),
    tests: (e2e) => hostNetworkForced(engine, e2e),
  };
}

/** The plan's route, measured: the first candidate that reached this machine, and the ones that failed before it. */
function routeChecks(engine: VmEngine, { network }: PlanJson): void {
  // Facts that differ from this machine's are named, not merely counted.
  expect(network.placement.differing).toEqual(expect.arrayContaining(['kernelRelease', 'hostName']));
  const route = ROUTES[engine];
  expect(network.route.chosen).toMatchObject({ alias: route.alias, reached: ['temporal', 'backend', 'ollama'] });
  expect(network.route.chosen.target).toBe(route.target);
  const trials: Array<{ alias: string; target?: string; reached: string[] }> = network.route.trials;
  const before = trials.slice(
    0,
    trials.findIndex((trial) => trial.alias === route.alias),
  );
  expect(before.map((trial) => `${trial.alias}>${trial.target ?? ''}`)).toEqual(route.failedBefore);
  for (const trial of before) expect(trial.reached).toEqual([]);
  expect(network.hostAlias).toBe(route.alias);
  expect(network.reasons.join('\n')).toContain(`this machine is ${route.alias}`);
  recordRow(
    engine,
    'plan: where the engine runs, the route measured',
    `in a VM (${network.placement.differing.join(', ')} differ); route ${route.alias}${route.target ? ` (${route.target})` : ''}${before.length ? ` after ${before.length} that failed` : ''}`,
  );
}

/**
 * The workspace: this machine's folder where the VM shares it, written by the runner's user inside
 * the VM and landing here with its uid; else the engine's volume, said, and a file put here unseen.
 */
async function workspaceChecks(engine: VmEngine, e2e: E2E, runner: string, run: CliRun): Promise<void> {
  const folder = join(e2e.home, '.stigmer', 'data', runner);
  const [info] = await e2e.runnerContainers(runner);
  const container = e2e.docker.getContainer(info.Id);
  const wrote = await execInContainer(
    container,
    ['node', '-e', 'require("fs").writeFileSync("/workspace/from-runner.txt", String(process.getuid()))'],
    60_000,
  );
  expect(wrote.exitCode).toBe(0);
  const mounts = (await container.inspect()).Mounts.filter((mount) => mount.Destination === '/workspace');
  const note = run.json?.container?.workspace?.note ?? '';
  if (EXPECTED[engine].workspace === 'bind') {
    expect(mounts).toEqual([expect.objectContaining({ Type: 'bind', Source: folder })]);
    // Given to the image's user by a probe run as root inside the VM (the folder starts as this process's).
    expect(note).toMatch(
      /^the engine sees this folder \(its VM shares it\); given to the runner's user in the container \(1000:1000\)$/,
    );
    expect(await readFile(join(folder, 'from-runner.txt'), 'utf8')).toBe('1000');
    expect((await stat(join(folder, 'from-runner.txt'))).uid).toBe(1000);
    recordRow(
      engine,
      'workspace',
      'this machine’s folder (shared with the VM), given to uid 1000 and written by the runner',
      run,
    );
  } else {
    const volume = mounts[0]?.Name ?? '';
    expect(mounts).toEqual([expect.objectContaining({ Type: 'volume' })]);
    expect(volume).toMatch(new RegExp(`^stigmer-workspace-${runner}-[0-9a-f]{12}$`));
    expect(note).toContain(`the runner works in the engine's volume ${volume} instead`);
    expect(step(run, 'startContainer')?.note).toContain(`workspace in the engine's volume ${volume}`);
    // A file put in the folder here is not what the runner sees: the volume is the VM's own.
    await writeFile(join(folder, 'from-here.txt'), 'here');
    const listed = await execInContainer(
      container,
      ['node', '-e', 'process.stdout.write(require("fs").readdirSync("/workspace").join(","))'],
      60_000,
    );
    expect(listed.stdout.split(',')).toEqual(['from-runner.txt']);
    recordRow(engine, 'workspace', `the engine's volume (the VM sees no folder here), said with the fix`, run);
  }
  // Nothing of the measuring is left: no probe container on the engine, no marker in the folder.
  expect(await e2e.docker.listContainers({ all: true, filters: { label: ['dev.stigmer.probe'] } })).toEqual([]);
  expect((await readdir(folder)).filter((entry) => entry.startsWith('.stigmer-marker-'))).toEqual([]);
}

function hostNetworkForced(engine: VmEngine, { cli, services, scenarioEnv }: E2E): void {
  test('--network host forced: exit 3, the host network named as the VM’s, not this machine’s (the seeds’ macOS failure)', async () => {
    const runner = `${engine}-host-${process.pid}`;
    const run = await cli(['run', '--network', 'host', '--json'], scenarioEnv(runner, await services('0.0.0.0')));
    expect(run.code).toBe(3);
    expect(step(run, 'verifyConnectivity')).toMatchObject({ status: 'failed', attempts: 1 });
    const temporal = run.json?.diagnosis.find((entry) => entry.service === 'temporal');
    expect(temporal?.cause).toMatch(
      /^host networking on .* is the VM's network, not this machine's: 127\.0\.0\.1 in the container is the VM itself$/,
    );
    expect(temporal?.fix).toBe('use --network bridge (the default on this engine: remove --network host)');
    recordRow(engine, '--network host forced', `exit 3: ${temporal?.cause}`, run);
  });
}
