/**
 * The closed sets of words config, flags and workflow input accept. A module of its own so the
 * workflow bundle can validate its input without pulling in the config cascade (yaml).
 */
export const LLM_PROVIDERS = ['ollama', 'anthropic', 'openai'] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];
export const NETWORK_CHOICES = ['auto', 'host', 'bridge'] as const;
export type NetworkChoice = (typeof NETWORK_CHOICES)[number];
export const PULL_POLICIES = ['missing', 'never', 'always'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];
export const EXECUTION_MODES = ['local', 'sandbox', 'auto'] as const;

/** What Docker accepts as a container name — the runner's name is its container's. */
export const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Agent-runner releases whose env contract we know (core/runner/releases.ts); `auto` reads it off the image. */
export const RUNNER_CONTRACT_IDS = ['python-2026-01', 'python-native-2026', 'typescript-2026'] as const;
export type RunnerReleaseId = (typeof RUNNER_CONTRACT_IDS)[number];
export const RELEASE_CHOICES = ['auto', ...RUNNER_CONTRACT_IDS] as const;
export type ReleaseChoice = (typeof RELEASE_CHOICES)[number];
