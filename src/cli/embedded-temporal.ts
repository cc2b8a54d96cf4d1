/**
 * The Temporal `run` talks to. Configured (an address from the env, a temporal.toml profile, or
 * managed: false) → that one, as configured (TLS, credentials), with nothing started and no local
 * helper. Managed (the default) → whatever answers at the managed address, else a dev server started
 * the way Stigmer starts it, left running for the runner after `run` exits.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RunnerConfig, RunnerSecrets } from '../core/settings/types';
import { planNetworking } from '../core/runner/network-plan';
import { connectDocker } from '../docker/client';
import { readBridgeSubnets, readEngineFacts } from '../docker/engine-facts';
import { devServerTarget, temporalAnswers, temporalTarget, type TemporalTarget } from '../temporal/connection';
import { startDevServer } from '../temporal/dev-server';
import { spawnDetachedForwarder } from '../temporal/forwarder';

export interface EnsuredTemporal {
  target: TemporalTarget;
  uiUrl?: string;
  /** Env the worker must see so the runner is handed this address (the server is not on loopback). */
  workerEnv: Record<string, string>;
}

const MANAGED_PORT = 7233;
const MANAGED_UI_PORT = 8233;

export async function ensureTemporal(
  config: RunnerConfig,
  secrets: RunnerSecrets,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<EnsuredTemporal> {
  const configured = config.temporal.address.value;
  const uiUrl = env.STIGMER_TEMPORAL_UI_URL;
  // Not ours to start or to widen: the session's connect says clearly when it does not answer.
  if (!config.temporal.managed.value) return { target: temporalTarget(config, secrets), uiUrl, workerEnv: {} };
  const at = (address: string) => temporalTarget(config, secrets, address === configured ? undefined : address);

  // A bridged runner on a native Linux engine reaches this machine only through the bridge gateway,
  // where a loopback-only server is invisible: Temporal then answers there too, and no wider.
  const { gateway, subnets } = await bridgeGatewayIfNeeded(config, env);
  const ui = uiUrl ?? `http://localhost:${MANAGED_UI_PORT}`;
  const onGateway = gateway ? `${gateway}:${MANAGED_PORT}` : undefined;
  const workerEnv: Record<string, string> = onGateway ? { TEMPORAL_SERVICE_ADDRESS: onGateway } : {};
  if (onGateway && (await temporalAnswers(devServerTarget(onGateway))))
    return { target: at(onGateway), uiUrl: ui, workerEnv };

  if (!(await temporalAnswers(devServerTarget(configured)))) {
    const stigmerDir = join(env.HOME ?? homedir(), '.stigmer');
    log(
      `starting the managed Temporal dev server on 127.0.0.1:${MANAGED_PORT} (UI ${ui}, data ${join(stigmerDir, 'temporal-data', 'temporal.db')})`,
    );
    await startDevServer({
      ip: '127.0.0.1',
      port: MANAGED_PORT,
      uiPort: MANAGED_UI_PORT,
      dbFile: join(stigmerDir, 'temporal-data', 'temporal.db'),
      logFile: join(stigmerDir, 'logs', 'temporal.log'),
      detached: true,
    });
  }
  if (!onGateway) return { target: at(configured), uiUrl: ui, workerEnv };
  log(
    `forwarding ${onGateway} → 127.0.0.1:${MANAGED_PORT} so the bridged runner reaches Temporal (the dev server cannot bind the gateway alone)`,
  );
  await spawnDetachedForwarder({
    listenHost: gateway as string,
    listenPort: MANAGED_PORT,
    targetHost: '127.0.0.1',
    targetPort: MANAGED_PORT,
    allowedSubnets: subnets,
    logFile: join(env.HOME ?? homedir(), '.stigmer', 'logs', 'temporal-forwarder.log'),
  });
  return { target: at(onGateway), uiUrl: ui, workerEnv };
}

/**
 * The bridge gateway a bridged runner reaches this machine through, and the bridge's subnets (who
 * the forwarder lets in). A bridge that lists no subnet: the gateway's /16, Docker's default size.
 */
async function bridgeGatewayIfNeeded(
  config: RunnerConfig,
  env: NodeJS.ProcessEnv,
): Promise<{ gateway?: string; subnets: string[] }> {
  if (config.runner.network.value === 'host') return { subnets: [] };
  try {
    const { docker, endpoint } = connectDocker(env);
    const [facts, subnets] = await Promise.all([readEngineFacts(docker, endpoint), readBridgeSubnets(docker)]);
    const gateway = planNetworking(config, facts).bridgeGateway ?? undefined;
    return { gateway, subnets: subnets.length > 0 || !gateway ? subnets : [`${gateway}/16`] };
  } catch {
    return { subnets: [] }; // no engine yet: planNetworking will say so with retries and a clear error
  }
}
