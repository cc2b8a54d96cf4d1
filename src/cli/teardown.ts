/** `stigmer-runner teardown`: stops and removes the runner through the teardownRunner workflow. */
import type { ConfigFlags } from '../core/settings/types';
import { commandContext, localHost } from './command';
import { startTeardown } from './start';
import { EXIT_CODES } from '../core/contract/names';
import { executionUrl, openSession } from './session';

export async function teardownCommand(
  flags: ConfigFlags,
  json: boolean,
  env: NodeJS.ProcessEnv,
  hostFlag?: string,
): Promise<number> {
  const { say, loaded, config, runner, host } = commandContext(flags, json, env, hostFlag);
  const session = await openSession(loaded, env, say, { worker: true, host });
  try {
    // This machine's engine selection names an engine here: it does not travel to another host.
    const engine = config.engine && host === localHost() ? { engine: config.engine } : {};
    const handle = await startTeardown(
      session.client,
      { runner, host, ...engine },
      { staticSummary: `Tear down agent-runner ${runner} on ${host}` },
    );
    const url = executionUrl(session, handle.workflowId, handle.firstExecutionRunId);
    if (url) say(`teardown ${runner}: ${url}`);
    const result = await session.serve(handle.result(), handle);
    if (json)
      process.stdout.write(
        `${JSON.stringify({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, ...result }, null, 2)}\n`,
      );
    else
      say(
        result.removed.length === 0
          ? `runner ${runner}: no container to remove`
          : `✓ removed ${result.removed.map((entry) => `${entry.name} (${entry.id.slice(0, 12)}, was ${entry.state})`).join(', ')}`,
      );
    return EXIT_CODES.ready;
  } finally {
    await session.close();
  }
}
