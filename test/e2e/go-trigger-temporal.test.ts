/**
 * The Go trigger (examples/go-trigger) finds Temporal exactly as our CLI does: on the same env and
 * files, `go-trigger --show-temporal` and `stigmer-runner plan --json` name the same address,
 * namespace, managed dev server, TLS and credentials, each from the same source. And on a real dev
 * server with no worker polling the queue, the trigger says so within seconds, naming the queue, the
 * Temporal it asked and the fix, with the contract's `noWorker` exit code. No engine is needed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { committedContractFile } from '../support/contract';
import { buildGoTrigger } from '../support/go-trigger';
import { makeCertificates, type TestCertificates } from '../support/tls-proxy';
import { runNode, runProgram } from '../support/process';
import { startTestTemporal, type TestTemporal } from '../support/temporal-server';
import { projectRoot } from '../../src/temporal/dev-server';

jest.setTimeout(120_000);

const CLI = join(projectRoot(), 'dist', 'src', 'cli', 'main.js');
let goTrigger: string;
let home: string;
let certsDir: string;
let certs: TestCertificates;

beforeAll(async () => {
  goTrigger = (await buildGoTrigger()).binary;
  // Real PEMs: Go's envconfig reads the certificate files when it builds the client options.
  certsDir = await mkdtemp(join(tmpdir(), 'stigmer-go-temporal-certs-'));
  certs = await makeCertificates(certsDir);
}, 900_000);
afterAll(() => rm(certsDir, { recursive: true, force: true }));
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'stigmer-go-temporal-'));
});
afterEach(() => rm(home, { recursive: true, force: true }));

/** One case: env vars, and files written under the case's HOME (`~/…` paths; `$HOME`, `$CA`, `$CERT`, `$KEY` in values). */
interface Case {
  env: Record<string, string>;
  files?: Record<string, string>;
  args?: string[];
}

const STIGMER = '.stigmer/config.yaml';
const PROFILE = '.config/temporalio/temporal.toml';
const stigmerTemporal = (lines: string) => `backend:\n  local:\n    temporal:\n${lines.replace(/^/gm, '      ')}\n`;

const CASES: Record<string, Case> = {
  'nothing set: the managed dev server': { env: {} },
  "only Stigmer's TEMPORAL_SERVICE_ADDRESS": { env: { TEMPORAL_SERVICE_ADDRESS: 'stigmer.example:7233' } },
  "Stigmer's name before envconfig's": {
    env: { TEMPORAL_SERVICE_ADDRESS: 'stigmer.example:7233', TEMPORAL_ADDRESS: 'envconfig.example:7233' },
  },
  "envconfig's TEMPORAL_ADDRESS before config.yaml and the profile": {
    env: { TEMPORAL_ADDRESS: 'envconfig.example:7233', TEMPORAL_NAMESPACE: 'from-env' },
    files: { [STIGMER]: stigmerTemporal('managed: false\naddress: yaml.example:7233\nnamespace: from-yaml') },
  },
  "config.yaml's own Temporal before the profile's": {
    env: {},
    files: {
      [STIGMER]: stigmerTemporal('managed: false\naddress: yaml.example:7233\nnamespace: from-yaml'),
      [PROFILE]: '[profile.default]\naddress = "profile.example:7233"\nnamespace = "from-profile"\n',
    },
  },
  'config.yaml managed: true beats a profile address, and drops its API key': {
    env: {},
    files: {
      [STIGMER]: stigmerTemporal('managed: true'),
      [PROFILE]: '[profile.default]\naddress = "profile.example:7233"\napi_key = "not-a-real-key"\n',
    },
  },
  'config.yaml managed: false without an address, namespace from the profile': {
    env: {},
    files: {
      [STIGMER]: stigmerTemporal('managed: false'),
      [PROFILE]: '[profile.default]\nnamespace = "from-profile"\n',
    },
  },
  'an address without managed: false is not config.yaml’s: the profile answers': {
    env: {},
    files: {
      [STIGMER]: stigmerTemporal('address: yaml.example:7233'),
      [PROFILE]: '[profile.default]\naddress = "profile.example:7233"\n',
    },
  },
  'a profile with an API key: TLS on': {
    env: {},
    files: { [PROFILE]: '[profile.default]\naddress = "cloud.example:7233"\napi_key = "not-a-real-key"\n' },
  },
  'TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE choose another profile; TEMPORAL_TLS=false keeps TLS off': {
    env: { TEMPORAL_CONFIG_FILE: '$HOME/elsewhere.toml', TEMPORAL_PROFILE: 'prod', TEMPORAL_TLS: 'false' },
    files: {
      'elsewhere.toml':
        '[profile.prod]\naddress = "prod.example:7233"\nnamespace = "prod"\napi_key = "not-a-real-key"\n',
      [PROFILE]: '[profile.default]\naddress = "profile.example:7233"\n',
    },
  },
  'XDG_CONFIG_HOME moves the profile; a TLS server name turns TLS on': {
    env: { XDG_CONFIG_HOME: '$HOME/xdg', TEMPORAL_TLS_SERVER_NAME: 'tls.example' },
    files: { 'xdg/temporalio/temporal.toml': '[profile.default]\naddress = "xdg.example:7233"\n' },
  },
  'mTLS from env vars: client certificate and key, a server CA': {
    env: {
      TEMPORAL_ADDRESS: 'mtls.example:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '$CA',
      TEMPORAL_TLS_CLIENT_CERT_PATH: '$CERT',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '$KEY',
    },
  },
  'mTLS and an API key from a profile': {
    env: {},
    files: {
      [PROFILE]:
        '[profile.default]\naddress = "cloud.example:7233"\napi_key = "not-a-real-key"\n[profile.default.tls]\nclient_cert_path = "$CERT"\nclient_key_path = "$KEY"\n',
    },
  },
  'mTLS aimed at the managed dev server: dropped': {
    env: { TEMPORAL_TLS_CLIENT_CERT_PATH: '$CERT', TEMPORAL_TLS_CLIENT_KEY_PATH: '$KEY' },
    files: { [STIGMER]: stigmerTemporal('managed: true') },
  },
  'STIGMER_CONFIG names the config file': {
    env: { STIGMER_CONFIG: '$HOME/team.yaml' },
    files: { 'team.yaml': stigmerTemporal('managed: false\naddress: team.example:7233') },
  },
  '--config before STIGMER_CONFIG': {
    env: { STIGMER_CONFIG: '$HOME/team.yaml' },
    args: ['--config', '$HOME/mine.yaml'],
    files: {
      'team.yaml': stigmerTemporal('managed: false\naddress: team.example:7233'),
      'mine.yaml': stigmerTemporal('managed: false\naddress: mine.example:7233\nnamespace: mine'),
    },
  },
};

async function writeCase({ files = {} }: Case): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(home, path)), { recursive: true });
    await writeFile(join(home, path), inHome(text));
  }
}

const inHome = (text: string) =>
  text
    .replaceAll('$HOME', home)
    .replaceAll('$CA', certs.ca)
    .replaceAll('$CERT', certs.client.cert)
    .replaceAll('$KEY', certs.client.key);
const caseEnv = ({ env }: Case) => ({
  PATH: process.env.PATH ?? '',
  HOME: home,
  ...Object.fromEntries(Object.entries(env).map(([name, value]) => [name, inHome(value)])),
});

/** What `stigmer-runner plan --json` resolves: config.temporal's values and their temporal.* sources. */
async function cliResolution(entry: Case): Promise<unknown> {
  const args = ['plan', '--platform', 'linux', '--json', ...(entry.args ?? []).map(inHome)];
  const run = await runNode([CLI, ...args], { env: caseEnv(entry), timeoutMs: 30_000 });
  // A plan the runner cannot carry out (TLS or a key the runner release cannot use) exits 2 with its blockers: the
  // resolution is printed all the same.
  if (run.code !== 0 && run.code !== 2) throw new Error(`plan exited ${run.code}: ${run.stderr}`);
  const plan = JSON.parse(run.stdout) as {
    config: { temporal: Record<string, unknown> };
    sources: Record<string, string>;
  };
  const { address, namespace, managed, tls, auth } = plan.config.temporal;
  const sources = Object.fromEntries(
    ['temporal.address', 'temporal.namespace', 'temporal.managed'].map((key) => [key, plan.sources[key]]),
  );
  return { address, namespace, managed, tls, auth, sources };
}

async function goResolution(entry: Case): Promise<unknown> {
  const args = ['--show-temporal', ...(entry.args ?? []).map(inHome)];
  const run = await runProgram(goTrigger, args, { env: caseEnv(entry), timeoutMs: 30_000 });
  if (run.code !== 0) throw new Error(`go-trigger --show-temporal exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

test.each(Object.keys(CASES))('same Temporal as our CLI: %s', async (name) => {
  const entry = CASES[name];
  await writeCase(entry);
  const [cli, viaGo] = await Promise.all([cliResolution(entry), goResolution(entry)]);
  expect(viaGo).toEqual(cli);
});

test("with only Stigmer's TEMPORAL_SERVICE_ADDRESS the trigger goes there, not to localhost:7233", async () => {
  const entry = CASES["only Stigmer's TEMPORAL_SERVICE_ADDRESS"];
  expect(await goResolution(entry)).toMatchObject({
    address: 'stigmer.example:7233',
    managed: false,
    sources: { 'temporal.address': 'env:TEMPORAL_SERVICE_ADDRESS' },
  });
});

/** Addresses our CLI refuses (exit 2, each issue under its source): the Go trigger refuses them in the same words. */
const REFUSED: Record<string, Case> = {
  'a scheme in TEMPORAL_SERVICE_ADDRESS': { env: { TEMPORAL_SERVICE_ADDRESS: 'http://stigmer.example:7233' } },
  'no port in an outranked TEMPORAL_ADDRESS': {
    env: { TEMPORAL_SERVICE_ADDRESS: 'stigmer.example:7233', TEMPORAL_ADDRESS: 'envconfig.example' },
  },
  'credentials in the profile address, masked': {
    env: {},
    files: { [PROFILE]: '[profile.default]\naddress = "user:secret@profile.example:7233"\n' },
  },
  "config.yaml's port is not a number": {
    env: {},
    files: { [STIGMER]: stigmerTemporal('managed: false\naddress: yaml.example:port') },
  },
};

/** Exit code and the issue lines (`  - SOURCE: problem`), sorted: the two may list them in another order. */
async function refusal(file: string, args: string[], entry: Case): Promise<{ code: number; issues: string[] }> {
  const run = await runProgram(file, args, { env: caseEnv(entry), timeoutMs: 30_000 });
  const issues = run.stderr.split('\n').filter((line) => line.startsWith('  - '));
  return { code: run.code, issues: issues.sort() };
}

test.each(Object.keys(REFUSED))('refused as our CLI refuses it: %s', async (name) => {
  const entry = REFUSED[name];
  await writeCase(entry);
  const [cli, viaGo] = await Promise.all([
    refusal(process.execPath, [CLI, 'plan', '--platform', 'linux', '--json'], entry),
    refusal(goTrigger, ['--show-temporal'], entry),
  ]);
  expect(cli).toMatchObject({ code: 2, issues: [expect.any(String)] });
  expect(viaGo).toEqual(cli);
  expect(viaGo.issues.join('\n')).not.toContain('secret');
});

describe('a real dev server that no worker polls', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await startTestTemporal();
  });
  afterAll(() => temporal?.stop());

  test('the trigger says so within seconds — queue, Temporal, namespace and the fix — and exits noWorker', async () => {
    const exitCodes = JSON.parse(committedContractFile('contract.json')).exitCodes as Array<{
      name: string;
      code: number;
    }>;
    const noWorker = exitCodes.find((entry) => entry.name === 'noWorker')?.code;
    const env = { PATH: process.env.PATH ?? '', HOME: home, TEMPORAL_SERVICE_ADDRESS: temporal.address };
    const run = await runProgram(goTrigger, ['--runner', `no-worker-${process.pid}`], { env, timeoutMs: 60_000 });
    expect({ code: run.code, stdout: run.stdout }).toEqual({
      code: noWorker,
      stdout: `provisioning no-worker-${process.pid}: workflow provision-runner-no-worker-${process.pid}\n`,
    });
    expect(run.ms).toBeLessThan(15_000); // the check waits 5 s for a worker; dial and start add little
    for (const part of [
      'no worker polls task queue runner_provisioning',
      `on Temporal ${temporal.address} (namespace default; address from env:TEMPORAL_SERVICE_ADDRESS)`,
      `provision-runner-no-worker-${process.pid} is queued`,
      'stigmer-runner worker',
      'stigmer-runner run, which runs its own worker',
    ])
      expect(run.stderr).toContain(part);
  });
});
