/** status and teardown: what runs and what the last provision decided; teardown through its own workflow. */
import { hostname } from 'node:os';
import { Client } from '@temporalio/client';
import { provisionWorkflowId, teardownWorkflowId } from '../../src/core/contract/names';
import { useE2E } from '../support/e2e-harness';
import { connectClient, devServerTarget } from '../../src/temporal/connection';

jest.setTimeout(180_000);

const e2e = useE2E();

test('status shows the running runner with its plan and last verification; teardown removes it with a visible history', async () => {
  const runner = `lifecycle-${process.pid}`;
  const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
  const never = await e2e.cli(['status', '--json'], env);
  expect(never.code).toBe(8); // unhealthy: nothing runs
  const neverShown = JSON.parse(never.stdout);
  expect(neverShown).toMatchObject({ runner, host: hostname(), containers: [], healthy: false });
  expect(neverShown.problems).toEqual([{ kind: 'no-container' }]);
  // The services as this machine's configuration names them, checked now — there is no provision yet.
  expect(
    neverShown.checks.map((check: { service: string; side: string; when: string; ok: boolean }) =>
      [check.service, check.side, check.when, check.ok].join(' '),
    ),
  ).toEqual(['temporal this-machine now true', 'backend this-machine now true', 'ollama this-machine now true']);

  expect((await e2e.cli(['run', '--json'], env)).code).toBe(0);
  const status = await e2e.cli(['status', '--json'], env);
  expect(status.code).toBe(0);
  const shown = JSON.parse(status.stdout);
  expect(shown.containers).toEqual([expect.objectContaining({ name: runner, state: 'running', networkMode: 'host' })]);
  expect(shown.lastProvision).toMatchObject({
    workflowId: provisionWorkflowId(runner),
    status: 'COMPLETED',
    progress: { status: 'ready', plan: { mode: 'host' } },
  });
  expect(
    shown.lastProvision.progress.checks.filter((check: { site: string }) => check.site === 'container'),
  ).toHaveLength(4);
  const text = await e2e.cli(['status'], env);
  expect(text.stdout).toMatch(
    new RegExp(
      `^runner ${runner}: healthy — checked \\S+Z from this machine\\n  container: ${runner} [0-9a-f]{12} running`,
    ),
  );
  // The provision's check from inside the container: history, with when it was made.
  expect(text.stdout).toMatch(
    /^ {4}✓ ollama from container, at provision \d+ s ago \(\S+Z\): http:\/\/127\.0\.0\.1:\d+\/api\/tags — HTTP 200, model qwen2\.5-coder:7b listed$/m,
  );

  const teardown = await e2e.cli(['teardown', '--json'], env);
  expect(teardown.code).toBe(0);
  const result = JSON.parse(teardown.stdout);
  expect(result).toMatchObject({
    workflowId: teardownWorkflowId(runner),
    runner,
    removed: [expect.objectContaining({ name: runner, state: 'running' })],
  });
  expect(await e2e.runnerContainers(runner)).toEqual([]);
  expect(JSON.parse((await e2e.cli(['status', '--json'], env)).stdout).containers).toEqual([]);

  const client = new Client({ connection: await connectClient(devServerTarget(e2e.temporal.address)) });
  try {
    const history = await client.workflow.getHandle(teardownWorkflowId(runner), result.runId).fetchHistory();
    const summaries = (history.events ?? []).flatMap((event) =>
      event.activityTaskScheduledEventAttributes
        ? [Buffer.from(event.userMetadata?.summary?.data ?? []).toString()]
        : [],
    );
    expect(summaries).toEqual([`"stop and remove the containers of ${runner}"`]);
  } finally {
    await client.connection.close();
  }

  const again = await e2e.cli(['teardown'], env);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`runner ${runner}: no container to remove`);
});

test("teardown leaves a container it did not make (exit 5, naming --replace) and removes it with --replace; Stigmer's own CLI's it removes, saying so", async () => {
  const runner = `lifecycle-users-${process.pid}`;
  const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
  const users = await e2e.docker.createContainer({ name: runner, Image: e2e.image });
  e2e.cleanup(() => users.remove({ force: true }).catch(() => undefined));

  const refused = await e2e.cli(['teardown', '--json'], env);
  expect(refused.code).toBe(5);
  expect(JSON.parse(refused.stdout)).toMatchObject({
    runner,
    status: 'failed',
    error: { type: 'PolicyRefused', message: expect.stringContaining('`stigmer-runner teardown --replace`') },
    refusals: [{ subject: 'container', value: runner, setting: 'replace', rule: 'not-managed' }],
  });
  expect((await users.inspect()).Id).toBeDefined();

  const replaced = await e2e.cli(['teardown', '--replace'], env);
  expect(replaced.code).toBe(0);
  expect(replaced.stdout).toContain(`was not created by stigmer-runner: removed as the input asked (replace: true)`);
  await expect(users.inspect()).rejects.toMatchObject({ statusCode: 404 });

  // Stigmer's own CLI made `stigmer-agent-runner` from ghcr.io/stigmer/agent-runner, before this project:
  // its successor removes it without asking. Only where no such container runs already (a real one is left be).
  const legacy = 'stigmer-agent-runner';
  if ((await e2e.docker.listContainers({ all: true, filters: { name: [`^/?${legacy}$`] } })).length > 0) return;
  const tag = `e2e-${process.pid}`;
  await e2e.docker.getImage(e2e.image).tag({ repo: 'ghcr.io/stigmer/agent-runner', tag });
  e2e.cleanup(() =>
    e2e.docker
      .getImage(`ghcr.io/stigmer/agent-runner:${tag}`)
      .remove()
      .catch(() => undefined),
  );
  const stigmers = await e2e.docker.createContainer({ name: legacy, Image: `ghcr.io/stigmer/agent-runner:${tag}` });
  e2e.cleanup(() => stigmers.remove({ force: true }).catch(() => undefined));
  const taken = await e2e.cli(['teardown', '--json'], e2e.scenarioEnv(legacy, await e2e.services('127.0.0.1')));
  expect(taken.code).toBe(0);
  expect(JSON.parse(taken.stdout).removed).toEqual([
    expect.objectContaining({
      name: legacy,
      removedBecause: `container ${legacy} (image ghcr.io/stigmer/agent-runner:${tag}) was made by Stigmer's own CLI before stigmer-runner: removed by its successor`,
    }),
  ]);
});
