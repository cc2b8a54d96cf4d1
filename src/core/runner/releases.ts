/**
 * What each agent-runner release reads and does, as data: the env names it reads and which value
 * each carries, its task queue, the services it talks to, its user and its workspace. Stigmer's
 * runner changed all of these through 2026 (REFERENCE.md), so the env contract is a property of the
 * image's release, never a constant. The container env is built from a contract and nothing else.
 */
import type { RunnerReleaseId } from '../vocabulary';
import type { TemporalConnectionConfig } from '../settings/types';

export type { RunnerReleaseId } from '../vocabulary';

/** Every value a provision can hand a runner; a contract says which variable carries each one it takes. */
export type RunnerValue =
  | 'mode'
  | 'temporalAddress'
  | 'namespace'
  | 'taskQueue'
  | 'backendEndpoint'
  | 'llmProvider'
  | 'llmModel'
  | 'ollamaUrl'
  | 'llmApiKey'
  | 'workspace'
  | 'sandboxType'
  | 'executionMode'
  | 'sandboxImage'
  // How to reach a Temporal behind TLS or auth. No known release documents a variable for any of
  // these (January 2026 connects with address and namespace only), so none carries them and a plan
  // that needs one is blocked (core/settings/temporal.ts `runnerTemporalBlockers`). A release that
  // reads them maps each to its variable in `carries` — and lists the key's and PEMs' names in
  // `secrets` — and the env builder fills them: TLS as `true`, the PEMs as their text.
  | 'temporalTls'
  | 'temporalServerName'
  | 'temporalServerCaCert'
  | 'temporalClientCert'
  | 'temporalClientKey'
  | 'temporalApiKey';

export type RunnerService = 'temporal' | 'backend' | 'ollama';

export interface RunnerRelease {
  id: RunnerReleaseId;
  title: string;
  /** Every variable this release reads (from its source): nothing outside this list is ever set. */
  reads: readonly string[];
  /** The variable that carries each value it takes; a value it does not take is absent. */
  carries: Partial<Record<RunnerValue, string>>;
  /** Variables holding secrets: masked wherever the env is shown. */
  secrets: readonly string[];
  /** The queue it polls — readiness waits for its poller there. */
  taskQueue: string;
  /** What it connects to; Ollama only when the LLM provider is Ollama. Verification checks these. */
  services: readonly RunnerService[];
  /** The user it runs as when the image does not say (the image's `Config.User` wins). */
  defaultUser: string;
  /** Where the workspace is mounted in the container; the only mount it needs. */
  workspacePath: string;
  /** How readiness shows: every release polls its queue (some also served /readyz; the poller is the proof). */
  readiness: 'poller';
}

/** The image label a runner image declares its contract with. */
export const RELEASE_LABEL = 'dev.stigmer.runner-contract';

const PYTHON_2026_01: RunnerRelease = {
  id: 'python-2026-01',
  title: 'Stigmer agent-runner (Python), January 2026',
  reads: [
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
  ],
  carries: {
    mode: 'MODE',
    temporalAddress: 'TEMPORAL_SERVICE_ADDRESS',
    namespace: 'TEMPORAL_NAMESPACE',
    taskQueue: 'TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE',
    backendEndpoint: 'STIGMER_BACKEND_ENDPOINT',
    llmProvider: 'STIGMER_LLM_PROVIDER',
    llmModel: 'STIGMER_LLM_MODEL',
    // It reads no STIGMER_LLM_BASE_URL: the Ollama URL travels only here.
    ollamaUrl: 'OLLAMA_BASE_URL',
    llmApiKey: 'STIGMER_LLM_API_KEY',
    workspace: 'SANDBOX_ROOT_DIR',
    sandboxType: 'SANDBOX_TYPE',
    executionMode: 'STIGMER_EXECUTION_MODE',
    sandboxImage: 'STIGMER_SANDBOX_IMAGE',
  },
  secrets: ['STIGMER_API_KEY', 'STIGMER_LLM_API_KEY', 'ANTHROPIC_API_KEY'],
  taskQueue: 'agent_execution_runner',
  services: ['temporal', 'backend', 'ollama'],
  defaultUser: '1000', // USER stigmer
  workspacePath: '/workspace',
  readiness: 'poller',
};

/** The mid-2026 Python release (shipped as a native process; this is its contract when containerised). */
const PYTHON_NATIVE_2026: RunnerRelease = {
  id: 'python-native-2026',
  title: 'Stigmer agent-runner (Python), mid 2026',
  reads: [
    'MODE',
    'TEMPORAL_SERVICE_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'STIGMER_TASK_QUEUE',
    'TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE',
    'TEMPORAL_MAX_CONCURRENCY',
    'STIGMER_BACKEND_ENDPOINT',
    'STIGMER_TOKEN',
    'STIGMER_API_KEY',
    'STIGMER_LLM_PROVIDER',
    'STIGMER_LLM_MODEL',
    'STIGMER_LLM_BASE_URL',
    'OLLAMA_BASE_URL',
    'STIGMER_LLM_API_KEY',
    'ANTHROPIC_API_KEY',
    'SANDBOX_TYPE',
    'WORKSPACE_ROOT_DIR',
    'STIGMER_EXECUTION_MODE',
    'STIGMER_SANDBOX_IMAGE',
    'LOG_LEVEL',
  ],
  carries: {
    ...PYTHON_2026_01.carries,
    // Read first of the queue names, and before OLLAMA_BASE_URL for the URL.
    taskQueue: 'STIGMER_TASK_QUEUE',
    ollamaUrl: 'STIGMER_LLM_BASE_URL',
    workspace: 'WORKSPACE_ROOT_DIR',
  },
  secrets: ['STIGMER_TOKEN', 'STIGMER_API_KEY', 'STIGMER_LLM_API_KEY', 'ANTHROPIC_API_KEY'],
  taskQueue: 'agent_execution_runner',
  services: ['temporal', 'backend', 'ollama'],
  defaultUser: '1000',
  workspacePath: '/workspace',
  readiness: 'poller',
};

/** The TypeScript runner that replaced it: its own model settings, no Ollama, its own default queue. */
const TYPESCRIPT_2026: RunnerRelease = {
  id: 'typescript-2026',
  title: 'Stigmer agent-runner (TypeScript), late 2026',
  reads: [
    'MODE',
    'STIGMER_TASK_QUEUE',
    'TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE',
    'TEMPORAL_SERVICE_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'STIGMER_BACKEND_ENDPOINT',
    'STIGMER_TOKEN',
    'CURSOR_API_KEY',
    'WORKSPACE_ROOT_DIR',
    'TEMPORAL_MAX_CONCURRENCY',
    'STIGMER_IDLE_TIMEOUT_SECONDS',
    'STIGMER_PRIMARY_MODEL',
  ],
  carries: {
    mode: 'MODE',
    temporalAddress: 'TEMPORAL_SERVICE_ADDRESS',
    namespace: 'TEMPORAL_NAMESPACE',
    taskQueue: 'STIGMER_TASK_QUEUE',
    backendEndpoint: 'STIGMER_BACKEND_ENDPOINT',
    // Unset, it warns and falls back to ~/.stigmer/workspaces/runner inside the container.
    workspace: 'WORKSPACE_ROOT_DIR',
  },
  secrets: ['STIGMER_TOKEN', 'CURSOR_API_KEY'],
  taskQueue: 'stigmer_runner',
  services: ['temporal', 'backend'],
  defaultUser: '1000',
  workspacePath: '/workspace',
  readiness: 'poller',
};

export const RUNNER_RELEASES: Record<RunnerReleaseId, RunnerRelease> = {
  'python-2026-01': PYTHON_2026_01,
  'python-native-2026': PYTHON_NATIVE_2026,
  'typescript-2026': TYPESCRIPT_2026,
};

/** The contract assumed when nothing says otherwise: the containerised release Stigmer ships. */
export const DEFAULT_RELEASE: RunnerReleaseId = 'python-2026-01';

/** What the engine says about the runner image, for choosing its contract and its user. */
export interface ImageFacts {
  image: string;
  /** False when the image is not on the engine yet (it will be pulled). */
  present: boolean;
  labels: Record<string, string>;
  /** `Config.User`: '' means root. */
  user: string;
  /** Entrypoint and Cmd, joined. */
  command: string[];
}

export interface ReleaseDecision {
  id: RunnerReleaseId;
  /** Why this contract: the setting that named it, the image's label, or what the image runs. */
  reason: string;
  /** Set when the contract could not be known and the default was assumed. */
  warning?: string;
}

/**
 * The contract of the runner: the setting when it names one; else the image's own label; else what
 * the image runs (only the January 2026 release shipped as a Python image); else the default, warned.
 */
export function chooseRelease(
  setting: { value: string; source: string },
  image: ImageFacts | undefined,
): ReleaseDecision {
  if (setting.value !== 'auto') return { id: setting.value as RunnerReleaseId, reason: `set by ${setting.source}` };
  // A dry run with no engine has nothing to inspect: say so, but do not warn about it.
  if (image === undefined)
    return { id: DEFAULT_RELEASE, reason: `no engine to inspect the image; assumed ${DEFAULT_RELEASE}` };
  const where = `image ${image.image}`;
  if (image.present) {
    const label = image.labels[RELEASE_LABEL];
    if (label !== undefined && label in RUNNER_RELEASES)
      return { id: label as RunnerReleaseId, reason: `${where} declares it (label ${RELEASE_LABEL})` };
    if (label !== undefined) {
      return {
        id: DEFAULT_RELEASE,
        reason: `${where} declares "${label}", which this version does not know; assumed ${DEFAULT_RELEASE}`,
        warning: `${where} declares runner contract "${label}" (label ${RELEASE_LABEL}), unknown here: assuming ${DEFAULT_RELEASE}; set STIGMER_RUNNER_CONTRACT to one of ${Object.keys(RUNNER_RELEASES).join(', ')}`,
      };
    }
    if (image.command.some((part) => /(^|\/)python[0-9.]*$/.test(part)))
      return { id: 'python-2026-01', reason: `${where} runs ${image.command.join(' ')} (a Python runner)` };
  }
  const why = image.present
    ? `${where} has no ${RELEASE_LABEL} label and does not run Python`
    : `${where} is not on the engine yet`;
  return {
    id: DEFAULT_RELEASE,
    reason: `${why}; assumed ${DEFAULT_RELEASE}`,
    warning: `cannot tell which runner release ${image.image} is (${why}): assuming ${DEFAULT_RELEASE}; set STIGMER_RUNNER_CONTRACT (or --contract) if it is another`,
  };
}

/** The values of a runner's contract that carry how to reach Temporal securely (none of the known releases has any). */
const SECURE_TEMPORAL_VALUES = [
  'temporalTls',
  'temporalServerName',
  'temporalServerCaCert',
  'temporalClientCert',
  'temporalClientKey',
  'temporalApiKey',
] as const satisfies readonly RunnerValue[];

/**
 * Why the runner could not reach this Temporal the way the plan requires: what the connection needs
 * (TLS, a CA, a server name, a client certificate, an API key) that the runner's contract has no
 * variable for. Empty when it can.
 */
export function runnerTemporalBlockers(temporal: TemporalConnectionConfig, contract: RunnerRelease): string[] {
  const needs: Array<[RunnerValue, string]> = [];
  if (temporal.tls?.value) needs.push(['temporalTls', `TLS (${temporal.tls.source})`]);
  if (temporal.tls?.value && temporal.serverCa)
    needs.push(['temporalServerCaCert', `a server CA certificate (${temporal.serverCa.source})`]);
  if (temporal.tls?.value && temporal.serverName)
    needs.push(['temporalServerName', `a TLS server name (${temporal.serverName.source})`]);
  if (temporal.clientCert)
    needs.push(
      ['temporalClientCert', `a client certificate (${temporal.clientCert.source})`],
      ['temporalClientKey', `a client key (${temporal.clientKey?.source})`],
    );
  if (temporal.apiKeySource) needs.push(['temporalApiKey', `an API key (${temporal.apiKeySource})`]);
  const missing = needs.filter(([value]) => contract.carries[value] === undefined);
  if (missing.length === 0) return [];
  const reads = ['temporalAddress', 'namespace', ...SECURE_TEMPORAL_VALUES].flatMap(
    (value) => contract.carries[value as RunnerValue] ?? [],
  );
  return [
    `Temporal at ${temporal.address.value} needs ${missing.map(([, what]) => what).join(', ')}, but the runner (${contract.id}, ${contract.title}) reads only ${reads.join(' and ')} for Temporal: it cannot connect that way, so it would never poll. Use a Temporal it can reach in plaintext without credentials, or a runner release that reads these settings`,
  ];
}
