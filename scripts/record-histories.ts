/**
 * Records workflow histories from real runs — real dev server, real engine, the local runner image,
 * stand-ins for Ollama and the backend — into test/fixtures/histories/, for the replay test.
 * `npm run record-histories [scenario…]` (default: all). See README "Changing the workflow".
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { triggerContext } from '../src/settings/trigger';
import { connectDocker } from '../src/docker/client';
import { projectRoot } from '../src/temporal/dev-server';
import { createHostWorkers } from '../src/provisioning-worker';
import { PROVISIONING_TASK_QUEUE, provisionWorkflowId, WORKFLOW_TYPES } from '../src/core/contract/names';
import { startProvision, startTeardown } from '../src/cli/start';
import type { ProvisionInput } from '../src/workflows';
import { startBackendStandIn } from '../test/support/backend-standin';
import { startOllamaStandIn } from '../test/support/ollama-standin';
import { ensureTestRunnerImage, STAND_IN_REPOSITORY } from '../test/support/runner-image';
import { scenarioEnv } from '../test/support/scenario';
import { freePort, startTestTemporal } from '../test/support/temporal-server';
import { connectClient, connectWorker, devServerTarget } from '../src/temporal/connection';

export const HISTORIES_DIR = join(projectRoot(), 'test', 'fixtures', 'histories');

export interface HistoryFixture {
  scenario: string;
  description: string;
  workflowId: string;
  recordedAt: string;
  recordedFrom: string;
  history: unknown;
}

interface Context {
  client: Client;
  env: (runner: string, extra?: Record<string, string>) => Record<string, string>;
  home: string;
  services: { ollamaPort: number; backendPort: number };
}

type Scenario = { description: string; run(context: Context, runner: string): Promise<WorkflowHandle> };

const provision = (
  context: Context,
  runner: string,
  env: Record<string, string>,
  extra: Partial<ProvisionInput> = {},
) => startProvision(context.client, { flags: { runner }, trigger: triggerContext(env, context.home), ...extra });

/** The host the recording worker serves (routed scenarios); `history-offline` has no worker. */
const RECORD_HOST = 'history-host';

const settle = (handle: WorkflowHandle) => handle.result().catch(() => undefined);

/** The seed bug: a bridged runner handed localhost, so verifyConnectivity fails non-retryably. */
async function seedBug(context: Context, runner: string): Promise<WorkflowHandle> {
  const handle = await provision(
    context,
    runner,
    context.env(runner, { STIGMER_RUNNER_NETWORK: 'bridge', STIGMER_RUNNER_HOST_ALIAS: 'localhost' }),
  );
  await settle(handle);
  return handle;
}

const SCENARIOS: Record<string, Scenario> = {
  clean: {
    description: 'a provision that succeeds at the first attempt of every step',
    run: async (context, runner) => {
      const handle = await provision(context, runner, context.env(runner));
      await settle(handle);
      return handle;
    },
  },
  indexed: {
    description: 'a clean provision that records its outcome in the Stigmer* search attributes',
    run: async (context, runner) => {
      const handle = await provision(context, runner, context.env(runner), { searchAttributes: true });
      await settle(handle);
      return handle;
    },
  },
  retried: {
    description: 'Ollama comes up a few seconds late: verifyConnectivity is retried, then the provision succeeds',
    run: async (context, runner) => {
      const port = await freePort();
      const handle = await provision(
        context,
        runner,
        context.env(runner, { STIGMER_LLM_BASE_URL: `http://localhost:${port}` }),
        { verify: { initialIntervalMs: 1000, maximumAttempts: 6 } },
      );
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const late = await startOllamaStandIn({ port });
      await settle(handle);
      await late.close();
      return handle;
    },
  },
  diagnosed: {
    description:
      'the seed bug (a bridged container handed localhost): verifyConnectivity fails non-retryably with a diagnosis',
    run: (context, runner) => seedBug(context, runner),
  },
  'stopped-after-failure': {
    description:
      'the seed bug again, on code with patch stop-runner-on-failure: verification fails, then stopRunner stops the runner (kept for its logs)',
    run: (context, runner) => seedBug(context, runner),
  },
  attached: {
    description: 'a second trigger for the same runner while the first runs attaches to the same execution',
    run: async (context, runner) => {
      const env = context.env(runner);
      const first = await provision(context, runner, env);
      const second = await provision(context, runner, env);
      if (second.firstExecutionRunId !== first.firstExecutionRunId)
        throw new Error('the second trigger did not attach');
      await settle(second);
      return first;
    },
  },
  'invalid-input': {
    description: 'a malformed workflow input fails that workflow at once with InvalidInput',
    run: async (context, runner) => {
      const handle = await context.client.workflow.start(WORKFLOW_TYPES.provision, {
        taskQueue: PROVISIONING_TASK_QUEUE,
        workflowId: provisionWorkflowId(runner),
        args: [{ flags: { runner: 'not a name' } }],
      });
      await settle(handle);
      return handle;
    },
  },
  teardown: {
    description: 'teardownRunner removes the runner provisioned just before',
    run: async (context, runner) => {
      await settle(await provision(context, runner, context.env(runner)));
      const handle = await startTeardown(context.client, { runner });
      await settle(handle);
      return handle;
    },
  },
  routed: {
    description:
      'a provision routed to a host: its engine-bound steps on runner_provisioning@history-host (patch route-to-host)',
    run: async (context, runner) => {
      const handle = await provision(context, runner, context.env(runner), {
        host: RECORD_HOST,
        searchAttributes: true,
      });
      await settle(handle);
      return handle;
    },
  },
  'host-offline': {
    description: 'a provision routed to a host with no worker: planNetworking is not taken within 20 s, HostOffline',
    run: async (context, runner) => {
      const handle = await provision(context, runner, context.env(runner), { host: 'history-offline' });
      await settle(handle);
      return handle;
    },
  },
  'routed-teardown': {
    description: 'teardownRunner routed to a host removes the runner provisioned there just before',
    run: async (context, runner) => {
      await settle(await provision(context, runner, context.env(runner), { host: RECORD_HOST }));
      const handle = await startTeardown(context.client, { runner, host: RECORD_HOST });
      await settle(handle);
      return handle;
    },
  },
};

async function record(names: string[]): Promise<void> {
  const unknown = names.filter((name) => !(name in SCENARIOS));
  if (unknown.length)
    throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const { docker } = connectDocker();
  const home = await mkdtemp(join(tmpdir(), 'stigmer-record-'));
  const [image, temporal, ollama, backend] = await Promise.all([
    ensureTestRunnerImage(docker),
    startTestTemporal({ ip: '0.0.0.0' }),
    startOllamaStandIn(),
    startBackendStandIn(),
  ]);
  const client = new Client({ connection: await connectClient(devServerTarget(temporal.address)) });
  const workerConnection = await connectWorker(devServerTarget(temporal.address));
  // The worker's home is the triggers' home, and its policy lists the stand-in image: a worker
  // serves its own account's triggers and the images it allows (docs/security.md), nothing else.
  await mkdir(join(home, '.stigmer'), { recursive: true });
  await writeFile(join(home, '.stigmer', 'config.yaml'), `worker:\n  images: [${STAND_IN_REPOSITORY}]\n`);
  const worker = await createHostWorkers({
    connection: workerConnection,
    namespace: 'default',
    bundle: 'prebuilt',
    host: RECORD_HOST,
    deps: { homeDir: home },
  });
  const context: Context = {
    client,
    home,
    services: { ollamaPort: ollama.port, backendPort: backend.port },
    env: (runner, extra = {}) => {
      // The runner is named by the provision's flags, as in the histories recorded so far: not in the env.
      const { STIGMER_RUNNER_NAME: _named, ...env } = scenarioEnv(
        {
          image,
          home,
          temporalPort: temporal.port,
          backendPort: backend.port,
          ollamaUrl: `http://localhost:${ollama.port}`,
        },
        runner,
      );
      return { ...env, ...extra };
    },
  };
  const commit = execSync('git rev-parse --short HEAD', { cwd: projectRoot() }).toString().trim();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  try {
    await worker.runUntil(
      (async () => {
        for (const name of names) {
          const runner = `history-${name}`;
          const handle = await SCENARIOS[name].run(context, runner);
          const history = JSON.parse(historyToJSON(await handle.fetchHistory()));
          const fixture: HistoryFixture = {
            scenario: name,
            description: SCENARIOS[name].description,
            workflowId: handle.workflowId,
            recordedAt: new Date().toISOString(),
            recordedFrom: commit,
            history,
          };
          writeFileSync(join(HISTORIES_DIR, `${name}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
          console.log(`recorded ${name}: ${history.events.length} events → test/fixtures/histories/${name}.json`);
          for (const container of await docker.listContainers({
            all: true,
            filters: { label: [`dev.stigmer.runner=${runner}`] },
          }))
            await docker.getContainer(container.Id).remove({ force: true });
        }
      })(),
    );
  } finally {
    await Promise.all([client.connection.close(), workerConnection.close(), ollama.close(), backend.close()]);
    await temporal.stop();
    await rm(home, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const names = process.argv.slice(2);
  record(names.length ? names : Object.keys(SCENARIOS)).then(
    () => process.exit(0),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
