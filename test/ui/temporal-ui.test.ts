/**
 * The Temporal UI, in a real browser: the compiled CLI provisions on the real Docker engine against a
 * real dev server with its UI, and headless Chromium (Debian's, driven by playwright-core) opens the
 * execution link `run` prints. Each step's activity summary must be on the page (timeline and Events
 * with Metadata), the trigger in Summary/Details, the checklist in Current Details, and a failed run
 * must show its diagnosis. Screenshots land in test-artifacts/ui/.
 *
 * Both provisions run first, each with `run`'s in-process worker, exactly as `stigmer run` does. Once
 * `run` exits its worker is gone, and Current Details — the answer to a query the UI sends — needs a
 * worker: the test then starts the standalone `stigmer-runner worker` (the compose stack's worker),
 * which answers by replaying the history with the prebuilt workflow bundle. Starting it only after
 * the provisions keeps `run` from handing them to a worker that lacks the scenarios' env.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type Dockerode from 'dockerode';
import type { Page } from 'playwright-core';
import { LABELS } from '../../src/core/runner/container-spec';
import { PROVISIONING_TASK_QUEUE } from '../../src/core/contract/names';
import { renderChecklist, type StepProgress } from '../../src/core/contract/progress';
import { waitUntil } from '../../src/core/wait';
import { listPollers } from '../../src/temporal/task-queue';
import { startBackendStandIn, type BackendStandIn } from '../support/backend-standin';
import { removeContainers, requireDocker } from '../support/docker';
import { startOllamaStandIn, type OllamaStandIn } from '../support/ollama-standin';
import { ensureTestRunnerImage } from '../support/runner-image';
import { startTestTemporal, type TestTemporal } from '../support/temporal-server';
import { childEnv, runNode, spawnNode, type Spawned } from '../support/process';
import { scenarioEnv } from '../support/scenario';
import { recordTiming } from '../support/timings';
import { launchChromium, type TestBrowser } from './chromium';
import {
  clippedListItems,
  eventsWithMetadata,
  expectVisible,
  markdownFrame,
  markdownLines,
  markdownText,
  openExecution,
  screenshot,
  statusBadge,
  timelineRow,
} from './temporal-ui-page';
import { connectClient, devServerTarget } from '../../src/temporal/connection';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'stigmer-runner.js');
const SHOTS = join(ROOT, 'test-artifacts', 'ui');
const NAMESPACE = 'default';
const SEED_BUG_CAUSE = 'localhost inside a bridged container is the container itself, not this machine';

/** The wording each step's summary follows (src/workflows/provision-runner.ts). */
const SUMMARY_SHAPES: Record<string, RegExp> = {
  resolveConfig: /^resolve config for \S+$/,
  planNetworking: /^ask the Docker engine .+/,
  startContainer: /^start \S+ as \S+/,
  verifyConnectivity: /^probe .+ from inside \S+/,
  awaitRunnerReady: /^wait up to \d+ s for \S+ to poll agent_execution_runner$/,
  stopRunner: /^stop \S+: it failed verification \(kept for its logs\)$/,
};

interface RunJson {
  workflowId: string;
  runId: string;
  uiUrl?: string;
  status: 'ready' | 'failed';
  steps: StepProgress[];
  diagnosis: Array<{ service: string; cause: string }>;
}

interface Provision {
  runner: string;
  code: number;
  stderr: string;
  json: RunJson;
  /** Activity type and summary of each ActivityTaskScheduled event, from the history itself. */
  scheduled: Array<{ activity: string; summary: string }>;
}

let docker: Dockerode;
let image: string;
let temporal: TestTemporal;
let home: string;
let ollama: OllamaStandIn;
let backend: BackendStandIn;
let browser: TestBrowser;
let queryWorker: Spawned | undefined;
let ready: Provision;
let seedBug: Provision;
const runners = [`ui-ready-${process.pid}`, `ui-seed-${process.pid}`];

beforeAll(async () => {
  const started = Date.now();
  // One at a time, each assigned as soon as it exists, so afterAll stops whatever started before a failure.
  docker = await requireDocker();
  browser = await launchChromium();
  image = await ensureTestRunnerImage(docker);
  home = await mkdtemp(join(tmpdir(), 'stigmer-ui-'));
  temporal = await startTestTemporal({ ip: '0.0.0.0', ui: true });
  if (!temporal.uiUrl) throw new Error('the dev server was started without its UI');
  // On all interfaces, as in the e2e scenarios (the bridged scenario's container is handed localhost, though).
  ollama = await startOllamaStandIn({ host: '0.0.0.0' });
  backend = await startBackendStandIn({ host: '0.0.0.0' });
  // One after the other: concurrent `run`s each poll runner_provisioning in process, and either may
  // execute the other's activities with its own env (the seed bug's host alias would be lost).
  ready = await provision(runners[0], ['run', '--json']);
  seedBug = await provision(runners[1], ['run', '--network', 'bridge', '--json'], {
    STIGMER_RUNNER_HOST_ALIAS: 'localhost',
  });
  queryWorker = await startQueryWorker();
  recordTiming('ui setup: dev server with UI, two provisions, query worker, Chromium', Date.now() - started);
});

afterAll(async () => {
  await browser?.close();
  await queryWorker?.[Symbol.asyncDispose]();
  if (docker)
    await Promise.all(runners.map((runner) => removeContainers(docker, { label: [`${LABELS.runner}=${runner}`] })));
  await Promise.all([ollama?.close(), backend?.close()]);
  await temporal?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

/** `stigmer-runner run` (compiled) for one runner, with the stand-ins and the dev server's UI link. */
async function provision(runner: string, args: string[], extra: Record<string, string> = {}): Promise<Provision> {
  const scenario = {
    image,
    home,
    temporalPort: temporal.port,
    backendPort: backend.port,
    ollamaUrl: `http://localhost:${ollama.port}`,
  };
  const env = childEnv(
    home,
    scenarioEnv(scenario, runner),
    { STIGMER_TEMPORAL_UI_URL: temporal.uiUrl as string },
    extra,
  );
  const { code, stdout, stderr, ms } = await runNode([CLI, ...args], { env, timeoutMs: 120_000 });
  recordTiming(`ui provision ${runner} (exit ${code})`, ms);
  let json: RunJson;
  try {
    json = JSON.parse(stdout) as RunJson;
  } catch {
    throw new Error(`stigmer-runner ${args.join(' ')} printed no JSON (exit ${code}); stderr:\n${stderr}`);
  }
  return { runner, code, stderr, json, scheduled: await scheduledActivities(json.workflowId, json.runId) };
}

async function scheduledActivities(workflowId: string, runId: string): Promise<Provision['scheduled']> {
  const connection = await connectClient(devServerTarget(temporal.address));
  try {
    const history = await new Client({ connection, namespace: NAMESPACE }).workflow
      .getHandle(workflowId, runId)
      .fetchHistory();
    return (history.events ?? [])
      .filter((event) => event.activityTaskScheduledEventAttributes)
      .map((event) => ({
        activity: event.activityTaskScheduledEventAttributes?.activityType?.name ?? '',
        summary: event.userMetadata?.summary
          ? String(defaultPayloadConverter.fromPayload(event.userMetadata.summary))
          : '',
      }));
  } finally {
    await connection.close();
  }
}

/** `stigmer-runner worker` (compiled), returned once the server has seen it poll. */
async function startQueryWorker(): Promise<Spawned> {
  const worker = spawnNode([CLI, 'worker'], {
    env: childEnv(home, { TEMPORAL_SERVICE_ADDRESS: `localhost:${temporal.port}` }),
  });
  const connection = await connectClient(devServerTarget(temporal.address));
  try {
    await waitUntil(
      async () => {
        if (worker.child.exitCode !== null) throw new Error(`it exited ${worker.child.exitCode}`); // kept as the timeout's last error
        const pollers = await listPollers(connection, NAMESPACE, PROVISIONING_TASK_QUEUE);
        return (
          pollers.some((poller) => poller.type === 'workflow' && poller.identity.includes(`${worker.pid}@`)) ||
          undefined
        );
      },
      { intervalMs: 200, timeoutMs: 30_000, what: `stigmer-runner worker to poll ${PROVISIONING_TASK_QUEUE}` },
    );
    return worker;
  } catch (error) {
    await worker[Symbol.asyncDispose]();
    throw new Error(`${(error as Error).message}\n${worker.output()}`);
  } finally {
    await connection.close();
  }
}

/** A fresh page; afterwards, nothing it loaded may have left loopback (the guard aborts and records it). */
async function withPage(use: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.newPage();
  try {
    await use(page);
  } finally {
    await page.close();
  }
  expect(browser.blocked).toEqual([]);
}

function expectedUiUrl(run: Provision): string {
  return `${temporal.uiUrl}/namespaces/${NAMESPACE}/workflows/${run.json.workflowId}/${run.json.runId}/history`;
}

/** Every scheduled activity carries a summary of the expected shape, one per step that ran. */
function expectSummaries(run: Provision, steps: string[]): void {
  expect(run.scheduled.map((entry) => entry.activity)).toEqual(steps);
  for (const { activity, summary } of run.scheduled) expect(summary).toMatch(SUMMARY_SHAPES[activity]);
}

describe('a provision that ends ready', () => {
  test('run prints the execution link of the dev server UI', () => {
    expect(ready.code).toBe(0);
    expect(ready.json.status).toBe('ready');
    expect(ready.json.uiUrl).toBe(expectedUiUrl(ready));
    expectSummaries(ready, [
      'resolveConfig',
      'planNetworking',
      'startContainer',
      'verifyConnectivity',
      'awaitRunnerReady',
    ]);
    expect(ready.scheduled[0].summary).toBe(`resolve config for ${ready.runner}`);
  });

  test('the history page shows Completed and every step with its summary on the timeline', async () => {
    await withPage(async (page) => {
      await openExecution(page, ready.json.uiUrl as string, 'history');
      await expectVisible(
        page.getByText(ready.json.workflowId, { exact: true }).first(),
        `the workflow id ${ready.json.workflowId}`,
      );
      await expectVisible(statusBadge(page, 'Completed'), 'the status Completed');
      for (const { activity, summary } of ready.scheduled)
        await expectVisible(timelineRow(page, activity, summary), `the timeline row "${activity} • ${summary}"`);
      await screenshot(page, join(SHOTS, 'ready-history.png'));
    });
  });

  test('User Metadata shows the trigger, each step summary as Completed, and the checklist in Current Details', async () => {
    await withPage(async (page) => {
      await openExecution(page, ready.json.uiUrl as string, 'user-metadata');
      expect((await markdownText(page, 'Summary')).join(' ')).toContain(ready.runner);
      const details = (await markdownText(page, 'Details')).join(' ');
      for (const fact of [ready.runner, image, 'stigmer run', userInfo().username, hostname()])
        expect(details).toContain(fact);

      expect(await eventsWithMetadata(page)).toEqual(
        ready.scheduled.map(({ summary }) => ({ kind: 'Activity', summary, status: 'Completed' })),
      );

      const checklist = await markdownText(page, 'Current Details');
      expect(checklist).toEqual(markdownLines(renderChecklist(ready.runner, ready.json.steps)));
      await expectVisible(
        markdownFrame(page, 'Current Details').frame.getByText(ready.runner).first(),
        'the checklist heading',
      );
      await screenshot(page, join(SHOTS, 'ready-user-metadata.png'));
      // UI 2.42 sizes the iframe without the body's margins (~30 px short): a checklist that ends with
      // its last step shows that step cut in half. Markdown that ends with a line after the list keeps
      // every step whole.
      expect(await clippedListItems(page, 'Current Details')).toEqual([]);
    });
  });
});

describe('the seed bug (a bridged runner handed localhost) fails with its diagnosis on the page', () => {
  test('run fails at verifyConnectivity and names the cause', () => {
    expect(seedBug.code).toBe(3);
    expect(seedBug.json.status).toBe('failed');
    expect(seedBug.json.uiUrl).toBe(expectedUiUrl(seedBug));
    expect(seedBug.json.diagnosis.map((entry) => entry.cause)).toContain(SEED_BUG_CAUSE);
    expectSummaries(seedBug, ['resolveConfig', 'planNetworking', 'startContainer', 'verifyConnectivity', 'stopRunner']);
  });

  test('the history page shows Failed, the steps that ran, and the diagnosis in the failure', async () => {
    await withPage(async (page) => {
      await openExecution(page, seedBug.json.uiUrl as string, 'history');
      await expectVisible(statusBadge(page, 'Failed'), 'the status Failed');
      for (const { activity, summary } of seedBug.scheduled)
        await expectVisible(timelineRow(page, activity, summary), `the timeline row "${activity} • ${summary}"`);
      await expectVisible(page.getByText('verifyConnectivity failed:').first(), 'the failure message naming the step');
      await expectVisible(page.getByText(`cause: ${SEED_BUG_CAUSE}`).first(), `the diagnosis "${SEED_BUG_CAUSE}"`);
      await expectVisible(
        page.getByText('Workflow Execution Failed', { exact: true }).first(),
        'the Workflow Execution Failed event',
      );
      await screenshot(page, join(SHOTS, 'seed-bug-history.png'));
    });
  });

  test('User Metadata shows verifyConnectivity as Failed and the checklist with the failure', async () => {
    await withPage(async (page) => {
      await openExecution(page, seedBug.json.uiUrl as string, 'user-metadata');
      const events = await eventsWithMetadata(page);
      expect(events).toEqual(
        seedBug.scheduled.map(({ activity, summary }) => ({
          kind: 'Activity',
          summary,
          status: activity === 'verifyConnectivity' ? 'Failed' : 'Completed',
        })),
      );

      const checklist = await markdownText(page, 'Current Details');
      expect(checklist).toEqual(
        markdownLines(renderChecklist(seedBug.runner, seedBug.json.steps, seedBug.json.diagnosis)),
      );
      expect(checklist.find((line) => line.includes('verifyConnectivity'))).toMatch(/failed after 1 attempt/);
      await screenshot(page, join(SHOTS, 'seed-bug-user-metadata.png'));
      expect(await clippedListItems(page, 'Current Details')).toEqual([]);
    });
  });
});
