/**
 * Temporal beyond localhost, against a real server-side check: nginx terminates TLS in front of a dev
 * server, verifies client certificates on one port and the API key on another (test/support/tls-proxy).
 * The compiled CLI (`plan`, `status`, `run`) and the real `worker` command connect through it from
 * temporal.toml profiles and TEMPORAL_* env vars. The January 2026 runner cannot connect that way, so
 * every provision stops at its plan, before any container — and no key or PEM body shows anywhere.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type Dockerode from 'dockerode';
import { LABELS } from '../../src/core/runner/container-spec';
import { connectClient, devServerTarget } from '../../src/temporal/connection';
import { projectRoot } from '../../src/temporal/dev-server';
import { removeContainers, requireDocker } from '../support/docker';
import { childEnv, runNode, spawnNode, type Run, type Spawned } from '../support/process';
import { startTestTemporal, type TestTemporal } from '../support/temporal-server';
import { startTlsProxy, type TlsProxy } from '../support/tls-proxy';

jest.setTimeout(120_000);

const CLI = join(projectRoot(), 'bin', 'stigmer-runner.js');

let docker: Dockerode;
let temporal: TestTemporal;
let proxy: TlsProxy;
let home: string;
let tomlFile: string;
const apiKey = `tk-${randomBytes(16).toString('hex')}`;
const port = (address: string) => address.split(':')[1];

beforeAll(async () => {
  docker = await requireDocker();
  temporal = await startTestTemporal();
  proxy = await startTlsProxy(temporal.address, apiKey);
  home = await mkdtemp(join(tmpdir(), 'stigmer-tls-e2e-'));
  tomlFile = join(home, 'temporal.toml');
  const { certs } = proxy;
  // `localhost`, not 127.0.0.1: the server certificate names both, and Node warns about an IP as TLS server name.
  await writeFile(
    tomlFile,
    `
[profile.tls]
address = "localhost:${port(proxy.tlsAddress)}"
[profile.tls.tls]
server_ca_cert_path = "${certs.ca}"

[profile.wrongca]
address = "localhost:${port(proxy.tlsAddress)}"
[profile.wrongca.tls]
server_ca_cert_path = "${certs.otherCa}"

[profile.nocert]
address = "localhost:${port(proxy.mtlsAddress)}"
[profile.nocert.tls]
server_ca_cert_path = "${certs.ca}"

[profile.keyed]
address = "localhost:${port(proxy.apiKeyAddress)}"
[profile.keyed.tls]
server_ca_cert_path = "${certs.ca}"
`,
  );
});

afterAll(async () => {
  await proxy?.stop();
  await temporal?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

const outputs: string[] = [];

async function cli(args: string[], env: Record<string, string>): Promise<Run> {
  const run = await runNode([CLI, ...args], { env: childEnv(home, env), timeoutMs: 100_000 });
  outputs.push(run.stdout, run.stderr);
  return run;
}

/** What every case shares: the profiles' file, a runner of its own and an image that is never pulled. */
function scenario(runner: string, env: Record<string, string>): Record<string, string> {
  return {
    TEMPORAL_CONFIG_FILE: tomlFile,
    STIGMER_RUNNER_NAME: runner,
    STIGMER_RUNNER_IMAGE: 'stigmer-tls-test/absent:1',
    STIGMER_RUNNER_PULL: 'never',
    STIGMER_RUNNER_CONTRACT: 'python-2026-01',
    STIGMER_RUNNER_WORKSPACE_DIR: join(home, runner),
    ...env,
  };
}

const mtlsEnv = () => ({
  TEMPORAL_ADDRESS: `localhost:${port(proxy.mtlsAddress)}`,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: proxy.certs.ca,
  TEMPORAL_TLS_CLIENT_CERT_PATH: proxy.certs.client.cert,
  TEMPORAL_TLS_CLIENT_KEY_PATH: proxy.certs.client.key,
});

async function noContainer(runner: string): Promise<void> {
  expect(await docker.listContainers({ all: true, filters: { label: [`${LABELS.runner}=${runner}`] } })).toEqual([]);
  await removeContainers(docker, { label: [`${LABELS.runner}=${runner}`] });
}

describe('good connections', () => {
  test('TLS from a profile: plan shows the connection and its sources and the blocker; status connects', async () => {
    const env = scenario(`tls-${process.pid}`, { TEMPORAL_PROFILE: 'tls' });
    const plan = await cli(['plan', '--json'], env);
    expect(plan.code).toBe(2); // blocked: the runner cannot do TLS
    const shown = JSON.parse(plan.stdout);
    const at = (key: string) => `file:${tomlFile}#profile.tls.${key}`;
    expect(shown.config.temporal).toMatchObject({
      address: `localhost:${port(proxy.tlsAddress)}`,
      namespace: 'default',
      managed: false,
      tls: true,
      auth: 'none',
      serverCa: proxy.certs.ca,
    });
    expect(shown.sources).toMatchObject({
      'temporal.address': at('address'),
      'temporal.tls': at('tls.server_ca_cert_path'),
      'temporal.serverCa': at('tls.server_ca_cert_path'),
      'temporal.profile.name': 'env:TEMPORAL_PROFILE',
    });
    expect(shown.blockers).toEqual([
      expect.stringMatching(
        /needs TLS \(file:.*#profile\.tls\.tls\.server_ca_cert_path\).*reads only TEMPORAL_SERVICE_ADDRESS and TEMPORAL_NAMESPACE/,
      ),
    ]);
    const text = await cli(['plan'], env);
    expect(text.stdout).toContain(
      `temporal: localhost:${port(proxy.tlsAddress)}, namespace default, external, TLS on (CA ${proxy.certs.ca}), auth none; profile "tls" of ${tomlFile}`,
    );

    const status = await cli(['status', '--json'], env);
    // Connected and read: no runner, so not healthy (8) — a connection failure would be 3.
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 8, stderr: '' });
    expect(JSON.parse(status.stdout)).toMatchObject({ runner: `tls-${process.pid}`, containers: [] });
    // A configured Temporal: nothing managed was started, no gateway forwarder.
    expect(existsSync(join(home, '.stigmer', 'temporal-data'))).toBe(false);
  });

  test('mTLS from env vars: run connects its client and its in-process worker, and stops at the plan before any container', async () => {
    const runner = `mtls-${process.pid}`;
    const run = await cli(['run', '--json'], scenario(runner, mtlsEnv()));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/running a worker in this process/);
    const result = JSON.parse(run.stdout);
    expect(
      result.steps.map((step: { name: string; status: string }) => `${step.name}:${step.status}`).slice(0, 3),
    ).toEqual(['resolveConfig:succeeded', 'planNetworking:failed', 'startContainer:pending']);
    expect(result.error).toMatchObject({
      type: 'NetworkPlanBlocked',
      message: expect.stringMatching(
        /a client certificate \(env:TEMPORAL_TLS_CLIENT_CERT_PATH\), a client key \(env:TEMPORAL_TLS_CLIENT_KEY_PATH\)/,
      ),
    });
    expect(run.stdout + run.stderr).not.toMatch(/managed Temporal dev server|forwarding/);
    await noContainer(runner);
    // nginx's mTLS server (its port, not the TLS-only or API-key one) saw the worker's polls with a verified
    // client certificate and let them through.
    expect(await proxy.accessLog()).toMatch(
      new RegExp(
        `^${port(proxy.mtlsAddress)} SUCCESS "POST /temporal\\.api\\.workflowservice\\.v1\\.WorkflowService/PollWorkflowTaskQueue HTTP/2\\.0" 200$`,
        'm',
      ),
    );
  });

  test('API key: the real worker command serves a run through the key-checking proxy; the key and PEMs show nowhere', async () => {
    const runner = `keyed-${process.pid}`;
    const env = scenario(runner, { TEMPORAL_PROFILE: 'keyed', TEMPORAL_API_KEY: apiKey });
    const worker = await startWorker(env);
    try {
      const run = await cli(['run', '--json'], env);
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(/running a worker in this process/); // the standalone worker took it
      const result = JSON.parse(run.stdout);
      expect(result.error).toMatchObject({
        type: 'NetworkPlanBlocked',
        message: expect.stringMatching(
          /needs TLS \(.*\), a server CA certificate \(.*\), an API key \(env:TEMPORAL_API_KEY\)/,
        ),
      });
      await noContainer(runner);
      const plan = await cli(['plan'], env);
      const planJson = await cli(['plan', '--json'], env);
      expect(JSON.parse(planJson.stdout).config.temporal).toMatchObject({
        auth: 'api-key',
        apiKeySource: 'env:TEMPORAL_API_KEY',
      });
      const status = await cli(['status', '--json'], env);
      expect(status.code).toBe(8); // connected and read; no runner, so not healthy

      const connection = await connectClient(devServerTarget(temporal.address));
      const history = JSON.stringify(
        historyToJSON(await new Client({ connection }).workflow.getHandle(result.workflowId).fetchHistory()),
      );
      await connection.close();
      expect(history).toContain('env:TEMPORAL_API_KEY'); // where it is travels; the key does not

      const secrets = [apiKey, ...(await proxy.certs.pemBodies())];
      const places = {
        history,
        run: run.stdout + run.stderr,
        plan: plan.stdout + plan.stderr + planJson.stdout + planJson.stderr,
        status: status.stdout + status.stderr,
        worker: worker.output(),
      };
      expect(
        Object.entries(places).flatMap(([place, text]) =>
          secrets.filter((secret) => text.includes(secret)).map((secret) => `${place}: ${secret.slice(0, 12)}…`),
        ),
      ).toEqual([]);
      expect(worker.output()).toMatch(/"auth":"api-key","authSource":"env:TEMPORAL_API_KEY"/);
    } finally {
      await worker.kill('SIGTERM');
    }
  });
});

describe('bad connections are named by the setting that supplied the bad value', () => {
  test.each<[string, string[], () => Record<string, string>, RegExp]>([
    [
      'wrong CA (profile)',
      ['status'],
      () => ({ TEMPORAL_PROFILE: 'wrongca' }),
      /its TLS certificate is not signed by the CA in \S*stigmer-other-ca\.pem \(file:\S*#profile\.wrongca\.tls\.server_ca_cert_path\)/,
    ],
    [
      'missing client certificate (profile)',
      ['status'],
      () => ({ TEMPORAL_PROFILE: 'nocert' }),
      /requires credentials, and this connection sends none .*profile\.nocert\.tls\.server_ca_cert_path.*the server said: "stigmer test proxy: a client certificate/,
    ],
    [
      'client certificate of another CA (env)',
      ['status'],
      () => ({
        ...mtlsEnv(),
        TEMPORAL_TLS_CLIENT_CERT_PATH: proxy.certs.otherClient.cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: proxy.certs.otherClient.key,
      }),
      /rejected the client certificate \S*other-client\.pem \(env:TEMPORAL_TLS_CLIENT_CERT_PATH\) as unauthenticated/,
    ],
    [
      'wrong API key (env), run',
      ['run'],
      () => ({ TEMPORAL_PROFILE: 'keyed', TEMPORAL_API_KEY: 'tk-wrong' }),
      /rejected the API key from env:TEMPORAL_API_KEY as unauthenticated; the server said: "stigmer test proxy: missing or wrong API key"/,
    ],
    [
      'TLS to a plaintext server, turned on by an API key alone',
      ['status'],
      () => ({ TEMPORAL_ADDRESS: `localhost:${temporal.port}`, TEMPORAL_API_KEY: 'tk-x' }),
      /answers without TLS, but TLS is on \(env:TEMPORAL_API_KEY \(an API key turns TLS on\)\)/,
    ],
    [
      'plaintext to the TLS port',
      ['status'],
      () => ({ TEMPORAL_ADDRESS: `localhost:${port(proxy.tlsAddress)}` }),
      /did not answer plaintext gRPC \(.+\), and TLS is off \(default\); if it expects TLS, set TEMPORAL_TLS=true/,
    ],
    [
      'a server name the certificate does not carry (env)',
      ['status'],
      () => ({ TEMPORAL_PROFILE: 'tls', TEMPORAL_TLS_SERVER_NAME: 'wrong.example' }),
      /its TLS certificate is not valid for "wrong\.example" \(env:TEMPORAL_TLS_SERVER_NAME\)/,
    ],
    [
      'wrong API key (env), worker',
      ['worker'],
      () => ({ TEMPORAL_PROFILE: 'keyed', TEMPORAL_API_KEY: 'tk-wrong' }),
      /rejected the API key from env:TEMPORAL_API_KEY/,
    ],
  ])('%s', async (_name, args, envOf, message) => {
    const runner = `bad-${process.pid}`;
    const result = await cli(args, scenario(runner, envOf()));
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 3, stderr: expect.stringMatching(message) });
    expect(result.stderr).not.toMatch(/^\s+at /m); // a sentence, not a stack
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    await noContainer(runner);
  });
});

test('no key or PEM body in any CLI output of this file', async () => {
  const secrets = [apiKey, ...(await proxy.certs.pemBodies())];
  expect(outputs.filter((text) => secrets.some((secret) => text.includes(secret)))).toEqual([]);
});

async function startWorker(env: Record<string, string>): Promise<Spawned> {
  const worker = spawnNode([CLI, 'worker'], { env: childEnv(home, env) });
  await worker.waitForLine(/"worker started"/, 60_000);
  return worker;
}
