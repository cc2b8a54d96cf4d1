/**
 * Whether an execution's work is waiting with nobody to take it: a workflow or activity task that has
 * been ready to run for a while without being started. The sign that the worker seen polling is gone
 * (the server keeps listing a dead poller for minutes).
 */
import type { temporal } from '@temporalio/proto';

type Describe = temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse;
type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

const SCHEDULED = 1; // PENDING_WORKFLOW_TASK_STATE_SCHEDULED and PENDING_ACTIVITY_STATE_SCHEDULED

function millis(timestamp: Timestamp): number {
  return timestamp ? Number(timestamp.seconds ?? 0) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6) : 0;
}

/** The name of a task ready for longer than `graceMs` and not started, or undefined. */
export function stalledTask(described: Describe, now: number, graceMs: number): string | undefined {
  const task = described.pendingWorkflowTask;
  if (task && task.state === SCHEDULED && now - millis(task.scheduledTime) > graceMs) return 'workflow task';
  for (const activity of described.pendingActivities ?? []) {
    if (activity.state !== SCHEDULED) continue;
    const ready = Math.max(
      millis(activity.scheduledTime),
      millis(activity.nextAttemptScheduleTime),
      millis(activity.lastAttemptCompleteTime),
    );
    if (now - ready > graceMs) return `activity ${activity.activityType?.name ?? activity.activityId}`;
  }
  return undefined;
}
