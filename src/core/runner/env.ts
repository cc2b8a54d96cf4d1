/**
 * The env the runner container receives: the one producer of it. Names come only from the runner's
 * contract (core/runner/releases.ts), so Stigmer's own drift — STIGMER_BACKEND_URL, TASK_QUEUE,
 * WORKSPACE_ROOT, a missing OLLAMA_BASE_URL — cannot happen: a value the release does not read is
 * never set under some guessed name.
 */
import { MASK, maskUserinfo, withUserinfoOf } from '../address';
import type { RunnerConfig, RunnerSecrets } from '../settings/types';
import { plannedService, type NetworkPlan } from './network-plan';
import type { RunnerRelease, RunnerValue } from './releases';

export type RunnerEnv = Record<string, string>;

export function buildRunnerEnv(
  contract: RunnerRelease,
  config: RunnerConfig,
  plan: NetworkPlan,
  secrets: RunnerSecrets,
): RunnerEnv {
  const resolved = (service: 'temporal' | 'backend' | 'ollama') => plannedService(plan, service)?.container.resolved;
  const values: Record<RunnerValue, string | undefined> = {
    mode: 'local',
    temporalAddress: resolved('temporal'),
    namespace: config.temporal.namespace.value,
    taskQueue: contract.taskQueue,
    backendEndpoint: resolved('backend'),
    llmProvider: config.llm.provider.value,
    llmModel: config.llm.model.value,
    // Other providers use their SDK's default URL: the runner reads a base URL for Ollama only.
    ollamaUrl:
      config.llm.provider.value === 'ollama' ? withCredentials(resolved('ollama'), secrets.llmBaseUrl) : undefined,
    llmApiKey: secrets.llmApiKey,
    workspace: contract.workspacePath,
    sandboxType: 'filesystem',
    executionMode: config.execution.mode.value,
    sandboxImage: config.execution.sandboxImage.value,
    // Set only when the contract carries them (none does yet): see RunnerValue.
    temporalTls: config.temporal.tls.value ? 'true' : undefined,
    temporalServerName: config.temporal.serverName?.value,
    temporalServerCaCert: secrets.temporal?.serverCa?.data,
    temporalClientCert: secrets.temporal?.clientCert?.data,
    temporalClientKey: secrets.temporal?.clientKey?.data,
    temporalApiKey: secrets.temporal?.apiKey,
  };
  const env: RunnerEnv = {};
  for (const [value, name] of Object.entries(contract.carries) as Array<[RunnerValue, string]>) {
    if (values[value] !== undefined) env[name] = values[value] as string;
  }
  return env;
}

/** `NAME=value` lines as Docker takes them, in the contract's order. */
export function toDockerEnv(contract: RunnerRelease, env: RunnerEnv): string[] {
  return contract.reads.filter((name) => env[name] !== undefined).map((name) => `${name}=${env[name]}`);
}

export function maskSecrets(contract: RunnerRelease, env: RunnerEnv): RunnerEnv {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, contract.secrets.includes(name) ? MASK : maskUserinfo(value)]),
  );
}

/** The container's URL gets back the credentials config carries masked: the runner needs them. */
function withCredentials(url: string | undefined, original: string | undefined): string | undefined {
  return url === undefined || original === undefined ? url : withUserinfoOf(url, original);
}
