/**
 * Whether a worker really polls a task queue now. DescribeTaskQueue keeps a poller listed for
 * minutes after it died, so only a poll at or after `since` (the runner container's start) counts.
 */
import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface PollerSeen {
  identity: string;
  type: 'workflow' | 'activity';
  lastAccessTime: string;
}

const QUEUE_TYPES = [
  ['workflow', temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
  ['activity', temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
] as const;

/** Over any connection: a client's, a worker's (NativeConnection), or an activity's `Context.current().client`. */
export async function listPollers(
  connection: Pick<ConnectionLike, 'workflowService'>,
  namespace: string,
  taskQueue: string,
): Promise<PollerSeen[]> {
  const described = await Promise.all(
    QUEUE_TYPES.map(async ([type, taskQueueType]) => {
      const response = await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue },
        taskQueueType,
      });
      return (response.pollers ?? []).map((poller) => ({
        identity: poller.identity ?? '',
        type,
        lastAccessTime: new Date(
          Number(poller.lastAccessTime?.seconds ?? 0) * 1000 + Math.floor((poller.lastAccessTime?.nanos ?? 0) / 1e6),
        ).toISOString(),
      }));
    }),
  );
  return described.flat();
}

/** The freshest poller that polled at or after `since`, allowing for a little clock skew. */
export function freshPoller(pollers: PollerSeen[], since: string, skewMs = 1000): PollerSeen | undefined {
  const threshold = Date.parse(since) - skewMs;
  return pollers
    .filter((poller) => Date.parse(poller.lastAccessTime) >= threshold)
    .sort((a, b) => Date.parse(b.lastAccessTime) - Date.parse(a.lastAccessTime))[0];
}
