/**
 * The worker image's build stage, without an image (nothing can be pulled here): exactly the paths
 * the Dockerfile's build stage copies, this checkout's node_modules standing in for its `npm install`,
 * then its `npm run build`; and the runtime stage's layout (package.json, bin, dist) runs the CLI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runProgram, type Run } from '../support/process';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');

interface Copy {
  sources: string[];
  dest: string;
}

/** COPY instructions of the first stage (up to the second FROM), `--from` copies excluded. */
function buildStageCopies(dockerfile: string): Copy[] {
  const stages = dockerfile.split(/^FROM\s/m).slice(1);
  if (stages.length === 0) throw new Error('no FROM in the Dockerfile');
  return stages[0]
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^COPY\s/i.test(line) && !/--from=/.test(line))
    .map((line) => {
      const parts = line
        .split(/\s+/)
        .slice(1)
        .filter((part) => !part.startsWith('--'));
      return { sources: parts.slice(0, -1), dest: parts[parts.length - 1] };
    });
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return runProgram(command, args, { cwd, env: { ...process.env, ...env }, timeoutMs: 170_000 });
}

let context: string;

beforeAll(async () => {
  context = await mkdtemp(join(tmpdir(), 'stigmer-dockerfile-'));
});

afterAll(async () => {
  if (context) await rm(context, { recursive: true, force: true });
});

test('the build stage copies only paths that exist, and npm run build succeeds on them alone', async () => {
  const copies = buildStageCopies(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  expect(copies.length).toBeGreaterThan(0);
  for (const { sources, dest } of copies) {
    for (const source of sources) {
      expect(existsSync(join(ROOT, source))).toBe(true);
      // Docker's rule: into a directory (`dest/`, or several sources) the source keeps its name; else it becomes dest.
      const target =
        dest.endsWith('/') || sources.length > 1 ? join(context, dest, basename(source)) : join(context, dest);
      await mkdir(join(target, '..'), { recursive: true });
      await cp(join(ROOT, source), target, { recursive: true });
    }
  }
  await symlink(join(ROOT, 'node_modules'), join(context, 'node_modules'), 'dir');

  const build = await run('npm', ['run', '--silent', 'build'], context);
  expect({ code: build.code, output: build.code === 0 ? '' : `${build.stdout}${build.stderr}` }).toEqual({
    code: 0,
    output: '',
  });
  expect(existsSync(join(context, 'dist', 'workflow-bundle.js'))).toBe(true);

  // The runtime stage keeps package.json, bin and dist: the CLI starts from them.
  await rm(join(context, 'src'), { recursive: true, force: true });
  const plan = await run('node', ['bin/stigmer-runner.js', 'plan', '--platform', 'linux', '--json'], context, {
    HOME: context,
  });
  expect(plan.stderr).toBe('');
  expect(plan.code).toBe(0);
  expect(JSON.parse(plan.stdout)).toHaveProperty('network');
});
