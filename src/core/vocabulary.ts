/**
 * The closed sets of words config, flags and workflow input accept. A module of its own so the
 * workflow bundle can validate its input without pulling in the config cascade (zod, yaml).
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
