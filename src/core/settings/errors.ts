/**
 * The failures the CLI turns into exit codes (cli/main.ts: 2 for bad input, 3 for a Temporal it
 * cannot use). They live apart from the modules that throw them, so that telling them apart loads
 * neither yaml (core/settings/cascade.ts) nor the Temporal SDK (temporal/connection.ts). No runtime imports.
 */
import type { ConfigIssue } from './types';

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue.source}: ${issue.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type TemporalFailureKind =
  | 'unreachable'
  | 'tls-untrusted'
  | 'tls-name'
  | 'tls-to-plaintext'
  | 'plaintext-to-tls'
  | 'tls-material'
  | 'unauthenticated'
  | 'permission-denied'
  | 'namespace-not-found'
  | 'other';

/** A Temporal the settings name that cannot be used; the message names the setting behind the value that failed. */
export class TemporalConnectionError extends Error {
  constructor(
    readonly kind: TemporalFailureKind,
    readonly address: string,
    message: string,
    /** What the client library said, for the curious (no key material in it). */
    readonly detail: string,
  ) {
    super(message);
    this.name = 'TemporalConnectionError';
  }
}
