/** The pollers the server lists on a task queue (whether one is fresh: core/pollers.ts). */
import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { PollerSeen } from '../core/pollers';

const { TaskQueueType, DescribeTaskQueueMode } = temporal.api.enums.v1;
const TYPE_NAMES: Record<number, PollerSeen['type']> = {
  [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW]: 'workflow',
  [TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]: 'activity',
};

/**
 * Over any connection: a client's, a worker's (NativeConnection), or an activity's `Context.current().client`.
 * Asks in the enhanced mode, which gathers the pollers of every partition of the queue (a server
 * splits a queue into 4 by default). The legacy mode describes one partition: with fifty runners on
 * one queue, a runner whose polls sat on another partition went unseen for up to a minute (bench P4).
 */
export async function listPollers(
  connection: Pick<ConnectionLike, 'workflowService'>,
  namespace: string,
  taskQueue: string,
): Promise<PollerSeen[]> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    apiMode: DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED,
    taskQueueTypes: [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
    reportPollers: true,
  });
  return Object.values(response.versionsInfo ?? {}).flatMap((version) =>
    Object.entries(version.typesInfo ?? {}).flatMap(([type, info]) =>
      (TYPE_NAMES[Number(type)] ? (info.pollers ?? []) : []).map((poller) => ({
        identity: poller.identity ?? '',
        type: TYPE_NAMES[Number(type)],
        lastAccessTime: new Date(
          Number(poller.lastAccessTime?.seconds ?? 0) * 1000 + Math.floor((poller.lastAccessTime?.nanos ?? 0) / 1e6),
        ).toISOString(),
      })),
    ),
  );
}
