/** The pollers the server lists on a task queue (whether one is fresh: core/pollers.ts). */
import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { shareRecent } from '../core/concurrency';
import type { PollerSeen } from '../core/pollers';

const QUEUE_TYPES = [
  ['workflow', temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
  ['activity', temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
] as const;

type Service = Pick<ConnectionLike, 'workflowService'>['workflowService'];
/** The partition names of a queue, per task type. */
type Partitions = Record<PollerSeen['type'], string[]>;

/**
 * Over any connection: a client's, a worker's (NativeConnection), or an activity's `Context.current().client`.
 * A server splits a queue into partitions (4 by default) and describes one at a time: with fifty
 * runners on one queue, a runner whose polls sat on another partition than the first went unseen
 * for up to a minute (bench P4). So the other partitions are described too — unless `wanted` is
 * given and a poller of the queue's own (first) partition already satisfies it: a check that finds
 * its worker there costs what it always did. The enhanced describe mode, which gathers every
 * partition in one call, answers from a cache kept 5 s: a runner's first poll showed ~2.5 s late.
 */
export async function listPollers(
  connection: Pick<ConnectionLike, 'workflowService'>,
  namespace: string,
  taskQueue: string,
  wanted?: (poller: PollerSeen) => boolean,
): Promise<PollerSeen[]> {
  const service = connection.workflowService;
  const describe = (partitions: Partitions) =>
    Promise.all(
      QUEUE_TYPES.flatMap(([type, taskQueueType]) =>
        partitions[type].map(async (partition) => {
          const response = await service.describeTaskQueue({
            namespace,
            taskQueue: { name: partition },
            taskQueueType,
          });
          return (response.pollers ?? []).map((poller) => ({
            identity: poller.identity ?? '',
            type,
            lastAccessTime: new Date(
              Number(poller.lastAccessTime?.seconds ?? 0) * 1000 +
                Math.floor((poller.lastAccessTime?.nanos ?? 0) / 1e6),
            ).toISOString(),
          }));
        }),
      ),
    ).then((lists) => lists.flat());
  const first = await describe({ workflow: [taskQueue], activity: [taskQueue] });
  if (wanted && first.some(wanted)) return latestOf(first);
  const partitions = await partitionsOf(service, namespace, taskQueue);
  const others = (type: keyof Partitions) => partitions[type].filter((partition) => partition !== taskQueue);
  return latestOf([...first, ...(await describe({ workflow: others('workflow'), activity: others('activity') }))]);
}

/** A forwarded poll shows on two partitions: each worker's latest, once per task type. */
function latestOf(pollers: PollerSeen[]): PollerSeen[] {
  const latest = new Map<string, PollerSeen>();
  for (const poller of pollers) {
    const key = `${poller.type} ${poller.identity}`;
    const seen = latest.get(key);
    if (!seen || seen.lastAccessTime < poller.lastAccessTime) latest.set(key, poller);
  }
  return [...latest.values()];
}

/** How long one listing of a queue's partitions serves (a server changes them only by configuration). */
const PARTITIONS_TTL_MS = 60_000;
const partitionsByService = new WeakMap<object, ReturnType<typeof shareRecent<Partitions>>>();

/** The queue's partitions per task type; only the queue itself where the server will not list them. */
function partitionsOf(service: Service, namespace: string, taskQueue: string): Promise<Partitions> {
  let share = partitionsByService.get(service);
  if (!share) partitionsByService.set(service, (share = shareRecent<Partitions>(PARTITIONS_TTL_MS)));
  return share(`${namespace}\0${taskQueue}`, async () => {
    const listed = await service
      .listTaskQueuePartitions({ namespace, taskQueue: { name: taskQueue } })
      .catch(() => undefined);
    const keys = (entries: Array<{ key?: string | null }> | null | undefined) => {
      const names = (entries ?? []).flatMap((entry) => (entry.key ? [entry.key] : []));
      return names.length > 0 ? names : [taskQueue];
    };
    return {
      workflow: keys(listed?.workflowTaskQueuePartitions),
      activity: keys(listed?.activityTaskQueuePartitions),
    };
  });
}
