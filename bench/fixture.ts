/**
 * What every bench measurement shares: the real Docker engine and the locally built runner image, a
 * Temporal dev server on all interfaces (bridged runners reach it through the gateway), stand-ins for
 * Ollama and the backend, the worker's environment, and cleanup of every container this run made
 * (all named `bench-<run id>-…`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type Dockerode from 'dockerode';
import { createActivities, type ActivityDeps, type RunnerActivities } from '../src/activities';
import { triggerContext, type TriggerContext } from '../src/settings/trigger';
import { connectDocker } from '../src/docker/client';
import { startBackendStandIn } from '../test/support/backend-standin';
import { removeContainers, requireDocker } from '../test/support/docker';
import { startOllamaStandIn } from '../test/support/ollama-standin';
import { ensureTestRunnerImage } from '../test/support/runner-image';
import { childEnv } from '../test/support/process';
import { scenarioEnv } from '../test/support/scenario';
import { startTestTemporal, type TestTemporal } from '../test/support/temporal-server';
import { connectClient, devServerTarget } from '../src/temporal/connection';

export interface Fixture {
  runId: string;
  docker: Dockerode;
  image: string;
  temporal: TestTemporal;
  client: Client;
  /** The worker's (and the baseline's) activity dependencies: its env (where secrets come from), home, engine. */
  deps: ActivityDeps;
  /** The same activity bodies the worker runs, for the no-Temporal baseline. */
  activities: RunnerActivities;
  /** What a trigger hands the provision: the stand-ins and dev server as a user would configure them, plus `extra`. */
  trigger(extra?: Record<string, string>): TriggerContext;
  runnerName(tag: string): string;
  /** Removes a runner's container from `docker` (default: the rootful engine). */
  removeRunner(name: string, docker?: Dockerode): Promise<void>;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const runId = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  const docker = await requireDocker();
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse())
      await closer().catch((error: unknown) => process.stderr.write(`cleanup: ${(error as Error).message}\n`));
  };
  try {
    const home = await mkdtemp(join(tmpdir(), 'stigmer-bench-'));
    closers.push(() => rm(home, { recursive: true, force: true }));
    closers.push(() => removeContainers(docker, { name: [`^/bench-${runId}-`] }));
    const [image, temporal, ollama, backend] = await Promise.all([
      ensureTestRunnerImage(docker),
      startTestTemporal({ ip: '0.0.0.0' }),
      startOllamaStandIn({ host: '0.0.0.0' }),
      startBackendStandIn({ host: '0.0.0.0' }),
    ]);
    closers.push(
      () => temporal.stop(),
      () => ollama.close(),
      () => backend.close(),
    );
    const connection = await connectClient(devServerTarget(temporal.address));
    closers.push(() => connection.close());
    // The settings env: the stand-ins and dev server as a user would configure them (the default runner's workspace).
    const env = childEnv(
      home,
      scenarioEnv({
        image,
        home,
        temporalPort: temporal.port,
        backendPort: backend.port,
        ollamaUrl: `http://localhost:${ollama.port}`,
      }),
    );
    const deps: ActivityDeps = { docker: connectDocker(), env, homeDir: home, platform: process.platform };
    return {
      runId,
      docker,
      image,
      temporal,
      client: new Client({ connection }),
      deps,
      activities: createActivities(deps),
      trigger: (extra = {}) => triggerContext({ ...env, ...extra }, home),
      runnerName: (tag) => `bench-${runId}-${tag}`,
      // Docker lists names with a leading slash, Podman without.
      removeRunner: (name, engine = docker) => removeContainers(engine, { name: [`^/?${name}$`] }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
