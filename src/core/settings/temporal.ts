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
import { AddressError, ENDPOINT_CREDENTIALS, maskSuspectUserinfo, parseAddress } from '../address';
import type {
  ConfigIssue,
  PemSource,
  ResolvedTemporal,
  Source,
  Sourced,
  StigmerTemporalSettings,
  TemporalAuth,
  TemporalProfileInput,
  TemporalProfileLayer,
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
  const run = startResolution(input);
  warnUnknownProfileKeys(run);
  const { address, managed } = chooseAddress(stigmer, run);
  const namespace = chooseNamespace(stigmer, run);
  const credentials = chooseCredentials(run, rawEnv);
  const metadata = { ...(run.profile.values?.grpc_meta ?? {}), ...(run.env.values?.grpc_meta ?? {}) };
  const secrets = secretsOf(credentials, metadata);
  const { file } = input;
  const resolved: ResolvedTemporal = {
    temporal: {
      address,
      namespace,
      managed,
      profile: { name: file.profile, file: { value: file.path, source: file.source }, found: file.layer !== undefined },
      ...shownCredentials(credentials, secrets),
      metadataHeaders: Object.keys(metadata).sort(),
    },
    secrets,
    issues: run.issues,
    warnings: run.warnings,
  };
  return managed.value ? asManagedDevServer(resolved, credentials, metadata) : resolved;
}

/** One of envconfig's two layers: the TEMPORAL_* env vars, or the chosen temporal.toml profile. */
interface Layer {
  values: TemporalProfileLayer | undefined;
  /** Where this layer sets `key`: `env:TEMPORAL_TLS_SERVER_NAME`, `file:…#profile.prod.tls.server_name`. */
  sourceOf: (key: keyof typeof ENV) => Source;
}

/** What the steps share: the two layers, and what they report, in the order they report it. */
interface Resolution {
  env: Layer;
  profile: Layer;
  /** envconfig's order, env before the profile. */
  layers: readonly Layer[];
  fileKey: (key: string) => Source;
  issues: ConfigIssue[];
  warnings: string[];
}

function startResolution(input: TemporalProfileInput): Resolution {
  const { file } = input;
  const fileKey = (key: string) => `file:${file.path}#profile.${file.profile.value}.${key}`;
  const env: Layer = { values: input.env, sourceOf: (key) => `env:${ENV[key]}` };
  const profile: Layer = {
    values: file.layer,
    sourceOf: (key) => fileKey(TLS_KEYS.has(key) ? `tls.${key}` : key),
  };
  return { env, profile, layers: [env, profile], fileKey, issues: [...input.issues], warnings: [] };
}

/** The first of `layers` in which `read` finds a value, with that layer's source for `key`. */
function firstSet<T>(
  layers: readonly Layer[],
  key: keyof typeof ENV,
  read: (values: TemporalProfileLayer) => T | undefined,
): Sourced<T> | undefined {
  for (const layer of layers) {
    const value = layer.values === undefined ? undefined : read(layer.values);
    if (value !== undefined) return { value, source: layer.sourceOf(key) };
  }
  return undefined;
}

const addressIn = (layer: Layer) => firstSet([layer], 'address', (values) => values.address);
const tlsSetting = <K extends keyof TemporalTlsLayer>(run: Resolution, key: K) =>
  firstSet(run.layers, key, (values) => values.tls?.[key] ?? undefined);

/** The answer of the first layer that has one; the layers after it are not consulted. */
function firstAnswer<C, T>(layers: ReadonlyArray<(candidates: C) => T | undefined>, candidates: C): T | undefined {
  for (const layer of layers) {
    const answer = layer(candidates);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

function warnUnknownProfileKeys({ profile: { values: profile }, fileKey, warnings }: Resolution): void {
  if (!profile) return;
  // Typos pass silently in envconfig unless strict (which would reject disable_host_verification too).
  for (const key of Object.keys(profile).filter((name) => !PROFILE_KEYS.has(name)))
    warnings.push(`${fileKey(key)}: unknown key, ignored`);
  if (profile.codec !== undefined)
    warnings.push(`${fileKey('codec')}: a remote codec is not used by stigmer-runner, ignored`);
  for (const key of Object.keys(profile.tls ?? {}).filter((name) => !TLS_KEYS.has(name)))
    warnings.push(`${fileKey(`tls.${key}`)}: unknown key, ignored`);
}

/** Where Temporal is and whether Stigmer manages it; `warning` is said when this answer is taken. */
interface AddressChoice {
  address: Sourced<string>;
  managed: Sourced<boolean>;
  warning?: string;
}
interface AddressCandidates {
  stigmer: StigmerTemporalSettings;
  envAddress?: Sourced<string>;
  profileAddress?: Sourced<string>;
}

const unmanaged = (address: Sourced<string>): AddressChoice => ({
  address,
  managed: { value: false, source: address.source },
});

/** The header table's address row, walked in order until a layer answers. */
const ADDRESS_LAYERS: ReadonlyArray<(candidates: AddressCandidates) => AddressChoice | undefined> = [
  ({ stigmer }) => (stigmer.serviceAddress ? unmanaged(stigmer.serviceAddress) : undefined),
  ({ envAddress }) => (envAddress ? unmanaged(envAddress) : undefined),
  managedByConfig,
  ({ stigmer }) =>
    stigmer.managed?.value === false && stigmer.fileAddress
      ? { address: stigmer.fileAddress, managed: stigmer.managed }
      : undefined,
  ({ profileAddress }) => (profileAddress ? unmanaged(profileAddress) : undefined),
  // config.yaml's `managed: false` without an address still says: do not start the dev server.
  ({ stigmer }) =>
    stigmer.managed?.value === false
      ? { address: { value: MANAGED_TEMPORAL_ADDRESS, source: 'default' }, managed: stigmer.managed }
      : undefined,
];

function managedByConfig({ stigmer, profileAddress }: AddressCandidates): AddressChoice | undefined {
  if (stigmer.managed?.value !== true) return undefined;
  return {
    address: { value: MANAGED_TEMPORAL_ADDRESS, source: stigmer.managed.source },
    managed: stigmer.managed,
    // A profile address is the one a user of the temporal CLI expects: say why it loses.
    ...(profileAddress && {
      warning: `${profileAddress.source} (${profileAddress.value}) is not used: ${stigmer.managed.source} is true, so stigmer-runner uses its managed dev server`,
    }),
  };
}

function chooseAddress(stigmer: StigmerTemporalSettings, run: Resolution): AddressChoice {
  // Both envconfig addresses are checked before the walk: a malformed one is reported even when outranked.
  const candidates: AddressCandidates = {
    stigmer,
    envAddress: checkedAddress(addressIn(run.env), run.issues),
    profileAddress: checkedAddress(addressIn(run.profile), run.issues),
  };
  const { address, managed, warning } = firstAnswer(ADDRESS_LAYERS, candidates) ?? {
    address: { value: MANAGED_TEMPORAL_ADDRESS, source: 'default' },
    managed: { value: true, source: 'default' },
  };
  if (warning) run.warnings.push(warning);
  return { address, managed };
}

/** TEMPORAL_NAMESPACE and config.yaml come in as Stigmer's; the profile's is checked only when they are unset. */
function chooseNamespace(stigmer: StigmerTemporalSettings, run: Resolution): Sourced<string> {
  const profileNamespace = run.profile.values?.namespace;
  const fromProfile =
    profileNamespace === undefined ? undefined : { value: profileNamespace, source: run.fileKey('namespace') };
  return stigmer.namespace ?? checkedText(fromProfile, run.issues) ?? { value: 'default', source: 'default' };
}

type Pem = Sourced<string> & { pem: PemSource };

/** TLS and the credentials as the layers give them (before the managed dev server may drop them). */
interface Credentials {
  tls: Sourced<boolean>;
  serverName: Sourced<string> | null;
  serverCa?: Pem;
  clientCert?: Pem;
  clientKey?: Pem;
  apiKey?: Sourced<string>;
}

function chooseCredentials(run: Resolution, rawEnv: Record<string, string | undefined>): Credentials {
  reportTlsText(rawEnv[ENV.disabled], run);
  reportHostVerification(run);
  const disabled = tlsSetting(run, 'disabled');
  const serverName = checkedText(tlsSetting(run, 'server_name'), run.issues) ?? null;
  const serverCa = pemSetting(run, 'server_ca_cert', 'server CA certificate');
  const clientCert = pemSetting(run, 'client_cert', 'client certificate');
  const clientKey = pemSetting(run, 'client_key', 'client key');
  const apiKey = chooseApiKey(run);
  reportUnpairedClientCert(clientCert, clientKey, run);
  const settings = [serverName, serverCa, clientCert, clientKey].flatMap((entry) => (entry ? [entry.source] : []));
  const tlsTable = run.profile.values?.tls !== undefined ? run.fileKey('tls') : undefined;
  const tls = firstAnswer(TLS_SWITCHES, { disabled, settings, tlsTable, apiKey }) ?? {
    value: false,
    source: 'default',
  };
  if (!tls.value && settings.length > 0)
    run.warnings.push(`TLS is off (${tls.source}): ${settings.join(', ')} ignored`);
  return { tls, serverName, serverCa, clientCert, clientKey, apiKey };
}

interface TlsCandidates {
  disabled?: Sourced<boolean>;
  /** The sources of the TLS settings given (server name, CA, client certificate and key). */
  settings: Source[];
  /** The profile's [tls] table, when it has one. */
  tlsTable?: Source;
  apiKey?: Sourced<string>;
}

/** The header's rule for TLS, walked in order until one answers; none: off. */
const TLS_SWITCHES: ReadonlyArray<(candidates: TlsCandidates) => Sourced<boolean> | undefined> = [
  ({ disabled }) => (disabled ? { value: !disabled.value, source: disabled.source } : undefined),
  ({ settings }) => (settings.length > 0 ? { value: true, source: settings[0] } : undefined),
  // An empty [tls] table turns TLS on, as in envconfig.
  ({ tlsTable }) => (tlsTable !== undefined ? { value: true, source: tlsTable } : undefined),
  ({ apiKey }) => (apiKey ? { value: true, source: `${apiKey.source} (an API key turns TLS on)` } : undefined),
];

/** envconfig reads anything but 1 and true as false: a typo would turn TLS off without a word. */
function reportTlsText(text: string | undefined, run: Resolution): void {
  if (text === undefined || ['1', 'true', '0', 'false'].includes(text)) return;
  run.issues.push({
    source: run.env.sourceOf('disabled'),
    message: `${JSON.stringify(text)} is not one of 1, true, 0, false (Temporal's envconfig would read it as false: TLS off)`,
  });
}

function reportHostVerification(run: Resolution): void {
  const noHostCheck = tlsSetting(run, 'disable_host_verification');
  if (noHostCheck?.value !== true) return;
  run.issues.push({
    source: noHostCheck.source,
    message:
      "cannot be honoured: the TypeScript SDK (envconfig 1.24.0 reads it but never applies it) always checks the server's host name; name the host its certificate carries with TEMPORAL_TLS_SERVER_NAME (or server_name in the profile's [tls])",
  });
}

/** Set but empty, the env's key still hides the profile's; it sends none. */
function chooseApiKey(run: Resolution): Sourced<string> | undefined {
  const apiKey = firstSet(run.layers, 'api_key', (values) => values.api_key);
  return apiKey && apiKey.value !== '' ? apiKey : undefined;
}

/** A PEM setting given as a path or inline, in the env layer or the profile: never both in one layer. */
function pemSetting(
  run: Resolution,
  base: 'server_ca_cert' | 'client_cert' | 'client_key',
  what: string,
): Pem | undefined {
  const pathKey = `${base}_path` as const;
  const dataKey = `${base}_data` as const;
  for (const { values, sourceOf } of run.layers) {
    const path = values?.tls?.[pathKey];
    const data = values?.tls?.[dataKey];
    if (path !== undefined && data !== undefined) {
      run.issues.push({
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

function reportUnpairedClientCert(clientCert: Pem | undefined, clientKey: Pem | undefined, run: Resolution): void {
  if (clientCert && !clientKey)
    run.issues.push({
      source: clientCert.source,
      message: `a client certificate needs its key: set ${ENV.client_key_path} (or client_key_path in the profile's [tls])`,
    });
  if (clientKey && !clientCert)
    run.issues.push({
      source: clientKey.source,
      message: `a client key needs its certificate: set ${ENV.client_cert_path} (or client_cert_path in the profile's [tls])`,
    });
}

/** What the connection sends: PEMs only with TLS on, a client certificate only with its key. */
function secretsOf(credentials: Credentials, metadata: Record<string, string>): TemporalSecrets {
  const { tls, serverCa, clientCert, clientKey, apiKey } = credentials;
  return {
    ...(apiKey ? { apiKey: apiKey.value } : {}),
    ...(tls.value && serverCa ? { serverCa: serverCa.pem } : {}),
    ...(tls.value && clientCert && clientKey ? { clientCert: clientCert.pem, clientKey: clientKey.pem } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
}

/** The credentials as the config shows them: where each is, never the PEM or the key. */
function shownCredentials(credentials: Credentials, secrets: TemporalSecrets) {
  const { tls, serverName, serverCa, clientCert, clientKey, apiKey } = credentials;
  const shown = (entry: Sourced<string> | undefined | null) =>
    entry ? { value: entry.value, source: entry.source } : null;
  const mtls = secrets.clientCert !== undefined;
  return {
    tls,
    serverName: tls.value ? shown(serverName) : null,
    serverCa: tls.value ? shown(serverCa) : null,
    clientCert: mtls ? shown(clientCert) : null,
    clientKey: mtls ? shown(clientKey) : null,
    auth: authOf(mtls ? clientCert : undefined, apiKey),
    apiKeySource: apiKey?.source ?? null,
  };
}

function authOf(clientCert: Pem | undefined, apiKey: Sourced<string> | undefined): Sourced<TemporalAuth> {
  if (clientCert && apiKey) return { value: 'mtls+api-key', source: `${clientCert.source} + ${apiKey.source}` };
  if (clientCert) return { value: 'mtls', source: clientCert.source };
  if (apiKey) return { value: 'api-key', source: apiKey.source };
  return { value: 'none', source: 'default' };
}

/** The managed dev server speaks plaintext without auth: what was aimed at it is dropped, and said so. */
function asManagedDevServer(
  resolved: ResolvedTemporal,
  { apiKey, tls }: Credentials,
  metadata: Record<string, string>,
): ResolvedTemporal {
  const { managed } = resolved.temporal;
  const dropped = [
    apiKey?.source,
    tls.value ? tls.source : undefined,
    ...Object.keys(metadata).map((name) => `gRPC header ${name}`),
  ].filter((entry): entry is string => entry !== undefined);
  if (dropped.length > 0)
    resolved.warnings.push(
      `Temporal is the managed dev server (${managed.source}), which speaks plaintext without auth: ${dropped.join(', ')} ignored; set TEMPORAL_ADDRESS (or a profile address) to use another Temporal`,
    );
  return {
    ...resolved,
    temporal: {
      ...resolved.temporal,
      tls: { value: false, source: managed.source },
      serverName: null,
      serverCa: null,
      clientCert: null,
      clientKey: null,
      auth: { value: 'none', source: managed.source },
      apiKeySource: null,
      metadataHeaders: [],
    },
    secrets: {},
  };
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
      message: `${JSON.stringify(typeof entry.value === 'string' ? maskSuspectUserinfo(entry.value) : entry.value)} must be non-empty text without surrounding white space`,
    });
    return undefined;
  }
  return entry;
}

function endpointProblem(text: string): string | undefined {
  const shown = maskSuspectUserinfo(text); // an address may carry a password: never quoted
  try {
    const parsed = parseAddress(text);
    if (parsed.scheme) return `"${shown}" must be host:port without a scheme`;
    if (parsed.port === undefined) return `"${shown}" must name a port (host:port)`;
    if (parsed.userinfo) return `"${shown}" ${ENDPOINT_CREDENTIALS}`;
    return undefined;
  } catch (error) {
    if (error instanceof AddressError) return `"${shown}" is not a valid address: ${error.reason}`;
    throw error;
  }
}
