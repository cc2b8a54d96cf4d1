/**
 * How activity errors cross into the workflow: every failure carries the attempt it happened on and
 * a type the workflow and the CLI act on; errors that waiting cannot fix are non-retryable.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ConfigError } from '../core/settings/errors';
import type { RunnerConfig } from '../core/settings/types';
import { redactSecrets, SecretUnavailableError } from '../core/settings/secrets';
import { FAILURE_TYPES } from '../core/contract/names';
import type { VerificationReport } from '../core/health/diagnosis';
import { PolicyRefusedError, type Refusal } from '../core/runner/ownership';
import { ImageUnavailableError } from '../docker/runner-container';
import { knownSecretValues } from './known-secrets';
import type { WorkerSide } from './runner-spec';

export { FAILURE_TYPES } from '../core/contract/names';

export interface FailureDetails {
  attempt: number;
  issues?: ConfigError['issues'];
  report?: VerificationReport;
  /** A PolicyRefused failure's refusals: what was refused, the setting that would allow it, how. */
  refusals?: Refusal[];
}

/** Connectivity checks failed; `report.healable` says whether another attempt may succeed. */
export class ConnectivityError extends Error {
  constructor(readonly report: VerificationReport) {
    super(report.message);
    this.name = 'ConnectivityError';
  }
}

/** A failure that no retry can fix, with the Temporal failure type to report it under. */
export class PermanentError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentError';
  }
}

export interface Attempted<T> {
  value: T;
  attempt: number;
}

/**
 * Wraps an activity body so its result and its failures say which attempt they came from. A failure's
 * message and details go into workflow history: every secret `worker` knows is redacted from them.
 */
export function attempted<A extends unknown[], T>(
  body: (...args: A) => Promise<T>,
  worker: WorkerSide,
): (...args: A) => Promise<Attempted<T>> {
  return async (...args: A) => {
    const attempt = Context.current().info.attempt;
    try {
      return { value: await body(...args), attempt };
    } catch (error) {
      const secrets = knownSecretValues(worker, configAmong(args));
      throw toFailure(error, attempt, (text) => redactSecrets(text, secrets));
    }
  };
}

/**
 * The provision's resolved config when an activity was handed one (as an argument, or as the
 * `config` of its request): the secrets it names are the provision's, beyond the worker's own.
 */
function configAmong(args: readonly unknown[]): RunnerConfig | undefined {
  const isConfig = (value: unknown): value is RunnerConfig =>
    typeof value === 'object' && value !== null && 'configFile' in value && 'llm' in value && 'runner' in value;
  for (const arg of args) {
    if (isConfig(arg)) return arg;
    if (typeof arg === 'object' && arg !== null && 'config' in arg && isConfig(arg.config)) return arg.config;
  }
  return undefined;
}

/** `value` with `redact` applied to every string in it, however deep. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, redact)) as T;
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)])) as T;
  return value;
}

function toFailure(
  error: unknown,
  attempt: number,
  redact: (text: string) => string,
): ApplicationFailure | CancelledFailure {
  const fail = (type: string, message: string, nonRetryable: boolean, extra: Omit<FailureDetails, 'attempt'> = {}) =>
    ApplicationFailure.create({
      type,
      message: redact(message),
      nonRetryable,
      details: [redactDeep({ attempt, ...extra } satisfies FailureDetails, redact)],
    });
  if (error instanceof ConfigError)
    return fail(FAILURE_TYPES.invalidConfig, error.message, true, { issues: error.issues });
  if (error instanceof SecretUnavailableError)
    return fail(FAILURE_TYPES.invalidConfig, error.message, true, {
      issues: [{ source: error.source, message: error.message }],
    });
  if (error instanceof ImageUnavailableError) return fail(FAILURE_TYPES.imageUnavailable, error.message, true);
  // The worker's own policy said no: asking again will not change its mind.
  if (error instanceof PolicyRefusedError)
    return fail(FAILURE_TYPES.policyRefused, error.message, true, { refusals: error.refusals });
  if (error instanceof ConnectivityError)
    return fail(FAILURE_TYPES.connectivity, error.message, !error.report.healable, { report: error.report });
  if (error instanceof PermanentError) return fail(error.type, error.message, true);
  // The worker reports an activity as cancelled only when it throws this very failure.
  if (error instanceof ApplicationFailure || error instanceof CancelledFailure) return error;
  const failure = error instanceof Error ? error : new Error(String(error));
  return fail(failure.name, failure.message, false);
}
