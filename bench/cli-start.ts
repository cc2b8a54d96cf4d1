/**
 * C1: how fast `stigmer-runner plan` starts — the median wall time of `plan --platform darwin` (no
 * engine, no Temporal) over that of `node -e 0`, the floor of any Node program on this machine.
 * Each rep runs both, in turn, so they share the machine's noise; one warm-up of each is not counted.
 * A fresh HOME and no settings in the env: the figure is the CLI's, not this machine's config.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runNode } from '../test/support/process';
import { round, summarize, type Summary } from './stats';

const CLI = join(__dirname, '..', '..', 'bin', 'stigmer-runner.js');
const COMMANDS = { plan: [CLI, 'plan', '--platform', 'darwin'], node: ['-e', '0'] } as const;

export interface C1 {
  plan: Summary;
  node: Summary;
  /** plan's median / node's median; the target is ≤ 4. */
  ratio: number;
}

export async function measureC1(reps: number): Promise<C1> {
  const home = await mkdtemp(join(tmpdir(), 'stigmer-bench-c1-'));
  const env = { PATH: process.env.PATH, HOME: home };
  const samples = { plan: [] as number[], node: [] as number[] };
  try {
    for (let rep = 0; rep <= reps; rep++) {
      for (const name of ['plan', 'node'] as const) {
        const started = performance.now();
        const { code, stderr } = await runNode([...COMMANDS[name]], { env, timeoutMs: 30_000 });
        const ms = performance.now() - started;
        if (code !== 0) throw new Error(`C1 ${name} exited ${code}: ${stderr}`);
        if (rep > 0) samples[name].push(ms); // rep 0 warms the disk cache
      }
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  const plan = summarize(samples.plan);
  const node = summarize(samples.node);
  return { plan, node, ratio: round(plan.medianMs / node.medianMs, 2) };
}
