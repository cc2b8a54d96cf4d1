/**
 * Which Temporal to connect to, and how: address, namespace, TLS and credentials, each with where it
 * came from. Pure: `src/settings/temporal-profile.ts` reads temporal.toml and the TEMPORAL_* env vars
 * with @temporalio/envconfig (as the temporal CLI and the other SDKs read them) and hands both layers
 * in; `src/temporal/connection.ts` turns the result into SDK connection options.
 *
 * One precedence order, per value — the first that is set wins:
 *
 * | value | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | address | env TEMPORAL_SERVICE_ADDRESS | env TEMPORAL_ADDRESS | config.yaml `backend.local.temporal` (`managed: true` → the managed dev server; `managed: false` → its `address`) | temporal.toml profile `address` | the managed dev server, localhost:7233 |
 * | namespace | env TEMPORAL_NAMESPACE | config.yaml `…temporal.namespace` | profile `namespace` | `default` | |
 * | TLS, server CA, server name, client cert/key, API key | env TEMPORAL_TLS*, TEMPORAL_API_KEY | profile `[tls]`, `api_key` | off / none | | |
 *
 * Env before files, and Stigmer's own name before Temporal's where both exist. The profile is
 * TEMPORAL_PROFILE's, else `default`; the file TEMPORAL_CONFIG_FILE's, else the OS config dir's.
 * TLS is on when a layer says so (TEMPORAL_TLS, `[tls] disabled`), when any TLS setting is given, or
 * when an API key is (as in the SDK). The managed dev server speaks plaintext without auth: TLS and
 * credentials aimed at it are dropped with a warning.
 */
import { AddressError, parseAddress } from '../address';
import type {
  ConfigIssue,
  PemSource,
  ResolvedTemporal,
  Source,
  Sourced,
  StigmerTemporalSettings,
  TemporalAuth,
  TemporalConnectionConfig,
  TemporalProfileInput,
  TemporalSecrets,
  TemporalTlsLayer,
} from './types';

export const MANAGED_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_PROFILE = 'default';

const ENV = {
  address: 'TEMPORAL_ADDRESS',
  api_key: 'TEMPORAL_API_KEY',
  disabled: 'TEMPORAL_TLS',
  server_name: 'TEMPORAL_TLS_SERVER_NAME',
  server_ca_cert_path: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  server_ca_cert_data: 'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  client_cert_path: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  client_cert_data: 'TEMPORAL_TLS_CLIENT_CERT_DATA',
  client_key_path: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  client_key_data: 'TEMPORAL_TLS_CLIENT_KEY_DATA',
  disable_host_verification: 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
} as const;

/** The TEMPORAL_* settings a trigger hands its worker: no key, no PEM body (those stay in each process's env). */
export const TEMPORAL_SETTING_ENV_NAMES: readonly string[] = [
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_PROFILE',
  ENV.address,
  ENV.disabled,
  ENV.server_name,
  ENV.server_ca_cert_path,
  ENV.client_cert_path,
  ENV.client_key_path,
  ENV.disable_host_verification,
  // Where the OS config dir is, for the default temporal.toml.
  'XDG_CONFIG_HOME',
  'APPDATA',
];
/** Env vars holding credentials or key material. */
export const TEMPORAL_SECRET_ENV_NAMES: readonly string[] = [
  ENV.api_key,
  ENV.server_ca_cert_data,
  ENV.client_cert_data,
  ENV.client_key_data,
];

const PROFILE_KEYS = new Set(['address', 'namespace', 'api_key', 'tls', 'grpc_meta', 'codec']);
const TLS_KEYS = new Set(Object.keys(ENV).filter((key) => key !== 'address' && key !== 'api_key'));

/** The OS config dir's temporal.toml, as envconfig 1.24.0 finds it (note: `temporalio/`, not `temporal/`). */
export function defaultTemporalConfigPath(
  env: Record<string, string | undefined>,
  homeDir: string,
  platform: string,
): string | undefined {
  const join = (...parts: string[]) => parts.join(platform === 'win32' ? '\\' : '/');
  if (platform === 'win32') return env.APPDATA ? join(env.APPDATA, 'temporalio', 'temporal.toml') : undefined;
  if (platform === 'darwin') return join(homeDir, 'Library', 'Application Support', 'temporalio', 'temporal.toml');
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg) return xdg.startsWith('/') ? join(xdg, 'temporalio', 'temporal.toml') : undefined;
  return join(homeDir, '.config', 'temporalio', 'temporal.toml');
}

export function resolveTemporalConnection(
  stigmer: StigmerTemporalSettings,
  input: TemporalProfileInput,
  rawEnv: Record<string, string | undefined>,
): ResolvedTemporal {
  const issues: ConfigIssue[] = [...input.issues];
  const warnings: string[] = [];
  const { env, file } = input;
  const profile = file.layer;
  const fileKey = (key: string) => `file:${file.path}#profile.${file.profile.value}.${key}`;
  const fromEnv = (name: string) => `env:${name}`;

  /** The env layer's value, else the profile's, with its source. */
  function pick<T>(
    envValue: T | undefined,
    envName: string,
    fileValue: T | undefined,
    key: string,
  ): Sourced<T> | undefined {
    if (envValue !== undefined) return { value: envValue, source: fromEnv(envName) };
    if (fileValue !== undefined) return { value: fileValue, source: fileKey(key) };
    return undefined;
  }
  const pickTls = <K extends keyof TemporalTlsLayer & keyof typeof ENV>(
    key: K,
  ): Sourced<NonNullable<TemporalTlsLayer[K]>> | undefined =>
    pick<NonNullable<TemporalTlsLayer[K]>>(
      env.tls?.[key] ?? undefined,
      ENV[key],
      profile?.tls?.[key] ?? undefined,
      `tls.${key}`,
    );

  if (profile) {
    // Typos pass silently in envconfig unless strict (which would reject disable_host_verification too).
    for (const key of Object.keys(profile).filter((name) => !PROFILE_KEYS.has(name)))
      warnings.push(`${fileKey(key)}: unknown key, ignored`);
    if (profile.codec !== undefined)
      warnings.push(`${fileKey('codec')}: a remote codec is not used by stigmer-runner, ignored`);
    for (const key of Object.keys(profile.tls ?? {}).filter((name) => !TLS_KEYS.has(name)))
      warnings.push(`${fileKey(`tls.${key}`)}: unknown key, ignored`);
  }

  // Address and whether Stigmer manages the server.
  const envAddress = checkedAddress(pick(env.address, ENV.address, undefined, 'address'), issues);
  const profileAddress = checkedAddress(pick(undefined, ENV.address, profile?.address, 'address'), issues);
  let address: Sourced<string>;
  let managed: Sourced<boolean>;
  if (stigmer.serviceAddress) {
    [address, managed] = [stigmer.serviceAddress, { value: false, source: stigmer.serviceAddress.source }];
  } else if (envAddress) {
    [address, managed] = [envAddress, { value: false, source: envAddress.source }];
  } else if (stigmer.managed?.value === true) {
    [address, managed] = [{ value: MANAGED_TEMPORAL_ADDRESS, source: stigmer.managed.source }, stigmer.managed];
    if (profileAddress)
      warnings.push(
        `${profileAddress.source} (${profileAddress.value}) is not used: ${stigmer.managed.source} is true, so stigmer-runner uses its managed dev server`,
      );
  } else if (stigmer.managed?.value === false && stigmer.fileAddress) {
    [address, managed] = [stigmer.fileAddress, stigmer.managed];
  } else if (profileAddress) {
    [address, managed] = [profileAddress, { value: false, source: profileAddress.source }];
  } else if (stigmer.managed?.value === false) {
    [address, managed] = [{ value: MANAGED_TEMPORAL_ADDRESS, source: 'default' }, stigmer.managed];
  } else {
    [address, managed] = [
      { value: MANAGED_TEMPORAL_ADDRESS, source: 'default' },
      { value: true, source: 'default' },
    ];
  }

  const namespace = stigmer.namespace ??
    checkedText(pick(undefined, 'TEMPORAL_NAMESPACE', profile?.namespace, 'namespace'), issues) ?? {
      value: 'default',
      source: 'default',
    };

  // TLS and credentials.
  const tlsText = rawEnv[ENV.disabled];
  if (tlsText !== undefined && !['1', 'true', '0', 'false'].includes(tlsText)) {
    issues.push({
      source: fromEnv(ENV.disabled),
      message: `${JSON.stringify(tlsText)} is not one of 1, true, 0, false (Temporal's envconfig would read it as false: TLS off)`,
    });
  }
  const noHostCheck = pickTls('disable_host_verification');
  if (noHostCheck?.value === true) {
    issues.push({
      source: noHostCheck.source,
      message:
        "cannot be honoured: the TypeScript SDK (envconfig 1.24.0 reads it but never applies it) always checks the server's host name; name the host its certificate carries with TEMPORAL_TLS_SERVER_NAME (or server_name in the profile's [tls])",
    });
  }
  const disabled = pickTls('disabled');
  const serverName = checkedText(pickTls('server_name'), issues) ?? null;
  const serverCa = pem('server_ca_cert', 'server CA certificate');
  const clientCert = pem('client_cert', 'client certificate');
  const clientKey = pem('client_key', 'client key');
  const apiKeyPick = pick(env.api_key, ENV.api_key, profile?.api_key, 'api_key');
  const apiKey = apiKeyPick && apiKeyPick.value !== '' ? apiKeyPick : undefined;
  if (clientCert && !clientKey)
    issues.push({
      source: clientCert.source,
      message: `a client certificate needs its key: set ${ENV.client_key_path} (or client_key_path in the profile's [tls])`,
    });
  if (clientKey && !clientCert)
    issues.push({
      source: clientKey.source,
      message: `a client key needs its certificate: set ${ENV.client_cert_path} (or client_cert_path in the profile's [tls])`,
    });

  const tlsSettings = [serverName, serverCa, clientCert, clientKey].flatMap((entry) =>
    entry ? [{ source: entry.source }] : [],
  );
  let tls: Sourced<boolean>;
  if (disabled) tls = { value: !disabled.value, source: disabled.source };
  else if (tlsSettings.length > 0) tls = { value: true, source: tlsSettings[0].source };
  else if (profile?.tls !== undefined)
    tls = { value: true, source: fileKey('tls') }; // an empty [tls] table turns TLS on
  else if (apiKey) tls = { value: true, source: `${apiKey.source} (an API key turns TLS on)` };
  else tls = { value: false, source: 'default' };
  if (!tls.value && tlsSettings.length > 0)
    warnings.push(`TLS is off (${tls.source}): ${tlsSettings.map((entry) => entry.source).join(', ')} ignored`);

  const metadata = { ...(profile?.grpc_meta ?? {}), ...(env.grpc_meta ?? {}) };
  let secrets: TemporalSecrets = {
    ...(apiKey ? { apiKey: apiKey.value } : {}),
    ...(tls.value && serverCa ? { serverCa: serverCa.pem } : {}),
    ...(tls.value && clientCert && clientKey ? { clientCert: clientCert.pem, clientKey: clientKey.pem } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
  const mtls = secrets.clientCert !== undefined;
  const auth: Sourced<TemporalAuth> = mtls
    ? apiKey
      ? { value: 'mtls+api-key', source: `${clientCert?.source} + ${apiKey.source}` }
      : { value: 'mtls', source: clientCert?.source as string }
    : apiKey
      ? { value: 'api-key', source: apiKey.source }
      : { value: 'none', source: 'default' };

  const shown = (entry: { value: string; source: Source } | undefined | null) =>
    entry ? { value: entry.value, source: entry.source } : null;
  let temporal: TemporalConnectionConfig = {
    address,
    namespace,
    managed,
    profile: { name: file.profile, file: { value: file.path, source: file.source }, found: profile !== undefined },
    tls,
    serverName: tls.value ? shown(serverName) : null,
    serverCa: tls.value ? shown(serverCa) : null,
    clientCert: mtls ? shown(clientCert) : null,
    clientKey: mtls ? shown(clientKey) : null,
    auth,
    apiKeySource: apiKey?.source ?? null,
    metadataHeaders: Object.keys(metadata).sort(),
  };

  if (managed.value) {
    const dropped = [
      apiKey?.source,
      tls.value ? tls.source : undefined,
      ...Object.keys(metadata).map((name) => `gRPC header ${name}`),
    ].filter((entry): entry is string => entry !== undefined);
    if (dropped.length > 0)
      warnings.push(
        `Temporal is the managed dev server (${managed.source}), which speaks plaintext without auth: ${dropped.join(', ')} ignored; set TEMPORAL_ADDRESS (or a profile address) to use another Temporal`,
      );
    temporal = {
      ...temporal,
      tls: { value: false, source: managed.source },
      serverName: null,
      serverCa: null,
      clientCert: null,
      clientKey: null,
      auth: { value: 'none', source: managed.source },
      apiKeySource: null,
      metadataHeaders: [],
    };
    secrets = {};
  }
  return { temporal, secrets, issues, warnings };

  /** A PEM setting given as a path or inline, in the env layer or the profile: never both in one layer. */
  function pem(
    base: 'server_ca_cert' | 'client_cert' | 'client_key',
    what: string,
  ): { value: string; source: Source; pem: PemSource } | undefined {
    const pathKey = `${base}_path` as const;
    const dataKey = `${base}_data` as const;
    for (const [layer, sourceOf] of [
      [env.tls, (key: keyof typeof ENV) => fromEnv(ENV[key])],
      [profile?.tls, (key: keyof typeof ENV) => fileKey(`tls.${key}`)],
    ] as const) {
      const path = layer?.[pathKey];
      const data = layer?.[dataKey];
      if (path !== undefined && data !== undefined) {
        issues.push({
          source: sourceOf(pathKey),
          message: `the ${what} is given twice, as a path and inline (${sourceOf(dataKey)}): keep one`,
        });
        return undefined;
      }
      if (path !== undefined && path !== '')
        return { value: path, source: sourceOf(pathKey), pem: { source: sourceOf(pathKey), path } };
      if (data !== undefined && data !== '')
        return { value: 'inline PEM', source: sourceOf(dataKey), pem: { source: sourceOf(dataKey), data } };
    }
    return undefined;
  }
}

function checkedAddress(address: Sourced<string> | undefined, issues: ConfigIssue[]): Sourced<string> | undefined {
  if (!checkedText(address, issues)) return undefined;
  const problem = endpointProblem((address as Sourced<string>).value);
  if (!problem) return address;
  issues.push({ source: (address as Sourced<string>).source, message: problem });
  return undefined;
}

function checkedText(entry: Sourced<string> | undefined, issues: ConfigIssue[]): Sourced<string> | undefined {
  if (entry === undefined) return undefined;
  if (typeof entry.value !== 'string' || entry.value.trim() === '' || entry.value !== entry.value.trim()) {
    issues.push({
      source: entry.source,
      message: `${JSON.stringify(entry.value)} must be non-empty text without surrounding white space`,
    });
    return undefined;
  }
  return entry;
}

function endpointProblem(text: string): string | undefined {
  try {
    const parsed = parseAddress(text);
    if (parsed.scheme) return `"${text}" must be host:port without a scheme`;
    if (parsed.port === undefined) return `"${text}" must name a port (host:port)`;
    return undefined;
  } catch (error) {
    if (error instanceof AddressError) return `"${text}" is not a valid address: ${error.reason}`;
    throw error;
  }
}
