/**
 * The provision's steps as the `progress` query, the CLI and the Temporal UI's current details
 * show them. Pure and deterministic, so the workflow can keep it.
 */

export const STEP_NAMES = [
  'resolveConfig',
  'planNetworking',
  'startContainer',
  'verifyConnectivity',
  'awaitRunnerReady',
] as const;
export type StepName = (typeof STEP_NAMES)[number];
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface StepProgress {
  name: StepName;
  status: StepStatus;
  /** Attempts made so far (1 after a first try that succeeded). */
  attempts: number;
  startedAt?: number;
  durationMs?: number;
  /** What the step does, as its activity summary says it (e.g. what it waits for and how long). */
  summary?: string;
  /** One line saying what the step produced, e.g. `network bridge via host.docker.internal`. */
  note?: string;
  error?: string;
}

export function initialProgress(): StepProgress[] {
  return STEP_NAMES.map((name) => ({ name, status: 'pending', attempts: 0 }));
}

/** Plain symbols: the Temporal UI renders `[x]` task-list syntax as literal text. */
const MARKS: Record<StepStatus, string> = { pending: '○', running: '◐', succeeded: '✓', failed: '✗' };

/** What went wrong with a service, as the checklist shows it under the failed step. */
export interface FailureNote {
  service: string;
  cause?: string;
  fix?: string;
}

/** A markdown checklist for the Temporal UI's "current details". */
export function renderChecklist(runnerName: string, steps: StepProgress[], failures: FailureNote[] = []): string {
  const lines = steps.flatMap((step) => {
    const state =
      step.status === 'running'
        ? ' — running…'
        : step.status === 'failed'
          ? ` — **failed** after ${step.attempts} attempt${step.attempts === 1 ? '' : 's'}`
          : step.status === 'succeeded'
            ? ` — ${formatDuration(step.durationMs)}${step.attempts > 1 ? `, ${step.attempts} attempts` : ''}${step.note ? ` · ${step.note}` : ''}`
            : '';
    const line = `- ${MARKS[step.status]} ${step.name}${state}`;
    if (step.status !== 'failed') return [line];
    const notes =
      failures.length > 0
        ? failures.map(
            (failure) =>
              `  - ${failure.service}: ${failure.cause ?? 'failed'}${failure.fix ? ` — fix: ${asCode(failure.fix)}` : ''}`,
          )
        : [`  - ${firstLine(step.error)}`];
    return [line, ...notes];
  });
  // The closing line also keeps the UI, which sizes this panel a few pixels short, from clipping the last step.
  return [`**Provisioning runner \`${runnerName}\`**`, '', ...lines, '', `_${outcome(steps)}_`].join('\n');
}

function outcome(steps: StepProgress[]): string {
  const failed = steps.find((step) => step.status === 'failed');
  if (failed) return `failed at ${failed.name}`;
  const running = steps.find((step) => step.status === 'running');
  if (running) return `running ${running.name}…`;
  return steps.every((step) => step.status === 'succeeded') ? 'ready' : 'pending';
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Flags and env assignments as code, so markdown typography cannot turn `--network` into `–network`. */
function asCode(text: string): string {
  return text.replace(/(--[a-z][\w-]*(?: [\w.:-]+)?|\b[A-Z][A-Z0-9_]+=\S+)/g, '`$1`');
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0];
}
