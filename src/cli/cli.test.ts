/** The CLI's dry run and its input errors, in process (no engine needed with --platform). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main';

let home: string;
beforeAll(async () => (home = await mkdtemp(join(tmpdir(), 'stigmer-cli-'))));
afterAll(() => rm(home, { recursive: true, force: true }));

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  try {
    const code = await main(args, { HOME: home, ...env });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe('plan --platform', () => {
  it.each([
    ['linux', 'host', [], '127.0.0.1:7233', 'http://127.0.0.1:11434'],
    ['darwin', 'bridge', [], 'host.docker.internal:7233', 'http://host.docker.internal:11434'],
    ['win32', 'bridge', [], 'host.docker.internal:7233', 'http://host.docker.internal:11434'],
  ])('%s plans %s', async (platform, mode, extraHosts, temporal, ollama) => {
    const { code, stdout } = await cli(['plan', '--platform', platform, '--json']);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(Object.keys(plan)).toEqual(expect.arrayContaining(['config', 'sources', 'network', 'env']));
    expect(plan.network).toMatchObject({ mode, extraHosts });
    expect(plan.env).toMatchObject({ TEMPORAL_SERVICE_ADDRESS: temporal, OLLAMA_BASE_URL: ollama });
    expect(plan.sources['llm.model']).toBe('default');
  });

  it('shows where each value came from, and masks secrets while saying they are set', async () => {
    const file = join(home, 'config.yaml');
    await writeFile(file, 'backend:\n  local:\n    llm:\n      provider: anthropic\n      api_key: sk-from-file-123\n');
    const { code, stdout } = await cli(['plan', '--platform', 'darwin', '--config', file, '--json', '--runner', 'r2'], {
      STIGMER_LLM_MODEL: 'claude-opus-4',
    });
    expect(code).toBe(0);
    expect(stdout).not.toContain('sk-from-file-123');
    const plan = JSON.parse(stdout);
    expect(plan.env.STIGMER_LLM_API_KEY).toBe('***');
    expect(plan.sources).toMatchObject({
      'llm.provider': `file:${file}#backend.local.llm.provider`,
      'llm.model': 'env:STIGMER_LLM_MODEL',
      'runner.name': 'flag:--runner',
    });
    expect(plan.config.llm.apiKeySource).toBe(`file:${file}#backend.local.llm.api_key`);

    const text = await cli(['plan', '--platform', 'darwin', '--config', file]);
    expect(text.stdout).toContain(`llm.apiKey: set [file:${file}#backend.local.llm.api_key]`);
    expect(text.stdout).toContain('STIGMER_LLM_API_KEY=***');
    expect(text.stdout).not.toContain('sk-from-file-123');
  });
});

describe('help', () => {
  it.each([
    ['run', '--help'],
    ['plan', '--help'],
    ['status', '--help'],
    ['logs', '--help'],
    ['teardown', '-h'],
    ['worker', '-h'],
    ['plan', '--platform', 'solaris', '--help'], // help wins over the other flags: nothing is checked or run
  ])("%s %s… prints that command's usage and exits 0", async (command, ...flags) => {
    const { code, stdout, stderr } = await cli([command, ...flags]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(new RegExp(`^usage:\n  stigmer-runner ${command} `));
    expect(stdout.match(/stigmer-runner/g)).toHaveLength(1);
  });

  it.each([['--help'], ['-h'], ['help']])('%s prints every command and exits 0', async (flag) => {
    const { code, stdout } = await cli([flag]);
    expect(code).toBe(0);
    for (const command of ['run', 'plan', 'status', 'logs', 'teardown', 'worker'])
      expect(stdout).toContain(`stigmer-runner ${command} `);
  });
});

describe('bad input exits 2 and names its source', () => {
  it.each<[string[], Record<string, string>, RegExp]>([
    [['plan', '--platform', 'solaris'], {}, /flag:--platform: "solaris" is not one of linux, darwin, win32/],
    [
      ['plan', '--platform', 'linux', '--network', 'mesh'],
      {},
      /flag:--network: "mesh" is not one of "auto", "host", "bridge"/,
    ],
    [
      ['plan', '--platform', 'linux'],
      { STIGMER_RUNNER_NETWORK: 'mesh' },
      /env:STIGMER_RUNNER_NETWORK: "mesh" is not one of "auto", "host", "bridge"/,
    ],
    [['plan', '--platform', 'linux', '--bogus'], {}, /Unknown option '--bogus'/],
    [['run', '--verify-attempts', 'many'], {}, /flag:--verify-attempts: "many" is not a positive whole number/],
    [['logs', '--tail', 'all'], {}, /flag:--tail: "all" is not a whole number/],
    [['launch'], {}, /unknown command "launch"/],
  ])('%j', async (args, env, message) => {
    const { code, stderr } = await cli(args, env);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
