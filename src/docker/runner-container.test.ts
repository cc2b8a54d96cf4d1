import { createHash } from 'node:crypto';
import { buildContainerSpec, specFingerprint } from '../core/runner/container-spec';
import { planNetworking } from '../core/runner/network-plan';
import { configFrom, ENGINES } from '../core/test-fixtures';
import { specHash } from './runner-container';

describe('the spec-hash label is keyed (issue 23)', () => {
  const config = configFrom({ STIGMER_LLM_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-weak' });
  const plan = planNetworking(config, ENGINES.nativeLinux);
  const spec = (apiKey: string) => buildContainerSpec(config, plan, { llmApiKey: apiKey }, 'wf');
  const key = Buffer.alloc(32, 7);
  const otherKey = Buffer.alloc(32, 8);
  const unkeyed = (apiKey: string) =>
    createHash('sha256')
      .update(specFingerprint(spec(apiKey)))
      .digest('hex')
      .slice(0, 16);

  it.each<[string, () => boolean]>([
    [
      'is not the unkeyed hash of the same spec (guessable offline)',
      () => specHash(spec('sk-weak'), key) !== unkeyed('sk-weak'),
    ],
    [
      'is the same for the same spec and key (warm runs, start-or-attach)',
      () => specHash(spec('sk-weak'), key) === specHash(spec('sk-weak'), Buffer.from(key)),
    ],
    [
      'changes with a rotated API key (the container is replaced)',
      () => specHash(spec('sk-weak'), key) !== specHash(spec('sk-rotated'), key),
    ],
    ['differs between installations', () => specHash(spec('sk-weak'), key) !== specHash(spec('sk-weak'), otherKey)],
    ['is 16 hex characters, as the label always was', () => /^[0-9a-f]{16}$/.test(specHash(spec('sk-weak'), key))],
  ])('%s', (_, holds) => expect(holds()).toBe(true));
});
