/**
 * The attacker: a script run inside a runner container as its user, where agent code runs. It plants
 * what it is told in its own workspace (symlinks, files, folders), swaps a symlink in a loop while it
 * attacks if told to, then starts each workflow with the runner's own Temporal address and namespace,
 * through the image's own SDK, and reports each outcome as a JSON line.
 */
import type Dockerode from 'dockerode';
import { execInContainer } from '../../src/docker/exec';

/** What the attacker's script reports for one workflow it started. */
export interface Outcome {
  id: string;
  status: 'completed' | 'failed';
  withheld?: string;
  type?: string;
  refusals?: Array<{ subject: string; setting: string; rule: string; value: string; allow: string }>;
  message?: string;
}

const ATTACKER = `
const fs = require('fs');
const { Connection, Client } = require('@temporalio/client');
(async () => {
  const { plant = [], swap, attacks } = JSON.parse(process.argv[1]);
  for (const [op, path, arg] of plant) {
    if (op === 'symlink') fs.symlinkSync(arg, path);
    if (op === 'mkdir') fs.mkdirSync(path, { recursive: true });
    if (op === 'write') fs.writeFileSync(path, arg);
  }
  let swapping = !!swap;
  const swapper = (async () => {
    while (swapping) {
      try { fs.rmSync(swap.path, { recursive: true, force: true }); fs.symlinkSync(swap.target, swap.path); } catch {}
      await new Promise((resolve) => setImmediate(resolve));
      try { fs.rmSync(swap.path, { recursive: true, force: true }); fs.mkdirSync(swap.path); } catch {}
    }
  })();
  const connection = await Connection.connect({ address: process.env.TEMPORAL_SERVICE_ADDRESS });
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE || 'default' });
  for (const attack of attacks) {
    const handle = await client.workflow.start(attack.type, {
      taskQueue: 'runner_provisioning', workflowId: attack.id, args: [attack.input],
    });
    try {
      const result = await handle.result();
      console.log(JSON.stringify({ id: attack.id, status: 'completed', withheld: result.container && result.container.secretsWithheld }));
    } catch (error) {
      const cause = error.cause || {};
      const details = cause.details && cause.details[0];
      console.log(JSON.stringify({ id: attack.id, status: 'failed', type: cause.type, message: cause.message,
        refusals: details && details.refusals }));
    }
  }
  swapping = false;
  await swapper;
  await connection.close();
})().catch((error) => { console.error(error); process.exit(3); });
`;

/** What the attacker is told: what to plant, what to swap, which workflows to start with which input. */
export interface AttackPlan {
  plant?: Array<[op: 'symlink' | 'mkdir' | 'write', path: string, arg?: string]>;
  swap?: { path: string; target: string };
  attacks: Array<{ id: string; type: string; input: unknown }>;
}

/** Runs the attacker in `container`; its outcomes, one per attack, in order. */
export async function attackFrom(container: Dockerode.Container, plan: AttackPlan): Promise<Outcome[]> {
  const result = await execInContainer(container, ['node', '-e', ATTACKER, JSON.stringify(plan)], 240_000);
  if (result.exitCode !== 0) throw new Error(`the attacker exited ${result.exitCode}: ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Outcome);
}
