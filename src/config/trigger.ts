/**
 * The settings a trigger (`stigmer-runner run`) hands the worker, so a provision resolves the same
 * configuration whichever worker runs it — a standalone worker, or another `run`'s in-process one.
 * Only non-secret env vars travel; API keys are read where the container is created.
 */
import { API_KEY_ENV_NAMES, SETTING_ENV_NAMES } from '../core/config';
import type { TriggerContext } from '../core/contract';

/** The trigger's values of the env vars the cascade reads for settings, and its home (where its ~/.stigmer/config.yaml and workspace are). */
export type { TriggerContext } from '../core/contract';

export function triggerContext(env: NodeJS.ProcessEnv, homeDir: string): TriggerContext {
  const picked = Object.fromEntries(SETTING_ENV_NAMES.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name] as string]])));
  return { env: picked, homeDir };
}

/** The env a worker resolves a trigger's config with: the trigger's settings, this process's secrets. */
export function resolutionEnv(trigger: TriggerContext, workerEnv: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return { ...trigger.env, ...Object.fromEntries(API_KEY_ENV_NAMES.map((name) => [name, workerEnv[name]])) };
}

/**
 * The trigger a provision resolves its config for. One started without a trigger (`temporal workflow
 * start` with just the flags) gets the worker's own: its settings env vars and its home.
 */
export function effectiveTrigger(trigger: TriggerContext | undefined, workerEnv: NodeJS.ProcessEnv, workerHome: string): TriggerContext {
  return trigger ?? triggerContext(workerEnv, workerHome);
}
