/** The pollers the server lists on a task queue (whether one is fresh: core/pollers.ts). */
import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { PollerSeen } from '../core/pollers';

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
