import { inputProblem, teardownInputProblem } from './workflow-input';

const T = { env: { STIGMER_LLM_MODEL: 'm' }, homeDir: '/home/u' };

test.each<[unknown, string | undefined]>([
  [{ flags: { runner: 'r1' }, trigger: T }, undefined],
  // no trigger: the worker's own env and home (a provision started by hand, e.g. `temporal workflow start`)
  [{ flags: { runner: 'r1' } }, undefined],
  [{ flags: { runner: 'r1' }, host: 'gpu-1' }, undefined],
  [{ flags: { runner: 'r1' }, host: 'a b' }, `host: "a b" is not a host name (letters, digits, '.', '_', '-')`],
  [{ flags: { runner: 'r1' }, trigger: null }, 'trigger: expected an object with { env, homeDir }'],
  [{ flags: { runner: 'r1' }, trigger: { env: ['A=1'], homeDir: '/h' } }, 'trigger.env: expected an object of strings'],
  [[{ flags: { runner: 'r1' } }], 'expected an object, got an array'],
  [{ flags: { runner: 'r1' }, trigger: { env: {}, homeDir: 'home' } }, 'trigger.homeDir: expected an absolute path'],
  // a Windows trigger's home is absolute by Windows' rules; the input does not say which platform sent it
  [{ flags: { runner: 'r1' }, trigger: { env: {}, homeDir: 'C:\\Users\\me' } }, undefined],
  [{ flags: { runner: 'r1' }, trigger: { env: {}, homeDir: 'c:/Users/me' } }, undefined],
  [{ flags: { runner: 'r1' }, trigger: { env: {}, homeDir: '\\\\server\\share\\me' } }, undefined],
  [
    { flags: { runner: 'r1' }, trigger: { env: {}, homeDir: 'C:Users\\me' } },
    'trigger.homeDir: expected an absolute path',
  ],
  [
    { flags: { runner: 'r1' }, trigger: { env: {}, homeDir: '\\Users\\me' } },
    'trigger.homeDir: expected an absolute path',
  ],
  [{ flags: { runner: 'r1' }, trigger: { env: {}, homeDir: '.\\me' } }, 'trigger.homeDir: expected an absolute path'],
  [
    { flags: { runner: 'r1' }, trigger: { env: { A: 1 }, homeDir: '/h' } },
    'trigger.env: expected an object of strings',
  ],
  [
    {
      flags: { runner: 'r1', network: 'bridge', image: 'i:1', config: '/c.yaml' },
      trigger: T,
      verify: { maximumAttempts: 3 },
      readyTimeoutMs: 1000,
    },
    undefined,
  ],
  [null, 'expected an object, got null'],
  ['run', 'expected an object, got string'],
  [{}, 'flags: expected an object with at least { runner }'],
  [{ flags: {} }, 'flags.runner: undefined is not a Docker container name'],
  [{ flags: { runner: 'my runner' } }, 'flags.runner: "my runner" is not a Docker container name'],
  [{ flags: { runner: 'r', image: 7 } }, 'flags.image: expected a string'],
  [{ flags: { runner: 'r', network: 'mesh' } }, 'flags.network: "mesh" is not one of auto, host, bridge'],
  [{ flags: { runner: 'r', contract: 'typescript-2026' }, trigger: T }, undefined],
  [
    { flags: { runner: 'r', contract: 'python-2025' } },
    'flags.contract: "python-2025" is not one of auto, python-2026-01, python-native-2026, typescript-2026',
  ],
  [
    { flags: { runner: 'r' }, trigger: T, verify: { maximumAttempts: 0 } },
    'verify.maximumAttempts: expected a positive whole number',
  ],
  [{ flags: { runner: 'r' }, trigger: T, verify: 'often' }, 'verify: expected an object'],
  [{ flags: { runner: 'r' }, trigger: T, verify: [] }, 'verify: expected an object'],
  [
    { flags: { runner: 'r' }, trigger: T, verify: { maximumAttempts: 2 ** 60 } },
    'verify.maximumAttempts: expected a positive whole number',
  ],
  // keys it does not know are ignored, as everywhere in the input (the contract's objects are open)
  [{ flags: { runner: 'r' }, trigger: T, verify: { backoff: 'x' } }, undefined],
  [{ flags: { runner: 'r' }, trigger: T, readyTimeoutMs: -1 }, 'readyTimeoutMs: expected a positive whole number'],
  // `run --replace`: a container of the runner's name that stigmer-runner did not make may be replaced
  [{ flags: { runner: 'r', replace: true }, trigger: T }, undefined],
  [{ flags: { runner: 'r', replace: false }, trigger: T }, undefined],
  [{ flags: { runner: 'r', replace: 'yes' }, trigger: T }, 'flags.replace: expected true or false'],
  [{ flags: { runner: 'r', replace: 1 } }, 'flags.replace: expected true or false'],
  [{ flags: { runner: 'r', replace: null } }, 'flags.replace: expected true or false'],
])('%j → %s', (input, problem) => expect(inputProblem(input)).toBe(problem));

test.each<[unknown, string | undefined]>([
  [{ runner: 'r1' }, undefined],
  [{ runner: 'r1', replace: true }, undefined],
  [{ runner: 'r1', replace: false, host: 'gpu-1' }, undefined],
  [{ runner: 'r1', engine: { value: 'unix:///run/podman.sock', source: 'env:DOCKER_HOST' } }, undefined],
  [{ runner: 'r1', replace: 'true' }, 'replace: expected true or false'],
  [{ runner: 'r1', replace: null }, 'replace: expected true or false'],
  [{ runner: 'r1', engine: 'unix:///x' }, 'engine: expected { value, source }, both strings'],
  [{ runner: 'r1', host: 'a b' }, `host: "a b" is not a host name (letters, digits, '.', '_', '-')`],
  [{ runner: 'a b' }, 'runner: "a b" is not a Docker container name'],
  [{}, 'runner: undefined is not a Docker container name'],
  [null, 'expected an object, got null'],
])('teardown %j → %s', (input, problem) => expect(teardownInputProblem(input)).toBe(problem));
