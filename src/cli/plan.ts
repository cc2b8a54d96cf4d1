/** `stigmer-runner plan`: the dry run — config with provenance, the network plan and the container env. */
import { assumedEngineFacts, type EngineFacts } from '../core/engine';
import type { ConfigFlags } from '../core/config';
import { planNetworking } from '../core/network-plan';
import { EXIT_CODES } from '../core/names';
import { RUNNER_CONTRACTS, type ImageFacts } from '../core/runner-contract';
import { buildRunnerEnv, maskSecrets } from '../core/runner-env';
import { loadConfig } from '../config/load-config';
import { configForDisplay, renderPlan } from './render';

export type Platform = 'linux' | 'darwin' | 'win32';

export async function planCommand(
  flags: ConfigFlags,
  platform: Platform | undefined,
  json: boolean,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { config, secrets } = loadConfig(flags, env);
  const { facts, image } = platform
    ? { facts: assumedEngineFacts(platform), image: undefined }
    : await liveFacts(env, config.runner.image.value);
  const plan = planNetworking(config, facts, image);
  const contract = RUNNER_CONTRACTS[plan.runner.contract];
  const runnerEnv = maskSecrets(contract, buildRunnerEnv(contract, config, plan, secrets));
  if (json) {
    const { values, sources } = configForDisplay(config);
    const runner = { ...plan.runner, title: contract.title, services: plan.services.map((service) => service.service) };
    const network = {
      mode: plan.mode,
      extraHosts: plan.extraHosts,
      hostAlias: plan.hostAlias,
      engine: plan.engine,
      services: plan.services,
      reasons: plan.reasons,
    };
    process.stdout.write(
      `${JSON.stringify({ config: values, sources, runner, network, env: runnerEnv, warnings: [...config.warnings, ...plan.warnings], blockers: plan.blockers }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`${renderPlan(config, plan, runnerEnv)}\n`);
  }
  return plan.blockers.length > 0 ? EXIT_CODES.invalidInput : EXIT_CODES.ready;
}

/** Asks the engine; its client is loaded only here, so `plan --platform` never loads dockerode. */
async function liveFacts(env: NodeJS.ProcessEnv, image: string): Promise<{ facts: EngineFacts; image: ImageFacts }> {
  const [{ connectDocker }, { readEngineFacts }, { readImageFacts }] = await Promise.all([
    import('../docker/client'),
    import('../docker/engine-facts'),
    import('../docker/image-facts'),
  ]);
  const { docker, endpoint } = connectDocker(env);
  try {
    return { facts: await readEngineFacts(docker, endpoint), image: await readImageFacts(docker, image) };
  } catch (error) {
    throw new Error(
      `no Docker engine answered at ${endpoint.url} (${endpoint.source}): ${(error as Error).message}\n  plan without one: stigmer-runner plan --platform linux|darwin|win32`,
    );
  }
}
