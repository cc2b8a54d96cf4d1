/**
 * `stigmer-runner worker [--host NAME]`: the provisioning worker of one host. It polls the shared
 * `runner_provisioning` queue (workflow tasks, host-independent steps) and its host's
 * `runner_provisioning@NAME` (every step that touches its engine — the one its DOCKER_HOST or docker
 * context names). Secrets stay here: the runner's API keys are read from this process's env and
 * config file when the container is created; nothing secret travels through Temporal.
 */
import { homedir, hostname } from 'node:os';
import { loadWorkerPolicy } from '../settings/worker-policy';
import type { LogLevel } from '@temporalio/common';
import type { ConfigFlags } from '../core/settings/types';
import { ConfigError } from '../core/settings/errors';
import { identifyEngine } from '../core/runner/engine';
import { parseAddress } from '../core/address';
import { EXIT_CODES, hostTaskQueue, PROVISIONING_TASK_QUEUE, workerIdentity } from '../core/contract/names';
import { loadConfig } from '../settings/load-config';
import { connectDocker } from '../docker/client';
import { readEngineFacts } from '../docker/engine-facts';
import { installRuntime } from '../observability/runtime';
import { connectWorker, temporalTarget } from '../temporal/connection';
import { createHostWorkers } from '../provisioning-worker';
import { hostFrom } from './command';

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/**
 * Runs until SIGINT/SIGTERM. Logs go to stdout (JSON lines unless a terminal); `--metrics HOST:PORT`
 * (or STIGMER_RUNNER_METRICS) serves Prometheus metrics at /metrics.
 */
export async function workerCommand(
  flags: ConfigFlags,
  options: { metrics?: string; host?: string },
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const host = hostFrom(options.host);
  const { config, secrets } = loadConfig(flags, env);
  const metrics =
    options.metrics !== undefined
      ? { value: options.metrics, source: 'flag:--metrics' }
      : env.STIGMER_RUNNER_METRICS
        ? { value: env.STIGMER_RUNNER_METRICS, source: 'env:STIGMER_RUNNER_METRICS' }
        : undefined;
  if (metrics) {
    const problem = endpointProblem(metrics.value);
    if (problem) throw new ConfigError([{ source: metrics.source, message: problem }]);
  }
  const level = (env.STIGMER_RUNNER_LOG_LEVEL ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new ConfigError([
      { source: 'env:STIGMER_RUNNER_LOG_LEVEL', message: `"${level}" is not one of ${LOG_LEVELS.join(', ')}` },
    ]);
  const logger = installRuntime({
    level: level as LogLevel,
    json: !process.stdout.isTTY,
    write: (line) => process.stdout.write(line),
    metrics: metrics?.value,
  });

  const engine = await engineKind(env);
  const { policy, issues } = loadWorkerPolicy({ env, homeDir: homedir() }, { configFile: flags.config });
  const { temporal } = config;
  const connection = await connectWorker(temporalTarget(config, secrets));
  try {
    const workers = await createHostWorkers({
      connection,
      namespace: temporal.namespace.value,
      bundle: 'auto',
      host,
      identity: workerIdentity('stigmer-runner worker', process.pid, hostname(), host, engine),
      deps: { env, policy },
    });
    logger.info('worker policy', {
      serves: policy.accounts.map((account) => `${account.name} (${account.home})`),
      workspaceRoots: policy.workspaceRoots.map((root) => root.value),
      engines: [policy.own.engine, ...policy.engines.map((entry) => entry.value)].filter(Boolean),
      images: [policy.own.image, ...policy.images.map((entry) => entry.value)].filter(Boolean),
      ...(issues.length > 0 ? { issues: issues.map((issue) => `${issue.source}: ${issue.message}`) } : {}),
    });
    logger.info('worker started', {
      taskQueue: PROVISIONING_TASK_QUEUE,
      host,
      hostTaskQueue: hostTaskQueue(host),
      engine: engine ?? null,
      temporal: temporal.address.value,
      namespace: temporal.namespace.value,
      tls: temporal.tls.value,
      auth: temporal.auth.value,
      authSource: temporal.auth.source,
      metrics: metrics ? `http://${metrics.value}/metrics` : null,
    });
    await workers.run(); // the SDK turns SIGINT/SIGTERM into a graceful shutdown
    logger.info('worker stopped');
    return EXIT_CODES.ready;
  } finally {
    await connection.close();
  }
}

/** The engine kind for the identity (`hosts` shows it); an engine that does not answer yet is not fatal. */
export async function engineKind(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const { docker, endpoint } = connectDocker(env);
    return identifyEngine(await readEngineFacts(docker, endpoint)).kind;
  } catch {
    return undefined;
  }
}

function endpointProblem(text: string): string | undefined {
  try {
    const parsed = parseAddress(text);
    if (parsed.scheme || parsed.port === undefined) return `"${text}" must be host:port, e.g. 127.0.0.1:9464`;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
