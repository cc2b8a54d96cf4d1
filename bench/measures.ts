/**
 * The four measurements (and P4's peer without Temporal). P1, P2 and P4 run against the in-process production worker (created once
 * by the caller); P3 starts fresh child processes. Every provision starts with no runner container.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type Dockerode from 'dockerode';
import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import type { Attempted } from '../src/activities/failures';
import { demuxLogs } from '../src/docker/logs';
import { PROVISIONING_TASK_QUEUE } from '../src/core/contract/names';
import { provisionRunner, type ProvisionInput, type ProvisionProgress } from '../src/workflows/provision-runner';
import { runNode } from '../test/support/process';
import type { Fixture } from './fixture';
import { eventBreakdown, eventMs, historySplit, round, summarize, type Summary } from './stats';

/** The workflow's default readiness timeout, given to the baseline too. */
const READY_TIMEOUT_MS = 60_000;
/**
 * Pause after removing a runner, outside the timed region. Every runner of the test image polls as
 * `1@<this host>` on host networking, and readiness accepts a poller seen up to 1 s before the new
 * container started; the pause keeps the previous container's last poll from counting.
 */
const SETTLE_MS = 1500;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const retriesOf = (steps: Array<{ attempts: number }>) =>
  steps.reduce((sum, step) => sum + Math.max(0, step.attempts - 1), 0);

function start(
  fixture: Fixture,
  workflowId: string,
  input: ProvisionInput,
): Promise<WorkflowHandle<typeof provisionRunner>> {
  return fixture.client.workflow.start(provisionRunner, {
    taskQueue: PROVISIONING_TASK_QUEUE,
    workflowId,
    args: [input],
  });
}

/** A failed provision's progress: the workflow fails with it in the failure's details. */
function progressOf(error: unknown): ProvisionProgress | undefined {
  return error instanceof WorkflowFailedError
    ? ((error.cause as ApplicationFailure | undefined)?.details?.[0] as ProvisionProgress | undefined)
    : undefined;
}

/**
 * The baseline: the worker's activity bodies in the workflow's order and with its inputs, in this
 * process, without Temporal. Adds each step's duration to `stepMs`.
 */
async function provisionWithoutTemporal(
  fixture: Fixture,
  { flags, trigger }: ProvisionInput,
  workflowId: string,
  stepMs: Record<string, number[]>,
): Promise<void> {
  // The worker's logger (same log cost) and a client on the same Temporal (readiness asks it for pollers).
  const env = new MockActivityEnvironment(undefined, { logger: Runtime.instance().logger, client: fixture.client });
  const run = async <A extends unknown[], T>(
    name: string,
    activity: (...args: A) => Promise<Attempted<T>>,
    ...args: A
  ): Promise<T> => {
    const started = performance.now();
    const { value } = (await env.run(activity, ...args)) as Attempted<T>;
    (stepMs[name] ??= []).push(performance.now() - started);
    return value;
  };
  const { resolveConfig, planNetworking, startContainer, verifyConnectivity, awaitRunnerReady } = fixture.activities;
  const config = await run('resolveConfig', resolveConfig, { flags, trigger });
  const plan = await run('planNetworking', planNetworking, config);
  const container = await run('startContainer', startContainer, { flags, trigger, config, plan, workflowId });
  await run('verifyConnectivity', verifyConnectivity, { config, plan, container });
  await run('awaitRunnerReady', awaitRunnerReady, {
    config,
    container,
    taskQueue: plan.runner.taskQueue,
    timeoutMs: READY_TIMEOUT_MS,
  });
}

export interface P1 {
  temporal: Summary;
  baseline: Summary;
  ratio: number;
  /** Beside the medians: readiness is checked at an interval (100 ms), which makes both arms' timings step-shaped. */
  ratioOfMeans: number;
  /** Per Temporal provision: time outside activities (history), its two parts, and trigger + result outside the history. */
  overhead: { outsideActivitiesMs: Summary; activityDispatchMs: Summary; workflowTasksMs: Summary; clientMs: Summary };
  /** Median time inside each step: Temporal (history, started → completed) and baseline. */
  steps: Record<string, { temporalMs: number; baselineMs: number }>;
  /** Activity retries in the Temporal arm (the baseline does not retry: any failure would end the bench). */
  retries: number;
  /** Control for P4's check: provisions reported ready before the runner's own log said it polls. */
  readyBeforeOwnPoll: { temporal: number; baseline: number };
  eventsPerProvision: number;
}

/** P1: trigger → verified with the image present, Temporal vs the same steps without it, interleaved in alternating order after one warm-up each. */
export async function measureP1(fixture: Fixture, runs: number): Promise<P1> {
  const runner = fixture.runnerName('p1');
  const input: ProvisionInput = { flags: { runner }, trigger: fixture.trigger() };
  const samples = { temporal: [] as number[], baseline: [] as number[] };
  const overhead = {
    outsideActivitiesMs: [] as number[],
    activityDispatchMs: [] as number[],
    workflowTasksMs: [] as number[],
    clientMs: [] as number[],
  };
  const stepMs = { temporal: {} as Record<string, number[]>, baseline: {} as Record<string, number[]> };
  const readyBeforeOwnPoll = { temporal: 0, baseline: 0 };
  let retries = 0;
  let eventsPerProvision = 0;
  for (let round = 0; round <= runs; round++) {
    // Which arm goes first alternates, so neither always follows the other's after-effects.
    const order = round % 2 ? (['baseline', 'temporal'] as const) : (['temporal', 'baseline'] as const);
    for (const arm of order) {
      await fixture.removeRunner(runner);
      await sleep(SETTLE_MS);
      const workflowId = `${runner}-${arm}-${round}`;
      const started = performance.now();
      let handle: WorkflowHandle<typeof provisionRunner> | undefined;
      let steps: ProvisionProgress['steps'] = [];
      if (arm === 'temporal') {
        handle = await start(fixture, workflowId, input);
        steps = (await handle.result()).steps;
      } else {
        await provisionWithoutTemporal(fixture, input, workflowId, round === 0 ? {} : stepMs.baseline);
      }
      const ms = performance.now() - started;
      const readyAt = Date.now();
      if (round === 0) continue; // warm-up
      samples[arm].push(ms);
      if (await readyBeforeItPolled(fixture, runner, readyAt)) readyBeforeOwnPoll[arm]++;
      if (handle) {
        const events = (await handle.fetchHistory()).events ?? [];
        const split = historySplit(events);
        for (const [name, inActivity] of Object.entries(split.byActivity))
          (stepMs.temporal[name] ??= []).push(inActivity);
        overhead.outsideActivitiesMs.push(split.totalMs - split.inActivitiesMs);
        overhead.activityDispatchMs.push(split.activityDispatchMs);
        overhead.workflowTasksMs.push(split.workflowTasksMs);
        overhead.clientMs.push(ms - split.totalMs);
        retries += retriesOf(steps);
        eventsPerProvision = events.length;
      }
      log(`P1 ${round}/${runs} ${arm} ${Math.round(ms)} ms`);
    }
  }
  await fixture.removeRunner(runner);
  const temporal = summarize(samples.temporal);
  const baseline = summarize(samples.baseline);
  const medians = (values: Record<string, number[]>) =>
    Object.fromEntries(Object.entries(values).map(([key, list]) => [key, summarize(list)]));
  return {
    temporal,
    baseline,
    ratio: round(temporal.medianMs / baseline.medianMs, 3),
    ratioOfMeans: round(temporal.meanMs / baseline.meanMs, 3),
    overhead: medians(overhead) as P1['overhead'],
    steps: Object.fromEntries(
      Object.keys(stepMs.baseline).map((name) => [
        name,
        {
          temporalMs: summarize(stepMs.temporal[name]).medianMs,
          baselineMs: summarize(stepMs.baseline[name]).medianMs,
        },
      ]),
    ),
    retries,
    readyBeforeOwnPoll,
    eventsPerProvision,
  };
}

export interface P2 {
  /** Container start → verifyConnectivity's failure in the history. */
  toDiagnosis: Summary;
  /** Container start → the client holds the failed workflow with its diagnosis. */
  toClient: Summary;
  attempts: number[];
  cause: string;
}

/** P2: the seed bug — a bridged container handed `localhost` — from container start to the diagnosis. */
export async function measureP2(fixture: Fixture, reps: number): Promise<P2> {
  const runner = fixture.runnerName('seed');
  const toDiagnosis: number[] = [];
  const toClient: number[] = [];
  const attempts: number[] = [];
  let cause = '';
  for (let rep = 1; rep <= reps; rep++) {
    await fixture.removeRunner(runner);
    const handle = await start(fixture, `${runner}-${rep}`, {
      flags: { runner, network: 'bridge' },
      trigger: fixture.trigger({ STIGMER_RUNNER_HOST_ALIAS: 'localhost' }),
    });
    const failure = await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    const seenAt = Date.now();
    const progress = progressOf(failure);
    if (progress?.error?.type !== 'ConnectivityFailed' || !progress.container)
      throw new Error(
        `the seed-bug provision should fail verifyConnectivity, got: ${(failure as Error | undefined)?.message ?? 'ready'}`,
      );
    const startedAt = Date.parse(progress.container.startedAt);
    const failed = ((await handle.fetchHistory()).events ?? []).find(
      (event) => event.activityTaskFailedEventAttributes,
    );
    if (!failed) throw new Error(`no ActivityTaskFailed event in ${handle.workflowId}`);
    toDiagnosis.push(eventMs(failed) - startedAt);
    toClient.push(seenAt - startedAt);
    attempts.push(progress.steps.find((step) => step.name === 'verifyConnectivity')?.attempts ?? 0);
    cause = progress.diagnoses.find((entry) => !entry.ok)?.cause ?? '';
    log(`P2 ${rep}/${reps} ${toDiagnosis[toDiagnosis.length - 1]} ms to diagnosis`);
  }
  await fixture.removeRunner(runner);
  return { toDiagnosis: summarize(toDiagnosis), toClient: summarize(toClient), attempts, cause };
}

export interface P3 {
  /** Process start → Worker.create resolved. */
  prebuilt: Summary;
  source: Summary;
  ratio: number;
  /** The Worker.create call alone (what the bundle choice changes; module loading excluded). */
  prebuiltCreateCall: Summary;
  sourceCreateCall: Summary;
  /** Process start → the worker's poller listed by the server. */
  prebuiltPolling: Summary;
  sourcePolling: Summary;
  pollingRatio: number;
}

/** P3: worker cold start in fresh processes, prebuilt bundle vs bundling at start, interleaved after one warm-up each. */
export async function measureP3(address: string, reps: number): Promise<P3> {
  const script = join(__dirname, 'cold-start.js');
  type ColdStart = { createMs: number; createCallMs: number; pollingMs: number };
  const runs = { prebuilt: [] as ColdStart[], source: [] as ColdStart[] };
  for (let rep = 0; rep <= reps; rep++) {
    for (const mode of ['prebuilt', 'source'] as const) {
      // The child measures itself (its JSON line); how long this wrapper takes is not a figure.
      const { code, stdout, stderr } = await runNode([script, mode, address], { env: process.env, timeoutMs: 120_000 });
      if (code !== 0) throw new Error(`cold start (${mode}) exited ${code}: ${stderr}`);
      if (rep === 0) continue; // warm-up
      runs[mode].push(JSON.parse(stdout) as ColdStart);
      log(`P3 ${rep}/${reps} ${mode} ${stdout.trim()}`);
    }
  }
  const of = (mode: 'prebuilt' | 'source', key: keyof ColdStart) => summarize(runs[mode].map((run) => run[key]));
  const [prebuilt, source, prebuiltPolling, sourcePolling] = [
    of('prebuilt', 'createMs'),
    of('source', 'createMs'),
    of('prebuilt', 'pollingMs'),
    of('source', 'pollingMs'),
  ];
  return {
    prebuilt,
    source,
    ratio: round(prebuilt.medianMs / source.medianMs, 3),
    prebuiltCreateCall: of('prebuilt', 'createCallMs'),
    sourceCreateCall: of('source', 'createCallMs'),
    prebuiltPolling,
    sourcePolling,
    pollingRatio: round(prebuiltPolling.medianMs / sourcePolling.medianMs, 3),
  };
}

/** Where P4 provisions: one engine served by the caller's worker, or hosts each served by its own. */
export interface P4Host {
  /** The `--host` a provision is routed to; none: the shared queue (one machine). */
  host?: string;
  docker: Dockerode;
}

export interface P4 {
  provisions: number;
  hosts: number;
  failures: number;
  /** Containers not found on the engine of the host their provision was routed to. */
  misplaced: number;
  failureMessages: string[];
  wallMs: number;
  latency: Summary;
  retries: number;
  /** Per step: median and max duration (workflow clock) and retries, over the provisions that got that far. */
  steps: Record<string, { medianMs: number; maxMs: number; retries: number }>;
  /** Distinct causes of retried attempts (the `lastFailure` of each retried activity's start event). */
  retryCauses: string[];
  /** Reported ready before the runner's own log said it was polling: another runner's poll was taken for it. */
  readyBeforeOwnPoll: number;
  eventsPerProvision: { median: number; max: number };
  eventTypes: Record<string, number>;
  memory: { hostUsedPeakDeltaMiB: number; benchRssPeakMiB: number };
  /**
   * CPU-seconds over the run: the whole machine's (every process, all cores), and the runner
   * containers' own (the engine's stats; undefined where an engine would not give them).
   */
  cpu: { machineS: number; runnersS?: number };
}

/** P4: distinct runners provisioned at once, dealt round-robin to `hosts` (default: the one engine). */
export async function measureP4(
  fixture: Fixture,
  count: number,
  hosts: P4Host[] = [{ docker: fixture.docker }],
): Promise<P4> {
  const tag = hosts.length === 1 ? 'p4' : `p4x${hosts.length}`;
  const placed = Array.from({ length: count }, (_, index) => ({
    runner: fixture.runnerName(`${tag}-${index}`),
    ...hosts[index % hosts.length],
  }));
  const removeAll = () => Promise.all(placed.map(({ runner, docker }) => fixture.removeRunner(runner, docker)));
  await removeAll();
  await sleep(SETTLE_MS);
  const memory = sampleMemory();
  const cpuAtStart = machineCpuSeconds();
  const started = performance.now();
  const outcomes = await Promise.all(
    placed.map(async ({ runner, host, docker }) => {
      const trigger = fixture.trigger();
      const handle = await start(fixture, runner, { flags: { runner }, trigger, ...(host ? { host } : {}) });
      const outcome = await handle.result().then(
        (result) => ({ steps: result.steps, error: undefined }),
        (error: unknown) => ({
          steps: progressOf(error)?.steps ?? [],
          error: ((error as WorkflowFailedError).cause ?? (error as Error)).message,
        }),
      );
      return { runner, docker, handle, ms: performance.now() - started, readyAt: Date.now(), ...outcome };
    }),
  );
  const wallMs = performance.now() - started;
  const used = memory.stop();
  const machineS = round(machineCpuSeconds() - cpuAtStart, 1);
  const runnersS = await runnersCpuSeconds(placed);
  const histories = await Promise.all(
    outcomes.map(async (outcome) => (await outcome.handle.fetchHistory()).events ?? []),
  );
  const counts = histories.map((events) => events.length).sort((a, b) => a - b);
  let readyBeforeOwnPoll = 0;
  let misplaced = 0;
  for (const outcome of outcomes) {
    if (outcome.error) continue;
    const polledAt = await pollingLoggedAt(outcome.docker, outcome.runner).catch(() => 'missing' as const);
    if (polledAt === 'missing') misplaced++;
    else if (polledAt === undefined || polledAt > outcome.readyAt) readyBeforeOwnPoll++;
  }
  await removeAll();
  const failed = outcomes.filter((outcome) => outcome.error);
  const steps: P4['steps'] = {};
  for (const name of outcomes[0].steps.map((step) => step.name)) {
    const ran = outcomes.flatMap((outcome) =>
      outcome.steps.filter((step) => step.name === name && step.durationMs !== undefined),
    );
    if (ran.length === 0) continue;
    const durations = summarize(ran.map((step) => step.durationMs as number));
    steps[name] = { medianMs: durations.medianMs, maxMs: Math.max(...durations.samplesMs), retries: retriesOf(ran) };
  }
  const retryCauses = histories.flatMap((events) =>
    events.flatMap((event) => event.activityTaskStartedEventAttributes?.lastFailure?.message ?? []),
  );
  log(`P4 ${count} provisions on ${hosts.length} host(s): ${failed.length} failed, ${Math.round(wallMs)} ms`);
  return {
    provisions: count,
    hosts: hosts.length,
    failures: failed.length,
    misplaced,
    failureMessages: [...new Set(failed.map((outcome) => outcome.error as string))].slice(0, 5),
    wallMs: round(wallMs),
    latency: summarize(outcomes.map((outcome) => outcome.ms)),
    retries: outcomes.reduce((sum, outcome) => sum + retriesOf(outcome.steps), 0),
    steps,
    retryCauses: [...new Set(retryCauses.map((cause) => cause.slice(0, 300)))].slice(0, 5),
    readyBeforeOwnPoll,
    eventsPerProvision: { median: counts[counts.length >> 1], max: counts[counts.length - 1] },
    eventTypes: eventBreakdown(histories[0]),
    memory: used,
    cpu: { machineS, ...(runnersS === undefined ? {} : { runnersS }) },
  };
}

/** P4's peer: the same provisions at once, each the worker's activity bodies in order, without Temporal. */
export interface P4Baseline {
  provisions: number;
  failures: number;
  failureMessages: string[];
  wallMs: number;
  cpu: { machineS: number };
}

/**
 * P4 without Temporal: `count` distinct runners provisioned at once by the same activity bodies, in
 * this process, with the same inputs and the same readiness check — what the load costs by itself.
 */
export async function measureP4Baseline(fixture: Fixture, count: number): Promise<P4Baseline> {
  const runners = Array.from({ length: count }, (_, index) => fixture.runnerName(`p4b-${index}`));
  const removeAll = () => Promise.all(runners.map((runner) => fixture.removeRunner(runner)));
  await removeAll();
  await sleep(SETTLE_MS);
  const cpuAtStart = machineCpuSeconds();
  const started = performance.now();
  const errors = await Promise.all(
    runners.map((runner) =>
      provisionWithoutTemporal(fixture, { flags: { runner }, trigger: fixture.trigger() }, runner, {}).then(
        () => undefined,
        (error: unknown) => String((error as Error | undefined)?.message ?? error),
      ),
    ),
  );
  const wallMs = performance.now() - started;
  const machineS = round(machineCpuSeconds() - cpuAtStart, 1);
  await removeAll();
  const failed = errors.filter((error): error is string => error !== undefined);
  log(`P4 baseline ${count} provisions without Temporal: ${failed.length} failed, ${Math.round(wallMs)} ms`);
  return {
    provisions: count,
    failures: failed.length,
    failureMessages: [...new Set(failed)].slice(0, 5),
    wallMs: round(wallMs),
    cpu: { machineS },
  };
}

/** CPU-seconds this machine has spent busy since boot, over all cores (/proc/stat: all but idle and iowait). */
function machineCpuSeconds(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ
}

/** The runner containers' own CPU-seconds since they started, from their engines' one-shot stats. */
async function runnersCpuSeconds(placed: Array<{ runner: string; docker: Dockerode }>): Promise<number | undefined> {
  try {
    const nanoseconds = await Promise.all(
      placed.map(async ({ runner, docker }) => {
        const stats = (await docker.getContainer(runner).stats({ stream: false, 'one-shot': true } as {
          stream: false;
        })) as { cpu_stats?: { cpu_usage?: { total_usage?: number } } };
        const total = stats.cpu_stats?.cpu_usage?.total_usage;
        if (typeof total !== 'number') throw new Error(`no CPU usage in the stats of ${runner}`);
        return total;
      }),
    );
    return round(nanoseconds.reduce((sum, value) => sum + value, 0) / 1e9, 1);
  } catch {
    return undefined;
  }
}

/**
 * Whether a provision that returned ready at `readyAt` (ms since the epoch, taken when it returned:
 * later than the readiness decision, so this can only under-count) did so before the runner's own log
 * said `runner.polling` (its worker exists and starts polling), by Docker's log timestamps.
 */
async function readyBeforeItPolled(fixture: Fixture, runner: string, readyAt: number): Promise<boolean> {
  const polledAt = await pollingLoggedAt(fixture.docker, runner);
  return polledAt === undefined || polledAt > readyAt;
}

/** When the runner's own log said it polls (epoch ms), or undefined if it never did; throws if no such container. */
async function pollingLoggedAt(docker: Dockerode, runner: string): Promise<number | undefined> {
  const raw = (await docker
    .getContainer(runner)
    .logs({ stdout: true, stderr: true, timestamps: true, follow: false })) as unknown as Buffer;
  const line = demuxLogs(raw)
    .split('\n')
    .find((entry) => entry.includes('"event":"runner.polling"'));
  return line ? Date.parse(line.slice(0, line.indexOf(' '))) : undefined;
}

/** Samples this machine's used memory (MemTotal − MemAvailable) and this process's RSS until stopped. */
function sampleMemory(): { stop(): P4['memory'] } {
  const used = () => {
    const text = readFileSync('/proc/meminfo', 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1]);
    return (kib('MemTotal') - kib('MemAvailable')) * 1024;
  };
  const base = used();
  let peak = base;
  let rss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, used());
    rss = Math.max(rss, process.memoryUsage().rss);
  }, 250);
  return {
    stop: () => {
      clearInterval(timer);
      return { hostUsedPeakDeltaMiB: round((peak - base) / 2 ** 20), benchRssPeakMiB: round(rss / 2 ** 20) };
    },
  };
}
