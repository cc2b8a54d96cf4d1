import { RECORDED_ENGINES, recordedEngineFacts, type RecordedEngine } from '../../docker/test-fixtures';
import {
  checkResult,
  diagnose,
  diagnoseWorkspace,
  interpretProbe,
  planChecks,
  summarizeVerification,
  type CheckOutcome,
  type CheckResult,
  type ProbeResult,
} from './diagnosis';
import type { EngineFacts } from '../runner/engine';
import { planNetworking, ROOTLESSKIT_LOOPBACK_FIX, type NetworkPlan, type ServiceName } from '../runner/network-plan';
import { configFrom, ENGINES } from '../test-fixtures';

const TAGS = JSON.stringify({ models: [{ name: 'qwen2.5-coder:7b', model: 'qwen2.5-coder:7b' }] });

describe('planChecks', () => {
  it('probes each service from the container and from this machine, and at the gateway on a native bridge', () => {
    const config = configFrom({}, { network: 'bridge' });
    const checks = planChecks(planNetworking(config, ENGINES.nativeLinux));
    expect(checks.map((check) => `${check.service}@${check.site} ${check.display}`)).toEqual([
      'temporal@container host.docker.internal:7233',
      'temporal@host localhost:7233',
      'temporal@bridge-gateway 172.17.0.1:7233',
      'backend@container host.docker.internal:7234',
      'backend@host localhost:7234',
      'backend@bridge-gateway 172.17.0.1:7234',
      'ollama@container http://host.docker.internal:11434/api/tags',
      'ollama@host http://localhost:11434/api/tags',
      'ollama@bridge-gateway http://host.docker.internal:11434/api/tags (dialled at 172.17.0.1:11434)',
      'workspace@container /workspace',
    ]);
    const gatewayOllama = checks[8].target;
    expect(gatewayOllama).toMatchObject({
      kind: 'http',
      host: '172.17.0.1',
      port: 11434,
      hostHeader: 'host.docker.internal:11434',
    });
  });

  it('has no gateway checks in host mode or on Docker Desktop', () => {
    for (const engine of ['nativeLinux', 'desktopMac']) {
      const checks = planChecks(planNetworking(configFrom(), ENGINES[engine]));
      expect(checks.filter((check) => check.site === 'bridge-gateway')).toEqual([]);
      expect(checks).toHaveLength(7);
    }
  });
});

describe('interpretProbe', () => {
  const checks = planChecks(planNetworking(configFrom(), ENGINES.desktopMac));
  const planned = (id: string) => checks.find((check) => check.target.id === id) as (typeof checks)[number];
  const listing = (...names: string[]) => ({
    status: 200,
    body: JSON.stringify({ models: names.map((name) => ({ name, model: name })) }),
  });
  it.each<[string, string, Partial<ProbeResult> | undefined, CheckOutcome, RegExp]>([
    [
      'model listed',
      'ollama@container',
      { status: 200, body: TAGS },
      { kind: 'model-listed', model: 'qwen2.5-coder:7b' },
      /^HTTP 200, model qwen2.5-coder:7b listed$/,
    ],
    [
      'model missing',
      'ollama@container',
      { status: 200, body: JSON.stringify({ models: [{ name: 'llama3:8b' }] }) },
      { kind: 'model-missing', model: 'qwen2.5-coder:7b', listed: ['llama3:8b'] },
      /^model qwen2.5-coder:7b is not pulled \(listed: llama3:8b\)$/,
    ],
    [
      'model missing, each listed tag named once',
      'ollama@container',
      listing('llama3:8b', 'qwen2.5-coder:1.5b'),
      { kind: 'model-missing', model: 'qwen2.5-coder:7b', listed: ['llama3:8b', 'qwen2.5-coder:1.5b'] },
      /\(listed: llama3:8b, qwen2\.5-coder:1\.5b\)$/,
    ],
    [
      'nothing pulled',
      'ollama@container',
      listing(),
      { kind: 'model-missing', model: 'qwen2.5-coder:7b', listed: [] },
      /\(listed: none\)$/,
    ],
    [
      'not Ollama',
      'ollama@container',
      { status: 200, body: '<html>' },
      { kind: 'not-ollama' },
      /not Ollama’s \/api\/tags JSON/,
    ],
    ['forbidden host', 'ollama@container', { status: 403, body: '' }, { kind: 'http', status: 403 }, /^HTTP 403$/],
    [
      "a proxy's error page",
      'ollama@container',
      { status: 502, body: ' Bad Gateway ' },
      { kind: 'http', status: 502, body: 'Bad Gateway' },
      /^HTTP 502: Bad Gateway$/,
    ],
    [
      'refused',
      'ollama@container',
      { ok: false, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 172.17.0.1:11434' },
      { kind: 'refused', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 172.17.0.1:11434' },
      /^ECONNREFUSED: connect ECONNREFUSED 172\.17\.0\.1:11434$/,
    ],
    [
      'connected',
      'temporal@container',
      { address: '192.168.65.254:7233' },
      { kind: 'connected', address: '192.168.65.254:7233' },
      /^connected to 192\.168\.65\.254:7233$/,
    ],
    [
      'timed out',
      'temporal@container',
      { ok: false, code: 'ETIMEDOUT', message: 'no answer' },
      { kind: 'timeout', code: 'ETIMEDOUT', message: 'no answer' },
      /^ETIMEDOUT: no answer$/,
    ],
    [
      'no route (rootless Docker without host loopback)',
      'temporal@container',
      { ok: false, code: 'ENETUNREACH', message: 'Network is unreachable' },
      { kind: 'unreachable', code: 'ENETUNREACH', message: 'Network is unreachable' },
      /^ENETUNREACH: Network is unreachable$/,
    ],
    [
      'host unreachable',
      'temporal@container',
      { ok: false, code: 'EHOSTUNREACH', address: '10.0.2.2:7233' },
      { kind: 'unreachable', code: 'EHOSTUNREACH', address: '10.0.2.2:7233' },
      /^EHOSTUNREACH \(10\.0\.2\.2:7233\)$/,
    ],
    [
      'unknown name',
      'temporal@container',
      { ok: false, code: 'ENOTFOUND' },
      { kind: 'dns', code: 'ENOTFOUND' },
      /^ENOTFOUND$/,
    ],
    [
      'resolver down',
      'temporal@container',
      { ok: false, code: 'EAI_AGAIN' },
      { kind: 'dns', code: 'EAI_AGAIN' },
      /^EAI_AGAIN$/,
    ],
    [
      'reset',
      'temporal@container',
      { ok: false, code: 'ECONNRESET' },
      { kind: 'io', code: 'ECONNRESET' },
      /^ECONNRESET$/,
    ],
    [
      'no code',
      'temporal@container',
      { ok: false, message: 'boom' },
      { kind: 'io', code: 'ERROR', message: 'boom' },
      /^ERROR: boom$/,
    ],
    ['no result', 'temporal@container', undefined, { kind: 'no-result' }, /^no probe result/],
    [
      'workspace written',
      'workspace@container',
      {},
      { kind: 'writable' },
      /^created and removed a file as the runner's user$/,
    ],
    [
      'workspace read-only',
      'workspace@container',
      { ok: false, code: 'EROFS', message: 'read-only file system' },
      { kind: 'not-writable', code: 'EROFS', message: 'read-only file system' },
      /^EROFS: read-only file system$/,
    ],
  ])('%s', (_name, id, result, outcome, detail) => {
    const check = planned(id);
    const interpreted = interpretProbe(check, result && { id, ok: true, ms: 3, ...result }, 'qwen2.5-coder:7b');
    expect(interpreted.outcome).toEqual(outcome);
    expect(interpreted.ok).toBe(['model-listed', 'connected', 'writable'].includes(outcome.kind));
    expect(interpreted.detail).toMatch(detail);
    expect(interpreted.target).toBe(check.display);
  });
});

const REFUSED: CheckOutcome = { kind: 'refused', code: 'ECONNREFUSED' };
const TIMEOUT: CheckOutcome = { kind: 'timeout', code: 'ETIMEDOUT' };
const UNREACHABLE: CheckOutcome = {
  kind: 'unreachable',
  code: 'ENETUNREACH',
  message: 'connect ENETUNREACH 10.0.2.2:7233 - Local (0.0.0.0:0)',
};
const DNS: CheckOutcome = { kind: 'dns', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND host.docker.internal' };
const MODEL_MISSING: CheckOutcome = { kind: 'model-missing', model: 'qwen2.5-coder:7b', listed: [] };

/** Check results for one service: an outcome per site, `true` for a connection. */
function results(
  service: ServiceName,
  sites: Partial<Record<'container' | 'host' | 'bridge-gateway', CheckOutcome | true>>,
): CheckResult[] {
  return Object.entries(sites).map(([site, outcome]) =>
    checkResult(
      { service, site: site as CheckResult['site'], target: `${site}-target`, ms: 1 },
      outcome === true ? { kind: 'connected' } : outcome,
    ),
  );
}

describe('diagnose', () => {
  const nativeBridge = planNetworking(configFrom({}, { network: 'bridge' }), ENGINES.nativeLinux);
  const desktop = planNetworking(configFrom(), ENGINES.desktopMac);
  const seedBug = planNetworking(
    configFrom({ STIGMER_RUNNER_HOST_ALIAS: 'localhost' }, { network: 'bridge' }),
    ENGINES.nativeLinux,
  );
  const hostOnVm = planNetworking(configFrom({}, { network: 'host' }), ENGINES.desktopMac);
  const rootlessDocker = planNetworking(configFrom(), recordedEngineFacts('rootless-docker'));
  const rootlessPodman = planNetworking(configFrom(), recordedEngineFacts('rootless-podman'));

  it.each<[string, NetworkPlan, ServiceName, Parameters<typeof results>[1], boolean, RegExp, RegExp | string]>([
    [
      'a bridged container handed localhost (incident 1)',
      seedBug,
      'temporal',
      { container: REFUSED, host: true },
      false,
      /localhost inside a bridged container is the container itself/,
      /host\.docker\.internal/,
    ],
    [
      'Ollama on 127.0.0.1 only (incident 4)',
      nativeBridge,
      'ollama',
      { container: REFUSED, host: true, 'bridge-gateway': REFUSED },
      false,
      /listens on 127\.0\.0\.1 only.*172\.17\.0\.1/,
      /^set OLLAMA_HOST=172\.17\.0\.1:11434 and restart Ollama \(not 0\.0\.0\.0/,
    ],
    [
      'backend on 127.0.0.1 only',
      nativeBridge,
      'backend',
      { container: REFUSED, host: true, 'bridge-gateway': REFUSED },
      false,
      /Stigmer backend listens on 127\.0\.0\.1 only/,
      /listen on 172\.17\.0\.1 as well as 127\.0\.0\.1 \(not 0\.0\.0\.0/,
    ],
    [
      'a service that is down everywhere',
      desktop,
      'ollama',
      { container: REFUSED, host: REFUSED },
      true,
      /not answering on this machine either/,
      /ollama serve/,
    ],
    [
      'model not pulled',
      desktop,
      'ollama',
      { container: MODEL_MISSING, host: MODEL_MISSING },
      false,
      /qwen2\.5-coder:7b is not pulled/,
      /ollama pull qwen2\.5-coder:7b/,
    ],
    [
      'alias unknown to the engine',
      desktop,
      'backend',
      { container: DNS, host: true },
      false,
      /cannot resolve host\.docker\.internal/,
      /--add-host host\.docker\.internal:host-gateway/,
    ],
    [
      'Ollama refusing the Host header',
      desktop,
      'ollama',
      { container: { kind: 'http', status: 403 }, host: true },
      false,
      /rejected the Host header/,
      /OLLAMA_HOST/,
    ],
    [
      'something else answers at the alias',
      desktop,
      'ollama',
      { container: { kind: 'not-ollama' }, host: true },
      false,
      /something other than this machine's Ollama answers at host\.docker\.internal/,
      /STIGMER_RUNNER_HOST_ALIAS/,
    ],
    [
      'host networking on a VM engine (incident 2)',
      hostOnVm,
      'temporal',
      { container: REFUSED, host: true },
      false,
      /is the VM's network, not this machine's: 127\.0\.0\.1 in the container is the VM itself/,
      /--network bridge/,
    ],
    [
      'something else between container and host',
      desktop,
      'temporal',
      { container: TIMEOUT, host: true },
      false,
      /answers on this machine but not from the container \(network bridge\)/,
      /firewall/,
    ],
    [
      'rootless Docker without host loopback',
      rootlessDocker,
      'temporal',
      { container: UNREACHABLE, host: true },
      false,
      /^this machine's loopback is blocked for the engine's containers: .* answers 10\.0\.2\.2 with ENETUNREACH$/,
      `${ROOTLESSKIT_LOOPBACK_FIX}, or set STIGMER_RUNNER_HOST_ALIAS`,
    ],
    [
      '… even while the service is down too: waiting cannot open the route',
      rootlessDocker,
      'backend',
      { container: UNREACHABLE, host: REFUSED },
      false,
      /loopback is blocked/,
      /--disable-host-loopback=false/,
    ],
    [
      'rootless Podman without host loopback',
      rootlessPodman,
      'temporal',
      { container: UNREACHABLE, host: true },
      false,
      /loopback is blocked/,
      /slirp4netns:allow_host_loopback=true/,
    ],
    [
      'the probe in the container said nothing',
      desktop,
      'temporal',
      { host: true },
      false,
      /returned no result/,
      /run again/,
    ],
  ])('%s', (_name, plan, service, sites, healable, cause, fix) => {
    const diagnosis = diagnose(service, results(service, sites), plan, 'stigmer-agent-runner');
    expect(diagnosis).toMatchObject({ ok: false, healable });
    expect(diagnosis.cause).toMatch(cause);
    expect(diagnosis.fix).toMatch(fix);
    expect(diagnosis.summary).toMatch(
      sites.container
        ? /container-target from container stigmer-agent-runner \(network/
        : /from container stigmer-agent-runner failed: not checked/,
    );
  });

  /**
   * Every failing outcome from the container, on every engine (the fixtures and the recorded
   * payloads) in either network mode, with the service answering on this machine (and at the
   * gateway): the cause each gets. A cause that depends on the engine says how.
   */
  const engines: Array<[string, EngineFacts]> = [
    ...Object.entries(ENGINES),
    ...Object.keys(RECORDED_ENGINES).map((name): [string, EngineFacts] => [
      `recorded ${name}`,
      recordedEngineFacts(name as RecordedEngine),
    ]),
  ];
  const routeCause = (plan: NetworkPlan) =>
    plan.mode === 'host' && (plan.engine.inVm || plan.engine.rootless)
      ? plan.engine.inVm
        ? /host networking on .* is the VM's network, not this machine's/
        : /host networking on .* is not this machine's network/
      : /answers on this machine but not from the container/;
  const loopbackBlocked = (plan: NetworkPlan) => plan.engine.rootless && plan.hostAlias === '10.0.2.2';
  const FROM_CONTAINER: Array<[CheckOutcome, ServiceName, (plan: NetworkPlan) => RegExp]> = [
    [REFUSED, 'temporal', routeCause],
    [TIMEOUT, 'backend', routeCause],
    [{ kind: 'io', code: 'ECONNRESET' }, 'temporal', routeCause],
    [
      UNREACHABLE,
      'temporal',
      (plan) => (loopbackBlocked(plan) ? /loopback is blocked for the engine's containers/ : routeCause(plan)),
    ],
    [DNS, 'backend', () => /cannot resolve/],
    [{ kind: 'http', status: 403 }, 'ollama', () => /rejected the Host header/],
    [{ kind: 'http', status: 502 }, 'ollama', () => /something other than this machine's Ollama answers/],
    [{ kind: 'not-ollama' }, 'ollama', () => /something other than this machine's Ollama answers/],
    [MODEL_MISSING, 'ollama', () => /is not pulled/],
    [{ kind: 'no-result' }, 'temporal', () => /returned no result/],
  ];
  const table = engines.flatMap(([name, facts]) =>
    (['host', 'bridge'] as const).map((mode): [string, string, NetworkPlan] => [
      name,
      mode,
      planNetworking(configFrom({}, { network: mode }), facts),
    ]),
  );

  it.each(table)('%s, network %s: each outcome from the container names its cause', (_name, _mode, plan) => {
    const causes = FROM_CONTAINER.map(([outcome, service]) => [
      outcome.kind,
      diagnose(service, results(service, { container: outcome, host: true, 'bridge-gateway': true }), plan, 'r'),
    ]);
    expect(causes).toEqual(
      FROM_CONTAINER.map(([outcome, , cause]) => [
        outcome.kind,
        expect.objectContaining({
          ok: false,
          healable: false,
          cause: expect.stringMatching(cause(plan)),
          fix: expect.any(String),
        }),
      ]),
    );
  });

  it.each(table)(
    "%s, network %s: with the service down on this machine too, waiting may help unless the cause is on the container's side",
    (_name, _mode, plan) => {
      const healable = FROM_CONTAINER.map(([outcome, service]) => [
        outcome.kind,
        diagnose(service, results(service, { container: outcome, host: REFUSED }), plan, 'r').healable,
      ]);
      const containerSide = (outcome: CheckOutcome) =>
        outcome.kind === 'model-missing' ||
        outcome.kind === 'no-result' ||
        (outcome.kind === 'unreachable' && loopbackBlocked(plan));
      expect(healable).toEqual(FROM_CONTAINER.map(([outcome]) => [outcome.kind, !containerSide(outcome)]));
    },
  );

  it('passes a service the container reaches', () => {
    expect(diagnose('backend', results('backend', { container: true, host: REFUSED }), desktop, 'r')).toMatchObject({
      ok: true,
    });
  });

  it('a report is healable only when every failure is', () => {
    const healableOnly = summarizeVerification(
      [
        ...results('temporal', { container: true, host: true }),
        ...results('backend', { container: REFUSED, host: REFUSED }),
        ...results('ollama', { container: true, host: true }),
      ],
      desktop,
      'r',
    );
    expect(healableOnly).toMatchObject({ ok: false, healable: true });
    expect(healableOnly.message).toMatch(
      /^Stigmer backend: container-target from container r \(network bridge\) failed: ECONNREFUSED; from this machine host-target failed: ECONNREFUSED\n {4}cause: .*\n {4}fix: /,
    );
    const mixed = summarizeVerification(
      [
        ...results('temporal', { container: TIMEOUT, host: true }),
        ...results('backend', { container: REFUSED, host: REFUSED }),
      ],
      desktop,
      'r',
    );
    expect(mixed).toMatchObject({ ok: false, healable: false });
  });
});

describe('diagnoseWorkspace', () => {
  const check = (outcome: CheckOutcome): CheckResult[] => [
    checkResult({ service: 'workspace', site: 'container', target: '/workspace', ms: 1 }, outcome),
  ];
  const denied: CheckOutcome = { kind: 'not-writable', code: 'EACCES', message: 'permission denied' };
  const ownership = {
    hostPath: '/root/.stigmer/data/workspace',
    containerPath: '/workspace',
    runnerUid: 1000,
    runnerGid: 1000,
    hostUid: 100999,
    hostGid: 100999,
    note: 'owned by 0:0, and this process (uid 1001) cannot give it to 100999:100999',
  };

  it('a failed write names the path, the runner user on both sides of the namespace, and the chown that fixes it', () => {
    const diagnosis = diagnoseWorkspace(check(denied), 'r', ownership);
    expect(diagnosis).toMatchObject({
      service: 'workspace',
      ok: false,
      healable: false,
      summary: expect.stringMatching(/cannot write \/workspace in r: EACCES: permission denied$/),
    });
    expect(diagnosis?.cause).toBe(
      "the runner's user (uid 1000, gid 1000 in the container) cannot create files in /workspace (/root/.stigmer/data/workspace on this machine; owned by 0:0, and this process (uid 1001) cannot give it to 100999:100999)",
    );
    expect(diagnosis?.fix).toBe(
      "sudo chown 100999:100999 /root/.stigmer/data/workspace (the ids the runner's user has on this machine), then run again",
    );
  });

  it('a read-only filesystem is not fixed by chown: it says to move the workspace', () => {
    expect(diagnoseWorkspace(check({ kind: 'not-writable', code: 'EROFS' }), 'r', ownership)?.fix).toBe(
      '/root/.stigmer/data/workspace is on a read-only filesystem: set STIGMER_RUNNER_WORKSPACE_DIR to a writable folder',
    );
  });

  it('without ownership facts (a VM engine) it still names the path', () => {
    expect(diagnoseWorkspace(check(denied), 'r', undefined)?.fix).toBe("make /workspace writable by the image's user");
  });

  it('a writable workspace passes, and a failed one fails the whole report non-healably', () => {
    const plan = planNetworking(configFrom(), ENGINES.desktopMac);
    const services = plan.services.flatMap((service) => results(service.service, { container: true, host: true }));
    expect(summarizeVerification([...services, ...check({ kind: 'writable' })], plan, 'r', ownership)).toMatchObject({
      ok: true,
    });
    expect(summarizeVerification([...services, ...check(denied)], plan, 'r', ownership)).toMatchObject({
      ok: false,
      healable: false,
    });
  });
});

describe('a fix never tells the user to bind a service to every interface (issue 23)', () => {
  const nativeBridge = planNetworking(configFrom({}, { network: 'bridge' }), ENGINES.nativeLinux);
  const desktop = planNetworking(configFrom(), ENGINES.desktopMac);
  const noGateway = { ...nativeBridge, bridgeGateway: null };
  it.each([
    [
      'Ollama on loopback, gateway known',
      nativeBridge,
      'ollama',
      { container: REFUSED, host: true, 'bridge-gateway': REFUSED },
    ],
    [
      'Ollama on loopback, gateway unknown',
      noGateway,
      'ollama',
      { container: REFUSED, host: true, 'bridge-gateway': REFUSED },
    ],
    [
      'backend on loopback, gateway known',
      nativeBridge,
      'backend',
      { container: REFUSED, host: true, 'bridge-gateway': REFUSED },
    ],
    [
      'backend on loopback, gateway unknown',
      noGateway,
      'backend',
      { container: REFUSED, host: true, 'bridge-gateway': REFUSED },
    ],
    ['Ollama refusing the Host header', desktop, 'ollama', { container: { kind: 'http', status: 403 }, host: true }],
  ] as const)('%s', (_name, plan, service, sites) => {
    const { fix } = diagnose(service, results(service, sites as never), plan as never, 'stigmer-agent-runner');
    expect(fix).not.toMatch(/=0\.0\.0\.0|listen on 0\.0\.0\.0|0\.0\.0\.0 or/);
    expect(fix).toMatch(
      plan.bridgeGateway ? new RegExp(plan.bridgeGateway.replace(/\./g, '\\.')) : /bridge gateway|\.internal/,
    );
  });
});
