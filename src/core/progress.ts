/**
 * The provision's steps as the `progress` query, the CLI and the Temporal UI's current details
 * show them. Pure and deterministic, so the workflow can keep it.
 */

export const STEP_NAMES = ['resolveConfig', 'planNetworking', 'startContainer', 'verifyConnectivity', 'awaitRunnerReady'] as const;
export type StepName = (typeof STEP_NAMES)[number];
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface StepProgress {
  name: StepName;
  status: StepStatus;
  /** Attempts made so far (1 after a first try that succeeded). */
  attempts: number;
  startedAt?: number;
  durationMs?: number;
  /** One line saying what the step produced, e.g. `network bridge via host.docker.internal`. */
  note?: string;
  error?: string;
}

export function initialProgress(): StepProgress[] {
  return STEP_NAMES.map((name) => ({ name, status: 'pending', attempts: 0 }));
}

const MARKS: Record<StepStatus, string> = { pending: '[ ]', running: '[ ]', succeeded: '[x]', failed: '[ ]' };

/** A markdown checklist for the Temporal UI's "current details". */
export function renderChecklist(runnerName: string, steps: StepProgress[]): string {
  const lines = steps.map((step) => {
    const state =
      step.status === 'running' ? ' — running…'
      : step.status === 'failed' ? ` — **failed** after ${step.attempts} attempt${step.attempts === 1 ? '' : 's'}: ${firstLine(step.error)}`
      : step.status === 'succeeded' ? ` — ${formatDuration(step.durationMs)}${step.attempts > 1 ? `, ${step.attempts} attempts` : ''}${step.note ? ` · ${step.note}` : ''}`
      : '';
    return `- ${MARKS[step.status]} ${step.name}${state}`;
  });
  return [`**Provisioning runner \`${runnerName}\`**`, '', ...lines].join('\n');
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0];
}
