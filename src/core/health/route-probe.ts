/**
 * The route probe as data: what a probe container on the engine dials for each route candidate
 * (core/runner/reach.ts), and what each candidate reached, from the probe's raw results.
 */
import { servicesOnThisMachine, type NetworkPlan } from '../runner/network-plan';
import { probeHost, type RouteCandidate, type RouteTrial } from '../runner/reach';
import { servicePort, type ProbeResult, type ProbeTarget } from './diagnosis';

/** A route that answers does so at once; a dead one may only time out. Kept short: every candidate waits on the slowest. */
const ROUTE_TIMEOUT_MS = 1500;

/** A TCP dial per candidate and per service on this machine; ids `route:<candidate index>:<service>`. */
export function routeProbeTargets(plan: NetworkPlan, candidates: RouteCandidate[]): ProbeTarget[] {
  const services = servicesOnThisMachine(plan).map((planned) => ({
    service: planned.service,
    port: servicePort(planned.service, planned.container.resolved),
  }));
  return candidates.flatMap((candidate, index) =>
    services.map(({ service, port }) => ({
      id: `route:${index}:${service}`,
      kind: 'tcp' as const,
      host: probeHost(candidate, index),
      port,
      timeoutMs: ROUTE_TIMEOUT_MS,
    })),
  );
}

/** What each candidate reached, in the order tried; a dial with no result counts as failed (`no-result`). */
export function routeTrials(
  candidates: RouteCandidate[],
  targets: ProbeTarget[],
  results: ProbeResult[],
): RouteTrial[] {
  const byId = new Map(results.map((result) => [result.id, result]));
  return candidates.map((candidate, index) => {
    const own = targets.filter((target) => target.id.startsWith(`route:${index}:`));
    const outcome = own.map((target) => ({ service: target.id.split(':')[2], result: byId.get(target.id) }));
    return {
      ...candidate,
      reached: outcome.filter(({ result }) => result?.ok).map(({ service }) => service),
      failed: outcome
        .filter(({ result }) => !result?.ok)
        .map(({ service, result }) => ({ service, code: result?.code ?? 'no-result' })),
    };
  });
}
