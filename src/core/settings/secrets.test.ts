import { configFrom } from '../test-fixtures';
import { readRunnerSecrets, readSecret, SecretUnavailableError } from './secrets';

const FILE =
  'backend:\n  local:\n    llm:\n      provider: anthropic\n      api_key: sk-file\n      base_url: http://u:pw@localhost:11434\n';
const files: Record<string, string> = { '/home/u/.stigmer/config.yaml': FILE };
const readText = (path: string) => files[path];

describe('readSecret reads only the place named', () => {
  it.each([
    ['env:ANTHROPIC_API_KEY', { ANTHROPIC_API_KEY: 'sk-env' }, 'sk-env'],
    ['env:ANTHROPIC_API_KEY', {}, undefined],
    ['env:ANTHROPIC_API_KEY', { ANTHROPIC_API_KEY: '' }, undefined],
    ['file:/home/u/.stigmer/config.yaml#backend.local.llm.api_key', {}, 'sk-file'],
    ['file:/home/u/.stigmer/config.yaml#backend.local.llm.missing', {}, undefined],
    ['file:/elsewhere.yaml#backend.local.llm.api_key', {}, undefined],
    ['default', {}, undefined],
  ])('%s', (source, env, value) => expect(readSecret(source, env, readText)).toBe(value));
});

describe('readRunnerSecrets', () => {
  it('takes the key and the credentialed URL from where the config found them, with no cascade', () => {
    const config = configFrom({
      STIGMER_LLM_PROVIDER: 'anthropic',
      ANTHROPIC_API_KEY: 'sk-env',
      STIGMER_LLM_BASE_URL: 'http://u:pw@localhost:11434',
    });
    expect(
      readRunnerSecrets(
        config,
        {
          ANTHROPIC_API_KEY: 'sk-env',
          STIGMER_LLM_BASE_URL: 'http://u:pw@localhost:11434',
          STIGMER_LLM_PROVIDER: 'not even valid',
        },
        readText,
      ),
    ).toEqual({
      llmApiKey: 'sk-env',
      llmBaseUrl: 'http://u:pw@localhost:11434',
    });
  });

  it('a secret gone from its place fails naming that place', () => {
    const config = configFrom({ ANTHROPIC_API_KEY: 'sk-env', STIGMER_LLM_PROVIDER: 'anthropic' });
    expect(() => readRunnerSecrets(config, {}, readText)).toThrow(
      new SecretUnavailableError('env:ANTHROPIC_API_KEY', 'the LLM API key'),
    );
    expect(() => readRunnerSecrets(config, {}, readText)).toThrow(
      /^the LLM API key is no longer at env:ANTHROPIC_API_KEY/,
    );
  });

  it('no key configured, no URL credentials: nothing to read', () => {
    expect(readRunnerSecrets(configFrom(), {}, readText)).toEqual({});
  });
});
