import { Context } from '@temporalio/activity';
import type Dockerode from 'dockerode';
import type { Sourced } from '../core/settings/types';
import { LABELS, MANAGED_BY } from '../core/runner/container-spec';
import { judgeEngine } from '../core/policy/judge';
import { PolicyRefusedError } from '../core/policy/errors';
import type { WorkerPolicy } from '../core/policy/types';
import { connectDockerAt, type DockerConnection } from '../docker/client';
import { loadWorkerPolicy } from '../settings/worker-policy';

/** What the activities need from the outside world; tests hand in real ones. */
export interface ActivityDeps {
  docker: DockerConnection;
  /** The worker's environment: the env layer of the config cascade and the source of secrets. */
  env: NodeJS.ProcessEnv;
  homeDir: string;
  platform: string;
  /** The worker's own policy (settings/worker-policy.ts); absent: gathered from `env` and `homeDir` on first use. */
  policy?: WorkerPolicy;
}

const policies = new WeakMap<ActivityDeps, WorkerPolicy>();

/** The policy every act of these activities obeys: the worker's own, never the input's. */
export function policyOf(deps: ActivityDeps): WorkerPolicy {
  if (deps.policy) return deps.policy;
  let policy = policies.get(deps);
  if (!policy) {
    policy = loadWorkerPolicy(deps).policy;
    policies.set(deps, policy);
  }
  return policy;
}

const engines = new Map<string, DockerConnection>();

/**
 * The engine a provision targets: the one its trigger selected (DOCKER_HOST, docker context), when
 * the worker's policy allows it — its own engine or one its config lists; a trigger picks among
 * them and cannot add one. The worker's own when the config names none.
 */
export function engineFor(deps: ActivityDeps, engine: Sourced<string> | undefined): DockerConnection {
  if (engine === undefined || engine.value === deps.docker.endpoint.url) return deps.docker;
  const refusal = judgeEngine(engine, policyOf(deps));
  if (refusal) throw new PolicyRefusedError([refusal]);
  let connection = engines.get(engine.value);
  if (!connection) {
    connection = connectDockerAt({ url: engine.value, source: engine.source }, deps.env);
    engines.set(engine.value, connection);
  }
  return connection;
}

/**
 * The runner container an activity was handed, once the engine confirms it is one this project made:
 * an activity's input can be forged (any workflow may schedule activities on this worker's queues),
 * so stopping, probing inside or reading the logs of a container of someone else's is refused.
 */
export async function managedRunner(
  deps: ActivityDeps,
  container: { id: string; name: string; engine?: Sourced<string> },
): Promise<Dockerode.Container> {
  const handle = engineFor(deps, container.engine).docker.getContainer(container.id);
  const labels = (await handle.inspect()).Config.Labels ?? {};
  if (labels[LABELS.managedBy] === MANAGED_BY) return handle;
  throw new PolicyRefusedError([
    {
      subject: 'container',
      value: container.id.slice(0, 12),
      setting: 'activity input',
      rule: 'not-managed',
      allow: 'this worker acts only on containers it made (label dev.stigmer.managed-by=stigmer-runner)',
    },
  ]);
}

/**
 * Runs `work` while heartbeating every 2 s: a probe container on an engine in an emulated VM may take
 * tens of seconds without a progress event, and the step is alive all along.
 */
export async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const beat = setInterval(() => context.heartbeat(), 2000);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}
