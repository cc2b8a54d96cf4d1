/**
 * An API key reaches the container and nowhere else: not the workflow history, not `plan`, not the
 * CLI's output, not the container's labels or logs.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { logTail } from '../../src/docker/logs';
import { useE2E } from '../support/e2e-harness';
import { connectClient, devServerTarget } from '../../src/temporal/connection';
import { LABELS } from '../../src/core/runner/container-spec';

jest.setTimeout(180_000);

/** A history as text a secret would show in: its JSON, plus every payload decoded (they are base64 there). */
function historyText(history: string): string {
  const decoded: string[] = [];
  JSON.parse(history, (key, value: unknown) => {
    if (key === 'data' && typeof value === 'string') decoded.push(Buffer.from(value, 'base64').toString('utf8'));
    return value;
  });
  return [history, ...decoded].join('\n');
}

const e2e = useE2E();

describe.each([
  ['ANTHROPIC_API_KEY in the env', 'env'],
  ['llm.api_key in the config file', 'file'],
])('a secret from %s', (_name, where) => {
  test('is in the container env and in no history, plan, output, label or log', async () => {
    const secret = `sk-ant-${randomBytes(18).toString('hex')}`;
    const runner = `secret-${where}-${process.pid}`;
    const file = join(e2e.home, `${runner}.yaml`);
    await writeFile(
      file,
      `backend:\n  local:\n    llm:\n      provider: anthropic\n${where === 'file' ? `      api_key: ${secret}\n` : ''}`,
    );
    const env = {
      ...e2e.scenarioEnv(runner, await e2e.services('127.0.0.1')),
      STIGMER_CONFIG: file,
      ...(where === 'env' ? { ANTHROPIC_API_KEY: secret } : {}),
    };

    const run = await e2e.cli(['run', '--json'], env);
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    const plan = await e2e.cli(['plan', '--json'], env);
    const planText = await e2e.cli(['plan'], env);
    const status = await e2e.cli(['status', '--json'], env);
    expect(JSON.parse(plan.stdout).env.STIGMER_LLM_API_KEY).toBe('***');

    expect((await e2e.containerEnv(runner)).STIGMER_LLM_API_KEY).toBe(secret);

    const client = new Client({ connection: await connectClient(devServerTarget(e2e.temporal.address)) });
    const history = historyText(
      historyToJSON(await client.workflow.getHandle(run.json?.workflowId as string).fetchHistory()),
    );
    await client.connection.close();
    expect(history.length).toBeGreaterThan(10_000);

    const [container] = await e2e.runnerContainers(runner);
    const inspected = await e2e.docker.getContainer(container.Id).inspect();
    const logs = await logTail(e2e.docker.getContainer(container.Id), 200);
    const places = {
      history,
      cliStdout: run.stdout,
      cliStderr: run.stderr,
      plan: plan.stdout + plan.stderr,
      planText: planText.stdout + planText.stderr,
      status: status.stdout + status.stderr,
      labels: JSON.stringify(inspected.Config.Labels),
      runnerLogs: logs,
    };
    expect(
      Object.entries(places)
        .filter(([, text]) => text.includes(secret))
        .map(([place]) => place),
    ).toEqual([]);
    expect(logs).toContain('"STIGMER_LLM_API_KEY":true'); // the runner saw it (and, like us, says only that)
  });
});

test('a password in the LLM base URL reaches the container and nowhere else', async () => {
  const secret = `pw-${randomBytes(12).toString('hex')}`;
  const runner = `secret-url-${process.pid}`;
  const scenario = await e2e.services('127.0.0.1');
  const env = e2e.scenarioEnv(runner, {
    ...scenario,
    ollamaUrl: scenario.ollamaUrl.replace('http://', `http://stigmer:${secret}@`),
  });
  const run = await e2e.cli(['run', '--json'], env);
  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
  const plan = await e2e.cli(['plan', '--json'], env);
  expect(JSON.parse(plan.stdout).env.OLLAMA_BASE_URL).toBe(`http://stigmer:***@127.0.0.1:${scenario.ollama?.port}`);
  expect(JSON.parse(plan.stdout).config.llm.baseUrl).toBe(`http://stigmer:***@localhost:${scenario.ollama?.port}`);
  expect((await e2e.containerEnv(runner)).OLLAMA_BASE_URL).toBe(
    `http://stigmer:${secret}@127.0.0.1:${scenario.ollama?.port}`,
  );

  const client = new Client({ connection: await connectClient(devServerTarget(e2e.temporal.address)) });
  const history = historyText(
    historyToJSON(await client.workflow.getHandle(run.json?.workflowId as string).fetchHistory()),
  );
  await client.connection.close();
  const planText = await e2e.cli(['plan'], env);
  const status = await e2e.cli(['status', '--json'], env);
  const [container] = await e2e.runnerContainers(runner);
  const places = {
    history,
    cli: run.stdout + run.stderr,
    plan: plan.stdout + plan.stderr,
    planText: planText.stdout + planText.stderr,
    status: status.stdout + status.stderr,
    runnerLogs: await logTail(e2e.docker.getContainer(container.Id), 200),
  };
  expect(
    Object.entries(places)
      .filter(([, text]) => text.includes(secret))
      .map(([place]) => place),
  ).toEqual([]);
  expect(history).toContain('stigmer:***@');
});

test("the user's docker proxy settings reach the runner as the docker CLI gives them, with this machine in NO_PROXY; the proxy's password nowhere else", async () => {
  const secret = `pw-${randomBytes(12).toString('hex')}`;
  const runner = `proxy-${process.pid}`;
  const proxy = `http://stigmer:${secret}@proxy.example.test:3128`;
  await mkdir(join(e2e.home, '.docker'), { recursive: true });
  await writeFile(
    join(e2e.home, '.docker', 'config.json'),
    JSON.stringify({ proxies: { default: { httpProxy: proxy, httpsProxy: proxy, noProxy: '*.corp.test' } } }),
  );
  e2e.cleanup(() => rm(join(e2e.home, '.docker'), { recursive: true, force: true }));
  const env = e2e.scenarioEnv(runner, await e2e.services('0.0.0.0'));
  const run = await e2e.cli(['run', '--network', 'bridge', '--json'], env);
  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
  const inside = await e2e.containerEnv(runner);
  const noProxy = '*.corp.test,host.docker.internal,172.17.0.1,localhost,127.0.0.1,::1';
  expect(inside).toMatchObject({
    HTTP_PROXY: proxy,
    http_proxy: proxy,
    HTTPS_PROXY: proxy,
    https_proxy: proxy,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  });
  const client = new Client({ connection: await connectClient(devServerTarget(e2e.temporal.address)) });
  const history = historyText(
    historyToJSON(await client.workflow.getHandle(run.json?.workflowId as string).fetchHistory()),
  );
  await client.connection.close();
  const plan = await e2e.cli(['plan', '--json'], env);
  const [container] = await e2e.runnerContainers(runner);
  const inspected = await e2e.docker.getContainer(container.Id).inspect();
  const places = {
    history,
    cli: run.stdout + run.stderr,
    plan: plan.stdout + plan.stderr,
    labels: JSON.stringify(inspected.Config.Labels),
  };
  expect(
    Object.entries(places)
      .filter(([, text]) => text.includes(secret))
      .map(([place]) => place),
  ).toEqual([]);
});

describe('a password that breaks the base URL (issue 23)', () => {
  test.each([
    ['"#"', '#'],
    ['"/"', '/'],
    ['"?"', '?'],
  ])('with a %s in it: exit 2 naming the setting, nothing of the password in the output', async (_, breaker) => {
    const head = `pw${randomBytes(6).toString('hex')}`;
    const tail = `rest${randomBytes(6).toString('hex')}`;
    const runner = `secret-broken-url-${process.pid}`;
    const scenario = await e2e.services('127.0.0.1');
    const env = e2e.scenarioEnv(runner, {
      ...scenario,
      ollamaUrl: scenario.ollamaUrl.replace('http://', `http://stigmer:${head}${breaker}${tail}@`),
    });
    for (const args of [['run'], ['run', '--json'], ['plan'], ['plan', '--json']]) {
      const run = await e2e.cli(args, env);
      const output = run.stdout + run.stderr;
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(output).toContain('STIGMER_LLM_BASE_URL');
      expect(output).toMatch(/password \(masked here\)/);
      expect([head, tail].filter((piece) => output.includes(piece))).toEqual([]);
    }
    expect(await e2e.runnerContainers(runner)).toEqual([]);
  });
});

test('the spec-hash label is keyed: the same spec keeps its container, a rotated key replaces it, the key is 0600', async () => {
  const runner = `secret-hash-${process.pid}`;
  const file = join(e2e.home, `${runner}.yaml`);
  await writeFile(file, 'backend:\n  local:\n    llm:\n      provider: anthropic\n');
  const services = await e2e.services('127.0.0.1');
  const envWith = (key: string) => ({
    ...e2e.scenarioEnv(runner, services),
    STIGMER_CONFIG: file,
    ANTHROPIC_API_KEY: key,
  });
  const label = async () => (await e2e.runnerContainers(runner))[0]?.Labels[LABELS.specHash];

  const first = await e2e.cli(['run', '--json'], envWith('sk-weak1'));
  expect({ code: first.code, stderr: first.stderr }).toMatchObject({ code: 0 });
  const hash = await label();
  expect(hash).toMatch(/^[0-9a-f]{16}$/);

  const again = await e2e.cli(['run', '--fresh', '--json'], envWith('sk-weak1'));
  expect({ code: again.code, action: again.json?.container?.action }).toEqual({ code: 0, action: 'reused' });
  expect(await label()).toBe(hash);

  const rotated = await e2e.cli(['run', '--json'], envWith('sk-weak2'));
  expect({ code: rotated.code, action: rotated.json?.container?.action }).toEqual({ code: 0, action: 'replaced' });
  expect(await label()).not.toBe(hash);

  // The key of the user the CLI ran as (its account's home, not HOME): private to that user.
  const keyFile = join(userInfo().homedir, '.stigmer', 'installation.key');
  expect({ mode: statSync(keyFile).mode & 0o777, size: statSync(keyFile).size }).toEqual({ mode: 0o600, size: 32 });
});
