/**
 * What a command loads, on the compiled CLI (the real require graph): `plan` needs neither Temporal
 * nor an engine, so it must not pay for loading their clients; `status`, `teardown`, `hosts` and `run`
 * load the worker only when they start one. Asserts which modules load, never how long that takes
 * (`npm run bench` reports C1, plan's start time).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import freshDist from '../../test/support/fresh-dist';
import { runNode } from '../../test/support/process';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'stigmer-runner.js');

let dir: string;
beforeAll(async () => {
  freshDist(); // this file runs dist/: refuse a stale one, naming `npm run build`
  dir = await mkdtemp(join(tmpdir(), 'stigmer-startup-'));
  // Writes the id (path) of every module the process loaded, when it exits.
  await writeFile(
    join(dir, 'report-modules.js'),
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.MODULES_FILE, JSON.stringify(Object.keys(require.cache))));\n",
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The modules `node ARGS` loaded (the project's relative to it), after checking it exited 0. */
async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const file = join(dir, 'modules.json');
  await rm(file, { force: true });
  const env = { PATH: process.env.PATH, HOME: dir, MODULES_FILE: file };
  const { code, stderr } = await runNode(['-r', join(dir, 'report-modules.js'), ...args], {
    cwd: ROOT,
    env,
    timeoutMs: 30_000,
  });
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const ids = JSON.parse(await readFile(file, 'utf8')) as string[];
  return ids.map((id) => (id.startsWith(`${ROOT}/`) ? id.slice(ROOT.length + 1) : id));
}

/** The npm package a module belongs to (`@temporalio/client`, `zod`); undefined for the project's own. */
const packageOf = (id: string) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id)?.[1];

/**
 * All `plan` may load beside its own modules: the config file's parser, and temporal.toml read as
 * Temporal's CLI reads it (envconfig, which takes a few helpers from @temporalio/common but not its
 * index, the SDK's payload converters and protobufs). No @temporalio/client, worker or proto, no
 * @grpc, no dockerode, and no zod (the config cascade checks values with plain functions).
 */
const PLAN_PACKAGES = ['@temporalio/common', '@temporalio/envconfig', 'smol-toml', 'yaml'];
const WORKER = /\/node_modules\/@temporalio\/worker\/|^dist\/src\/provisioning-worker\.js$/;

describe('plan --platform loads neither the Temporal SDK nor an engine client nor the worker', () => {
  it.each([
    ['text', []],
    ['json', ['--json']],
  ])('%s', async (_, json) => {
    const loaded = await modulesLoadedBy([CLI, 'plan', '--platform', 'darwin', ...json]);
    expect(loaded).toContain('dist/src/cli/plan.js'); // the preload saw the CLI at work
    const packages = new Set(loaded.map(packageOf).filter((name) => name !== undefined));
    expect([...packages].filter((name) => !PLAN_PACKAGES.includes(name)).sort()).toEqual([]);
    const heavy =
      /\/@temporalio\/common\/lib\/index\.js$|^dist\/src\/(provisioning-worker|docker\/client|temporal\/connection)\.js$/;
    expect(loaded.filter((id) => heavy.test(id))).toEqual([]);
  });
});

test('--help loads no command', async () => {
  const loaded = await modulesLoadedBy([CLI, 'status', '--help']);
  expect(loaded.filter((id) => /\/node_modules\//.test(id) || /^dist\/src\/cli\/(?!main\.js)/.test(id))).toEqual([]);
});

test('logs talks only to the engine: it loads no Temporal client or worker (the config cascade reads envconfig, as plan does)', async () => {
  const loaded = await modulesLoadedBy(['-e', "require('./dist/src/cli/logs.js')"]);
  expect(loaded).toContain('dist/src/cli/logs.js');
  const temporal =
    /\/@temporalio\/(client|worker|core-bridge)\/|\/@temporalio\/common\/lib\/index\.js$|^dist\/src\/(cli\/session|temporal\/connection)\.js$/;
  expect(loaded.filter((id) => temporal.test(id))).toEqual([]);
});

describe('the commands that talk to Temporal load the worker only when they start one', () => {
  it.each(['status', 'teardown', 'hosts', 'run'])('%s', async (command) => {
    const loaded = await modulesLoadedBy(['-e', `require('./dist/src/cli/${command}.js')`]);
    expect(loaded).toContain(`dist/src/cli/${command}.js`);
    expect(loaded.filter((id) => WORKER.test(id))).toEqual([]);
  });
});
