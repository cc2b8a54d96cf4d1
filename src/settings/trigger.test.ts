import { resolutionEnv, triggerContext } from './trigger';

describe('credentials in a URL setting travel masked; the worker that uses them supplies them', () => {
  const env = {
    STIGMER_LLM_BASE_URL: 'http://u:pw@localhost:11434',
    STIGMER_RUNNER_NAME: 'r',
    ANTHROPIC_API_KEY: 'sk',
  };

  it('the trigger carries the URL masked, and no key', () => {
    const trigger = triggerContext(env, '/home/u');
    expect(trigger.env).toEqual({ STIGMER_LLM_BASE_URL: 'http://u:***@localhost:11434', STIGMER_RUNNER_NAME: 'r' });
    expect(JSON.stringify(trigger)).not.toMatch(/pw|sk/);
  });

  it.each([
    ['the same URL with its password', env, 'http://u:pw@localhost:11434'],
    ['another URL', { STIGMER_LLM_BASE_URL: 'http://u:pw@elsewhere:11434' }, 'http://u:***@localhost:11434'],
    ['nothing', {}, 'http://u:***@localhost:11434'],
  ])('a worker whose env has %s resolves it as %s', (_, workerEnv, resolved) => {
    expect(resolutionEnv(triggerContext(env, '/home/u'), workerEnv).STIGMER_LLM_BASE_URL).toBe(resolved);
  });
});
