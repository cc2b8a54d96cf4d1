import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { resolveConfig } from '../core/settings/cascade';
import { redactSecrets } from '../core/settings/secrets';
import { attempted, redactDeep } from './failures';
import { knownSecretValues } from './known-secrets';

describe('what a worker redacts from failures and log tails (issue 23)', () => {
  const home = mkdtempSync(join(tmpdir(), 'known-secrets-'));
  mkdirSync(join(home, '.stigmer'));
  writeFileSync(
    join(home, '.stigmer/config.yaml'),
    'backend:\n  local:\n    llm:\n      api_key: sk-from-the-file-9\n',
  );
  const worker = {
    homeDir: home,
    env: {
      OPENAI_API_KEY: 'sk-openai-env-1',
      STIGMER_LLM_BASE_URL: 'http://u:p%40ssword@localhost:11434',
      TEMPORAL_API_KEY: 'temporal-key-env-2',
      TEMPORAL_GRPC_META_X_TENANT: 'tenant-secret-3',
    },
  };

  it.each([
    ['an env API key', 'sk-openai-env-1'],
    ["the worker's own config file key", 'sk-from-the-file-9'],
    ["the base URL's password, as written", 'p%40ssword'],
    ["the base URL's password, decoded", 'p@ssword'],
    ['the Temporal API key', 'temporal-key-env-2'],
    ['a gRPC metadata value', 'tenant-secret-3'],
  ])('%s', (_, secret) => {
    const secrets = knownSecretValues(worker);
    const details = { attempt: 1, issues: [{ source: 'x', message: `saw ${secret} in a log` }] };
    expect(JSON.stringify(redactDeep(details, (text) => redactSecrets(text, secrets)))).not.toContain(secret);
  });

  it('a worker whose config does not resolve still redacts its env secrets', () => {
    const broken = { homeDir: home, env: { ...worker.env, STIGMER_CONFIG: join(home, 'missing.yaml') } };
    expect(knownSecretValues(broken)).toContain('sk-openai-env-1');
  });

  describe("a failure redacts the secrets the provision's own config names", () => {
    const triggerHome = mkdtempSync(join(tmpdir(), 'known-secrets-trigger-'));
    const fileText = 'backend:\n  local:\n    llm:\n      provider: openai\n      api_key: sk-trigger-file-7\n';
    mkdirSync(join(triggerHome, '.stigmer'));
    writeFileSync(join(triggerHome, '.stigmer/config.yaml'), fileText);
    const { config } = resolveConfig({ flags: {}, env: {}, homeDir: triggerHome, fileText });
    const leaky = attempted(async (_request: unknown) => {
      throw new Error('the runner printed sk-trigger-file-7');
    }, worker);

    it.each([
      ['the config as an argument', config],
      ['the config in a request', { config, workflowId: 'w' }],
    ])('%s', async (_, request) => {
      const failure = await new MockActivityEnvironment().run(leaky, request).catch((error: Error) => error);
      expect((failure as Error).message).toMatch(/the runner printed/);
      expect(JSON.stringify(failure)).not.toContain('sk-trigger-file-7');
      expect((failure as Error).message).not.toContain('sk-trigger-file-7');
    });
  });
});
