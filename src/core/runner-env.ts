/**
 * The env contract with Stigmer's agent-runner: the only place that names the variables the
 * container receives. Every name here is one the runner (Python) really reads; Stigmer's own drift
 * (STIGMER_BACKEND_URL, TASK_QUEUE, WORKSPACE_ROOT, a missing OLLAMA_BASE_URL) is what this prevents.
 */
import type { RunnerConfig, RunnerSecrets } from './config';
import { plannedService, type NetworkPlan } from './network-plan';

/** Every variable the agent-runner reads (from its source); nothing outside this list is ever set. */
export const RUNNER_READS = [
  'MODE',
  'TEMPORAL_SERVICE_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE',
  'TEMPORAL_MAX_CONCURRENCY',
  'STIGMER_BACKEND_ENDPOINT',
  'STIGMER_API_KEY',
  'STIGMER_LLM_PROVIDER',
  'STIGMER_LLM_MODEL',
  'OLLAMA_BASE_URL',
  'STIGMER_LLM_API_KEY',
  'ANTHROPIC_API_KEY',
  'STIGMER_LLM_MAX_TOKENS',
  'STIGMER_LLM_TEMPERATURE',
  'SANDBOX_TYPE',
  'SANDBOX_ROOT_DIR',
  'STIGMER_EXECUTION_MODE',
  'STIGMER_SANDBOX_IMAGE',
  'LOG_LEVEL',
] as const;
export type RunnerEnvName = (typeof RUNNER_READS)[number];
export type RunnerEnv = Partial<Record<RunnerEnvName, string>>;

/** Variables whose values are secrets: masked wherever the env is shown. */
export const SECRET_ENV_NAMES: ReadonlySet<RunnerEnvName> = new Set(['STIGMER_API_KEY', 'STIGMER_LLM_API_KEY', 'ANTHROPIC_API_KEY']);

export const RUNNER_TASK_QUEUE = 'agent_execution_runner';
export const CONTAINER_WORKSPACE = '/workspace';
export const CONTAINER_LOGS = '/logs';

export function buildRunnerEnv(config: RunnerConfig, plan: NetworkPlan, secrets: RunnerSecrets): RunnerEnv {
  const resolved = (service: 'temporal' | 'backend' | 'ollama') => plannedService(plan, service)?.container.resolved;
  const env: RunnerEnv = {
    MODE: 'local',
    TEMPORAL_SERVICE_ADDRESS: resolved('temporal'),
    TEMPORAL_NAMESPACE: config.temporal.namespace.value,
    TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE: RUNNER_TASK_QUEUE,
    STIGMER_BACKEND_ENDPOINT: resolved('backend'),
    STIGMER_LLM_PROVIDER: config.llm.provider.value,
    STIGMER_LLM_MODEL: config.llm.model.value,
    SANDBOX_TYPE: 'filesystem',
    SANDBOX_ROOT_DIR: CONTAINER_WORKSPACE,
    STIGMER_EXECUTION_MODE: config.execution.mode.value,
    STIGMER_SANDBOX_IMAGE: config.execution.sandboxImage.value,
  };
  // The runner reads only OLLAMA_BASE_URL for a base URL; other providers use their SDK's default.
  if (config.llm.provider.value === 'ollama') env.OLLAMA_BASE_URL = resolved('ollama');
  if (secrets.llmApiKey !== undefined) env.STIGMER_LLM_API_KEY = secrets.llmApiKey;
  return env;
}

/** `NAME=value` lines as Docker takes them, in a stable order. */
export function toDockerEnv(env: RunnerEnv): string[] {
  return RUNNER_READS.filter((name) => env[name] !== undefined).map((name) => `${name}=${env[name]}`);
}

export function maskSecrets(env: RunnerEnv): RunnerEnv {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, SECRET_ENV_NAMES.has(name as RunnerEnvName) ? '***' : value]));
}
