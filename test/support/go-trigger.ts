/**
 * The Go trigger (examples/go-trigger), built with the machine's Go once per version of its sources:
 * `go build` into a temp folder named by a hash of the module's files and the embedded contract, so
 * later test files (and runs) reuse the binary. Fails loudly — never skips — when Go is missing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { projectRoot } from '../../src/temporal/dev-server';
import { runProgram, type Run } from './process';

export const GO_MODULES = ['examples/go-trigger', 'docs/contract'].map((dir) => join(projectRoot(), dir));

/** `go` with this process's environment (its module and build caches are under HOME). */
export async function go(args: string[], cwd: string, timeoutMs = 600_000): Promise<Run> {
  try {
    return await runProgram('go', args, { cwd, env: process.env, timeoutMs });
  } catch (error) {
    if (/ENOENT/.test((error as Error).message))
      throw new Error(
        'Go is not installed (no `go` on PATH): the Go trigger and its tests need Go 1.26 — install it from https://go.dev/dl/',
      );
    throw error;
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(go|json)$|^go\.(mod|sum)$/.test(name) ? [path] : [];
  });
}

/** The built trigger's path: reused when its sources (and the contract it embeds) are unchanged. */
export async function buildGoTrigger(): Promise<{ binary: string; built: boolean; ms: number }> {
  const hash = createHash('sha256');
  for (const file of GO_MODULES.flatMap(sourceFiles).sort())
    hash.update(relative(projectRoot(), file)).update('\0').update(readFileSync(file)).update('\0');
  const dir = join(tmpdir(), 'stigmer-go-trigger', hash.digest('hex').slice(0, 16));
  const binary = join(dir, 'go-trigger');
  if (existsSync(binary)) return { binary, built: false, ms: 0 };
  await mkdir(dir, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  const run = await go(['build', '-o', partial, '.'], GO_MODULES[0]);
  if (run.code !== 0) throw new Error(`go build of examples/go-trigger failed (exit ${run.code}):\n${run.stderr}`);
  await rename(partial, binary); // atomic: a concurrent build of the same sources wins or loses whole
  return { binary, built: true, ms: run.ms };
}
