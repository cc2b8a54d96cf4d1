/**
 * The settings a trigger (`stigmer-runner run`) hands the worker, so a provision resolves the same
 * configuration whichever worker runs it — a standalone worker, or another `run`'s in-process one.
 * Only non-secret env vars travel; API keys are read where the container is created.
 */
import { maskUserinfo } from '../core/address';
import { API_KEY_ENV_NAMES, CREDENTIAL_URL_ENV_NAMES, SETTING_ENV_NAMES } from '../core/settings/cascade';
import type { TriggerContext } from '../core/contract/schemas';

/** The trigger's values of the env vars the cascade reads for settings, and its home (where its ~/.stigmer/config.yaml and workspace are). */
export type { TriggerContext } from '../core/contract/schemas';

export function triggerContext(env: NodeJS.ProcessEnv, homeDir: string): TriggerContext {
  const value = (name: string) =>
    CREDENTIAL_URL_ENV_NAMES.includes(name) ? maskUserinfo(env[name] as string) : (env[name] as string);
  const picked = Object.fromEntries(
    SETTING_ENV_NAMES.flatMap((name) => (env[name] === undefined ? [] : [[name, value(name)]])),
  );
  return { env: picked, homeDir };
}

/**
 * The env a worker resolves a trigger's config with: the trigger's settings, this process's secrets.
 * A URL the trigger sent masked takes its credentials from this process's own value of it, when that
 * is the same URL — like an API key, a password comes from the environment of the worker that uses it.
 */
export function resolutionEnv(
  trigger: TriggerContext,
  workerEnv: NodeJS.ProcessEnv,
): Record<string, string | undefined> {
  const credentialed = CREDENTIAL_URL_ENV_NAMES.flatMap((name) => {
    const own = workerEnv[name];
    return own !== undefined && trigger.env[name] !== own && trigger.env[name] === maskUserinfo(own)
      ? [[name, own]]
      : [];
  });
  return {
    ...trigger.env,
    ...Object.fromEntries(credentialed),
    ...Object.fromEntries(API_KEY_ENV_NAMES.map((name) => [name, workerEnv[name]])),
  };
}

/**
 * The trigger a provision resolves its config for. One started without a trigger (`temporal workflow
 * start` with just the flags) gets the worker's own: its settings env vars and its home.
 */
export function effectiveTrigger(
  trigger: TriggerContext | undefined,
  workerEnv: NodeJS.ProcessEnv,
  workerHome: string,
): TriggerContext {
  return trigger ?? triggerContext(workerEnv, workerHome);
}
