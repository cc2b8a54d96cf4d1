import { planNetworking } from '../runner/network-plan';
import { routeCandidates } from '../runner/reach';
import { identifyEngine } from '../runner/engine';
import { configFrom, ENGINES } from '../test-fixtures';
import { diagnose, interpretProbe, planChecks } from './diagnosis';
import { routeProbeTargets, routeTrials } from './route-probe';

const VM = { ...ENGINES.localTcp, name: 'a-vm', kernelVersion: '6.1.0-vm', memTotal: 1_000_000_000 };

describe('the route probe', () => {
  const config = configFrom({ STIGMER_LLM_BASE_URL: 'http://localhost:11500' });
  const plan = planNetworking(config, VM);
  const candidates = routeCandidates(plan.engine, VM);

  it('dials every candidate at each service on this machine, at the port the container would dial', () => {
    const targets = routeProbeTargets(plan, candidates);
    expect(targets).toHaveLength(candidates.length * 3);
    expect(targets.slice(0, 3)).toEqual([
      { id: 'route:0:temporal', kind: 'tcp', host: 'stigmer-route-0', port: 7233, timeoutMs: 1500 },
      { id: 'route:0:backend', kind: 'tcp', host: 'stigmer-route-0', port: 7234, timeoutMs: 1500 },
      { id: 'route:0:ollama', kind: 'tcp', host: 'stigmer-route-0', port: 11500, timeoutMs: 1500 },
    ]);
  });

  it('leaves out services that are not on this machine', () => {
    const remote = configFrom({ TEMPORAL_SERVICE_ADDRESS: 'temporal.example.com:7233' });
    const targets = routeProbeTargets(planNetworking(remote, VM), candidates);
    expect(new Set(targets.map((target) => target.id.split(':')[2]))).toEqual(new Set(['backend', 'ollama']));
  });

  it('reads what each candidate reached; a dial with no result failed', () => {
    const targets = routeProbeTargets(plan, candidates.slice(0, 2));
    const results = [
      { id: 'route:0:temporal', ok: false, code: 'ECONNREFUSED', ms: 1 },
      { id: 'route:1:temporal', ok: true, ms: 1 },
      { id: 'route:1:backend', ok: true, ms: 1 },
      { id: 'route:1:ollama', ok: false, code: 'ETIMEDOUT', ms: 1500 },
    ];
    const trials = routeTrials(candidates.slice(0, 2), targets, results);
    expect(trials.map(({ alias, reached, failed }) => ({ alias, reached, failed }))).toEqual([
      {
        alias: 'host.docker.internal',
        reached: [],
        failed: [
          { service: 'temporal', code: 'ECONNREFUSED' },
          { service: 'backend', code: 'no-result' },
          { service: 'ollama', code: 'no-result' },
        ],
      },
      {
        alias: 'host.docker.internal',
        reached: ['temporal', 'backend'],
        failed: [{ service: 'ollama', code: 'ETIMEDOUT' }],
      },
    ]);
  });
});

describe('diagnosis on an engine in a VM', () => {
  const checksFor = (plan: ReturnType<typeof planNetworking>, containerCode: string) =>
    planChecks(plan).map((check) =>
      interpretProbe(
        check,
        check.site === 'container'
          ? { id: check.target.id, ok: false, code: containerCode, ms: 1 }
          : { id: check.target.id, ok: true, status: 200, body: '{"models":[{"name":"qwen2.5-coder:7b"}]}', ms: 1 },
        'qwen2.5-coder:7b',
      ),
    );

  it('--network host forced: the host network is the VM’s, localhost there is the VM', () => {
    const plan = planNetworking(configFrom({ STIGMER_RUNNER_NETWORK: 'host' }), VM);
    const diagnosis = diagnose('temporal', checksFor(plan, 'ECONNREFUSED'), plan, 'r');
    expect(identifyEngine(VM).inVm).toBe(true);
    expect(diagnosis.cause).toBe(
      `host networking on ${plan.engine.description} is the VM's network, not this machine's: 127.0.0.1 in the container is the VM itself`,
    );
    expect(diagnosis.fix).toBe('use --network bridge (the default on this engine: remove --network host)');
  });

  it('no route answered the probe: named with every trial and the setting, not called a firewall', () => {
    const candidates = routeCandidates(identifyEngine(VM), VM).slice(0, 2);
    const trials = candidates.map((candidate) => ({
      ...candidate,
      reached: [],
      failed: [{ service: 'temporal', code: 'ETIMEDOUT' }],
    }));
    const plan = planNetworking(configFrom(), VM, undefined, { image: 'r:1', trials, chosen: null });
    const diagnosis = diagnose('temporal', checksFor(plan, 'ETIMEDOUT'), plan, 'r');
    expect(diagnosis.cause).toMatch(
      /^no route from a container on .* reaches this machine \(tried from a probe container: host\.docker\.internal \(host-gateway\): ETIMEDOUT; host\.docker\.internal: ETIMEDOUT\)$/,
    );
    expect(diagnosis.fix).toMatch(/^set STIGMER_RUNNER_HOST_ALIAS to the address/);
  });

  it('no route does not blame a service that is not on this machine (a remote Temporal failing on its own)', () => {
    const remote = configFrom({ TEMPORAL_SERVICE_ADDRESS: 'temporal.example.com:7233' });
    const trials = routeCandidates(identifyEngine(VM), VM).map((candidate) => ({
      ...candidate,
      reached: [],
      failed: [{ service: 'backend', code: 'ETIMEDOUT' }],
    }));
    const plan = planNetworking(remote, VM, undefined, { image: 'r:1', trials, chosen: null });
    const checks = checksFor(plan, 'EAI_AGAIN');
    expect(diagnose('temporal', checks, plan, 'r').cause).not.toMatch(/no route/);
    expect(diagnose('backend', checksFor(plan, 'ETIMEDOUT'), plan, 'r').cause).toMatch(/^no route from a container/);
  });

  it('a service on this machine’s loopback only is not called a loopback problem in a VM (its route reaches loopback)', () => {
    const plan = planNetworking(configFrom(), VM);
    expect(plan.bridgeGateway).toBeNull();
    expect(planChecks(plan).some((check) => check.site === 'bridge-gateway')).toBe(false);
    const diagnosis = diagnose('ollama', checksFor(plan, 'ECONNREFUSED'), plan, 'r');
    expect(diagnosis.cause).not.toMatch(/127\.0\.0\.1 only/);
  });
});
