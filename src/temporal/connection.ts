/**
 * The one way this project connects to Temporal — the CLI's client and in-process worker, the
 * `worker` command, health checks, scripts and the bench. What to dial and how comes from the config
 * cascade (core/settings/temporal.ts: env, temporal.toml profile, config.yaml); a failure comes back
 * as a TemporalConnectionError that names the setting (variable, profile key, config key) behind the
 * value that failed — never a gRPC stack. Key material stays in memory here: never logged or returned.
 */
import { Connection, isGrpcServiceError, ServiceError, type ConnectionOptions } from '@temporalio/client';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import type { RunnerConfig, RunnerSecrets } from '../core/settings/types';
import { ConfigError, TemporalConnectionError, type TemporalFailureKind } from '../core/settings/errors';
import type { TemporalConnectionConfig, TemporalSecrets } from '../core/settings/types';
import { readPemFiles } from '../settings/temporal-profile';

export interface TemporalTarget {
  connection: TemporalConnectionConfig;
  secrets: TemporalSecrets;
  /** Where to dial when not `connection.address` (the managed server seen through the bridge gateway). */
  dial?: string;
}

/** The target the config names. */
export function temporalTarget(
  config: Pick<RunnerConfig, 'temporal'>,
  secrets: RunnerSecrets,
  dial?: string,
): TemporalTarget {
  return { connection: config.temporal, secrets: secrets.temporal ?? {}, ...(dial ? { dial } : {}) };
}

/** A plaintext dev server without auth at `address` (the managed one, tests, bench). */
export function devServerTarget(address: string, namespace = 'default'): TemporalTarget {
  const source = 'dev server';
  return {
    connection: {
      address: { value: address, source },
      namespace: { value: namespace, source },
      managed: { value: true, source },
      profile: {
        name: { value: 'default', source: 'default' },
        file: { value: null, source: 'default' },
        found: false,
      },
      tls: { value: false, source },
      serverName: null,
      serverCa: null,
      clientCert: null,
      clientKey: null,
      auth: { value: 'none', source },
      apiKeySource: null,
      metadataHeaders: [],
    },
    secrets: {},
  };
}

export const dialAddress = (target: TemporalTarget): string => target.dial ?? target.connection.address.value;

/**
 * grpc-js shares subchannels between connections to the same address, with their reconnect backoff:
 * one refused check (the managed server's gateway before its forwarder listens) would fail the next
 * connection at once with "No connection established". Each client connection here keeps its own.
 */
const OWN_SUBCHANNELS = { 'grpc.use_local_subchannel_pool': 1 };

/** SDK options for the target (both Connection and NativeConnection take them); unreadable PEM files → ConfigError. */
export function connectionOptions(target: TemporalTarget): ConnectionOptions & NativeConnectionOptions {
  const { connection } = target;
  const { secrets, issues } = readPemFiles(target.secrets);
  if (issues.length > 0) throw new ConfigError(issues);
  const buffer = (text?: string) => (text === undefined ? undefined : Buffer.from(text));
  const tls = connection.tls.value
    ? {
        ...(connection.serverName ? { serverNameOverride: connection.serverName.value } : {}),
        ...(secrets.serverCa?.data ? { serverRootCACertificate: buffer(secrets.serverCa.data) } : {}),
        ...(secrets.clientCert?.data && secrets.clientKey?.data
          ? {
              clientCertPair: {
                crt: buffer(secrets.clientCert.data) as Buffer,
                key: buffer(secrets.clientKey.data) as Buffer,
              },
            }
          : {}),
      }
    : false;
  return {
    address: dialAddress(target),
    tls,
    ...(secrets.apiKey ? { apiKey: secrets.apiKey } : {}),
    ...(secrets.metadata ? { metadata: secrets.metadata } : {}),
  };
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A client connection, checked: first one plain call without the SDK's retries (it fails fast and
 * with the real reason: an untrusted certificate, a name mismatch, plaintext against TLS), then the
 * SDK's own connect. Optionally checks the namespace exists.
 */
export async function connectClient(
  target: TemporalTarget,
  options: { timeoutMs?: number; checkNamespace?: boolean } = {},
): Promise<Connection> {
  const sdkOptions = connectionOptions(target);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  await probe(target, sdkOptions, timeoutMs);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...sdkOptions, channelArgs: OWN_SUBCHANNELS, connectTimeout: timeoutMs });
  } catch (error) {
    throw explain(target, error);
  }
  if (options.checkNamespace) {
    try {
      await connection.workflowService.describeNamespace({ namespace: target.connection.namespace.value });
    } catch (error) {
      await connection.close();
      throw explain(target, error);
    }
  }
  return connection;
}

/** A worker connection (the Rust core's), after the same check as a client's. */
export async function connectWorker(
  target: TemporalTarget,
  options: { timeoutMs?: number } = {},
): Promise<NativeConnection> {
  const checked = await connectClient(target, { ...options, checkNamespace: true });
  await checked.close();
  // The worker SDK is loaded by those that run a worker, not by every importer of this module.
  const { NativeConnection } = await import('@temporalio/worker');
  try {
    return await NativeConnection.connect(connectionOptions(target));
  } catch (error) {
    throw explain(target, error);
  }
}

/** One gRPC health check of the frontend; false when nothing (or not Temporal) answers. */
export async function temporalAnswers(target: TemporalTarget, timeoutMs = 1500): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({
      ...connectionOptions(target),
      channelArgs: OWN_SUBCHANNELS,
      connectTimeout: timeoutMs,
    });
    const response = await connection.healthService.check({
      service: 'temporal.api.workflowservice.v1.WorkflowService',
    });
    return response.status === 1; // SERVING
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}

async function probe(target: TemporalTarget, sdkOptions: ConnectionOptions, timeoutMs: number): Promise<void> {
  let lazy: Connection;
  try {
    lazy = Connection.lazy({ ...sdkOptions, channelArgs: OWN_SUBCHANNELS, interceptors: [] });
  } catch (error) {
    throw explain(target, error); // bad key material fails here, before any network
  }
  try {
    await lazy.withDeadline(Date.now() + timeoutMs, () => lazy.workflowService.getSystemInfo({}));
  } catch (error) {
    if (!(isGrpcServiceError(error) && error.code === 12)) throw explain(target, error); // 12 UNIMPLEMENTED: an old server
  } finally {
    await lazy.close();
  }
}

interface Failure {
  code?: number | string;
  text: string;
}

function failureOf(error: unknown): Failure {
  const cause = error instanceof ServiceError && error.cause ? error.cause : error;
  if (isGrpcServiceError(cause)) return { code: cause.code, text: cause.details || cause.message };
  const err = cause as NodeJS.ErrnoException;
  return { code: err?.code, text: err?.message ?? String(cause) };
}

/** Maps what grpc-js (or the Rust core) reports to a kind and a message naming the settings involved. */
export function explain(target: TemporalTarget, error: unknown): TemporalConnectionError {
  const failed = failedOf(target, error);
  const { kind, message } = FAILURE_KINDS.find((candidate) => candidate.applies(failed)) ?? OTHER;
  return new TemporalConnectionError(kind, failed.address, message(failed), failed.failure.text);
}

/** What a failure's message draws on. */
interface Failed {
  connection: TemporalConnectionConfig;
  failure: Failure;
  /** What the server or library said, without grpc-js's wrapping, timestamp and final period. */
  detail: string;
  address: string;
  /** `Temporal at ADDRESS (SOURCE)`: what was dialled, and the setting that named it. */
  at: string;
}

function failedOf(target: TemporalTarget, error: unknown): Failed {
  const { connection } = target;
  const failure = failureOf(error);
  const address = dialAddress(target);
  const at = `Temporal at ${address} (${target.dial ? `reached for ${connection.address.value}, ` : ''}${connection.address.source})`;
  return { connection, failure, detail: detailOf(failure.text), address, at };
}

function detailOf(text: string): string {
  return text
    .replace(/\s*Resolution note:\s*$/, '')
    .replace(/^.*Last error: /s, '')
    .replace(/^Error(?: \[\w+\])?: /, '')
    .trim()
    .replace(/ \(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/, '')
    .replace(/\.$/, '');
}

interface FailureKind {
  kind: TemporalFailureKind;
  applies: (failed: Failed) => boolean;
  message: (failed: Failed) => string;
}

const UNTRUSTED =
  /unable to verify|self[- ]signed|UNABLE_TO_GET_ISSUER|UnknownIssuer|certificate verify failed|CERT_UNTRUSTED|unable to get local issuer/i;
const WRONG_NAME = /ALTNAME|does not match certificate|NotValidForName|not in the cert's altnames/i;
const PLAINTEXT_ANSWER =
  /wrong version number|WRONG_VERSION_NUMBER|InvalidContentType|packet length too long|http request/i;
const NOTHING_ANSWERS =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ConnectionRefused|dns error/i;
const NOT_PLAINTEXT_GRPC = /ECONNRESET|Protocol error|HTTP status code 400|GoAway|FRAME_SIZE_ERROR|socket hang up/i;

/**
 * Walked in order; the first that applies wins. A gRPC status means the server answered, so those
 * come first; what the TLS and socket layers said comes after, the more specific before the vaguer.
 */
const FAILURE_KINDS: readonly FailureKind[] = [
  { kind: 'unauthenticated', applies: ({ failure }) => failure.code === 16, message: unauthenticated },
  {
    kind: 'permission-denied',
    applies: ({ failure }) => failure.code === 7,
    message: ({ at, connection: { namespace, auth }, detail }) =>
      `${at} refused namespace "${namespace.value}" (${namespace.source}) to these credentials (${auth.value}: ${auth.source}): ${detail}`,
  },
  {
    kind: 'namespace-not-found',
    applies: ({ failure, detail }) => failure.code === 5 && /namespace/i.test(detail),
    message: ({ at, connection: { namespace }, detail }) =>
      `namespace "${namespace.value}" (${namespace.source}) does not exist on ${at}: ${detail}`,
  },
  { kind: 'tls-material', applies: unusableMaterial, message: tlsMaterial },
  { kind: 'tls-untrusted', applies: ({ detail }) => UNTRUSTED.test(detail), message: untrusted },
  { kind: 'tls-name', applies: ({ detail }) => WRONG_NAME.test(detail), message: wrongName },
  {
    kind: 'tls-to-plaintext',
    applies: ({ connection, detail }) => connection.tls.value && PLAINTEXT_ANSWER.test(detail),
    message: ({ at, connection }) =>
      `${at} answers without TLS, but TLS is on (${connection.tls.source}). Turn it off with TEMPORAL_TLS=false (or disabled = true in the profile's [tls]), or dial the server's TLS port`,
  },
  { kind: 'unreachable', applies: ({ detail }) => NOTHING_ANSWERS.test(detail), message: unreachable },
  {
    kind: 'plaintext-to-tls',
    applies: ({ connection, detail }) =>
      !connection.tls.value && (detail === 'null' || NOT_PLAINTEXT_GRPC.test(detail)),
    message: plaintextToTls,
  },
];

const OTHER: FailureKind = {
  kind: 'other',
  applies: () => true,
  message: ({ at, connection, detail }) =>
    `cannot use ${at} (TLS ${connection.tls.value ? 'on' : 'off'}: ${connection.tls.source}; auth ${connection.auth.value}): ${detail}`,
};

function unauthenticated({ at, connection, detail }: Failed): string {
  const server = `the server said: ${JSON.stringify(detail)}`;
  if (connection.auth.value === 'none') {
    const { name, found, file } = connection.profile;
    return `${at} requires credentials, and this connection sends none — no client certificate, no API key (TLS on: ${connection.tls.source}; profile "${name.value}"${found ? ` of ${file.value}` : ''}); ${server}. Give it a client certificate and key (TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH, or client_cert_path and client_key_path in the profile's [tls]) or an API key (TEMPORAL_API_KEY, or api_key in the profile)`;
  }
  const rejected = [
    connection.clientCert
      ? `the client certificate ${connection.clientCert.value} (${connection.clientCert.source})`
      : undefined,
    connection.apiKeySource ? `the API key from ${connection.apiKeySource}` : undefined,
  ].filter(Boolean);
  return `${at} rejected ${rejected.join(' and ')} as unauthenticated; ${server}. Check that credential, or that it is meant for this endpoint`;
}

/** Node's codes for PEMs it cannot use — not a name mismatch (ALTNAME), nor a connection attempt's last error. */
function unusableMaterial({ failure }: Failed): boolean {
  return (
    typeof failure.code === 'string' &&
    /^ERR_OSSL|^ERR_TLS|^ERR_INVALID_ARG/.test(failure.code) &&
    !/ALTNAME/.test(failure.code) &&
    !/Last error/.test(failure.text)
  );
}

function tlsMaterial({ at, connection, detail }: Failed): string {
  const material = [connection.serverCa, connection.clientCert, connection.clientKey]
    .filter((entry) => entry !== null)
    .map((entry) => `${entry?.value} (${entry?.source})`);
  return `the TLS material for ${at} is unusable (${detail}): check ${material.join(', ') || 'the TLS settings'}`;
}

function untrusted({ at, connection: { serverCa }, detail }: Failed): string {
  const trusted = serverCa
    ? `the CA in ${serverCa.value} (${serverCa.source})`
    : "the system's root CAs (no server CA is set: TEMPORAL_TLS_SERVER_CA_CERT_PATH, or server_ca_cert_path in the profile's [tls])";
  return `${at}: its TLS certificate is not signed by ${trusted} (${detail}). Trust the CA that signed the server's certificate`;
}

function wrongName({ at, connection: { serverName, address }, detail }: Failed): string {
  const name = serverName
    ? `"${serverName.value}" (${serverName.source})`
    : `the host of ${address.value} (${address.source})`;
  return `${at}: its TLS certificate is not valid for ${name} (${detail}). Set TEMPORAL_TLS_SERVER_NAME (or server_name in the profile's [tls]) to a name the certificate carries`;
}

function unreachable({ address, connection, detail }: Failed): string {
  // The managed server is Stigmer's to start; any other address came from a setting that can be dropped.
  const fix = connection.managed.value
    ? 'start it'
    : `start it, or drop ${connection.address.source.split(' ')[0]} to use the managed dev server`;
  return `nothing answers at ${address} (${connection.address.source}): ${detail}; ${fix}`;
}

function plaintextToTls({ at, connection, detail }: Failed): string {
  const said = detail === 'null' ? 'it closed the connection' : detail;
  return `${at} did not answer plaintext gRPC (${said}), and TLS is off (${connection.tls.source}); if it expects TLS, set TEMPORAL_TLS=true (or a server CA, or an API key)`;
}
