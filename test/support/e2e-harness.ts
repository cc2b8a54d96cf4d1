/**
 * What every end-to-end test file needs, set up once per file: the real engine, the locally built
 * runner image, a dev server reachable from bridged containers, a temp HOME, the compiled CLI, and
 * cleanups that run after each test (containers, stand-ins, files).
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { LABELS } from '../../src/core/runner/container-spec';
import { projectRoot } from '../../src/temporal/dev-server';
import { startBackendStandIn, type BackendStandIn } from './backend-standin';
import { removeContainers } from './docker';
import {
  engineUrls,
  ensureImageOn,
  requireEngine,
  VM_ENGINES,
  type AnyEngine,
  type EngineUnderTest,
  type VmEngine,
} from './engines';
import { startOllamaStandIn, type OllamaStandIn } from './ollama-standin';
import { ensureTestRunnerImage, STAND_IN_REPOSITORY } from './runner-image';
import type { RunnerReleaseId } from '../../src/core/runner/releases';
import { freePort, startTestTemporal, type TestTemporal } from './temporal-server';
import { childEnv, runNode, type Run } from './process';
import { scenarioEnv, type Scenario } from './scenario';

const CLI = join(projectRoot(), 'bin', 'stigmer-runner.js');

export interface Services {
  ollama?: OllamaStandIn;
  backend: BackendStandIn;
  ollamaUrl: string;
}

export interface CliRun extends Run {
  json?: {
    workflowId: string;
    runId: string;
    status: string;
    steps: Array<{ name: string; status: string; attempts: number; durationMs?: number; note?: string }>;
    checks: Array<{ service: string; site: string; target: string; ok: boolean; detail: string }>;
    diagnosis: Array<{ service: string; cause: string; fix: string; summary: string }>;
    network: { mode: string; extraHosts: string[]; hostAlias: string | null };
    container?: {
      id: string;
      name: string;
      action: string;
      replacedBecause?: string;
      workspace?: { note: string; volume?: string };
    };
    error?: { type: string; message: string };
    refusals?: Array<{ subject: string; value: string; setting: string; rule: string; allow: string }>;
  };
}

export interface E2E {
  /** The engine the scenarios run on; `docker` is its client. */
  engine: EngineUnderTest;
  docker: Dockerode;
  image: string;
  temporal: TestTemporal;
  home: string;
  /** Registers work for after the current test. */
  cleanup(action: () => Promise<unknown>): void;
  /** Stand-ins bound at `bind`; `ollama: 'down'` leaves a port with nothing on it. */
  services(bind: string, ollama?: 'up' | 'down'): Promise<Services>;
  /** The scenario these stand-ins make, with this file's image, home and dev server. */
  scenario(services: Services): Scenario;
  /** The worker env of a scenario (the CLI runs its worker in-process with it); removes the runner after the test. */
  scenarioEnv(runner: string, services: Services, extra?: Record<string, string>): Record<string, string>;
  /** Runs the compiled CLI as a child process, against the engine under test. */
  cli(args: string[], env: Record<string, string>): Promise<CliRun>;
  /** The stand-in image of another runner release, on the engine under test. */
  standInImage(contract: RunnerReleaseId): Promise<string>;
  runnerContainers(runner: string): Promise<Dockerode.ContainerInfo[]>;
  containerEnv(runner: string): Promise<Record<string, string>>;
}

/** Call at the top of a test file; hooks set the harness up and tear it down. Default engine: rootful Docker. */
export function useE2E(options: { engine?: AnyEngine } = {}): E2E {
  const cleanups: Array<() => Promise<unknown>> = [];
  const e2e = { cleanup: (action: () => Promise<unknown>) => void cleanups.push(action) } as unknown as E2E;

  beforeAll(async () => {
    e2e.engine = await requireEngine(options.engine ?? 'rootful-docker');
    e2e.docker = e2e.engine.docker;
    [e2e.image, e2e.temporal, e2e.home] = await Promise.all([
      e2e.standInImage('python-2026-01'),
      startTestTemporal({ ip: '0.0.0.0' }),
      // Under the folder an engine in a VM shares at the same path (vm-desktop), as a user's home is on a Mac.
      mkdtemp(join(e2e.engine.sharedDir ?? tmpdir(), 'stigmer-e2e-')),
    ]);
    // Like a home folder: rootless engines run as another user, who must reach the workspaces below.
    await chmod(e2e.home, 0o755);
    await writeWorkerPolicy(e2e.home);
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((action) => action()));
  });
  afterAll(async () => {
    await e2e.temporal?.stop();
    if (e2e.home) await rm(e2e.home, { recursive: true, force: true });
  });

  e2e.standInImage = async (contract) => {
    // Built on the rootful engine (the only one that builds here), then copied where the scenarios run.
    const image = await ensureTestRunnerImage((await requireEngine('rootful-docker')).docker, contract);
    await ensureImageOn(e2e.engine, image);
    return image;
  };

  e2e.services = async (bind, ollama = 'up') => {
    const backend = await startBackendStandIn({ host: bind });
    e2e.cleanup(() => backend.close());
    if (ollama === 'down') return { backend, ollamaUrl: `http://localhost:${await freePort()}` };
    const standIn = await startOllamaStandIn({ host: bind });
    e2e.cleanup(() => standIn.close());
    return { ollama: standIn, backend, ollamaUrl: `http://localhost:${standIn.port}` };
  };

  e2e.scenario = (services) => ({
    image: e2e.image,
    home: e2e.home,
    temporalPort: e2e.temporal.port,
    backendPort: services.backend.port,
    ollamaUrl: services.ollamaUrl,
  });

  e2e.scenarioEnv = (runner, services, extra = {}) => {
    e2e.cleanup(() => removeContainers(e2e.docker, { label: [`${LABELS.runner}=${runner}`] }));
    return { ...scenarioEnv(e2e.scenario(services), runner), ...extra };
  };

  e2e.cli = async (args, env) => {
    const run: CliRun = await runNode([CLI, ...args], {
      env: childEnv(e2e.home, e2e.engine.env, env),
      // A provision on an engine in a VM here runs on an emulated CPU: 2-3 min measured with two VMs at once.
      timeoutMs: VM_ENGINES.includes(e2e.engine.name as VmEngine) ? 280_000 : 170_000,
    });
    try {
      run.json = args.includes('--json') ? JSON.parse(run.stdout) : undefined;
    } catch {
      run.json = undefined;
    }
    return run;
  };

  e2e.runnerContainers = (runner) =>
    e2e.docker.listContainers({ all: true, filters: { label: [`${LABELS.runner}=${runner}`] } });

  e2e.containerEnv = async (runner) => {
    const [info] = await e2e.runnerContainers(runner);
    const inspected = await e2e.docker.getContainer(info.Id).inspect();
    return Object.fromEntries(
      inspected.Config.Env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  };

  return e2e;
}

export function stepOf(run: CliRun, name: string) {
  return run.json?.steps.find((entry) => entry.name === name);
}

/**
 * The `worker:` section a worker whose home is the e2e home reads (the cascade ignores it): the
 * stand-in images of every release, and the engines of the matrix — what this machine's operator
 * would list. Tests that need another policy write their own.
 */
export async function writeWorkerPolicy(home: string, extra: { engines?: string[] } = {}): Promise<void> {
  await mkdir(join(home, '.stigmer'), { recursive: true });
  const engines = [...engineUrls(), ...(extra.engines ?? [])];
  await writeFile(
    join(home, '.stigmer', 'config.yaml'),
    `worker:\n  images: [${STAND_IN_REPOSITORY}]\n  engines: [${engines.join(', ')}]\n`,
  );
}
