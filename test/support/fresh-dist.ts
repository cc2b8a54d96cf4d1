/**
 * Jest globalSetup of the projects that run the compiled output (e2e, ui, bench): refuses to start
 * when dist/ is missing or older than a source it is built from, naming `npm run build`. `npm test`
 * builds first; this catches `npx jest` run directly after an edit. Cheap: a stat per source file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src/temporal/dev-server';

/** What tsconfig.build.json compiles (its excludes: tests, fixtures, the jest-hook harnesses `test/support/*-harness.ts`). */
const SOURCE_DIRS = ['src', 'scripts', 'bench', join('test', 'support')];
const EXCLUDED = /\.test\.ts$|test-fixtures\.ts$|-harness\.ts$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !EXCLUDED.test(entry.name) ? [path] : [];
  });
}

/** Sources whose output is missing or older than they are, as paths relative to the project. */
export function staleOutputs(root = projectRoot()): string[] {
  const all = SOURCE_DIRS.flatMap((dir) => sources(join(root, dir)));
  const stale = all.filter((source) => {
    const output = join(root, 'dist', relative(root, source).replace(/\.ts$/, '.js'));
    return !existsSync(output) || statSync(output).mtimeMs < statSync(source).mtimeMs;
  });
  // The workflow bundle is built from src/ after tsc: older than any src/ file, it may be stale.
  const bundle = join(root, 'dist', 'workflow-bundle.js');
  const newestSrc = Math.max(
    0,
    ...all.filter((source) => source.startsWith(join(root, 'src'))).map((source) => statSync(source).mtimeMs),
  );
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSrc) stale.push(join(root, 'dist', 'workflow-bundle.js'));
  return stale.map((path) => relative(root, path));
}

export default function freshDist(): void {
  const stale = staleOutputs();
  if (stale.length === 0) return;
  const shown = stale.slice(0, 5).join(', ') + (stale.length > 5 ? `, and ${stale.length - 5} more` : '');
  throw new Error(
    `dist/ is older than its sources (${shown}): run \`npm run build\` (npm test builds first) — these tests run the compiled output`,
  );
}
