/** Measured durations from test runs, printed and kept in test-artifacts/timings.jsonl for the closing note. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

export function recordTiming(name: string, ms: number): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  appendFileSync(join(ARTIFACTS, 'timings.jsonl'), `${JSON.stringify({ name, ms, at: new Date().toISOString() })}\n`);
  process.stdout.write(`timing: ${name}: ${ms} ms\n`);
}
