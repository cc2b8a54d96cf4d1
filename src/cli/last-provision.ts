/** The last provision of a runner as Temporal keeps it: what `status` shows and `run`'s warm check reads. */
import { WorkflowFailedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { withTimeout } from '../core/wait';
import { progressQuery, type ProvisionProgress } from '../workflows/provision-runner';

export interface LastProvision {
  workflowId: string;
  runId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED, … */
  status: string;
  startTime: string;
  closeTime?: string;
  progress?: ProvisionProgress;
}

/**
 * The latest run of the workflow id `handle` names, or undefined when there is none. A closed one
 * comes with the progress it ended with; a running one with its `progress` query's answer, unless
 * `whileRunning` is `skip` (answered only while a worker runs, so it can take the query's timeout).
 */
export async function lastProvision(
  handle: WorkflowHandle,
  { whileRunning = 'query' }: { whileRunning?: 'query' | 'skip' } = {},
): Promise<LastProvision | undefined> {
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  const base = {
    workflowId: description.workflowId,
    runId: description.runId,
    status: description.status.name,
    startTime: description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString(),
  };
  if (description.status.name === 'RUNNING') {
    if (whileRunning === 'skip') return base;
    // Answered only while a worker runs; a provision in flight without one shows just its status.
    const progress = await withTimeout(
      handle.query(progressQuery),
      2000,
      `the progress of ${description.workflowId}`,
    ).catch(() => undefined);
    return { ...base, progress };
  }
  // This run's outcome, not that of a run started since.
  return {
    ...base,
    progress: await settledProgress(handle.client.getHandle(description.workflowId, description.runId)),
  };
}

/** A closed provision's progress: its result, or the progress its failure carries. */
export function settledProgress(handle: WorkflowHandle): Promise<ProvisionProgress> {
  return handle.result().then(
    (value) => value as ProvisionProgress,
    (error: unknown) => progressFromFailure(error),
  );
}

function progressFromFailure(error: unknown): ProvisionProgress {
  const failure =
    error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure ? error.cause : undefined;
  const progress = failure?.details?.[0] as ProvisionProgress | undefined;
  if (progress) return progress;
  const message = failure?.message ?? (error as Error).message;
  return {
    runnerName: '',
    status: 'failed',
    steps: [],
    checks: [],
    diagnoses: [],
    error: { type: failure?.type ?? 'Error', message },
  };
}
