import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { RELEASE_LABEL, RUNNER_RELEASES, type RunnerReleaseId } from '../../src/core/runner/releases';
import { projectRoot } from '../../src/temporal/dev-server';

const PROJECT_ROOT = projectRoot();
/** The recipe's own source is part of the tag, the same whether this runs as TypeScript or compiled. */
const RECIPE = join(PROJECT_ROOT, 'test', 'support', 'runner-image.ts');
const RUNNER_SCRIPT = join(PROJECT_ROOT, 'test', 'runner-image', 'agent-runner.js');
const BRIDGE_TARGET = 'x86_64-unknown-linux-gnu';
// Not needed at run time; a third of the module tree's size.
const TYPINGS_AND_SOURCE_MAPS = /\.([cm]?ts|map)$/;
/** Every release's stand-in is a tag of this one repository (a worker's policy lists it once). */
export const STAND_IN_REPOSITORY = 'stigmer-agent-runner';
export const TEST_IMAGE_LABEL = 'dev.stigmer.test-image=agent-runner';

/**
 * Each stand-in runs as a non-root user of its own, named in /etc/passwd, as the real images do
 * (`USER stigmer`, uid 1000): a workspace only root can write must show up in the tests.
 */
export const STAND_IN_USERS: Record<RunnerReleaseId, { name: string; uid: number }> = {
  'python-2026-01': { name: 'stigmer', uid: 1000 },
  'python-native-2026': { name: 'stigmer', uid: 1000 },
  'typescript-2026': { name: 'runner', uid: 1001 },
};

/** Which stand-ins carry python3 besides node (the runner itself is node in all of them). */
export const STAND_IN_PYTHON: Record<RunnerReleaseId, boolean> = {
  'python-2026-01': true,
  'python-native-2026': true,
  'typescript-2026': false,
};

interface Package {
  name: string;
  version: string;
  dir: string;
}

async function readPackage(dir: string): Promise<Package & { dependencies: Record<string, string> }> {
  const json = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    dependencies?: Record<string, string>;
  };
  return { name: json.name, version: json.version, dir, dependencies: json.dependencies ?? {} };
}

/** Node's lookup: the nearest node_modules/<name> from `fromDir` up to the project root. */
function resolvePackageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; dir.startsWith(PROJECT_ROOT); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === PROJECT_ROOT) break;
  }
  throw new Error(`cannot resolve ${name} from ${fromDir}; run npm install`);
}

/** @temporalio/worker and everything its package.json `dependencies` pull in, transitively. */
async function workerRuntimeClosure(): Promise<Package[]> {
  const found = new Map<string, Package>();
  const visit = async (name: string, fromDir: string): Promise<void> => {
    const dir = resolvePackageDir(name, fromDir);
    if (found.has(dir)) return;
    const pkg = await readPackage(dir);
    found.set(dir, pkg);
    for (const dep of Object.keys(pkg.dependencies)) await visit(dep, dir);
  };
  await visit('@temporalio/worker', PROJECT_ROOT);
  return [...found.values()];
}

/** Absolute paths of the shared objects `ldd` reports, the dynamic loader included. */
async function sharedLibraries(...binaries: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)('ldd', binaries);
  return [...stdout.matchAll(/(\/\S+) \(0x[0-9a-f]+\)/g)].map((m) => m[1]);
}

/**
 * The Python releases' stand-ins carry this machine's python3, as Stigmer's real runner image carries
 * its own: the Python probe (the one the real runner gets) then runs inside their containers. The
 * TypeScript release's has none, so the node probe keeps running somewhere too.
 */
const PYTHON_BINARY = '/usr/bin/python3';
/** What a probe never imports: build, test and GUI parts of the standard library (half its size). */
const PYTHON_UNUSED =
  /^(config-[^/]*|test|idlelib|tkinter|turtledemo|ensurepip|lib2to3|pydoc_data|distutils|site-packages|dist-packages)$/;

async function pythonInstall(): Promise<{ binary: string; lib: string; extensions: string[] }> {
  const binary = await realpath(PYTHON_BINARY); // /usr/bin/python3.11
  const lib = join('/usr/lib', binary.split('/').pop() ?? 'python3');
  const dynload = join(lib, 'lib-dynload');
  const extensions = (await readdir(dynload)).filter((name) => name.endsWith('.so')).map((name) => join(dynload, name));
  return { binary, lib, extensions };
}

async function stagePython(rootfs: string): Promise<void> {
  const { binary, lib, extensions } = await pythonInstall();
  for (const file of [binary, ...(await sharedLibraries(binary, ...extensions))]) {
    await mkdir(join(rootfs, dirname(file)), { recursive: true });
    await cp(file, join(rootfs, file), { dereference: true });
  }
  await symlink(binary.split('/').pop() ?? 'python3', join(rootfs, 'usr', 'bin', 'python3'));
  await cp(lib, join(rootfs, lib), {
    recursive: true,
    dereference: true,
    filter: (src) => !PYTHON_UNUSED.test(relative(lib, src).split(sep)[0]),
  });
}

function imageTag(contract: RunnerReleaseId, script: Buffer, recipe: Buffer, packages: Package[]): string {
  const hash = createHash('sha256')
    .update(script)
    .update(recipe)
    .update(process.version)
    .update(JSON.stringify(RUNNER_RELEASES[contract]));
  for (const pkg of packages
    .filter((p) => p.name.startsWith('@temporalio/'))
    .sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${pkg.name}@${pkg.version}\n`);
  }
  return `${STAND_IN_REPOSITORY}:test-${contract}-${hash.digest('hex').slice(0, 12)}`;
}

async function stageRootfs(
  rootfs: string,
  contract: RunnerReleaseId,
  script: Buffer,
  packages: Package[],
): Promise<void> {
  const bridge = packages.find((p) => p.name === '@temporalio/core-bridge');
  if (!bridge) throw new Error('@temporalio/core-bridge is not in the runtime closure of @temporalio/worker');
  const nativeBridge = join(bridge.dir, 'releases', BRIDGE_TARGET, 'index.node');
  const libraries = new Set([...(await sharedLibraries(process.execPath)), ...(await sharedLibraries(nativeBridge))]);

  await mkdir(join(rootfs, 'usr', 'bin'), { recursive: true });
  await cp(process.execPath, join(rootfs, 'usr', 'bin', 'node'));
  // Copied to the paths ldd printed (dereferenced), so PT_INTERP and the loader's search paths just work.
  for (const lib of libraries) {
    await mkdir(join(rootfs, dirname(lib)), { recursive: true });
    await cp(lib, join(rootfs, lib), { dereference: true });
  }
  // Without nsswitch.conf glibc asks DNS before /etc/hosts; names like host.docker.internal must come from /etc/hosts.
  await mkdir(join(rootfs, 'etc'));
  await writeFile(join(rootfs, 'etc', 'nsswitch.conf'), 'hosts: files dns\n');
  const user = STAND_IN_USERS[contract];
  await writeFile(
    join(rootfs, 'etc', 'passwd'),
    `root:x:0:0:root:/root:/bin/false\n${user.name}:x:${user.uid}:${user.uid}::/app:/bin/false\n`,
  );
  await writeFile(join(rootfs, 'etc', 'group'), `root:x:0:\n${user.name}:x:${user.uid}:\n`);

  const app = join(rootfs, 'app');
  await mkdir(app);
  await writeFile(join(app, 'agent-runner.js'), script);
  await writeFile(join(app, 'contract.json'), JSON.stringify(RUNNER_RELEASES[contract]));
  for (const pkg of packages) {
    const skip = pkg === bridge ? new Set(['sdk-core', 'src', 'node_modules']) : new Set(['node_modules']);
    await cp(pkg.dir, join(app, relative(PROJECT_ROOT, pkg.dir)), {
      recursive: true,
      dereference: true,
      filter: (src) => {
        if (TYPINGS_AND_SOURCE_MAPS.test(src)) return false;
        const parts = relative(pkg.dir, src).split(sep);
        if (skip.has(parts[0])) return false;
        return !(pkg === bridge && parts[0] === 'releases' && parts[1] !== undefined && parts[1] !== BRIDGE_TARGET);
      },
    });
  }

  if (STAND_IN_PYTHON[contract]) await stagePython(rootfs);
  await mkdir(join(rootfs, 'workspace'));
  await mkdir(join(rootfs, 'tmp'));
  await chmod(join(rootfs, 'tmp'), 0o1777);
}

async function buildFromContext(docker: Dockerode, context: string, tag: string): Promise<void> {
  const tar = spawn('tar', ['-C', context, '-cf', '-', 'Dockerfile', 'rootfs'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarErrors = '';
  tar.stderr.on('data', (chunk: Buffer) => (tarErrors += chunk.toString()));
  const tarDone = new Promise<void>((resolve, reject) =>
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}: ${tarErrors}`)))),
  );
  const stream = await docker.buildImage(tar.stdout, { t: tag, rm: true, forcerm: true });
  const events = await new Promise<Array<{ error?: string; errorDetail?: { message?: string } }>>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) =>
      err ? reject(err) : resolve(out),
    ),
  );
  await tarDone;
  // Build failures arrive as events in a successful stream, not as `err`.
  const failure = events.find((e) => e.error || e.errorDetail);
  if (failure) throw new Error(`building ${tag} failed: ${failure.errorDetail?.message ?? failure.error}`);
}

/**
 * The tag of a registry-free, FROM scratch image running test/runner-image/agent-runner.js with the host's
 * node as the stand-in for one runner release; built only when no image carries the tag, which hashes
 * the script, this recipe, the contract, node's version and the @temporalio versions.
 */
export async function ensureTestRunnerImage(
  docker: Dockerode,
  contract: RunnerReleaseId = 'python-2026-01',
): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`the test runner image needs linux/x64, not ${process.platform}/${process.arch}`);
  const script = await readFile(RUNNER_SCRIPT);
  const packages = await workerRuntimeClosure();
  const tag = imageTag(contract, script, await readFile(RECIPE), packages);
  try {
    await docker.getImage(tag).inspect();
    return tag;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }

  const context = await mkdtemp(join(tmpdir(), 'stigmer-runner-image-'));
  try {
    await stageRootfs(join(context, 'rootfs'), contract, script, packages);
    await writeFile(
      join(context, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY rootfs/ /',
        'ENV PATH=/usr/bin:/bin',
        'WORKDIR /app',
        `LABEL ${TEST_IMAGE_LABEL} ${RELEASE_LABEL}=${contract}`,
        `USER ${STAND_IN_USERS[contract].name}`,
        'CMD ["node","/app/agent-runner.js"]',
        '',
      ].join('\n'),
    );
    await buildFromContext(docker, context, tag);
    return tag;
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}
