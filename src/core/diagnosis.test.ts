import { diagnose, diagnoseWorkspace, interpretProbe, planChecks, summarizeVerification, type CheckResult, type ProbeResult } from './diagnosis';
import { planNetworking } from './network-plan';
import { configFrom, ENGINES } from './test-fixtures';

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
    expect(gatewayOllama).toMatchObject({ kind: 'http', host: '172.17.0.1', port: 11434, hostHeader: 'host.docker.internal:11434' });
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
  const config = configFrom();
  const [ollamaCheck] = planChecks(planNetworking(config, ENGINES.desktopMac)).filter((check) => check.service === 'ollama');
  const probe = (result: Partial<ProbeResult>): CheckResult => interpretProbe(ollamaCheck, { id: ollamaCheck.target.id, ok: true, ms: 3, ...result }, 'qwen2.5-coder:7b');
  it.each<[string, Partial<ProbeResult>, boolean, RegExp]>([
    ['model listed', { status: 200, body: TAGS }, true, /HTTP 200, model qwen2.5-coder:7b listed/],
    ['model missing', { status: 200, body: JSON.stringify({ models: [{ name: 'llama3:8b' }] }) }, false, /model qwen2.5-coder:7b is not pulled \(listed: llama3:8b\)/],
    ['model missing, each listed tag named once', { status: 200, body: JSON.stringify({ models: [{ name: 'llama3:8b', model: 'llama3:8b' }, { name: 'qwen2.5-coder:1.5b', model: 'qwen2.5-coder:1.5b' }] }) }, false, /\(listed: llama3:8b, qwen2\.5-coder:1\.5b\)$/],
    ['not Ollama', { status: 200, body: '<html>' }, false, /not Ollama’s \/api\/tags JSON/],
    ['forbidden host', { status: 403, body: '' }, false, /^HTTP 403$/],
    ['refused', { ok: false, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 172.17.0.1:11434' }, false, /^ECONNREFUSED: connect ECONNREFUSED 172\.17\.0\.1:11434$/],
  ])('%s', (_name, result, ok, detail) => {
    const check = probe(result);
    expect(check.ok).toBe(ok);
    expect(check.detail).toMatch(detail);
    expect(check.target).toBe('http://host.docker.internal:11434/api/tags');
  });
});

/** Builds check results for one service from a compact description. */
function results(service: 'ollama' | 'temporal' | 'backend', sites: Partial<Record<'container' | 'host' | 'bridge-gateway', string | true>>): CheckResult[] {
  return Object.entries(sites).map(([site, outcome]) => ({
    service,
    site: site as CheckResult['site'],
    target: `${site}-target`,
    ok: outcome === true,
    detail: outcome === true ? 'connected' : (outcome as string),
    ms: 1,
  }));
}

describe('diagnose', () => {
  const nativeBridge = planNetworking(configFrom({}, { network: 'bridge' }), ENGINES.nativeLinux);
  const desktop = planNetworking(configFrom(), ENGINES.desktopMac);
  const seedBug = planNetworking(configFrom({ STIGMER_RUNNER_HOST_ALIAS: 'localhost' }, { network: 'bridge' }), ENGINES.nativeLinux);
  const hostOnVm = planNetworking(configFrom({}, { network: 'host' }), ENGINES.desktopMac);

  it.each<[string, ReturnType<typeof planNetworking>, 'ollama' | 'temporal' | 'backend', Parameters<typeof results>[1], boolean, RegExp, RegExp]>([
    ['a bridged container handed localhost (incident 1)', seedBug, 'temporal', { container: 'ECONNREFUSED', host: true }, false, /localhost inside a bridged container is the container itself/, /host\.docker\.internal/],
    ['Ollama on 127.0.0.1 only (incident 4)', nativeBridge, 'ollama', { container: 'ECONNREFUSED', host: true, 'bridge-gateway': 'ECONNREFUSED' }, false, /listens on 127\.0\.0\.1 only.*172\.17\.0\.1/, /OLLAMA_HOST=0\.0\.0\.0:11434/],
    ['backend on 127.0.0.1 only', nativeBridge, 'backend', { container: 'ECONNREFUSED', host: true, 'bridge-gateway': 'ECONNREFUSED' }, false, /Stigmer backend listens on 127\.0\.0\.1 only/, /0\.0\.0\.0 or 172\.17\.0\.1/],
    ['a service that is down everywhere', desktop, 'ollama', { container: 'ECONNREFUSED', host: 'ECONNREFUSED' }, true, /not answering on this machine either/, /ollama serve/],
    ['model not pulled', desktop, 'ollama', { container: 'model qwen2.5-coder:7b is not pulled (listed: none)', host: 'model qwen2.5-coder:7b is not pulled (listed: none)' }, false, /qwen2\.5-coder:7b is not pulled/, /ollama pull qwen2\.5-coder:7b/],
    ['alias unknown to the engine', desktop, 'backend', { container: 'ENOTFOUND: getaddrinfo ENOTFOUND host.docker.internal', host: true }, false, /cannot resolve host\.docker\.internal/, /--add-host host\.docker\.internal:host-gateway/],
    ['Ollama refusing the Host header', desktop, 'ollama', { container: 'HTTP 403', host: true }, false, /rejected the Host header/, /OLLAMA_HOST/],
    ['host networking on a VM engine (incident 2)', hostOnVm, 'temporal', { container: 'ECONNREFUSED', host: true }, false, /not this machine's network/, /--network bridge/],
    ['something else between container and host', desktop, 'temporal', { container: 'ETIMEDOUT', host: true }, false, /answers on this machine but not from the container \(network bridge\)/, /firewall/],
  ])('%s', (_name, plan, service, sites, healable, cause, fix) => {
    const diagnosis = diagnose(service, results(service, sites), plan, 'stigmer-agent-runner');
    expect(diagnosis).toMatchObject({ ok: false, healable });
    expect(diagnosis.cause).toMatch(cause);
    expect(diagnosis.fix).toMatch(fix);
    expect(diagnosis.summary).toContain('container-target from container stigmer-agent-runner (network');
  });

  it('passes a service the container reaches', () => {
    expect(diagnose('backend', results('backend', { container: true, host: 'ECONNREFUSED' }), desktop, 'r')).toMatchObject({ ok: true });
  });

  it('a report is healable only when every failure is', () => {
    const healableOnly = summarizeVerification(
      [...results('temporal', { container: true, host: true }), ...results('backend', { container: 'ECONNREFUSED', host: 'ECONNREFUSED' }), ...results('ollama', { container: true, host: true })],
      desktop,
      'r',
    );
    expect(healableOnly).toMatchObject({ ok: false, healable: true });
    expect(healableOnly.message).toMatch(/^Stigmer backend: container-target from container r \(network bridge\) failed: ECONNREFUSED; from this machine host-target failed: ECONNREFUSED\n {4}cause: .*\n {4}fix: /);
    const mixed = summarizeVerification([...results('temporal', { container: 'ETIMEDOUT', host: true }), ...results('backend', { container: 'ECONNREFUSED', host: 'ECONNREFUSED' })], desktop, 'r');
    expect(mixed).toMatchObject({ ok: false, healable: false });
  });
});

describe('diagnoseWorkspace', () => {
  const check = (ok: boolean, detail: string): CheckResult[] => [{ service: 'workspace', site: 'container', target: '/workspace', ok, detail, ms: 1 }];
  const ownership = { hostPath: '/root/.stigmer/data/workspace', containerPath: '/workspace', runnerUid: 1000, runnerGid: 1000, hostUid: 100999, hostGid: 100999, note: 'owned by 0:0, and this process (uid 1001) cannot give it to 100999:100999' };

  it('a failed write names the path, the runner user on both sides of the namespace, and the chown that fixes it', () => {
    const diagnosis = diagnoseWorkspace(check(false, 'EACCES: permission denied'), 'r', ownership);
    expect(diagnosis).toMatchObject({ service: 'workspace', ok: false, healable: false });
    expect(diagnosis?.cause).toBe("the runner's user (uid 1000, gid 1000 in the container) cannot create files in /workspace (/root/.stigmer/data/workspace on this machine; owned by 0:0, and this process (uid 1001) cannot give it to 100999:100999)");
    expect(diagnosis?.fix).toBe("sudo chown 100999:100999 /root/.stigmer/data/workspace (the ids the runner's user has on this machine), then run again");
  });

  it('without ownership facts (a VM engine) it still names the path', () => {
    expect(diagnoseWorkspace(check(false, 'EACCES'), 'r', undefined)?.fix).toBe("make /workspace writable by the image's user");
  });

  it('a writable workspace passes, and a failed one fails the whole report non-healably', () => {
    const plan = planNetworking(configFrom(), ENGINES.desktopMac);
    const services = plan.services.flatMap((service) => results(service.service, { container: true, host: true }));
    expect(summarizeVerification([...services, ...check(true, 'ok')], plan, 'r', ownership)).toMatchObject({ ok: true });
    expect(summarizeVerification([...services, ...check(false, 'EACCES')], plan, 'r', ownership)).toMatchObject({ ok: false, healable: false });
  });
});
