import { stalledTask } from './stall';

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const NOW = 1_800_000_000_000;

test.each<[string, object, string | undefined]>([
  ['nothing pending', {}, undefined],
  [
    'a workflow task scheduled 10 s ago',
    { pendingWorkflowTask: { state: 1, scheduledTime: at(NOW - 10_000) } },
    'workflow task',
  ],
  [
    'a workflow task scheduled 1 s ago',
    { pendingWorkflowTask: { state: 1, scheduledTime: at(NOW - 1000) } },
    undefined,
  ],
  [
    'a workflow task started long ago (being worked on)',
    { pendingWorkflowTask: { state: 2, scheduledTime: at(NOW - 60_000) } },
    undefined,
  ],
  [
    'an activity waiting 10 s',
    { pendingActivities: [{ state: 1, activityType: { name: 'startContainer' }, scheduledTime: at(NOW - 10_000) }] },
    'activity startContainer',
  ],
  [
    'an activity in retry backoff',
    {
      pendingActivities: [
        {
          state: 1,
          activityType: { name: 'verifyConnectivity' },
          scheduledTime: at(NOW - 60_000),
          nextAttemptScheduleTime: at(NOW + 4000),
        },
      ],
    },
    undefined,
  ],
  [
    'an activity running',
    { pendingActivities: [{ state: 2, activityType: { name: 'awaitRunnerReady' }, scheduledTime: at(NOW - 60_000) }] },
    undefined,
  ],
])('%s', (_name, described, expected) => expect(stalledTask(described, NOW, 5000)).toBe(expected));
