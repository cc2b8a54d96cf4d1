/**
 * The main job on a machine like this one, where no image can be pulled and neither Ollama nor the
 * Stigmer backend can be installed: builds the agent-runner image locally, starts stand-ins for
 * Ollama (11434) and the backend (7234) unless something already answers there, and runs
 * `stigmer-runner run` on the embedded default (managed Temporal on 7233, UI on 8233).
 * Extra arguments go to `run`. With the real services and image, run `stigmer-runner run` instead.
 */
import { main } from '../src/cli/main';
import { connectDocker } from '../src/docker/client';
import { probeTargets } from '../src/probes/node-probe';
import { startBackendStandIn } from '../test/support/backend-standin';
import { startOllamaStandIn } from '../test/support/ollama-standin';
import { ensureTestRunnerImage } from '../test/support/runner-image';

async function answers(port: number): Promise<boolean> {
  const [result] = await probeTargets([{ id: String(port), kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 500 }]);
  return result.ok;
}

async function provisionLocal(args: string[]): Promise<number> {
  const { docker } = connectDocker();
  const image = await ensureTestRunnerImage(docker);
  console.log(`agent-runner image built locally: ${image}`);
  const stops: Array<() => Promise<void>> = [];
  try {
    if (!(await answers(11434))) {
      const ollama = await startOllamaStandIn({ port: 11434 });
      stops.push(() => ollama.close());
      console.log(`Ollama stand-in on ${ollama.url} (no Ollama answered)`);
    }
    if (!(await answers(7234))) {
      const backend = await startBackendStandIn({ port: 7234 });
      stops.push(() => backend.close());
      console.log(`Stigmer backend stand-in on ${backend.endpoint} (no backend answered)`);
    }
    return await main(['run', '--image', image, ...args], { ...process.env, STIGMER_RUNNER_PULL: 'never' });
  } finally {
    await Promise.all(stops.map((stop) => stop()));
  }
}

provisionLocal(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
