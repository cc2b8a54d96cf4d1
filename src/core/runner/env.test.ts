import { planNetworking } from './network-plan';
import { RUNNER_RELEASES, type RunnerReleaseId } from './releases';
import { buildRunnerEnv, maskSecrets, toDockerEnv } from './env';
import { configFrom, ENGINES } from '../test-fixtures';

/** Names Stigmer once set that no runner release reads (REFERENCE: known drift). */
const NAMES_NO_RUNNER_READS = ['STIGMER_BACKEND_URL', 'TASK_QUEUE', 'WORKSPACE_ROOT'];

const envFor = (id: RunnerReleaseId, engine = 'nativeLinux', env: Record<string, string> = {}, secrets = {}) => {
  const config = configFrom({ STIGMER_RUNNER_CONTRACT: id, ...env });
  return buildRunnerEnv(RUNNER_RELEASES[id], config, planNetworking(config, ENGINES[engine]), secrets);
};

describe('buildRunnerEnv', () => {
  const engines = Object.keys(ENGINES).filter((engine) => !engine.startsWith('remote'));
  it.each(Object.keys(RUNNER_RELEASES).flatMap((id) => engines.map((engine) => [id, engine])))(
    '%s on %s: sets only names that release reads',
    (id, engine) => {
      const contract = RUNNER_RELEASES[id as RunnerReleaseId];
      const env = envFor(contract.id, engine, {}, { llmApiKey: 'sk-test' });
      for (const name of Object.keys(env)) expect(contract.reads).toContain(name);
      for (const name of NAMES_NO_RUNNER_READS) expect(env).not.toHaveProperty(name);
    },
  );

  it.each([
    // contract, task queue variable, Ollama URL variable (or none), workspace variable
    [
      'python-2026-01',
      'TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE',
      'agent_execution_runner',
      'OLLAMA_BASE_URL',
      'SANDBOX_ROOT_DIR',
    ],
    [
      'python-native-2026',
      'STIGMER_TASK_QUEUE',
      'agent_execution_runner',
      'STIGMER_LLM_BASE_URL',
      'WORKSPACE_ROOT_DIR',
    ],
    ['typescript-2026', 'STIGMER_TASK_QUEUE', 'stigmer_runner', undefined, 'WORKSPACE_ROOT_DIR'],
  ] as const)(
    '%s: queue in %s (%s), Ollama URL in %s, workspace in %s',
    (id, queueName, queue, ollamaName, workspaceName) => {
      const env = envFor(id, 'desktopMac', {
        STIGMER_BACKEND_ENDPOINT: 'localhost:7300',
        TEMPORAL_NAMESPACE: 'stigmer',
      });
      expect(env).toMatchObject({
        MODE: 'local',
        TEMPORAL_SERVICE_ADDRESS: 'host.docker.internal:7233',
        TEMPORAL_NAMESPACE: 'stigmer',
        STIGMER_BACKEND_ENDPOINT: 'host.docker.internal:7300',
      });
      expect(env[queueName]).toBe(queue);
      expect(env[workspaceName]).toBe('/workspace');
      if (ollamaName) expect(env[ollamaName]).toBe('http://host.docker.internal:11434');
      // One variable per value: never the same value under a second, guessed name.
      const ollamaNames = ['OLLAMA_BASE_URL', 'STIGMER_LLM_BASE_URL'].filter((name) => name in env);
      expect(ollamaNames).toEqual(ollamaName ? [ollamaName] : []);
    },
  );

  it('the January 2026 release gets exactly the names it needs', () => {
    expect(Object.keys(envFor('python-2026-01', 'nativeLinux', {}, { llmApiKey: 'sk-test' })).sort()).toEqual(
      [
        'MODE',
        'TEMPORAL_SERVICE_ADDRESS',
        'TEMPORAL_NAMESPACE',
        'TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE',
        'STIGMER_BACKEND_ENDPOINT',
        'STIGMER_LLM_PROVIDER',
        'STIGMER_LLM_MODEL',
        'OLLAMA_BASE_URL',
        'STIGMER_LLM_API_KEY',
        'SANDBOX_TYPE',
        'SANDBOX_ROOT_DIR',
        'STIGMER_EXECUTION_MODE',
        'STIGMER_SANDBOX_IMAGE',
      ].sort(),
    );
  });

  it('the TypeScript release talks to no Ollama and takes no LLM settings of ours', () => {
    const env = envFor('typescript-2026', 'nativeLinux', {}, { llmApiKey: 'sk-test' });
    expect(Object.keys(env).sort()).toEqual(
      [
        'MODE',
        'TEMPORAL_SERVICE_ADDRESS',
        'TEMPORAL_NAMESPACE',
        'STIGMER_TASK_QUEUE',
        'STIGMER_BACKEND_ENDPOINT',
        'WORKSPACE_ROOT_DIR',
      ].sort(),
    );
    expect(JSON.stringify(env)).not.toContain('sk-test');
  });

  it('sets no Ollama URL for other providers (the runner reads no base URL for them)', () => {
    const env = envFor('python-2026-01', 'nativeLinux', { STIGMER_LLM_PROVIDER: 'anthropic' });
    expect(env).not.toHaveProperty('OLLAMA_BASE_URL');
    expect(env.STIGMER_LLM_MODEL).toBe('claude-sonnet-4.5');
  });

  it('STIGMER_BACKEND_ENDPOINT is host:port with no scheme', () => {
    expect(envFor('python-2026-01').STIGMER_BACKEND_ENDPOINT).toBe('127.0.0.1:7234');
  });

  it('masks secrets for display and renders NAME=value in the contract order', () => {
    const contract = RUNNER_RELEASES['python-2026-01'];
    const env = envFor(contract.id, 'nativeLinux', {}, { llmApiKey: 'sk-secret' });
    expect(maskSecrets(contract, env).STIGMER_LLM_API_KEY).toBe('***');
    expect(JSON.stringify(maskSecrets(contract, env))).not.toContain('sk-secret');
    const lines = toDockerEnv(contract, env);
    expect(lines[0]).toBe('MODE=local');
    expect(lines).toContain('STIGMER_LLM_API_KEY=sk-secret');
    const order = lines.map((line) => contract.reads.indexOf(line.split('=')[0]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe('credentials in the LLM base URL', () => {
  const config = configFrom({ STIGMER_LLM_BASE_URL: 'http://stigmer:s3cret@localhost:11434' });
  const secrets = { llmBaseUrl: 'http://stigmer:s3cret@localhost:11434' };

  it('reach the container, rewritten for its network, and are masked wherever the env is shown', () => {
    const contract = RUNNER_RELEASES['python-2026-01'];
    const env = buildRunnerEnv(contract, config, planNetworking(config, ENGINES.desktopMac), secrets);
    expect(env.OLLAMA_BASE_URL).toBe('http://stigmer:s3cret@host.docker.internal:11434');
    expect(maskSecrets(contract, env).OLLAMA_BASE_URL).toBe('http://stigmer:***@host.docker.internal:11434');
  });
});
