import { planNetworking } from './network-plan';
import { buildRunnerEnv, maskSecrets, RUNNER_READS, toDockerEnv } from './runner-env';
import { configFrom, ENGINES } from './test-fixtures';

/** Names Stigmer once set that the runner never reads (REFERENCE: known drift). */
const NAMES_THE_RUNNER_IGNORES = ['STIGMER_BACKEND_URL', 'TASK_QUEUE', 'WORKSPACE_ROOT', 'STIGMER_LLM_BASE_URL'];

describe('buildRunnerEnv', () => {
  it.each(Object.keys(ENGINES).filter((engine) => !engine.startsWith('remote')))('sets only names the runner reads, and every one it needs (%s)', (engine) => {
    const config = configFrom();
    const env = buildRunnerEnv(config, planNetworking(config, ENGINES[engine]), { llmApiKey: 'sk-test' });
    for (const name of Object.keys(env)) expect(RUNNER_READS).toContain(name);
    for (const name of NAMES_THE_RUNNER_IGNORES) expect(env).not.toHaveProperty(name);
    expect(Object.keys(env).sort()).toEqual(
      [
        'MODE', 'TEMPORAL_SERVICE_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE', 'STIGMER_BACKEND_ENDPOINT',
        'STIGMER_LLM_PROVIDER', 'STIGMER_LLM_MODEL', 'OLLAMA_BASE_URL', 'STIGMER_LLM_API_KEY', 'SANDBOX_TYPE', 'SANDBOX_ROOT_DIR',
        'STIGMER_EXECUTION_MODE', 'STIGMER_SANDBOX_IMAGE',
      ].sort(),
    );
  });

  it('hands the container the planned addresses, the workspace it mounts, and the task queue the runner polls', () => {
    const config = configFrom({ STIGMER_BACKEND_ENDPOINT: 'localhost:7300', TEMPORAL_NAMESPACE: 'stigmer' });
    const env = buildRunnerEnv(config, planNetworking(config, ENGINES.desktopMac), {});
    expect(env).toMatchObject({
      MODE: 'local',
      TEMPORAL_SERVICE_ADDRESS: 'host.docker.internal:7233',
      TEMPORAL_NAMESPACE: 'stigmer',
      TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE: 'agent_execution_runner',
      STIGMER_BACKEND_ENDPOINT: 'host.docker.internal:7300',
      OLLAMA_BASE_URL: 'http://host.docker.internal:11434',
      SANDBOX_ROOT_DIR: '/workspace',
    });
    expect(env).not.toHaveProperty('STIGMER_LLM_API_KEY');
  });

  it('sets no OLLAMA_BASE_URL for other providers (the runner reads no base URL for them)', () => {
    const config = configFrom({ STIGMER_LLM_PROVIDER: 'anthropic' });
    const env = buildRunnerEnv(config, planNetworking(config, ENGINES.nativeLinux), {});
    expect(env).not.toHaveProperty('OLLAMA_BASE_URL');
    expect(env.STIGMER_LLM_MODEL).toBe('claude-sonnet-4.5');
  });

  it('STIGMER_BACKEND_ENDPOINT is host:port with no scheme', () => {
    const config = configFrom();
    const env = buildRunnerEnv(config, planNetworking(config, ENGINES.nativeLinux), {});
    expect(env.STIGMER_BACKEND_ENDPOINT).toBe('127.0.0.1:7234');
  });

  it('masks secrets for display and renders NAME=value in a stable order', () => {
    const config = configFrom();
    const env = buildRunnerEnv(config, planNetworking(config, ENGINES.nativeLinux), { llmApiKey: 'sk-secret' });
    expect(maskSecrets(env).STIGMER_LLM_API_KEY).toBe('***');
    expect(JSON.stringify(maskSecrets(env))).not.toContain('sk-secret');
    const lines = toDockerEnv(env);
    expect(lines[0]).toBe('MODE=local');
    expect(lines).toContain('STIGMER_LLM_API_KEY=sk-secret');
    expect(lines.map((line) => RUNNER_READS.indexOf(line.split('=')[0] as (typeof RUNNER_READS)[number]))).toEqual(
      [...lines.map((line) => RUNNER_READS.indexOf(line.split('=')[0] as (typeof RUNNER_READS)[number]))].sort((a, b) => a - b),
    );
  });
});
