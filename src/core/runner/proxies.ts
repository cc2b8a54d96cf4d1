/**
 * The proxy settings the `docker` CLI hands every container it creates, from the user's
 * ~/.docker/config.json (`proxies`: the entry of the engine's host, else `default`) — which an API
 * client such as dockerode never does. A runner behind a proxy without them cannot reach the LLM; with
 * them but without this machine in NO_PROXY, its calls to Ollama and the backend go to the proxy,
 * which cannot reach host.docker.internal: the seeds' "All connection attempts failed" while every
 * probe passes. So the runner gets them as the CLI gives them, and this machine's names in NO_PROXY.
 */
import { parseAddress } from '../address';
import { servicesOnThisMachine, type NetworkPlan } from './network-plan';

/** `proxies.<host>` of config.json, as the docker CLI reads it. */
export interface DockerProxies {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
  ftpProxy?: string;
  allProxy?: string;
}

const ENV_NAMES: Record<keyof DockerProxies, string> = {
  httpProxy: 'HTTP_PROXY',
  httpsProxy: 'HTTPS_PROXY',
  noProxy: 'NO_PROXY',
  ftpProxy: 'FTP_PROXY',
  allProxy: 'ALL_PROXY',
};

/** The docker CLI's choice: the entry named by the engine's host when there is one, else `default`. */
export function proxiesFor(configJson: unknown, engineHost: string | undefined): DockerProxies | undefined {
  const proxies = (configJson as { proxies?: Record<string, unknown> } | null)?.proxies;
  if (!proxies || typeof proxies !== 'object') return undefined;
  const entry = (engineHost !== undefined && proxies[engineHost]) || proxies.default;
  if (!entry || typeof entry !== 'object') return undefined;
  const picked = Object.fromEntries(
    (Object.keys(ENV_NAMES) as Array<keyof DockerProxies>).flatMap((key) => {
      const value = (entry as Record<string, unknown>)[key];
      return typeof value === 'string' && value !== '' ? [[key, value]] : [];
    }),
  ) as DockerProxies;
  return Object.keys(picked).length > 0 ? picked : undefined;
}

/**
 * `NAME=value` lines, upper and lower case as the CLI sets them (tools read either). With any proxy
 * set, NO_PROXY also names what the runner dials on this machine: the host alias, the bridge gateway,
 * the hosts of the services on this machine, and loopback — not a remote LLM or Temporal Cloud, which
 * behind a mandatory proxy are reached only through it.
 */
export function proxyEnv(proxies: DockerProxies | undefined, plan: NetworkPlan): string[] {
  if (!proxies) return [];
  const direct = [
    ...(proxies.noProxy ?? '').split(','),
    ...(plan.hostAlias ? [plan.hostAlias] : []),
    ...(plan.bridgeGateway ? [plan.bridgeGateway] : []),
    ...servicesOnThisMachine(plan).map((planned) => parseAddress(planned.container.resolved).host),
    'localhost',
    '127.0.0.1',
    '::1',
  ]
    .map((host) => host.trim())
    .filter((host, index, all) => host !== '' && all.indexOf(host) === index);
  const values: DockerProxies = { ...proxies, noProxy: direct.join(',') };
  return (Object.keys(ENV_NAMES) as Array<keyof DockerProxies>).flatMap((key) => {
    const value = values[key];
    return value === undefined ? [] : [`${ENV_NAMES[key]}=${value}`, `${ENV_NAMES[key].toLowerCase()}=${value}`];
  });
}
