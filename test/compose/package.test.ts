/**
 * The tool as a user installs it: `npm pack` in a copy of the tracked files with no dist/ (as a
 * fresh clone has: its `prepack` must build it), then a global install of that tarball into an
 * empty prefix with runtime dependencies only, then the installed command — `--help`, `plan`,
 * `status`, and a standalone `worker` that loads the prebuilt workflow bundle and polls a real dev
 * server. Nothing here may reach back into this checkout.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { temporal as temporal_api } from '@temporalio/proto';
import { PROVISIONING_TASK_QUEUE } from '../../src/core/contract/names';
import { waitUntil } from '../../src/core/wait';
import { runProgram, spawnProgram, type Run } from '../support/process';
import { startTestTemporal, type TestTemporal } from '../support/temporal-server';

jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..');

let work: string;
let tarball: string;
let prefix: string;
let installed: string;
let temporal: TestTemporal;

/** The installed command, with a home of its own and no path back to this checkout. */
function stigmer(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runProgram(join(prefix, 'bin', 'stigmer-runner'), args, {
    cwd: work,
    env: { PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`, HOME: join(work, 'home'), ...env },
    timeoutMs: 60_000,
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stigmer-package-'));
  const clone = join(work, 'clone');
  const tracked = await runProgram('git', ['ls-files', '-z'], {
    cwd: ROOT,
    env: process.env as Record<string, string>,
    timeoutMs: 30_000,
  });
  for (const file of tracked.stdout.split('\0').filter((name) => name && existsSync(join(ROOT, name)))) {
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    cpSync(join(ROOT, file), join(clone, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
  const pack = await runProgram('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: clone,
    env: process.env as Record<string, string>,
    timeoutMs: 240_000,
  });
  expect(pack).toMatchObject({ code: 0 });
  const [{ filename }] = JSON.parse(pack.stdout) as { filename: string }[];
  tarball = join(work, filename);
  prefix = join(work, 'prefix');
  const install = await runProgram(
    'npm',
    ['install', '--global', '--prefix', prefix, '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { cwd: work, env: process.env as Record<string, string>, timeoutMs: 240_000 },
  );
  expect(install).toMatchObject({ code: 0 });
  installed = join(prefix, 'lib', 'node_modules', 'stigmer-runner');
  temporal = await startTestTemporal();
});

afterAll(async () => {
  await temporal?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

it('carries the compiled CLI and the prebuilt workflow bundle, and no sources, tests or dev dependencies', () => {
  expect(existsSync(join(installed, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
  expect(existsSync(join(installed, 'dist', 'workflow-bundle.js'))).toBe(true);
  expect(existsSync(join(installed, 'src'))).toBe(false);
  expect(existsSync(join(installed, 'dist', 'test'))).toBe(false);
  expect(existsSync(join(installed, 'dist', 'src', 'cli', 'cli.test.js'))).toBe(false);
  const modules = readdirSync(join(installed, 'node_modules'));
  expect(modules).toEqual(expect.arrayContaining(['dockerode', 'yaml', 'zod', '@temporalio']));
  for (const dev of ['typescript', 'jest', 'ts-jest', 'eslint', 'fast-check']) expect(modules).not.toContain(dev);
});

it('answers --help and plans for another platform with no Temporal and no engine', async () => {
  const help = await stigmer(['--help']);
  expect(help).toMatchObject({ code: 0 });
  expect(help.stdout).toMatch(/stigmer-runner run/);
  const plan = await stigmer(['plan', '--platform', 'darwin', '--json']);
  expect(plan).toMatchObject({ code: 0 });
  expect(JSON.parse(plan.stdout)).toMatchObject({ network: { mode: 'bridge', engine: { inVm: true } } });
});

it('reads the status of a runner it never provisioned from a real Temporal', async () => {
  const status = await stigmer(['status', '--runner', 'never-made'], { TEMPORAL_ADDRESS: temporal.address });
  expect(status).toMatchObject({ code: 8 }); // read from Temporal and the engine: no runner, so not healthy
  expect(status.stdout).toMatch(
    /runner never-made: not healthy \(no container; .*\n\s+container: none.*\n[\s\S]*\n\s+last provision: none/,
  );
  expect(status.stderr).not.toMatch(/Cannot find module|MODULE_NOT_FOUND/);
});

it('runs a standalone worker from the prebuilt bundle that polls the provisioning queue', async () => {
  await using worker = spawnProgram(join(prefix, 'bin', 'stigmer-runner'), ['worker'], {
    cwd: work,
    env: { PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`, HOME: join(work, 'home'), TEMPORAL_ADDRESS: temporal.address },
  });
  await worker.waitForLine(/worker started/, 60_000);
  // Workflow tasks: only a worker that loaded the workflow bundle polls them.
  const pollers = await waitUntil(
    async () => {
      const { pollers } = await temporal.env.client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: PROVISIONING_TASK_QUEUE },
        taskQueueType: temporal_api.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return pollers.length > 0 ? pollers : undefined;
    },
    { intervalMs: 200, timeoutMs: 30_000, what: 'the installed worker polling runner_provisioning' },
  );
  expect(pollers[0].identity).toContain(`stigmer-runner worker`);
  expect(worker.output()).not.toMatch(/bundl(e|ing) from source|webpack/i);
});
