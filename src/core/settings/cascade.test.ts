import { resolveConfig } from './cascade';
import type { ConfigFlags } from './types';
import { ConfigError } from './errors';

const HOME = '/home/u';
const FILE = `${HOME}/.stigmer/config.yaml`;

function resolve(env: Record<string, string> = {}, fileText?: string, flags: ConfigFlags = {}) {
  return resolveConfig({ env, flags, homeDir: HOME, fileText });
}

function issuesOf(env: Record<string, string>, fileText?: string, flags: ConfigFlags = {}) {
  try {
    resolve(env, fileText, flags);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig cascade', () => {
  it('uses the documented defaults with no env and no file', () => {
    const { config, secrets } = resolve();
    expect(config.llm.provider).toEqual({ value: 'ollama', source: 'default' });
    expect(config.llm.model).toEqual({ value: 'qwen2.5-coder:7b', source: 'default' });
    expect(config.llm.baseUrl).toEqual({ value: 'http://localhost:11434', source: 'default' });
    expect(config.temporal.address).toEqual({ value: 'localhost:7233', source: 'default' });
    expect(config.temporal.managed).toEqual({ value: true, source: 'default' });
    expect(config.backend.endpoint).toEqual({ value: 'localhost:7234', source: 'default' });
    expect(config.runner.name.value).toBe('stigmer-agent-runner');
    expect(config.runner.image.value).toBe('ghcr.io/stigmer/agent-runner:latest');
    expect(config.runner.workspaceDir.value).toBe(`${HOME}/.stigmer/data/workspace`);
    expect(config.execution.mode.value).toBe('local');
    expect(config.configFile).toEqual({ path: FILE, source: 'default', found: false });
    expect(secrets).toEqual({});
  });

  it.each([
    ['anthropic', 'claude-sonnet-4.5', 'https://api.anthropic.com'],
    ['openai', 'gpt-4', 'https://api.openai.com/v1'],
    ['ollama', 'qwen2.5-coder:7b', 'http://localhost:11434'],
  ])('provider %s defaults model %s and base URL %s', (provider, model, baseUrl) => {
    const { config } = resolve({ STIGMER_LLM_PROVIDER: provider });
    expect(config.llm.provider).toEqual({ value: provider, source: 'env:STIGMER_LLM_PROVIDER' });
    expect(config.llm.model.value).toBe(model);
    expect(config.llm.baseUrl.value).toBe(baseUrl);
  });

  const file = `
backend:
  type: local
  local:
    llm:
      provider: ollama
      model: llama3.2:3b
      base_url: http://192.168.1.20:11434
    temporal:
      managed: false
      address: temporal.lan:7233
    runner:
      image: example/runner:1
`;

  it('file beats defaults, env beats file, flags beat env — and each value says where it came from', () => {
    const fromFile = resolve({}, file).config;
    expect(fromFile.llm.model).toEqual({ value: 'llama3.2:3b', source: `file:${FILE}#backend.local.llm.model` });
    expect(fromFile.temporal.address).toEqual({
      value: 'temporal.lan:7233',
      source: `file:${FILE}#backend.local.temporal.address`,
    });
    expect(fromFile.configFile.found).toBe(true);

    const fromEnv = resolve({ STIGMER_LLM_MODEL: 'qwen3:8b', STIGMER_RUNNER_IMAGE: 'env/runner:2' }, file).config;
    expect(fromEnv.llm.model).toEqual({ value: 'qwen3:8b', source: 'env:STIGMER_LLM_MODEL' });
    expect(fromEnv.runner.image).toEqual({ value: 'env/runner:2', source: 'env:STIGMER_RUNNER_IMAGE' });

    const fromFlag = resolve({ STIGMER_RUNNER_IMAGE: 'env/runner:2' }, file, { image: 'flag/runner:3' }).config;
    expect(fromFlag.runner.image).toEqual({ value: 'flag/runner:3', source: 'flag:--image' });
  });

  it('Temporal: TEMPORAL_SERVICE_ADDRESS means external; else managed localhost:7233; else the file address', () => {
    expect(resolve({ TEMPORAL_SERVICE_ADDRESS: 'tmp.example:7233' }, file).config.temporal).toMatchObject({
      address: { value: 'tmp.example:7233', source: 'env:TEMPORAL_SERVICE_ADDRESS' },
      managed: { value: false },
    });
    const managedFile = 'backend:\n  local:\n    temporal:\n      managed: true\n      address: ignored:1\n';
    expect(resolve({}, managedFile).config.temporal.address).toEqual({
      value: 'localhost:7233',
      source: `file:${FILE}#backend.local.temporal.managed`,
    });
    expect(resolve({}, file).config.temporal.managed.value).toBe(false);
  });

  it('API keys: the provider env var beats the file; only the source leaves, the value goes to secrets', () => {
    const keyed = 'backend:\n  local:\n    llm:\n      provider: anthropic\n      api_key: sk-file\n';
    const fromFile = resolve({}, keyed);
    expect(fromFile.config.llm.apiKeySource).toBe(`file:${FILE}#backend.local.llm.api_key`);
    expect(fromFile.secrets.llmApiKey).toBe('sk-file');
    const fromEnv = resolve({ ANTHROPIC_API_KEY: 'sk-env' }, keyed);
    expect(fromEnv.config.llm.apiKeySource).toBe('env:ANTHROPIC_API_KEY');
    expect(fromEnv.secrets.llmApiKey).toBe('sk-env');
    expect(JSON.stringify(fromEnv.config)).not.toContain('sk-');
    expect(resolve({ OPENAI_API_KEY: 'sk-o', STIGMER_LLM_PROVIDER: 'anthropic' }).config.llm.apiKeySource).toBeNull();
  });

  it.each([
    '/srv/stigmer/workspace',
    'C:\\Users\\me\\stigmer\\workspace',
    'D:/stigmer/workspace',
    '\\\\nas\\share\\workspace',
  ])('workspace dir %j is absolute', (dir) => {
    expect(resolve({ STIGMER_RUNNER_WORKSPACE_DIR: dir }).config.runner.workspaceDir).toEqual({
      value: dir,
      source: 'env:STIGMER_RUNNER_WORKSPACE_DIR',
    });
  });

  it('an empty env var counts as unset', () => {
    expect(resolve({ STIGMER_LLM_MODEL: '' }).config.llm.model.source).toBe('default');
  });

  it('STIGMER_CONFIG and --config choose the file; a chosen file that is missing is an error', () => {
    expect(resolve({ STIGMER_CONFIG: '/etc/s.yaml' }, 'backend: {}').config.configFile).toEqual({
      path: '/etc/s.yaml',
      source: 'env:STIGMER_CONFIG',
      found: true,
    });
    expect(issuesOf({}, undefined, { config: '/nope.yaml' })).toEqual([
      { source: 'flag:--config', message: 'config file /nope.yaml does not exist' },
    ]);
  });

  it('unknown keys in the sections we read are warned about, with their file and key', () => {
    const typo = 'backend:\n  local:\n    llm:\n      modle: x\n    other_tool:\n      anything: 1\n';
    expect(resolve({}, typo).config.warnings).toEqual([`file:${FILE}#backend.local.llm.modle: unknown key, ignored`]);
  });
});

describe('resolveConfig rejects bad input, naming every source at once', () => {
  it.each<[string, Record<string, string>, string | undefined, ConfigFlags, Array<[string, RegExp]>]>([
    [
      'malformed YAML',
      {},
      'backend:\n  local: [unclosed\n',
      {},
      [[`file:${FILE}`, /not valid YAML \(line \d+, column \d+\)/]],
    ],
    [
      'an alias to no anchor (found by fuzzing)',
      {},
      'backend: *nowhere\n',
      {},
      // The alias's name is the file's own text (it may be a secret): not echoed.
      [[`file:${FILE}`, /^not valid YAML: Unresolved alias \(the anchor must be set before the alias\)$/]],
    ],
    ['a document that is a list', {}, '- a\n- b\n', {}, [[`file:${FILE}`, /must be a mapping/]]],
    [
      'a section that is a scalar',
      {},
      'backend:\n  local: 5\n',
      {},
      [[`file:${FILE}#backend.local`, /must be a mapping/]],
    ],
    [
      'a model of the wrong type',
      {},
      'backend:\n  local:\n    llm:\n      model: 7\n',
      {},
      [[`file:${FILE}#backend.local.llm.model`, /7 is not a string/]],
    ],
    [
      'an unsupported provider in env',
      { STIGMER_LLM_PROVIDER: 'gemini' },
      undefined,
      {},
      [['env:STIGMER_LLM_PROVIDER', /"gemini" is not one of "ollama", "anthropic", "openai"/]],
    ],
    [
      'an empty model in the file',
      {},
      'backend:\n  local:\n    llm:\n      model: ""\n',
      {},
      [[`file:${FILE}#backend.local.llm.model`, /must not be empty/]],
    ],
    [
      'a base URL without scheme',
      { STIGMER_LLM_BASE_URL: 'localhost:11434' },
      undefined,
      {},
      [['env:STIGMER_LLM_BASE_URL', /is not an http:\/\/ or https:\/\/ URL: it has no scheme/]],
    ],
    [
      'a Temporal address with a scheme',
      { TEMPORAL_SERVICE_ADDRESS: 'http://localhost:7233' },
      undefined,
      {},
      [['env:TEMPORAL_SERVICE_ADDRESS', /without a scheme/]],
    ],
    [
      'a backend endpoint without port',
      { STIGMER_BACKEND_ENDPOINT: 'localhost' },
      undefined,
      {},
      [['env:STIGMER_BACKEND_ENDPOINT', /must name a port/]],
    ],
    [
      'a port out of range',
      { TEMPORAL_SERVICE_ADDRESS: 'localhost:70000' },
      undefined,
      {},
      [['env:TEMPORAL_SERVICE_ADDRESS', /outside 1-65535/]],
    ],
    [
      'a relative workspace dir',
      { STIGMER_RUNNER_WORKSPACE_DIR: 'stigmer/workspace' },
      undefined,
      {},
      [['env:STIGMER_RUNNER_WORKSPACE_DIR', /must be an absolute path/]],
    ],
    [
      'a drive-relative workspace dir',
      { STIGMER_RUNNER_WORKSPACE_DIR: 'C:workspace' },
      undefined,
      {},
      [['env:STIGMER_RUNNER_WORKSPACE_DIR', /must be an absolute path/]],
    ],
    [
      'a network that does not exist',
      { STIGMER_RUNNER_NETWORK: 'overlay' },
      undefined,
      {},
      [['env:STIGMER_RUNNER_NETWORK', /"overlay" is not one of "auto", "host", "bridge"/]],
    ],
    ['a runner name Docker refuses', {}, undefined, { runner: 'my runner' }, [['flag:--runner', /leading|must match/]]],
    [
      'a quoted env value',
      { STIGMER_LLM_MODEL: '"qwen"' },
      undefined,
      {},
      // shown as typed, quotes and all (not JSON-escaped: the quotes are the point)
      [['env:STIGMER_LLM_MODEL', /^"qwen" is wrapped in quotes; remove them$/]],
    ],
    [
      'an env value with a trailing space',
      { STIGMER_LLM_MODEL: 'qwen ' },
      undefined,
      {},
      [['env:STIGMER_LLM_MODEL', /trailing white space/]],
    ],
    [
      'backend.type cloud',
      {},
      'backend:\n  type: cloud\n',
      {},
      [[`file:${FILE}#backend.type`, /only backend.type "local"/]],
    ],
    [
      'managed that is not a boolean',
      {},
      'backend:\n  local:\n    temporal:\n      managed: maybe\n',
      {},
      [[`file:${FILE}#backend.local.temporal.managed`, /"maybe"/]],
    ],
    [
      'several problems at once',
      { STIGMER_LLM_PROVIDER: 'gemini', STIGMER_RUNNER_NETWORK: 'none' },
      'backend:\n  local:\n    endpoint: nope\n',
      {},
      [
        ['env:STIGMER_RUNNER_NETWORK', /"none"/],
        ['env:STIGMER_LLM_PROVIDER', /"gemini"/],
        [`file:${FILE}#backend.local.endpoint`, /must name a port/],
      ],
    ],
  ])('%s', (_name, env, fileText, flags, expected) => {
    const issues = issuesOf(env, fileText, flags);
    expect(issues).toHaveLength(expected.length);
    for (const [source, message] of expected) {
      expect(issues).toContainEqual({ source, message: expect.stringMatching(message) });
    }
  });

  it.each([
    ['localhost:11434/v1', '"localhost:11434/v1" is not an http:// or https:// URL: it has no scheme'],
    [
      'htp:/x',
      '"htp:/x" is not an http:// or https:// URL: scheme "htp:" is not http: or https:, and "//" is missing after it',
    ],
    ['ftp://x', '"ftp://x" is not an http:// or https:// URL: scheme "ftp:" is not http: or https:'],
    ['http:/x', '"http:/x" is not an http:// or https:// URL: "//" is missing after "http:"'],
    ['HTTPS:example.com', '"HTTPS:example.com" is not an http:// or https:// URL: "//" is missing after "HTTPS:"'],
    ['1http://x', '"1http://x" is not an http:// or https:// URL: "1http:" is not a scheme'],
    ['http://', '"http://" is not a valid address: it has no host'],
    ['http://localhost:port', '"http://localhost:port" is not a valid address: port "port" is not a number'],
  ])('base URL %j: the message says why', (value, message) => {
    expect(issuesOf({ STIGMER_LLM_BASE_URL: value })).toEqual([{ source: 'env:STIGMER_LLM_BASE_URL', message }]);
  });

  it('the error message lists every issue with its source', () => {
    try {
      resolve({ STIGMER_LLM_PROVIDER: 'gemini', STIGMER_RUNNER_PULL: 'sometimes' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      const lines = (error as Error).message.split('\n');
      expect(lines[0]).toBe('Invalid configuration:');
      expect(lines).toContain('  - env:STIGMER_RUNNER_PULL: "sometimes" is not one of "missing", "never", "always"');
      expect(lines).toContain('  - env:STIGMER_LLM_PROVIDER: "gemini" is not one of "ollama", "anthropic", "openai"');
    }
  });
});

describe('a base URL with credentials', () => {
  it.each([
    ['http://stigmer:s3cret@localhost:11434', 'http://stigmer:***@localhost:11434'],
    ['https://tok3n@ollama.example.com/v1', 'https://***@ollama.example.com/v1'],
  ])('%s is recorded as %s; the original is a secret', (url, masked) => {
    const { config, secrets } = resolveConfig({
      flags: {},
      env: { STIGMER_LLM_BASE_URL: url },
      homeDir: '/home/u',
      fileText: undefined,
    });
    expect(config.llm.baseUrl).toEqual({ value: masked, source: 'env:STIGMER_LLM_BASE_URL' });
    expect(JSON.stringify(config)).not.toMatch(/s3cret|tok3n/);
    expect(secrets.llmBaseUrl).toBe(url);
  });

  it('a URL without credentials is no secret', () => {
    expect(
      resolveConfig({
        flags: {},
        env: { STIGMER_LLM_BASE_URL: 'http://localhost:11434' },
        homeDir: '/home/u',
        fileText: undefined,
      }).secrets.llmBaseUrl,
    ).toBeUndefined();
  });
});

describe('a problem with a secret-bearing setting never quotes the secret (issue 23)', () => {
  const llm = (lines: string) => `backend:\n  local:\n    llm:\n${lines}`;
  const temporal = (address: string) => `backend:\n  local:\n    temporal:\n      address: "${address}"\n`;
  it.each<[string, Record<string, string>, string | undefined, string, RegExp, string[]]>([
    [
      'a "#" in the base URL\'s password (env)',
      { STIGMER_LLM_BASE_URL: 'http://u:p#ss@localhost:11434' },
      undefined,
      'env:STIGMER_LLM_BASE_URL',
      /"http:\/\/u:\*\*\*@localhost:11434" is not a valid address: it has a password \(masked here\)/,
      ['p#ss', 'port "p"'],
    ],
    [
      'a "/" and "?" in the base URL\'s password (file)',
      {},
      llm('      base_url: "http://me:a/b?c@localhost:11434"\n'),
      `file:${FILE}#backend.local.llm.base_url`,
      /password \(masked here\)/,
      ['a/b?c', 'b?c'],
    ],
    [
      'a valid password and then an invalid port',
      { STIGMER_LLM_BASE_URL: 'http://u:hunter22@localhost:99999' },
      undefined,
      'env:STIGMER_LLM_BASE_URL',
      /"http:\/\/u:\*\*\*@localhost:99999" is not a valid address: port 99999 is outside/,
      ['hunter22'],
    ],
    [
      'white space around a credentialed base URL',
      { STIGMER_LLM_BASE_URL: ' http://u:hunter22@localhost:11434' },
      undefined,
      'env:STIGMER_LLM_BASE_URL',
      /has leading or trailing white space/,
      ['hunter22'],
    ],
    [
      'a token in a Temporal address from the file',
      {},
      temporal('tok#en99@localhost:7233'),
      `file:${FILE}#backend.local.temporal.address`,
      // read naively as host "tok" and a fragment: the password moved the host, so it is refused
      /"\*\*\*@localhost:7233" is not a valid address: it has a password \(masked here\)/,
      ['tok#en99', 'en99'],
    ],
    [
      'a password in a Temporal endpoint that parses',
      { TEMPORAL_SERVICE_ADDRESS: 'u:hunter22@localhost:7233' },
      undefined,
      'env:TEMPORAL_SERVICE_ADDRESS',
      /"u:\*\*\*@localhost:7233" must not carry credentials/,
      ['hunter22'],
    ],
    [
      'a password in the backend endpoint that parses',
      { STIGMER_BACKEND_ENDPOINT: 'u:hunter22@localhost:7234' },
      undefined,
      'env:STIGMER_BACKEND_ENDPOINT',
      /must not carry credentials/,
      ['hunter22'],
    ],
    [
      'a password in a backend endpoint with a scheme',
      { STIGMER_BACKEND_ENDPOINT: 'http://u:hunter22@localhost:7234' },
      undefined,
      'env:STIGMER_BACKEND_ENDPOINT',
      /must be host:port without a scheme/,
      ['hunter22'],
    ],
    [
      'an API key that is a number',
      {},
      llm('      api_key: 123456789012\n'),
      `file:${FILE}#backend.local.llm.api_key`,
      /the value \(not shown: a secret\) is not a string/,
      ['123456789012'],
    ],
    [
      'an API key that is a list',
      {},
      llm('      api_key: [sk-ant-abcdef]\n'),
      `file:${FILE}#backend.local.llm.api_key`,
      /not shown: a secret/,
      ['sk-ant-abcdef'],
    ],
    [
      'an API key of white space only',
      {},
      llm('      api_key: "   "\n'),
      `file:${FILE}#backend.local.llm.api_key`,
      /not shown: a secret\) must not be empty/,
      ['"   "'],
    ],
  ])('%s', (_, env, fileText, source, message, secrets) => {
    const issues = issuesOf(env, fileText);
    const issue = issues.find((entry) => entry.source === source);
    expect(issue?.message).toMatch(message);
    for (const secret of secrets) expect(JSON.stringify(issues)).not.toContain(secret);
  });
});
