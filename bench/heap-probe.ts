/**
 * Preloaded into P5's worker (`node --expose-gc -r …/heap-probe.js`): for each `heap` line on stdin it
 * collects garbage and prints `heap N <bytes used>` — the heap that survives, so growth across rounds
 * is what the worker keeps, not collection timing (RSS alone moved ±20 MiB between rounds). Stdin, not
 * a signal: the Temporal runtime takes SIGUSR2 as a shutdown signal, and SIGUSR1 is Node's debugger.
 */
let readings = 0;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  for (const line of chunk.split('\n')) {
    if (line.trim() !== 'heap') continue;
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write(`heap ${++readings} ${process.memoryUsage().heapUsed}\n`);
  }
});
