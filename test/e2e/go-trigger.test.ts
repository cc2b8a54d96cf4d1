/**
 * The published contract from outside TypeScript, on a real dev server, the real engine and the local
 * runner image: the Go trigger (examples/go-trigger) provisions a runner and prints our CLI's lines,
 * attaches to the execution our CLI started (and vice versa), fails bad input with our CLI's text and
 * exit code; the README's temporal-CLI one-liner provisions with just the runner's name, and its
 * progress query answers JSON that validates against the committed schema. The Go module's own
 * `go vet` and `go test` run here too.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { stepLine, waitingLine } from '../../src/cli/render';
import { provisionWorkflowId } from '../../src/core/contract/names';
import { projectRoot, temporalCliPath } from '../../src/temporal/dev-server';
import type { ProvisionResult } from '../../src/workflows';
import { committedContractFile, committedSchemaProblems } from '../support/contract';
import { useE2E } from '../support/e2e-harness';
import { buildGoTrigger, go, GO_MODULES } from '../support/go-trigger';
import { runProgram, type Run } from '../support/process';
import { freePort } from '../support/temporal-server';
import { recordTiming } from '../support/timings';
import { startWorkerProcess } from '../support/worker-process';

jest.setTimeout(300_000);

const e2e = useE2E();
let goTrigger: string;

beforeAll(async () => {
  const { binary, built, ms } = await buildGoTrigger();
  if (built) recordTiming('go trigger: go build (cache miss)', ms);
  goTrigger = binary;
}, 900_000);

let client: Client;
beforeAll(async () => {
  client = new Client({ connection: await Connection.connect({ address: e2e.temporal.address }) });
});
afterAll(() => client?.connection.close());

/** A standalone provisioning worker (as `stigmer-runner worker`) with this env and the test's HOME. */
async function worker(env: Record<string, string>): Promise<void> {
  const process = await startWorkerProcess({ temporalAddress: e2e.temporal.address, env: { ...env, HOME: e2e.home } });
  e2e.cleanup(() => process.kill('SIGTERM'));
}

/**
 * The Go trigger's environment: envconfig's TEMPORAL_ADDRESS; a scenario's Stigmer TEMPORAL_SERVICE_ADDRESS
 * (the same server) outranks it, as in our CLI (go-trigger-temporal.test.ts compares the two resolutions).
 */
function goEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: e2e.home, TEMPORAL_ADDRESS: e2e.temporal.address, ...env };
}

function goRun(args: string[], env: Record<string, string>): Promise<Run> {
  return runProgram(goTrigger, args, { env: goEnv(env), timeoutMs: 240_000 });
}

/** A step's waiting line is printed once it has run 2 s (the trigger queries every 250 ms: allow a second either side). */
const WAITING = { never: 1000, always: 3000 };

/**
 * What is wrong with the waiting lines (`… step  summary`) among a trigger's `lines`, judged from the
 * steps' own durations, not from the lines: a step that ran WAITING.always or more has exactly one,
 * printed before its settled line; a step under WAITING.never has none; no other waiting line.
 */
function waitingProblems(lines: string[], steps: ProvisionResult['steps']): string[] {
  const settledAt = (step: ProvisionResult['steps'][number]) => lines.findIndex((line) => line === stepLine(step));
  const problems = steps.flatMap((step) => {
    const at = lines.flatMap((line, index) => (line === waitingLine(step) ? [index] : []));
    const ran = step.durationMs ?? 0;
    if (ran < WAITING.never && at.length > 0) return [`${step.name} ran ${ran} ms, yet: ${waitingLine(step)}`];
    if (ran >= WAITING.always && at.length !== 1) return [`${step.name} ran ${ran} ms: ${at.length} waiting lines`];
    if (at.length > 1 || at.some((index) => index > settledAt(step))) return [`${step.name}: waiting lines at ${at}`];
    return [];
  });
  const known = new Set(steps.map(waitingLine));
  return [
    ...problems,
    ...lines.filter((line) => line.startsWith('… ') && !known.has(line)).map((line) => `unknown: ${line}`),
  ];
}

async function inputOf(workflowId: string): Promise<unknown> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return JSON.parse(Buffer.from(payload?.data ?? new Uint8Array()).toString('utf8'));
}

test('go vet and go test pass for the Go trigger and the contract package', async () => {
  for (const dir of GO_MODULES) {
    for (const args of [
      ['vet', './...'],
      ['test', './...'],
    ]) {
      const run = await go(args, dir);
      expect({ dir, args, code: run.code, output: run.code === 0 ? '' : `${run.stdout}${run.stderr}` }).toEqual({
        dir,
        args,
        code: 0,
        output: '',
      });
    }
  }
});

test('the Go trigger provisions a runner end to end, printing the lines our CLI prints, with the input our CLI sends', async () => {
  const runner = `go-${process.pid}`;
  const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
  await worker(env);
  const run = await goRun(['--runner', runner], env);
  recordTiming('go trigger: provision → ready', run.ms);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });

  const workflowId = provisionWorkflowId(runner);
  const result = (await client.workflow.getHandle(workflowId).result()) as ProvisionResult;
  // Our CLI's lines: each step as it settled, and (for a step that ran 2 s or more) what it waited for.
  expect(waitingProblems(run.stdout.split('\n'), result.steps)).toEqual([]);
  const settled = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('… '))
    .join('\n');
  expect(settled).toBe(
    [
      `provisioning ${runner}: workflow ${workflowId}`,
      ...result.steps.map(stepLine),
      `✓ runner ${runner} is ready`,
      '',
    ].join('\n'),
  );
  const [container, ...others] = await e2e.runnerContainers(runner);
  expect({ others, state: container.State, image: container.Image }).toEqual({
    others: [],
    state: 'running',
    image: e2e.image,
  });

  // flags + trigger { the setting env vars that are set, home }, as `stigmer-runner run` builds it
  const input = await inputOf(workflowId);
  const triggerEnvNames: string[] = JSON.parse(committedContractFile('contract.json')).triggerEnvNames;
  const seen = goEnv(env);
  expect(input).toEqual({
    flags: { runner },
    trigger: {
      env: Object.fromEntries(triggerEnvNames.filter((name) => name in seen).map((name) => [name, seen[name]])),
      homeDir: e2e.home,
    },
    searchAttributes: true,
  });
  expect(Object.keys((input as { trigger: { env: object } }).trigger.env)).toEqual(
    expect.arrayContaining(['STIGMER_RUNNER_IMAGE', 'TEMPORAL_SERVICE_ADDRESS', 'TEMPORAL_ADDRESS']),
  );
  expect(committedSchemaProblems('provision-runner.input', input)).toEqual([]);
  const { searchAttributes } = await client.workflow.getHandle(workflowId).describe();
  expect(searchAttributes).toMatchObject({ StigmerRunner: [runner], StigmerStatus: ['ready'] });
});

test('a Go trigger and our CLI started together attach to one execution: same workflow id and run id, one container', async () => {
  const runner = `go-cli-${process.pid}`;
  const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
  await worker(env);
  const started = Date.now();
  const [viaGo, viaCli] = await Promise.all([
    goRun(['--runner', runner, '--json'], env),
    e2e.cli(['run', '--json'], env),
  ]);
  recordTiming('go trigger + CLI at once → both ready', Date.now() - started);
  const fromGo = JSON.parse(viaGo.stdout) as {
    workflowId: string;
    runId: string;
    status: string;
    steps: unknown[];
    container: { id: string };
    network: Record<string, unknown>;
  };
  expect({ code: viaGo.code, status: fromGo.status }).toEqual({ code: 0, status: 'ready' });
  expect({ code: viaCli.code, status: viaCli.json?.status }).toEqual({ code: 0, status: 'ready' });
  expect({ workflowId: fromGo.workflowId, runId: fromGo.runId, container: fromGo.container.id }).toEqual({
    workflowId: viaCli.json?.workflowId,
    runId: viaCli.json?.runId,
    container: viaCli.json?.container?.id,
  });
  expect(viaCli.json?.steps).toMatchObject(fromGo.steps); // the Go trigger keeps the promised fields of each step
  // The same --json document (but the UI link, which only our CLI knows).
  const fromCli = JSON.parse(viaCli.stdout) as Record<string, unknown>;
  expect(Object.keys(fromGo).sort()).toEqual(
    Object.keys(fromCli)
      .filter((key) => key !== 'uiUrl')
      .sort(),
  );
  expect(fromGo).toMatchObject({ runner: fromCli.runner, diagnosis: fromCli.diagnosis, checks: fromCli.checks });
  // The plan's promised fields (docs/contract) in both; our CLI adds how they were decided (engine, placement, route).
  expect(fromGo.network).toEqual({ mode: 'host', extraHosts: [], hostAlias: null });
  expect(fromCli.network).toMatchObject(fromGo.network);
  expect(await e2e.runnerContainers(runner)).toHaveLength(1);
  const executions = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${provisionWorkflowId(runner)}'` }))
    executions.push(execution);
  expect(executions).toHaveLength(1);
});

describe('bad input and no Temporal through Go: the exit code our CLI gives', () => {
  test('a bad setting: the same text on stderr, exit 2, nothing created', async () => {
    const runner = `go-bad-${process.pid}`;
    const bad = {
      STIGMER_LLM_PROVIDER: 'gemini',
      STIGMER_RUNNER_PULL: 'sometimes',
      TEMPORAL_SERVICE_ADDRESS: `localhost:${e2e.temporal.port}`,
    };
    await worker(e2e.scenarioEnv(runner, await e2e.services('127.0.0.1')));
    const [viaCli, viaGo] = await Promise.all([
      e2e.cli(['run', '--runner', runner], bad),
      goRun(['--runner', runner], bad),
    ]);
    expect({ code: viaCli.code, stderr: viaCli.stderr }).toEqual({
      code: 2,
      stderr: [
        'Invalid configuration:',
        '  - env:STIGMER_LLM_PROVIDER: "gemini" is not one of "ollama", "anthropic", "openai"',
        '  - env:STIGMER_RUNNER_PULL: "sometimes" is not one of "missing", "never", "always"',
        '',
      ].join('\n'),
    });
    expect({ code: viaGo.code, stderr: viaGo.stderr }).toEqual({ code: viaCli.code, stderr: viaCli.stderr });
    expect(await e2e.runnerContainers(runner)).toEqual([]);
  });

  test('a runner name Docker refuses: exit 2 from both, each naming the runner flag', async () => {
    await worker({});
    const [viaCli, viaGo] = await Promise.all([
      e2e.cli(['run', '--runner', 'a b'], { TEMPORAL_SERVICE_ADDRESS: `localhost:${e2e.temporal.port}` }),
      goRun(['--runner', 'a b'], {}),
    ]);
    expect(viaCli).toMatchObject({
      code: 2,
      stderr:
        'Invalid configuration:\n  - flag:--runner: "a b" must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (a Docker container name)\n',
    });
    // The Go trigger does not run the cascade: the workflow's input check answers, as for any client.
    expect(viaGo).toMatchObject({
      code: 2,
      stderr: 'invalid provisionRunner input: flags.runner: "a b" is not a Docker container name\n',
    });
  });

  test('Temporal unreachable: exit 3 (a service out of reach) from both, naming the address', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const [viaCli, viaGo] = await Promise.all([
      e2e.cli(['run', '--runner', 'nowhere'], { TEMPORAL_SERVICE_ADDRESS: dead }),
      goRun(['--runner', 'nowhere'], { TEMPORAL_ADDRESS: dead }),
    ]);
    expect({ cli: viaCli.code, go: viaGo.code }).toEqual({ cli: 3, go: 3 });
    expect(viaCli.stderr).toContain(`nothing answers at ${dead}`);
    expect(viaGo.stderr).toContain(`nothing answers at ${dead}`);
  });
});

/** The README's temporal-CLI lines (section "Trigger from any language"), for a runner. */
function readmeOneLiner(runner: string): string[] {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  const block = /```bash\n(temporal workflow start --type provisionRunner[\s\S]*?)```/.exec(readme)?.[1];
  if (!block)
    throw new Error('README.md has no ```bash block starting with `temporal workflow start --type provisionRunner`');
  return block
    .replace(/\\\n\s*/g, '')
    .trim()
    .split('\n')
    .map((line) => line.replaceAll('my-runner', runner));
}

test('the README one-liner (temporal CLI, just the runner name) provisions with the worker’s own settings; the progress query answers the committed schema', async () => {
  const runner = `oneliner-${process.pid}`;
  const env = e2e.scenarioEnv(runner, await e2e.services('127.0.0.1'));
  await worker(env); // no trigger: this worker's env and home are the configuration
  const [start, query] = readmeOneLiner(runner);
  expect(start).toBe(
    `temporal workflow start --type provisionRunner --task-queue runner_provisioning --workflow-id provision-runner-${runner} --id-conflict-policy UseExisting --input '{"flags":{"runner":"${runner}"}}'`,
  );
  const shell = (line: string) =>
    runProgram('bash', ['-c', line], {
      env: {
        PATH: `${dirname(temporalCliPath())}:${process.env.PATH ?? ''}`,
        HOME: e2e.home,
        TEMPORAL_ADDRESS: e2e.temporal.address,
      },
      timeoutMs: 60_000,
    });
  const started = Date.now();
  expect(await shell(start)).toMatchObject({ code: 0 });

  const whileRunning = await shell(query);
  const result = (await client.workflow.getHandle(provisionWorkflowId(runner)).result()) as ProvisionResult;
  recordTiming('temporal CLI one-liner → ready', Date.now() - started);
  expect(result.status).toBe('ready');
  expect(committedSchemaProblems('provision-runner.result', result)).toEqual([]);
  expect(await inputOf(provisionWorkflowId(runner))).toEqual({ flags: { runner } });
  expect((await e2e.runnerContainers(runner)).map((container) => container.Image)).toEqual([e2e.image]); // STIGMER_RUNNER_IMAGE of the worker

  const afterwards = await shell(query);
  for (const run of [whileRunning, afterwards]) {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const progress = queryResult(run.stdout);
    expect(committedSchemaProblems('provision-runner.progress', progress)).toEqual([]);
    expect(progress).toMatchObject({ runnerName: runner });
  }
  expect(queryResult(afterwards.stdout)).toMatchObject({ status: 'ready', steps: result.steps });
});

/**
 * `temporal workflow query --output json --no-json-shorthand-payloads` prints the raw payload: the
 * progress as plain JSON in base64. (The CLI's default shorthand prints empty lists as null.)
 */
function queryResult(stdout: string): unknown {
  const parsed = JSON.parse(stdout) as {
    queryResult?: { payloads?: Array<{ metadata: Record<string, string>; data: string }> };
  };
  const [payload] = parsed.queryResult?.payloads ?? [];
  if (!payload) throw new Error(`unexpected query output: ${stdout}`);
  expect(Buffer.from(payload.metadata.encoding, 'base64').toString()).toBe('json/plain');
  return JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
}
