/**
 * The one error a policy refusal travels as, with no runtime imports: activities/failures.ts makes it
 * a non-retryable `PolicyRefused` failure carrying the refusals, and the CLI maps that to its exit code.
 */
import type { Refusal } from './types';

export class PolicyRefusedError extends Error {
  constructor(
    readonly refusals: Refusal[],
    message: string = describeRefusals(refusals),
  ) {
    super(message);
    this.name = 'PolicyRefusedError';
  }
}

const RULE_TEXT: Record<Refusal['rule'], string> = {
  'not-served': 'is not a home this worker serves',
  'outside-roots': 'is outside the folders this worker may use',
  'system-folder': 'is a system folder',
  symlink: 'is or passes through a symbolic link',
  'untrusted-folder': 'lies in a folder another user could change',
  'not-regular': 'is not a regular file',
  'too-large': 'is larger than a config file may be',
  'foreign-owner': 'is owned by another user',
  'not-allowed': "is not one this worker's configuration allows",
  'mount-mismatch': 'is not the folder the engine mounted',
  'not-managed': 'was not created by stigmer-runner',
};

/** One line per refusal: the setting, the value, the rule, and how to allow it. */
export function describeRefusals(refusals: readonly Refusal[]): string {
  const lines = refusals.map(
    (refusal) =>
      `  - ${refusal.setting}: ${refusal.subject} ${refusal.value} ${RULE_TEXT[refusal.rule]}; ${refusal.allow}`,
  );
  return [`the worker's policy refuses this (nothing was created or changed):`, ...lines].join('\n');
}
