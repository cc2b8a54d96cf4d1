/**
 * The bad-input corpus: every case exits 2 with exactly this message — naming the env var, the flag,
 * or the file and key — and nothing is created. Unknown keys are the one exception by design: the
 * file is shared with Stigmer, so they are warned about (with file and key) and ignored.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useE2E } from '../support/e2e-harness';

jest.setTimeout(120_000);

const e2e = useE2E();

interface Case {
  name: string;
  args?: string[];
  env?: Record<string, string>;
  /** Config file text, written to <home>/<case>.yaml and passed with --config. */
  file?: string;
  /** Expected stderr lines after "Invalid configuration:"; FILE stands for the config file's path. */
  lines: string[];
}

const CORPUS: Case[] = [
  {
    name: 'malformed YAML',
    file: 'backend:\n  local:\n    llm: [unclosed\n',
    lines: [
      '  - file:FILE: not valid YAML (line 4, column 1): Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  },
  {
    name: 'a document that is a list',
    file: '- backend\n- local\n',
    lines: ['  - file:FILE: the document must be a mapping of keys to values'],
  },
  {
    name: 'a section that is a scalar',
    file: 'backend:\n  local: 5\n',
    lines: ['  - file:FILE#backend.local: must be a mapping of keys to values'],
  },
  {
    name: 'a model of the wrong type',
    file: 'backend:\n  local:\n    llm:\n      model: 7\n',
    lines: ['  - file:FILE#backend.local.llm.model: 7 is not a string'],
  },
  {
    name: 'managed that is not a boolean',
    file: 'backend:\n  local:\n    temporal:\n      managed: maybe\n',
    lines: ['  - file:FILE#backend.local.temporal.managed: "maybe" must be true or false'],
  },
  {
    name: 'an empty model in the file',
    file: 'backend:\n  local:\n    llm:\n      model: ""\n',
    lines: ['  - file:FILE#backend.local.llm.model: "" must not be empty'],
  },
  {
    name: 'a base URL with no host',
    file: 'backend:\n  local:\n    llm:\n      base_url: "http://"\n',
    lines: ['  - file:FILE#backend.local.llm.base_url: "http://" is not a valid address: it has no host'],
  },
  {
    name: 'backend.type cloud',
    file: 'backend:\n  type: cloud\n',
    lines: [
      '  - file:FILE#backend.type: "cloud" is not supported: only backend.type "local" runs a local agent-runner',
    ],
  },
  {
    name: 'a base URL that is not http',
    env: { STIGMER_LLM_BASE_URL: 'ftp://x' },
    lines: [
      '  - env:STIGMER_LLM_BASE_URL: "ftp://x" is not an http:// or https:// URL: scheme "ftp:" is not http: or https:',
    ],
  },
  {
    name: 'a base URL with a broken scheme',
    env: { STIGMER_LLM_BASE_URL: 'htp:/x' },
    lines: [
      '  - env:STIGMER_LLM_BASE_URL: "htp:/x" is not an http:// or https:// URL: scheme "htp:" is not http: or https:, and "//" is missing after it',
    ],
  },
  {
    name: 'port 0',
    env: { TEMPORAL_SERVICE_ADDRESS: 'localhost:0' },
    lines: ['  - env:TEMPORAL_SERVICE_ADDRESS: "localhost:0" is not a valid address: port 0 is outside 1-65535'],
  },
  {
    name: 'a port over 65535',
    env: { STIGMER_BACKEND_ENDPOINT: 'localhost:99999' },
    lines: [
      '  - env:STIGMER_BACKEND_ENDPOINT: "localhost:99999" is not a valid address: port 99999 is outside 1-65535',
    ],
  },
  {
    name: 'a backend endpoint with a scheme',
    env: { STIGMER_BACKEND_ENDPOINT: 'http://localhost:7234' },
    lines: ['  - env:STIGMER_BACKEND_ENDPOINT: "http://localhost:7234" must be host:port without a scheme'],
  },
  {
    name: 'an unsupported provider',
    env: { STIGMER_LLM_PROVIDER: 'gemini' },
    lines: ['  - env:STIGMER_LLM_PROVIDER: "gemini" is not one of "ollama", "anthropic", "openai"'],
  },
  {
    name: 'a network override that does not exist (env)',
    env: { STIGMER_RUNNER_NETWORK: 'none' },
    lines: ['  - env:STIGMER_RUNNER_NETWORK: "none" is not one of "auto", "host", "bridge"'],
  },
  {
    name: 'a network override that does not exist (flag)',
    args: ['--network', 'mesh'],
    lines: ['  - flag:--network: "mesh" is not one of "auto", "host", "bridge"'],
  },
  {
    name: 'a network override that does not exist (file)',
    file: 'backend:\n  local:\n    runner:\n      network: overlay\n',
    lines: ['  - file:FILE#backend.local.runner.network: "overlay" is not one of "auto", "host", "bridge"'],
  },
  {
    name: 'a runner name Docker refuses',
    args: ['--runner', 'a b'],
    lines: ['  - flag:--runner: "a b" must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (a Docker container name)'],
  },
  {
    name: 'a config path that does not exist (flag)',
    args: ['--config', '/nonexistent/stigmer.yaml'],
    lines: ['  - flag:--config: config file /nonexistent/stigmer.yaml does not exist'],
  },
  {
    name: 'a config path that does not exist (env)',
    env: { STIGMER_CONFIG: '/nonexistent/stigmer.yaml' },
    lines: ['  - env:STIGMER_CONFIG: config file /nonexistent/stigmer.yaml does not exist'],
  },
  {
    name: 'a config path that cannot be read as a file',
    args: ['--config', '/'],
    lines: ['  - flag:--config: / is a directory, not a config file'],
  },
  {
    name: 'an env value with white space',
    env: { STIGMER_LLM_MODEL: 'qwen2.5-coder:7b ' },
    lines: ['  - env:STIGMER_LLM_MODEL: "qwen2.5-coder:7b " has leading or trailing white space'],
  },
  {
    name: 'an env value in quotes',
    env: { STIGMER_LLM_MODEL: '"qwen2.5-coder:7b"' },
    lines: ['  - env:STIGMER_LLM_MODEL: "qwen2.5-coder:7b" is wrapped in quotes; remove them'],
  },
  {
    name: 'several problems from several sources, all reported',
    env: { STIGMER_LLM_PROVIDER: 'gemini', STIGMER_RUNNER_PULL: 'sometimes' },
    file: 'backend:\n  local:\n    endpoint: nope\n',
    lines: [
      '  - env:STIGMER_LLM_PROVIDER: "gemini" is not one of "ollama", "anthropic", "openai"',
      '  - env:STIGMER_RUNNER_PULL: "sometimes" is not one of "missing", "never", "always"',
      '  - file:FILE#backend.local.endpoint: "nope" must name a port (host:port)',
    ],
  },
];

describe('bad input exits 2 with the exact message and creates nothing', () => {
  it.each(CORPUS.map((entry) => [entry.name, entry]))('%s', async (_name, entry) => {
    const runner = `bad-${CORPUS.indexOf(entry)}-${process.pid}`;
    const file = join(e2e.home, `${runner}.yaml`);
    if (entry.file !== undefined) await writeFile(file, entry.file);
    const args = ['run', ...(entry.file !== undefined ? ['--config', file] : []), ...(entry.args ?? [])];
    const run = await e2e.cli(args, {
      STIGMER_RUNNER_NAME: runner,
      TEMPORAL_SERVICE_ADDRESS: `localhost:${e2e.temporal.port}`,
      ...entry.env,
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: ['Invalid configuration:', ...entry.lines.map((line) => line.replace('FILE', file))].join('\n') + '\n',
    });
    expect(await e2e.runnerContainers(runner)).toEqual([]);
    expect(await e2e.docker.listContainers({ all: true, filters: { name: ['^/bad-'] } })).toEqual([]);
  });
});

test('unknown keys in the sections we read are warned about with file and key, and do not stop a plan', async () => {
  await mkdir(e2e.home, { recursive: true });
  const file = join(e2e.home, 'typo.yaml');
  await writeFile(
    file,
    'backend:\n  local:\n    llm:\n      modle: qwen3\n    somebody_elses_section:\n      anything: 1\n',
  );
  const plan = await e2e.cli(['plan', '--platform', 'linux', '--config', file, '--json'], {});
  expect(plan.code).toBe(0);
  expect(JSON.parse(plan.stdout).warnings).toContain(`file:${file}#backend.local.llm.modle: unknown key, ignored`);
  expect(plan.stdout).not.toContain('somebody_elses_section');
});
