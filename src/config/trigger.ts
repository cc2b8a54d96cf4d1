/**
 * The settings a trigger (`stigmer-runner run`) hands the worker, so a provision resolves the same
 * configuration whichever worker runs it — a standalone worker, or another `run`'s in-process one.
 * Only non-secret env vars travel; API keys are read where the container is created.
 */
import { API_KEY_ENV_NAMES, SETTING_ENV_NAMES } from '../core/config';

export interface TriggerContext {
  /** The trigger's values of the env vars the cascade reads for settings. */
  env: Record<string, string>;
  /** The trigger's home: where its ~/.stigmer/config.yaml and workspace are. */
  homeDir: string;
}

export function triggerContext(env: NodeJS.ProcessEnv, homeDir: string): TriggerContext {
  const picked = Object.fromEntries(SETTING_ENV_NAMES.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name] as string]])));
  return { env: picked, homeDir };
}

/** The env a worker resolves a trigger's config with: the trigger's settings, this process's secrets. */
export function resolutionEnv(trigger: TriggerContext, workerEnv: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return { ...trigger.env, ...Object.fromEntries(API_KEY_ENV_NAMES.map((name) => [name, workerEnv[name]])) };
}
