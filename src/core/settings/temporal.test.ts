/**
 * Which Temporal, and how: the precedence order as a table, the quirks of envconfig we report, the
 * secrets kept out of the config, and the runner-contract blocker. Pure: temporal.toml is handed to
 * the edge (loadTemporalProfile, which parses with envconfig) as text, never read from disk.
 */
import { loadTemporalProfile } from '../../settings/temporal-profile';
import { resolveConfig } from './cascade';
import type { RunnerConfig } from './types';
import { ConfigError } from './errors';
import { planNetworking } from '../runner/network-plan';
import { RUNNER_RELEASES, runnerTemporalBlockers, type RunnerRelease } from '../runner/releases';
import { buildRunnerEnv, maskSecrets } from '../runner/env';
import { defaultTemporalConfigPath } from './temporal';
import { ENGINES } from '../test-fixtures';

const HOME = '/home/u';
const TOML = `${HOME}/.config/temporalio/temporal.toml`;
const YAML = `${HOME}/.stigmer/config.yaml`;
const enoent = () => Object.assign(new Error('ENOENT'), { code: 'ENOENT' });

function resolve(env: Record<string, string> = {}, files: { yaml?: string; toml?: string; tomlAt?: string } = {}) {
  const read = (path: string) => {
    if (path === (files.tomlAt ?? TOML) && files.toml !== undefined) return files.toml;
    throw enoent();
  };
  return resolveConfig({
    env,
    flags: {},
    homeDir: HOME,
    fileText: files.yaml,
    temporalProfile: loadTemporalProfile(env, HOME, 'linux', read),
  });
}

function issuesOf(env: Record<string, string>, files: Parameters<typeof resolve>[1] = {}) {
  try {
    resolve(env, files);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const yaml = (temporal: string) => `backend:\n  local:\n    temporal:\n${temporal.replace(/^/gm, '      ')}\n`;
const PROFILES = `
[profile.default]
address = "default.example:7233"
namespace = "from-default-profile"

[profile.prod]
address = "prod.tmprl.cloud:7233"
namespace = "prod-ns"
api_key = "profile-key-123"

[profile.mtls]
address = "mtls.example:7233"
[profile.mtls.tls]
server_ca_cert_path = "/certs/ca.pem"
client_cert_path = "/certs/client.pem"
client_key_path = "/certs/client.key"
server_name = "temporal.internal"

[profile.plainkey]
address = "plain.example:7233"
api_key = "plain-key"
[profile.plainkey.tls]
disabled = true

[profile.emptytls]
address = "tls.example:7233"
[profile.emptytls.tls]
`;
const at = (profile: string, key: string) => `file:${TOML}#profile.${profile}.${key}`;
const fileKey = (key: string) => `file:${YAML}#backend.local.temporal.${key}`;

type Row = [
  name: string,
  env: Record<string, string>,
  files: { yaml?: string; toml?: string },
  expected: {
    address: [string, string];
    managed: boolean;
    namespace?: [string, string];
    tls?: [boolean, string];
    auth?: [string, string];
  },
];

describe('precedence, value by value', () => {
  it.each<Row>([
    [
      'nothing set: the managed dev server',
      {},
      {},
      {
        address: ['localhost:7233', 'default'],
        managed: true,
        namespace: ['default', 'default'],
        tls: [false, 'default'],
        auth: ['none', 'default'],
      },
    ],
    [
      "temporal.toml's default profile",
      {},
      { toml: PROFILES },
      {
        address: ['default.example:7233', at('default', 'address')],
        managed: false,
        namespace: ['from-default-profile', at('default', 'namespace')],
      },
    ],
    [
      'TEMPORAL_PROFILE picks the profile',
      { TEMPORAL_PROFILE: 'prod' },
      { toml: PROFILES },
      {
        address: ['prod.tmprl.cloud:7233', at('prod', 'address')],
        managed: false,
        namespace: ['prod-ns', at('prod', 'namespace')],
      },
    ],
    [
      'TEMPORAL_ADDRESS beats the profile',
      { TEMPORAL_ADDRESS: 'env.example:7233' },
      { toml: PROFILES },
      { address: ['env.example:7233', 'env:TEMPORAL_ADDRESS'], managed: false },
    ],
    [
      'TEMPORAL_SERVICE_ADDRESS beats TEMPORAL_ADDRESS',
      { TEMPORAL_SERVICE_ADDRESS: 'stigmer.example:7233', TEMPORAL_ADDRESS: 'env.example:7233' },
      { toml: PROFILES },
      { address: ['stigmer.example:7233', 'env:TEMPORAL_SERVICE_ADDRESS'], managed: false },
    ],
    [
      'env beats config.yaml managed: true',
      { TEMPORAL_ADDRESS: 'env.example:7233' },
      { yaml: yaml('managed: true') },
      { address: ['env.example:7233', 'env:TEMPORAL_ADDRESS'], managed: false },
    ],
    [
      'config.yaml managed: true beats the profile',
      {},
      { yaml: yaml('managed: true'), toml: PROFILES },
      { address: ['localhost:7233', fileKey('managed')], managed: true },
    ],
    [
      'config.yaml managed: false + address beats the profile',
      {},
      { yaml: yaml('managed: false\naddress: yaml.example:7233'), toml: PROFILES },
      { address: ['yaml.example:7233', fileKey('address')], managed: false },
    ],
    [
      'config.yaml managed: false without address: the profile',
      {},
      { yaml: yaml('managed: false'), toml: PROFILES },
      { address: ['default.example:7233', at('default', 'address')], managed: false },
    ],
    [
      'config.yaml managed: false, no profile: localhost, not started',
      {},
      { yaml: yaml('managed: false') },
      { address: ['localhost:7233', 'default'], managed: false },
    ],
    [
      'namespace: TEMPORAL_NAMESPACE first',
      { TEMPORAL_NAMESPACE: 'env-ns' },
      { yaml: yaml('namespace: yaml-ns'), toml: PROFILES },
      {
        address: ['default.example:7233', at('default', 'address')],
        managed: false,
        namespace: ['env-ns', 'env:TEMPORAL_NAMESPACE'],
      },
    ],
    [
      'namespace: config.yaml before the profile',
      {},
      { yaml: yaml('namespace: yaml-ns'), toml: PROFILES },
      {
        address: ['default.example:7233', at('default', 'address')],
        managed: false,
        namespace: ['yaml-ns', fileKey('namespace')],
      },
    ],
    [
      'an API key alone turns TLS on',
      { TEMPORAL_PROFILE: 'prod' },
      { toml: PROFILES },
      {
        address: ['prod.tmprl.cloud:7233', at('prod', 'address')],
        managed: false,
        tls: [true, `${at('prod', 'api_key')} (an API key turns TLS on)`],
        auth: ['api-key', at('prod', 'api_key')],
      },
    ],
    [
      'TEMPORAL_API_KEY beats the profile key',
      { TEMPORAL_PROFILE: 'prod', TEMPORAL_API_KEY: 'env-key' },
      { toml: PROFILES },
      {
        address: ['prod.tmprl.cloud:7233', at('prod', 'address')],
        managed: false,
        auth: ['api-key', 'env:TEMPORAL_API_KEY'],
      },
    ],
    [
      'an API key over plaintext when [tls] disabled',
      { TEMPORAL_PROFILE: 'plainkey' },
      { toml: PROFILES },
      {
        address: ['plain.example:7233', at('plainkey', 'address')],
        managed: false,
        tls: [false, at('plainkey', 'tls.disabled')],
        auth: ['api-key', at('plainkey', 'api_key')],
      },
    ],
    [
      'mTLS from the profile',
      { TEMPORAL_PROFILE: 'mtls' },
      { toml: PROFILES },
      {
        address: ['mtls.example:7233', at('mtls', 'address')],
        managed: false,
        tls: [true, at('mtls', 'tls.server_name')],
        auth: ['mtls', at('mtls', 'tls.client_cert_path')],
      },
    ],
    [
      'TEMPORAL_TLS_CLIENT_CERT_PATH beats the profile path',
      { TEMPORAL_PROFILE: 'mtls', TEMPORAL_TLS_CLIENT_CERT_PATH: '/env/client.pem' },
      { toml: PROFILES },
      {
        address: ['mtls.example:7233', at('mtls', 'address')],
        managed: false,
        auth: ['mtls', 'env:TEMPORAL_TLS_CLIENT_CERT_PATH'],
      },
    ],
    [
      'TEMPORAL_TLS=false beats the profile TLS',
      { TEMPORAL_PROFILE: 'mtls', TEMPORAL_TLS: 'false' },
      { toml: PROFILES },
      {
        address: ['mtls.example:7233', at('mtls', 'address')],
        managed: false,
        tls: [false, 'env:TEMPORAL_TLS'],
        auth: ['none', 'default'],
      },
    ],
    [
      'TEMPORAL_TLS=true alone',
      { TEMPORAL_ADDRESS: 'x.example:7233', TEMPORAL_TLS: 'true' },
      {},
      {
        address: ['x.example:7233', 'env:TEMPORAL_ADDRESS'],
        managed: false,
        tls: [true, 'env:TEMPORAL_TLS'],
        auth: ['none', 'default'],
      },
    ],
    [
      'an empty [tls] table turns TLS on',
      { TEMPORAL_PROFILE: 'emptytls' },
      { toml: PROFILES },
      { address: ['tls.example:7233', at('emptytls', 'address')], managed: false, tls: [true, at('emptytls', 'tls')] },
    ],
    [
      'the managed server drops TLS and keys',
      { TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: '1' },
      {},
      { address: ['localhost:7233', 'default'], managed: true, tls: [false, 'default'], auth: ['none', 'default'] },
    ],
  ])('%s', (_name, env, files, expected) => {
    const { temporal } = resolve(env, files).config;
    expect(temporal.address).toEqual({ value: expected.address[0], source: expected.address[1] });
    expect(temporal.managed.value).toBe(expected.managed);
    if (expected.namespace)
      expect(temporal.namespace).toEqual({ value: expected.namespace[0], source: expected.namespace[1] });
    if (expected.tls) expect(temporal.tls).toEqual({ value: expected.tls[0], source: expected.tls[1] });
    if (expected.auth) expect(temporal.auth).toEqual({ value: expected.auth[0], source: expected.auth[1] });
  });
});

describe('what the connection carries', () => {
  it('keys and PEMs stay in the secrets; the config holds only where they are', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBsecretbody\n-----END CERTIFICATE-----';
    const { config, secrets } = resolve(
      { TEMPORAL_PROFILE: 'prod', TEMPORAL_TLS_SERVER_CA_CERT_DATA: pem },
      { toml: PROFILES },
    );
    expect(secrets.temporal).toEqual({
      apiKey: 'profile-key-123',
      serverCa: { source: 'env:TEMPORAL_TLS_SERVER_CA_CERT_DATA', data: pem },
    });
    expect(config.temporal.serverCa).toEqual({ value: 'inline PEM', source: 'env:TEMPORAL_TLS_SERVER_CA_CERT_DATA' });
    expect(config.temporal.apiKeySource).toBe(at('prod', 'api_key'));
    const text = JSON.stringify(config);
    expect(text).not.toContain('profile-key-123');
    expect(text).not.toContain('MIIBsecretbody');
  });

  it('mTLS paths are shown, and the server name', () => {
    const { temporal } = resolve({ TEMPORAL_PROFILE: 'mtls' }, { toml: PROFILES }).config;
    expect(temporal).toMatchObject({
      serverCa: { value: '/certs/ca.pem', source: at('mtls', 'tls.server_ca_cert_path') },
      clientCert: { value: '/certs/client.pem', source: at('mtls', 'tls.client_cert_path') },
      clientKey: { value: '/certs/client.key', source: at('mtls', 'tls.client_key_path') },
      serverName: { value: 'temporal.internal', source: at('mtls', 'tls.server_name') },
      profile: {
        name: { value: 'mtls', source: 'env:TEMPORAL_PROFILE' },
        file: { value: TOML, source: 'default' },
        found: true,
      },
    });
  });

  it('warns when the managed server makes a profile address or credentials moot', () => {
    expect(resolve({}, { yaml: yaml('managed: true'), toml: PROFILES }).config.warnings).toEqual([
      expect.stringMatching(/profile\.default\.address \(default\.example:7233\) is not used/),
    ]);
    expect(resolve({ TEMPORAL_API_KEY: 'k' }).config.warnings).toEqual([
      expect.stringMatching(/managed dev server .*env:TEMPORAL_API_KEY .*ignored/),
    ]);
  });

  it('TEMPORAL_CONFIG_FILE and XDG_CONFIG_HOME locate the file; the OS config dir is temporalio/', () => {
    expect(
      resolve({ TEMPORAL_CONFIG_FILE: '/etc/t.toml' }, { toml: PROFILES, tomlAt: '/etc/t.toml' } as never).config
        .temporal.address.source,
    ).toBe('file:/etc/t.toml#profile.default.address');
    expect(defaultTemporalConfigPath({}, HOME, 'linux')).toBe(TOML);
    expect(defaultTemporalConfigPath({ XDG_CONFIG_HOME: '/x' }, HOME, 'linux')).toBe('/x/temporalio/temporal.toml');
    expect(defaultTemporalConfigPath({}, '/Users/u', 'darwin')).toBe(
      '/Users/u/Library/Application Support/temporalio/temporal.toml',
    );
    expect(defaultTemporalConfigPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u', 'win32')).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\temporalio\\temporal.toml',
    );
  });
});

describe('problems are named by the setting that caused them', () => {
  it.each<[string, Record<string, string>, Parameters<typeof resolve>[1], Array<[string, RegExp]>]>([
    [
      'a TEMPORAL_CONFIG_FILE that does not exist (envconfig ignores it)',
      { TEMPORAL_CONFIG_FILE: '/nope/t.toml' },
      {},
      [['env:TEMPORAL_CONFIG_FILE', /names \/nope\/t\.toml, which does not exist/]],
    ],
    [
      'an unknown profile',
      { TEMPORAL_PROFILE: 'staging' },
      { toml: PROFILES },
      [
        [
          'env:TEMPORAL_PROFILE',
          /profile "staging" is not in .*temporal\.toml \(it has "default", "prod", "mtls", "plainkey", "emptytls"\)/,
        ],
      ],
    ],
    [
      'a profile with no file',
      { TEMPORAL_PROFILE: 'prod' },
      {},
      [['env:TEMPORAL_PROFILE', /no .*temporal\.toml.*TEMPORAL_CONFIG_FILE/]],
    ],
    [
      'TEMPORAL_TLS that envconfig reads as false',
      { TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS: 'yes' },
      {},
      [['env:TEMPORAL_TLS', /"yes" is not one of 1, true, 0, false/]],
    ],
    [
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION (read, never applied)',
      { TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' },
      {},
      [['env:TEMPORAL_TLS_DISABLE_HOST_VERIFICATION', /cannot be honoured.*TEMPORAL_TLS_SERVER_NAME/]],
    ],
    [
      'disable_host_verification in a profile',
      { TEMPORAL_PROFILE: 'x' },
      { toml: '[profile.x]\naddress = "x:1"\n[profile.x.tls]\ndisable_host_verification = true\n' },
      [[at('x', 'tls.disable_host_verification'), /cannot be honoured/]],
    ],
    [
      'a client certificate without its key',
      { TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem' },
      {},
      [['env:TEMPORAL_TLS_CLIENT_CERT_PATH', /needs its key/]],
    ],
    [
      'a PEM given twice in one layer',
      {
        TEMPORAL_ADDRESS: 'x:7233',
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/ca.pem',
        TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'pem',
      },
      {},
      [['env:TEMPORAL_TLS_SERVER_CA_CERT_PATH', /given twice.*TEMPORAL_TLS_SERVER_CA_CERT_DATA/]],
    ],
    [
      'an address with a scheme',
      { TEMPORAL_ADDRESS: 'https://x.example:7233' },
      {},
      [['env:TEMPORAL_ADDRESS', /without a scheme/]],
    ],
    [
      'a profile address without a port',
      { TEMPORAL_PROFILE: 'x' },
      { toml: '[profile.x]\naddress = "x.example"\n' },
      [[at('x', 'address'), /must name a port/]],
    ],
  ])('%s', (_name, env, files, expected) => {
    expect(issuesOf(env, files).map((issue) => [issue.source, issue.message])).toEqual(
      expected.map(([source, message]) => [source, expect.stringMatching(message)]),
    );
  });

  it('bad TOML: the file and the position, never the line (it may hold a key)', () => {
    const issues = issuesOf({}, { toml: '[profile.default]\napi_key = "sk-very-secret\n' });
    expect(issues).toEqual([
      { source: `file:${TOML}`, message: expect.stringMatching(/^not valid TOML \(line 2, column \d+\)/) },
    ]);
    expect(JSON.stringify(issues)).not.toContain('sk-very-secret');
  });

  it.each([
    [{ TEMPORAL_ADDRESS: 'u:hunter22@localhost:7233' }, {}, 'env:TEMPORAL_ADDRESS'],
    [
      {},
      { toml: '[profile.default]\naddress = "tok:hunter22@localhost:7233"\n' },
      `file:${TOML}#profile.default.address`,
    ],
  ])('an endpoint carrying credentials is refused, masked (%j)', (env, files, source) => {
    const issues = issuesOf(env, files);
    expect(issues).toContainEqual({
      source,
      message: expect.stringMatching(/\*\*\*@localhost:7233" must not carry credentials/),
    });
    expect(JSON.stringify(issues)).not.toContain('hunter22');
  });

  it('unknown profile keys are warned as likely typos', () => {
    const { warnings } = resolve(
      {},
      { toml: '[profile.default]\naddres = "x:1"\n[profile.default.tls]\nserver_ca = "/ca.pem"\n' },
    ).config;
    expect(warnings.slice(0, 2)).toEqual([
      `${at('default', 'addres')}: unknown key, ignored`,
      `${at('default', 'tls.server_ca')}: unknown key, ignored`,
    ]);
  });
});

describe('the runner must reach the same Temporal', () => {
  const config = (env: Record<string, string>, toml?: string): RunnerConfig =>
    resolve({ STIGMER_RUNNER_CONTRACT: 'python-2026-01', ...env }, { toml }).config;

  it.each(Object.values(RUNNER_RELEASES).map((contract) => [contract.id, contract] as const))(
    '%s: no blocker over plaintext without credentials',
    (_id, contract) => {
      expect(runnerTemporalBlockers(config({ TEMPORAL_ADDRESS: 'temporal.lan:7233' }).temporal, contract)).toEqual([]);
    },
  );

  it.each([
    ['TLS', { TEMPORAL_ADDRESS: 'x.example:7233', TEMPORAL_TLS: 'true' }, [/needs TLS \(env:TEMPORAL_TLS\)/]],
    [
      'an API key',
      { TEMPORAL_PROFILE: 'prod' },
      [/TLS \(.*api_key \(an API key turns TLS on\)\)/, /an API key \(file:.*#profile\.prod\.api_key\)/],
    ],
    [
      'mTLS',
      { TEMPORAL_PROFILE: 'mtls' },
      [
        /a server CA certificate/,
        /a TLS server name/,
        /a client certificate \(file:.*client_cert_path\)/,
        /a client key/,
      ],
    ],
  ])('needing %s, the January 2026 runner is blocked, saying what it reads', (_what, env, patterns) => {
    const [blocker, ...more] = runnerTemporalBlockers(
      config(env, PROFILES).temporal,
      RUNNER_RELEASES['python-2026-01'],
    );
    expect(more).toEqual([]);
    for (const pattern of patterns) expect(blocker).toMatch(pattern);
    expect(blocker).toMatch(/reads only TEMPORAL_SERVICE_ADDRESS and TEMPORAL_NAMESPACE for Temporal/);
  });

  it('the plan carries the blocker (planNetworking fails it before any container starts)', () => {
    const plan = planNetworking(config({ TEMPORAL_PROFILE: 'prod' }, PROFILES), ENGINES.nativeLinux);
    expect(plan.blockers).toEqual([expect.stringMatching(/^Temporal at prod\.tmprl\.cloud:7233 needs TLS/)]);
  });

  it('a release that carries TLS and the key (the data hook) is not blocked, and gets them, masked', () => {
    const carrying: RunnerRelease = {
      ...RUNNER_RELEASES['python-2026-01'],
      reads: [...RUNNER_RELEASES['python-2026-01'].reads, 'X_TEMPORAL_TLS', 'X_TEMPORAL_API_KEY'],
      carries: {
        ...RUNNER_RELEASES['python-2026-01'].carries,
        temporalTls: 'X_TEMPORAL_TLS',
        temporalApiKey: 'X_TEMPORAL_API_KEY',
      },
      secrets: [...RUNNER_RELEASES['python-2026-01'].secrets, 'X_TEMPORAL_API_KEY'],
    };
    const { config: resolved, secrets } = resolve(
      { TEMPORAL_PROFILE: 'prod', STIGMER_RUNNER_CONTRACT: 'python-2026-01' },
      { toml: PROFILES },
    );
    expect(runnerTemporalBlockers(resolved.temporal, carrying)).toEqual([]);
    const env = buildRunnerEnv(carrying, resolved, planNetworking(resolved, ENGINES.nativeLinux), secrets);
    expect(env).toMatchObject({
      X_TEMPORAL_TLS: 'true',
      X_TEMPORAL_API_KEY: 'profile-key-123',
      TEMPORAL_SERVICE_ADDRESS: 'prod.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'prod-ns',
    });
    expect(maskSecrets(carrying, env).X_TEMPORAL_API_KEY).toBe('***');
  });
});
