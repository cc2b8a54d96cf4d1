import { planNetworking } from './network-plan';
import { proxiesFor, proxyEnv } from './proxies';
import { buildContainerSpec } from './container-spec';
import { configFrom, ENGINES } from '../test-fixtures';

describe('proxiesFor: the entry the docker CLI picks', () => {
  const config = {
    proxies: {
      default: { httpProxy: 'http://proxy:3128', noProxy: '*.corp', unknown: 'x' },
      'tcp://10.1.2.3:2376': { httpsProxy: 'http://other:8080' },
      empty: { httpProxy: '' },
    },
  };
  it.each([
    ['no engine named: default', undefined, { httpProxy: 'http://proxy:3128', noProxy: '*.corp' }],
    ['an engine with its own entry: that entry only', 'tcp://10.1.2.3:2376', { httpsProxy: 'http://other:8080' }],
    [
      'an engine without one: default',
      'unix:///var/run/docker.sock',
      { httpProxy: 'http://proxy:3128', noProxy: '*.corp' },
    ],
    ['an entry of empty values: none', 'empty', undefined],
  ])('%s', (_, host, expected) => {
    expect(proxiesFor(config, host)).toEqual(expected);
  });
  it.each([[{}], [null], [{ proxies: 'x' }], [{ proxies: { default: 7 } }]])('no proxies in %j', (json) => {
    expect(proxiesFor(json, undefined)).toBeUndefined();
  });
});

describe('proxyEnv', () => {
  const bridged = planNetworking(configFrom({ STIGMER_RUNNER_NETWORK: 'bridge' }), ENGINES.nativeLinux);

  it('nothing without proxies', () => {
    expect(proxyEnv(undefined, bridged)).toEqual([]);
  });

  it('both cases as the CLI sets them; NO_PROXY keeps the user’s and adds this machine’s names', () => {
    const env = proxyEnv({ httpProxy: 'http://u:p@proxy:3128', noProxy: '*.corp, localhost' }, bridged);
    const noProxy = '*.corp,localhost,host.docker.internal,172.17.0.1,127.0.0.1,::1';
    expect(env).toEqual([
      'HTTP_PROXY=http://u:p@proxy:3128',
      'http_proxy=http://u:p@proxy:3128',
      `NO_PROXY=${noProxy}`,
      `no_proxy=${noProxy}`,
    ]);
  });

  it('on a measured route, its address is in NO_PROXY (the container dials it directly)', () => {
    const vm = { ...ENGINES.localTcp, name: 'vm', kernelVersion: 'k-vm', memTotal: 1 };
    const chosen = { alias: '10.0.2.2', offeredBy: 't', reached: ['temporal'], failed: [] };
    const plan = planNetworking(configFrom(), vm, undefined, { image: 'i', trials: [chosen], chosen });
    expect(proxyEnv({ httpsProxy: 'http://p:1' }, plan)).toContain('NO_PROXY=10.0.2.2,localhost,127.0.0.1,::1');
  });

  it('a service that is not on this machine stays behind the proxy (a remote LLM, Temporal Cloud)', () => {
    const config = configFrom({
      STIGMER_RUNNER_NETWORK: 'bridge',
      TEMPORAL_SERVICE_ADDRESS: 'ns.tmprl.cloud:7233',
      STIGMER_LLM_BASE_URL: 'http://llm.example.com:11434',
    });
    const env = proxyEnv({ httpsProxy: 'http://p:1' }, planNetworking(config, ENGINES.nativeLinux));
    expect(env).toContain('NO_PROXY=host.docker.internal,172.17.0.1,localhost,127.0.0.1,::1');
  });

  it('reaches the container spec (so a change of proxy replaces the runner)', () => {
    const config = configFrom();
    const spec = buildContainerSpec(config, bridged, { proxies: { httpProxy: 'http://proxy:3128' } }, 'w');
    expect(spec.env).toContain('HTTP_PROXY=http://proxy:3128');
    expect(buildContainerSpec(config, bridged, {}, 'w').env.some((line) => /PROXY=/i.test(line))).toBe(false);
  });
});
