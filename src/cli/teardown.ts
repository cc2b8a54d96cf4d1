/**
 * `stigmer-runner teardown`: stops and removes the runner through the teardownRunner workflow. Exits
 * 0 when done, 5 when the worker refused (a container stigmer-runner did not make, without
 * `--replace`: nothing removed), else as a provision's failure of the same type would.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ConfigFlags } from '../core/settings/types';
import { commandContext, localHost } from './command';
import { startTeardown } from './start';
import { EXIT_CODES, exitCodeFor } from '../core/contract/names';
import type { TeardownResult } from '../core/contract/schemas';
import { executionUrl, openSession } from './session';

export interface TeardownOptions {
  /** `--replace`: remove a container of the runner's name that stigmer-runner did not make too. */
  replace?: boolean;
}

export async function teardownCommand(
  flags: ConfigFlags,
  json: boolean,
  env: NodeJS.ProcessEnv,
  hostFlag?: string,
  options: TeardownOptions = {},
): Promise<number> {
  const { say, loaded, config, runner, host } = commandContext(flags, json, env, hostFlag);
  const session = await openSession(loaded, env, say, { worker: true, host });
  try {
    // This machine's engine selection names an engine here: it does not travel to another host.
    const engine = config.engine && host === localHost() ? { engine: config.engine } : {};
    const handle = await startTeardown(
      session.client,
      { runner, host, ...engine, ...(options.replace ? { replace: true } : {}) },
      { staticSummary: `Tear down agent-runner ${runner} on ${host}` },
    );
    const url = executionUrl(session, handle.workflowId, handle.firstExecutionRunId);
    if (url) say(`teardown ${runner}: ${url}`);
    // A failed teardown settles the body, not rejects it: the worker serving it stops as on success.
    const outcome = await session.serve(
      handle.result().then(
        (result) => ({ result }),
        (error: unknown) => failureOf(error),
      ),
      handle,
    );
    const ids = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
    if ('error' in outcome) return reportFailed(runner, json, say, ids, outcome.error);
    const { result } = outcome;
    if (json) process.stdout.write(`${JSON.stringify({ ...ids, ...result }, null, 2)}\n`);
    else say(removedLine(runner, result));
    return EXIT_CODES.ready;
  } finally {
    await session.close();
  }
}

/** A failed teardown's type and message (the workflow raises its step's typed failure); anything else is thrown on. */
function failureOf(error: unknown): { error: { type: string; message: string; details?: unknown } } {
  if (!(error instanceof WorkflowFailedError) || !(error.cause instanceof ApplicationFailure)) throw error;
  const { type, message, details } = error.cause;
  return { error: { type: type ?? 'Error', message, details: details?.[0] } };
}

function reportFailed(
  runner: string,
  json: boolean,
  say: (line: string) => void,
  ids: { workflowId: string; runId: string },
  error: { type: string; message: string; details?: unknown },
): number {
  const refusals = (error.details as { refusals?: unknown[] } | undefined)?.refusals;
  const report = { ...ids, runner, status: 'failed', error: { type: error.type, message: error.message }, refusals };
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else say(`✗ runner ${runner} was not torn down: ${error.message}`);
  return exitCodeFor({ status: 'failed', error });
}

function removedLine(runner: string, result: TeardownResult): string {
  if (result.removed.length === 0) return `runner ${runner}: no container to remove`;
  const removed = result.removed.map((entry) => `${entry.name} (${entry.id.slice(0, 12)}, was ${entry.state})`);
  const because = result.removed.flatMap((entry) => (entry.removedBecause ? [`\n  ${entry.removedBecause}`] : []));
  return `✓ removed ${removed.join(', ')}${because.join('')}`;
}
