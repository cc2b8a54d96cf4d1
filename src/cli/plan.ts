/** `stigmer-runner plan`: the dry run — config with provenance, the network plan and the container env. */
import { assumedEngineFacts } from '../core/runner/engine';
import type { ConfigFlags, RunnerConfig } from '../core/settings/types';
import { planNetworking, type NetworkPlan } from '../core/runner/network-plan';
import { EXIT_CODES } from '../core/contract/names';
import { RUNNER_RELEASES } from '../core/runner/releases';
import { buildRunnerEnv, maskSecrets } from '../core/runner/env';
import { loadConfig } from '../settings/load-config';
import { configForDisplay, networkDocument, renderPlan } from './render';

export type Platform = 'linux' | 'darwin' | 'win32';

export async function planCommand(
  flags: ConfigFlags,
  platform: Platform | undefined,
  json: boolean,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { config, secrets } = loadConfig(flags, env);
  const plan = platform ? planNetworking(config, assumedEngineFacts(platform)) : await livePlan(env, config);
  const contract = RUNNER_RELEASES[plan.runner.contract];
  const runnerEnv = maskSecrets(contract, buildRunnerEnv(contract, config, plan, secrets));
  if (json) {
    const { values, sources } = configForDisplay(config);
    const runner = { ...plan.runner, title: contract.title, services: plan.services.map((service) => service.service) };
    const network = networkDocument(plan, platform !== undefined);
    process.stdout.write(
      `${JSON.stringify({ config: values, sources, runner, network, env: runnerEnv, warnings: [...config.warnings, ...plan.warnings], blockers: plan.blockers }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`${renderPlan(config, plan, runnerEnv, platform)}\n`);
  }
  return plan.blockers.length > 0 ? EXIT_CODES.invalidInput : EXIT_CODES.ready;
}

/** Asks the engine; its client is loaded only here, so `plan --platform` never loads dockerode. */
async function livePlan(env: NodeJS.ProcessEnv, config: RunnerConfig): Promise<NetworkPlan> {
  const [{ connectDocker }, { planOnEngine }] = await Promise.all([
    import('../docker/client'),
    import('../activities/runner-spec'),
  ]);
  const engine = connectDocker(env);
  try {
    return await planOnEngine(engine, config, process.platform, undefined, { mode: 'if-present' });
  } catch (error) {
    throw new Error(
      `no Docker engine answered at ${engine.endpoint.url} (${engine.endpoint.source}): ${(error as Error).message}\n  plan without one: stigmer-runner plan --platform linux|darwin|win32`,
    );
  }
}
