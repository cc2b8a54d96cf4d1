import { inputProblem } from './workflow-input';

test.each<[unknown, string | undefined]>([
  [{ flags: { runner: 'r1' } }, undefined],
  [{ flags: { runner: 'r1', network: 'bridge', image: 'i:1', config: '/c.yaml' }, verify: { maximumAttempts: 3 }, readyTimeoutMs: 1000 }, undefined],
  [null, 'expected an object, got null'],
  ['run', 'expected an object, got string'],
  [{}, 'flags: expected an object with at least { runner }'],
  [{ flags: {} }, 'flags.runner: undefined is not a Docker container name'],
  [{ flags: { runner: 'my runner' } }, 'flags.runner: "my runner" is not a Docker container name'],
  [{ flags: { runner: 'r', image: 7 } }, 'flags.image: expected a string'],
  [{ flags: { runner: 'r', network: 'mesh' } }, 'flags.network: "mesh" is not one of auto, host, bridge'],
  [{ flags: { runner: 'r' }, verify: { maximumAttempts: 0 } }, 'verify.maximumAttempts: expected a positive whole number'],
  [{ flags: { runner: 'r' }, verify: 'often' }, 'verify: expected an object'],
  [{ flags: { runner: 'r' }, readyTimeoutMs: -1 }, 'readyTimeoutMs: expected a positive whole number'],
])('%j → %s', (input, problem) => expect(inputProblem(input)).toBe(problem));
