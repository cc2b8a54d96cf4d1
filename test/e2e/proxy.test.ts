/**
 * A runner behind the user's proxy (issue 22): the docker CLI hands a container the proxies of
 * ~/.docker/config.json and dockerode does not, so the worker does — with this machine's route in
 * NO_PROXY. Without it the runner's LLM calls go to the proxy, which cannot reach this machine: the
 * seeds' "All connection attempts failed" while every probe passes. Proven with a real proxy on this
 * machine that records every request it is asked to forward (and forwards none).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { useE2E } from '../support/e2e-harness';
import { waitForRunnerEvents, type RunnerEvent } from '../support/runner-events';

jest.setTimeout(180_000);
const e2e = useE2E();

interface Forwarded {
  target: string;
  authorized: boolean;
}

/** A proxy that reaches nothing: every request it is asked to forward is recorded and answered 502. */
async function recordingProxy(): Promise<{ port: number; forwarded: Forwarded[]; close(): Promise<void> }> {
  const forwarded: Forwarded[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    forwarded.push({ target: request.url ?? '', authorized: !!request.headers['proxy-authorization'] });
    response.writeHead(502).end('this proxy cannot reach your machine');
  });
  server.listen(0, '0.0.0.0');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    forwarded,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const llmCheck = (events: RunnerEvent[]) => events.find((event) => event.event === 'runner.llm_check');

test("behind the user's proxy: the runner's LLM call goes direct (its route is in NO_PROXY); without that NO_PROXY it would go to the proxy and fail", async () => {
  const proxy = await recordingProxy();
  e2e.cleanup(() => proxy.close());
  const password = `pw-${randomBytes(8).toString('hex')}`;
  // As a user points the docker CLI at a proxy on this machine, through the engine's route to it.
  const proxyUrl = `http://stigmer:${password}@host.docker.internal:${proxy.port}`;
  await mkdir(join(e2e.home, '.docker'), { recursive: true });
  await writeFile(
    join(e2e.home, '.docker', 'config.json'),
    JSON.stringify({ proxies: { default: { httpProxy: proxyUrl, httpsProxy: proxyUrl } } }),
  );
  e2e.cleanup(() => rm(join(e2e.home, '.docker'), { recursive: true, force: true }));
  const runner = `proxy-route-${process.pid}`;
  const services = await e2e.services('0.0.0.0');
  const run = await e2e.cli(['run', '--network', 'bridge', '--json'], e2e.scenarioEnv(runner, services));
  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });

  const [info] = await e2e.runnerContainers(runner);
  const container = e2e.docker.getContainer(info.Id);
  const direct = llmCheck(await waitForRunnerEvents(container, (events) => !!llmCheck(events)));
  const ollamaPort = String(services.ollama?.port);
  expect(direct).toMatchObject({
    via: 'direct',
    status: 200,
    url: `http://host.docker.internal:${ollamaPort}/api/tags`,
  });
  expect(proxy.forwarded).toEqual([]);

  // The control: the same image and env but the NO_PROXY the worker added — what dockerode alone gives
  // a container with the user's proxies set. The call goes to the proxy, and fails there.
  const inspected = await container.inspect();
  const control = await e2e.docker.createContainer({
    Image: inspected.Config.Image,
    Env: inspected.Config.Env.filter((entry) => !/^no_proxy=/i.test(entry)),
    Labels: { 'dev.stigmer.test-run': runner },
    HostConfig: { NetworkMode: inspected.HostConfig.NetworkMode, ExtraHosts: inspected.HostConfig.ExtraHosts },
  });
  e2e.cleanup(() => control.remove({ force: true }));
  await control.start();
  const proxied = llmCheck(await waitForRunnerEvents(control, (events) => !!llmCheck(events)));
  expect(proxied).toMatchObject({ via: 'proxy', status: 502 });
  expect(proxy.forwarded).toEqual([{ target: `http://host.docker.internal:${ollamaPort}/api/tags`, authorized: true }]);
});
