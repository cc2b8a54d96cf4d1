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

/** What a caller of `listPollers` settles for. */
export interface ListingWants {
  /** The poller the caller looks for: once the queue's own partition holds one, the others are not described. */
  wanted?: (poller: PollerSeen) => boolean;
  /**
   * How old a listing the caller accepts (default 0: its own). Callers on one connection that accept
   * an age share a listing in flight or that old: fifty provisions waiting on one queue each listed
   * it ten times a second — 12,576 DescribeTaskQueue calls in one bench P4, more than every other
   * request to the server together.
   */
  maxAgeMs?: number;
}

/**
 * Over any connection: a client's, a worker's (NativeConnection), or an activity's `Context.current().client`.
 * A server splits a queue into partitions (4 by default) and describes one at a time: with fifty
 * runners on one queue, a runner whose polls sat on another partition than the first went unseen
 * for up to a minute (bench P4). So the other partitions are described too — unless a wanted poller
 * is already on the queue's own (first) partition: a check that finds its worker there costs what it
 * always did. The enhanced describe mode, which gathers every partition in one call, answers from a
 * cache kept 5 s: a runner's first poll showed ~2.5 s late.
 */
export async function listPollers(
  connection: Pick<ConnectionLike, 'workflowService'>,
  namespace: string,
  taskQueue: string,
  { wanted, maxAgeMs = 0 }: ListingWants = {},
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
  const { listings } = sharedBy(service);
  const listing = (partitions: 'own' | 'others', load: () => Promise<PollerSeen[]>) =>
    maxAgeMs > 0 ? listings(`${namespace}\0${taskQueue}\0${partitions}`, load, maxAgeMs) : load();
  const first = await listing('own', () => describe({ workflow: [taskQueue], activity: [taskQueue] }));
  if (wanted && first.some(wanted)) return latestOf(first);
  const others = await listing('others', async () => {
    const partitions = await partitionsOf(service, namespace, taskQueue);
    const rest = (type: keyof Partitions) => partitions[type].filter((partition) => partition !== taskQueue);
    return describe({ workflow: rest('workflow'), activity: rest('activity') });
  });
  return latestOf([...first, ...others]);
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

/** What one connection shares among its callers: each queue's partitions, and its recent listings. */
interface Shared {
  partitions: ReturnType<typeof shareRecent<Partitions>>;
  /** Kept no longer than the caller asks (`maxAgeMs`). */
  listings: ReturnType<typeof shareRecent<PollerSeen[]>>;
}
const sharedByService = new WeakMap<object, Shared>();

function sharedBy(service: Service): Shared {
  let shared = sharedByService.get(service);
  if (!shared) {
    shared = { partitions: shareRecent<Partitions>(PARTITIONS_TTL_MS), listings: shareRecent<PollerSeen[]>(0) };
    sharedByService.set(service, shared);
  }
  return shared;
}

/** The queue's partitions per task type; only the queue itself where the server will not list them. */
function partitionsOf(service: Service, namespace: string, taskQueue: string): Promise<Partitions> {
  return sharedBy(service).partitions(`${namespace}\0${taskQueue}`, async () => {
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
