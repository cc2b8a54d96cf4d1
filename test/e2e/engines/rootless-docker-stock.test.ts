/**
 * Rootless Docker as its install leaves it (scripts/engines.sh `rootless-docker-stock`): RootlessKit's
 * default blocks this machine's loopback for containers, so 10.0.2.2 — the route a rootless engine's
 * bridge offers — reaches nothing. The matrix's rootless Docker allows it; users mostly have this one.
 * Measured end to end: the provision fails at verification naming the blocked loopback and both fixes;
 * with the alias set to this machine's own address and the services listening there, it is ready.
 */
import { networkInterfaces } from 'node:os';
import { ROOTLESSKIT_LOOPBACK_FIX } from '../../../src/core/runner/network-plan';
import { recordTiming } from '../../support/timings';
import { stepOf, useE2E } from '../../support/e2e-harness';

jest.setTimeout(300_000);

const e2e = useE2E({ engine: 'rootless-docker-stock' });

/** This machine's own address on its network (not loopback, not an engine's bridge). */
function ownAddress(): string {
  const bridges = /^(docker|cni-|br-|veth|podman|virbr)/;
  const found = Object.entries(networkInterfaces())
    .filter(([name]) => !bridges.test(name))
    .flatMap(([, addresses]) => addresses ?? [])
    .find((address) => address.family === 'IPv4' && !address.internal);
  if (!found) throw new Error('this machine has no IPv4 address besides loopback and bridges');
  return found.address;
}

test('services on this machine: verification fails naming the blocked loopback, 10.0.2.2 and the fixes; the runner is stopped', async () => {
  const runner = `e2e-stock-${process.pid}`;
  const run = await e2e.cli(['run', '--json'], e2e.scenarioEnv(runner, await e2e.services('0.0.0.0')));
  recordTiming('rootless-docker-stock: loopback blocked reported', run.ms);
  expect({ code: run.code, error: run.json?.error?.type }).toEqual({ code: 3, error: 'ConnectivityFailed' });
  expect(run.json?.network).toMatchObject({ mode: 'bridge', hostAlias: '10.0.2.2' });
  expect(stepOf(run, 'verifyConnectivity')).toMatchObject({ status: 'failed', attempts: 1 });
  const temporal = run.json?.diagnosis.find((entry) => entry.service === 'temporal');
  // The kernel answers a blocked slirp loopback at once: "Network is unreachable".
  expect(temporal?.cause).toMatch(
    /^this machine's loopback is blocked for the engine's containers: .* answers 10\.0\.2\.2 with (ENETUNREACH|EHOSTUNREACH)$/,
  );
  expect(temporal?.fix).toContain(ROOTLESSKIT_LOOPBACK_FIX);
  expect(temporal?.fix).toContain("set STIGMER_RUNNER_HOST_ALIAS to this machine's own address");
  const [container] = await e2e.runnerContainers(runner);
  expect(container?.State).toBe('exited');
});

test("with STIGMER_RUNNER_HOST_ALIAS set to this machine's own address, services listening there: ready", async () => {
  const runner = `e2e-stock-alias-${process.pid}`;
  const address = ownAddress();
  const env = e2e.scenarioEnv(runner, await e2e.services('0.0.0.0'), { STIGMER_RUNNER_HOST_ALIAS: address });
  const run = await e2e.cli(['run', '--json'], env);
  recordTiming('rootless-docker-stock: ready through its own address', run.ms);
  expect({ code: run.code, error: run.json?.error }).toEqual({ code: 0, error: undefined });
  expect(run.json?.network).toMatchObject({ mode: 'bridge', hostAlias: address });
  const inside = run.json?.checks.filter((check) => check.site === 'container') ?? [];
  expect(inside.map((check) => [check.service, check.ok])).toEqual(
    expect.arrayContaining([
      ['temporal', true],
      ['backend', true],
      ['ollama', true],
    ]),
  );
  for (const check of inside.filter((entry) => entry.service !== 'workspace')) expect(check.target).toContain(address);
});
