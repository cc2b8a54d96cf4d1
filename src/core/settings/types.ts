/**
 * The settings' types, and nothing else: a leaf every room may import (as envconfig's `types.ts`).
 * What a value is and where it came from (`Sourced`), the resolved runner settings
 * (`RunnerConfig`), which Temporal and how (`TemporalConnectionConfig`), and the secrets that
 * never travel in a payload (`RunnerSecrets`, `TemporalSecrets`). The cascade that fills them is
 * `cascade.ts` (runner settings) and `temporal.ts` (the Temporal connection).
 */
import type { ReleaseChoice, LlmProvider, NetworkChoice, PullPolicy } from '../vocabulary';

/** `default`, `env:NAME`, `file:/path/config.yaml#backend.local.llm.model` or `flag:--image`. */
export type Source = string;

export interface Sourced<T> {
  value: T;
  source: Source;
}

/** Settings as resolved; secrets appear only as the source that holds them. */
export interface RunnerConfig {
  configFile: { path: string; source: Source; found: boolean };
  runner: {
    name: Sourced<string>;
    image: Sourced<string>;
    pull: Sourced<PullPolicy>;
    network: Sourced<NetworkChoice>;
    hostAlias: Sourced<string> | null;
    workspaceDir: Sourced<string>;
    /** The runner release's env contract, or `auto` to read it off the image. */
    contract: Sourced<ReleaseChoice>;
  };
  llm: {
    provider: Sourced<LlmProvider>;
    model: Sourced<string>;
    baseUrl: Sourced<string>;
    /** Where the API key lives (`env:ANTHROPIC_API_KEY`, `file:…#backend.local.llm.api_key`), never its value. */
    apiKeySource: Source | null;
  };
  /** Which Temporal and how (TLS, credentials' sources): core/settings/temporal.ts. */
  temporal: TemporalConnectionConfig;
  backend: { endpoint: Sourced<string> };
  execution: { mode: Sourced<string>; sandboxImage: Sourced<string> };
  /**
   * The Docker engine the provision targets (its URL), found as the `docker` CLI finds it
   * (`env:DOCKER_HOST`, `context:NAME`, `default`). Absent in configs resolved before it was recorded.
   */
  engine?: Sourced<string>;
  /** Keys in the sections we read that we do not know: likely typos, reported rather than fatal. */
  warnings: string[];
}

/** Values that must never travel through workflow payloads. */
export interface RunnerSecrets {
  llmApiKey?: string;
  /** The LLM base URL as configured, when it carries user-info (config holds it masked). */
  llmBaseUrl?: string;
  /** The Temporal API key and key material (PEMs read by the I/O edge). */
  temporal?: TemporalSecrets;
  /** The user's docker CLI proxy settings (~/.docker/config.json `proxies`): their URLs may carry passwords. */
  proxies?: { httpProxy?: string; httpsProxy?: string; noProxy?: string; ftpProxy?: string; allProxy?: string };
}

export interface ConfigFlags {
  runner?: string;
  config?: string;
  image?: string;
  network?: string;
  contract?: string;
}

export interface ConfigInputs {
  flags: ConfigFlags;
  env: Record<string, string | undefined>;
  homeDir: string;
  /** The config file's text, or undefined when no file exists at the path. */
  fileText: string | undefined;
  /** temporal.toml's profile and the TEMPORAL_* env vars, as envconfig read them; absent → neither. */
  temporalProfile?: TemporalProfileInput;
}

export interface ConfigIssue {
  source: Source;
  message: string;
}

/** A temporal.toml profile or the TEMPORAL_* env vars, in TOML's names, as envconfig reads them. */
export interface TemporalProfileLayer {
  address?: string;
  namespace?: string;
  api_key?: string;
  tls?: TemporalTlsLayer;
  grpc_meta?: Record<string, string>;
  codec?: unknown;
}

export interface TemporalTlsLayer {
  disabled?: boolean;
  server_name?: string;
  server_ca_cert_path?: string;
  server_ca_cert_data?: string;
  client_cert_path?: string;
  client_cert_data?: string;
  client_key_path?: string;
  client_key_data?: string;
  disable_host_verification?: boolean;
}

/** What the I/O edge found: both layers, where the file is, which profile, and what went wrong reading them. */
export interface TemporalProfileInput {
  env: TemporalProfileLayer;
  file: {
    path: string | null;
    /** `env:TEMPORAL_CONFIG_FILE` or `default` (the OS config dir). */
    source: Source;
    found: boolean;
    profile: Sourced<string>;
    /** The chosen profile, when the file has it. */
    layer?: TemporalProfileLayer;
  };
  issues: ConfigIssue[];
}

/** Stigmer's own settings, already through its cascade. */
export interface StigmerTemporalSettings {
  serviceAddress?: Sourced<string>;
  /** `backend.local.temporal.managed`, when the file sets it. */
  managed?: Sourced<boolean>;
  fileAddress?: Sourced<string>;
  /** TEMPORAL_NAMESPACE or `backend.local.temporal.namespace`. */
  namespace?: Sourced<string>;
}

export type TemporalAuth = 'none' | 'api-key' | 'mtls' | 'mtls+api-key';

/** How to reach Temporal, without a secret: what `plan` shows and what travels in workflow payloads. */
export interface TemporalConnectionConfig {
  address: Sourced<string>;
  namespace: Sourced<string>;
  /** Stigmer starts the dev server itself when nothing answers (plaintext, no auth). */
  managed: Sourced<boolean>;
  /** The profile and the file it is looked up in; `found` when the file has that profile. */
  profile: { name: Sourced<string>; file: Sourced<string | null>; found: boolean };
  tls: Sourced<boolean>;
  /** The name the server certificate must carry, when not the address's host. */
  serverName: Sourced<string> | null;
  /** The CA that signs the server certificate: a path or `inline PEM`; null means the system roots. */
  serverCa: Sourced<string> | null;
  clientCert: Sourced<string> | null;
  clientKey: Sourced<string> | null;
  /** How this client proves who it is; the source names where the credential lives. */
  auth: Sourced<TemporalAuth>;
  /** Where the API key is (`env:TEMPORAL_API_KEY`, `file:…#profile.x.api_key`), never the key. */
  apiKeySource: Source | null;
  /** gRPC metadata header names sent with every call (values may be credentials: never shown). */
  metadataHeaders: string[];
}

/** PEM material: where it is, and (once the I/O edge has read it) the text. */
export interface PemSource {
  source: Source;
  path?: string;
  data?: string;
}

/** What must never be printed, logged or carried in a workflow payload. */
export interface TemporalSecrets {
  apiKey?: string;
  serverCa?: PemSource;
  clientCert?: PemSource;
  clientKey?: PemSource;
  metadata?: Record<string, string>;
}

export interface ResolvedTemporal {
  temporal: TemporalConnectionConfig;
  secrets: TemporalSecrets;
  issues: ConfigIssue[];
  warnings: string[];
}
