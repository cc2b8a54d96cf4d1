/** Small statistics and history helpers for the bench. */
import { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface Summary {
  n: number;
  medianMs: number;
  p95Ms: number;
  meanMs: number;
  samplesMs: number[];
}

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

/** Median (mean of the middle two for even n), nearest-rank p95 and mean. */
export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = samples.reduce((sum, ms) => sum + ms, 0) / samples.length;
  return {
    n: samples.length,
    medianMs: round(median),
    p95Ms: round(sorted[Math.ceil(0.95 * sorted.length) - 1]),
    meanMs: round(mean),
    samplesMs: samples.map((ms) => round(ms)),
  };
}

export const eventName = (event: HistoryEvent): string =>
  temporal.api.enums.v1.EventType[event.eventType ?? 0].replace(/^EVENT_TYPE_/, '');
export const eventMs = (event: HistoryEvent): number => tsToMs(event.eventTime);

/** How many events of each type a history holds, in first-seen order. */
export function eventBreakdown(events: HistoryEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[eventName(event)] = (counts[eventName(event)] ?? 0) + 1;
  return counts;
}

/**
 * Where a provision's time went, from its history (workflow start → close): inside activities
 * (started → closed; also per activity type), waiting for an activity to be picked up (scheduled →
 * started), and the rest — workflow tasks between one step and the next.
 */
export function historySplit(events: HistoryEvent[]): {
  totalMs: number;
  inActivitiesMs: number;
  activityDispatchMs: number;
  workflowTasksMs: number;
  byActivity: Record<string, number>;
} {
  const scheduled = new Map<number, number>();
  const started = new Map<number, number>();
  const names = new Map<number, string>();
  const byActivity: Record<string, number> = {};
  let inActivitiesMs = 0;
  let activityDispatchMs = 0;
  for (const event of events) {
    if (event.activityTaskScheduledEventAttributes) {
      scheduled.set(Number(event.eventId), eventMs(event));
      names.set(Number(event.eventId), event.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    }
    const start = event.activityTaskStartedEventAttributes;
    if (start) {
      started.set(Number(start.scheduledEventId), eventMs(event));
      activityDispatchMs += eventMs(event) - (scheduled.get(Number(start.scheduledEventId)) ?? eventMs(event));
    }
    const closed = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes;
    if (closed) {
      const ms = eventMs(event) - (started.get(Number(closed.scheduledEventId)) ?? eventMs(event));
      inActivitiesMs += ms;
      byActivity[names.get(Number(closed.scheduledEventId)) ?? '?'] = ms;
    }
  }
  const totalMs = eventMs(events[events.length - 1]) - eventMs(events[0]);
  return {
    totalMs,
    inActivitiesMs,
    activityDispatchMs,
    workflowTasksMs: totalMs - inActivitiesMs - activityDispatchMs,
    byActivity,
  };
}
