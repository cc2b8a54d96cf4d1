import { configFrom } from '../test-fixtures';
import {
  MIN_REDACTED_LENGTH,
  readRunnerSecrets,
  readSecret,
  redactSecrets,
  secretValues,
  SecretUnavailableError,
} from './secrets';

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

describe('redactSecrets: no secret the worker knows survives in a log tail or a failure (issue 23)', () => {
  const KEY = 'sk-ant-api03-AbCdEf123456';
  const PEM_BODY = ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'VJTUt9Us8cKjMzEfYyjiWA4R4', 'AbCd=='];
  const PEM = ['-----BEGIN PRIVATE KEY-----', ...PEM_BODY, '-----END PRIVATE KEY-----'].join('\n');
  it.each<[string, string, string[], string, string[]]>([
    ['an exact value', `auth failed for key ${KEY}, retrying`, [KEY], 'auth failed for key ***, retrying', [KEY]],
    ['a value twice, inside a word', `x${KEY}y ${KEY}`, [KEY], 'x***y ***', [KEY]],
    ['a value percent-encoded', 'GET http://h/?k=p%40ss%23word', ['p@ss#word'], 'GET http://h/?k=***', ['p%40ss']],
    [
      'a URL password of any value',
      'dial http://me:whatever@ollama:11434/api',
      [],
      'dial http://me:***@ollama:11434/api',
      ['whatever'],
    ],
    [
      'a URL token of any value',
      'https://tok3n@ollama.example.com/v1',
      [],
      'https://***@ollama.example.com/v1',
      ['tok3n'],
    ],
    ['a Bearer token', 'Authorization: Bearer eyJhbGciOi.x.y', [], 'Authorization: Bearer ***', ['eyJhbGciOi']],
    [
      'a whole multi-line private key',
      `loaded:\n${PEM}\ndone`,
      [],
      'loaded:\n-----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----\ndone',
      PEM_BODY,
    ],
    [
      'a private key in a JSON log line (escaped line breaks)',
      JSON.stringify({ msg: PEM.replace('PRIVATE', 'RSA PRIVATE').replace('END PRIVATE', 'END RSA PRIVATE') }),
      [],
      '{"msg":"-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----"}',
      PEM_BODY,
    ],
    [
      'a key the tail cut after its BEGIN',
      `-----BEGIN EC PRIVATE KEY-----\n${PEM_BODY[0]}\n${PEM_BODY[1]}`,
      [],
      '-----BEGIN EC PRIVATE KEY-----***',
      PEM_BODY.slice(0, 2),
    ],
    [
      'a key the tail cut before its END',
      `${PEM_BODY[1]}\n${PEM_BODY[2]}\n-----END PRIVATE KEY-----\nWorker ready`,
      [],
      '***-----END PRIVATE KEY-----\nWorker ready',
      PEM_BODY.slice(1),
    ],
    ['a known PEM body line by line', `line: ${PEM_BODY[1]}`, [PEM], 'line: ***', [PEM_BODY[1]]],
    [
      'a metadata value',
      'header x-tenant: tenant-secret-42',
      ['tenant-secret-42'],
      'header x-tenant: ***',
      ['tenant-secret-42'],
    ],
    ['a secret shorter than 4: by value never', 'pw is ab; abc ab', ['ab', 'abc'], 'pw is ab; abc ab', []],
    ['a secret shorter than 4: in a URL all the same', 'http://u:ab@h', ['ab'], 'http://u:***@h', [':ab@']],
    ['a longer secret first', 'abcdefgh', ['abcd', 'abcdefgh'], '***', ['abcd']],
    [
      'nothing to redact',
      'Worker ready on agent_execution_runner',
      [KEY],
      'Worker ready on agent_execution_runner',
      [],
    ],
  ])('%s', (_, text, secrets, redacted, gone) => {
    expect(redactSecrets(text, secrets)).toBe(redacted);
    for (const secret of gone) expect(redactSecrets(text, secrets)).not.toContain(secret);
  });

  it('MIN_REDACTED_LENGTH is the documented 4', () => expect(MIN_REDACTED_LENGTH).toBe(4));

  it('secretValues lists every secret of the runner and the Temporal connection', () => {
    expect(
      secretValues({
        llmApiKey: KEY,
        llmBaseUrl: 'http://u:p%40ss@localhost:11434',
        temporal: {
          apiKey: 'temporal-key-1',
          clientKey: { source: 'env:TEMPORAL_TLS_CLIENT_KEY_DATA', data: PEM },
          clientCert: { source: 'env:TEMPORAL_TLS_CLIENT_CERT_PATH', path: '/c.pem' },
          metadata: { 'x-tenant': 'tenant-secret-42' },
        },
      }),
    ).toEqual([KEY, 'p%40ss', 'p@ss', 'temporal-key-1', PEM, 'tenant-secret-42']);
  });
});
