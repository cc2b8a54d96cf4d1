/**
 * The published contract: the committed files are what the code generates, the names are the ones
 * promised, the workflow's own input check and the schema give the same verdicts, and what the
 * workflow produces is what the schemas promise (checked by the compiler).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { committedContractFile, committedSchemaProblems } from '../../../test/support/contract';
import type { RemovedContainer } from '../../docker/runner-container';
import type { ProvisionProgress, ProvisionResult } from '../../workflows/provision-runner';
import { SETTING_ENV_NAMES } from '../settings/cascade';
import {
  CONTRACT_DIR,
  contractDocuments,
  provisionInputSchema,
  teardownInputSchema,
  type PublishedProgress,
  type PublishedResult,
  type TeardownResult,
} from './schemas';
import {
  EXIT_CODES,
  exitCodeFor,
  PROVISIONING_TASK_QUEUE,
  provisionWorkflowId,
  QUERY_NAMES,
  SEARCH_ATTRIBUTES,
  teardownWorkflowId,
  WORKFLOW_TYPES,
} from './names';
import type { StepProgress } from './progress';
import { inputProblem, teardownInputProblem } from './workflow-input';

test('docs/contract/v2 holds exactly what the code generates (run `npm run contract` after changing the contract)', () => {
  const documents = contractDocuments();
  const committed = readdirSync(join(__dirname, '..', '..', '..', CONTRACT_DIR)).filter((file) =>
    file.endsWith('.json'),
  );
  expect(committed.sort()).toEqual(Object.keys(documents).sort());
  for (const [file, text] of Object.entries(documents))
    expect({ file, text: committedContractFile(file) }).toEqual({ file, text });
});

test('the names a client relies on are the promised ones', () => {
  expect({
    queue: PROVISIONING_TASK_QUEUE,
    types: WORKFLOW_TYPES,
    ids: [
      provisionWorkflowId('r1'),
      teardownWorkflowId('r1'),
      provisionWorkflowId('r1', 'h'),
      teardownWorkflowId('r1', 'h'),
    ],
    query: QUERY_NAMES.progress,
    searchAttributes: Object.values(SEARCH_ATTRIBUTES).map((key) => `${key.name}:${key.type}`),
    exitCodes: EXIT_CODES,
  }).toEqual({
    queue: 'runner_provisioning',
    types: { provision: 'provisionRunner', teardown: 'teardownRunner' },
    ids: ['provision-runner-r1', 'teardown-runner-r1', 'provision-runner-r1@h', 'teardown-runner-r1@h'],
    query: 'progress',
    searchAttributes: [
      'StigmerRunner:KEYWORD',
      'StigmerStatus:KEYWORD',
      'StigmerStep:KEYWORD',
      'StigmerNetworkMode:KEYWORD',
      'StigmerHost:KEYWORD',
    ],
    exitCodes: {
      ready: 0,
      failed: 1,
      invalidInput: 2,
      unreachable: 3,
      hostOffline: 4,
      refused: 5,
      imageUnavailable: 6,
      noWorker: 7,
      unhealthy: 8,
    },
  });
  const published = JSON.parse(committedContractFile('contract.json'));
  expect(published.triggerEnvNames).toEqual([...SETTING_ENV_NAMES]);
  expect(published.triggerEnvNames.filter((name: string) => /API_KEY|TOKEN|SECRET/.test(name))).toEqual([]);
});

test.each([
  [{ status: 'ready' }, 0],
  [{ status: 'failed', error: { type: 'InvalidConfig' } }, 2],
  [{ status: 'failed', error: { type: 'InvalidInput' } }, 2],
  [{ status: 'failed', error: { type: 'ConnectivityFailed' } }, 3],
  [{ status: 'failed', error: { type: 'RunnerNotReady' } }, 1],
  [{ status: 'failed', error: { type: 'HostOffline' } }, 4],
  [{ status: 'failed', error: { type: 'PolicyRefused' } }, 5],
  [{ status: 'failed', error: { type: 'Error' } }, 1],
  [{ status: 'failed' }, 1],
])('exit code of %j is %d', (outcome, code) => expect(exitCodeFor(outcome)).toBe(code));

const T = { env: { STIGMER_LLM_MODEL: 'm' }, homeDir: '/home/u' };
const CORPUS: unknown[] = [
  { flags: { runner: 'r1' } },
  { flags: { runner: 'r1' }, trigger: T },
  {
    flags: { runner: 'r1', network: 'bridge', image: 'i:1', config: '/c.yaml', contract: 'typescript-2026' },
    trigger: T,
    verify: { maximumAttempts: 3 },
    readyTimeoutMs: 1000,
    searchAttributes: true,
  },
  { flags: { runner: 'r1' }, trigger: { env: {}, homeDir: 'C:\\Users\\me' } },
  { flags: { runner: 'r1' }, trigger: { env: {}, homeDir: '\\\\server\\share\\me' } },
  { flags: { runner: 'r1' }, trigger: { env: {}, homeDir: 'C:Users\\me' } },
  { flags: { runner: 'r1' }, trigger: { env: {}, homeDir: 'home' } },
  { flags: { runner: 'r1' }, trigger: { env: ['A=1'], homeDir: '/h' } },
  { flags: { runner: 'r1' }, trigger: null },
  { flags: { runner: 'r1' }, verify: [] },
  { flags: { runner: 'r1' }, verify: { maximumAttempts: 2 ** 60 } },
  { flags: { runner: 'r1' }, verify: { backoff: 'x' } },
  { flags: { runner: 'r1', replace: true } },
  { flags: { runner: 'r1', replace: false } },
  { flags: { runner: 'r1', replace: 'yes' } },
  { flags: { runner: 'r1', replace: 1 } },
  { flags: { runner: 'r1', replace: null } },
  { flags: { runner: 'a b' } },
  { flags: { runner: 'r', network: 'mesh' } },
  { flags: {} },
  {},
  [],
  null,
  'run',
];

const word = fc.constantFrom(
  'r1',
  'x.y-z_0',
  'a b',
  '',
  '-r',
  'auto',
  'host',
  'bridge',
  'mesh',
  'typescript-2026',
  'python-2025',
  '/home/u',
  'C:\\Users\\me',
  'c:/u',
  'C:me',
  '\\\\srv\\share\\x',
  '\\Users\\me',
  'home',
);
const scalar = fc.oneof(
  word,
  fc.string(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(1.5, 2 ** 53, 2 ** 60, 1e300),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);
/** Mostly a valid value, sometimes anything: every check gets reached, and passed or failed. */
const usually = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: scalar, weight: 1 });
const open = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) =>
  usually(fc.record(fields, { requiredKeys: [] }));
const positive = fc.integer({ min: 1, max: 100_000 });
const anyInput = usually(
  fc.record(
    {
      flags: usually(
        fc.record(
          {
            runner: usually(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,12}$/)),
            config: usually(fc.string()),
            image: usually(fc.string()),
            network: usually(fc.constantFrom('auto', 'host', 'bridge')),
            contract: usually(fc.constantFrom('auto', 'python-2026-01', 'python-native-2026', 'typescript-2026')),
            replace: usually(fc.boolean()),
          },
          { requiredKeys: ['runner'] },
        ),
      ),
      trigger: open({
        env: usually(fc.dictionary(fc.oneof(word, fc.string()), usually(fc.string()), { maxKeys: 3 })),
        homeDir: usually(fc.constantFrom('/home/u', 'C:\\Users\\me', 'c:/u', '\\\\srv\\share\\x', '/')),
      }),
      verify: open({ maximumAttempts: usually(positive), initialIntervalMs: usually(positive), other: scalar }),
      readyTimeoutMs: usually(positive),
      searchAttributes: usually(fc.boolean()),
      extra: scalar,
    },
    { requiredKeys: ['flags'] },
  ),
);

/** Workflow input arrives as JSON: compare verdicts on what JSON can carry. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value) ?? 'null');
const verdicts = (input: unknown) => ({
  input,
  workflow: inputProblem(input) === undefined,
  schema: provisionInputSchema.safeParse(input).success,
  committed: committedSchemaProblems('provision-runner.input', input).length === 0,
});

test.each(CORPUS.map((input) => [JSON.stringify(input), input]))(
  'the workflow, the zod schema and the committed JSON Schema agree on %s',
  (_name, input) => {
    const { workflow } = verdicts(input);
    expect(verdicts(input)).toEqual({ input, workflow, schema: workflow, committed: workflow });
  },
);

test('the workflow, the zod schema and the committed JSON Schema agree on any JSON input', () => {
  const seen = { valid: 0, invalid: 0 };
  fc.assert(
    fc.property(anyInput.map(asJson), (input) => {
      const { workflow } = verdicts(input);
      seen[workflow ? 'valid' : 'invalid'] += 1;
      expect(verdicts(input)).toEqual({ input, workflow, schema: workflow, committed: workflow });
    }),
    { numRuns: 3000 },
  );
  // Both verdicts are well represented, or the agreement would say little. About one input in ten is
  // valid (each optional field is usually, not always, well formed): ~310 of 3000, a standard deviation
  // of ~16 — so 150 fails only when the generator breaks, never by chance.
  expect(Math.min(seen.valid, seen.invalid)).toBeGreaterThan(150);
});

const TEARDOWN_CORPUS: unknown[] = [
  { runner: 'r1' },
  { runner: 'r1', replace: true },
  { runner: 'r1', replace: false },
  { runner: 'r1', replace: 'true' },
  { runner: 'r1', replace: null },
  { runner: 'r1', host: 'gpu-1', engine: { value: 'unix:///run/podman.sock', source: 'env:DOCKER_HOST' } },
  { runner: 'r1', engine: { value: 'unix:///run/podman.sock' } },
  { runner: 'r1', engine: 'unix:///run/podman.sock' },
  { runner: 'r1', host: 'a b' },
  // keys it does not know are ignored (the contract's objects are open)
  { runner: 'r1', other: 1 },
  { runner: 'a b' },
  {},
  [],
  null,
  'teardown',
];

const anyTeardownInput = usually(
  fc.record(
    {
      runner: usually(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,12}$/)),
      engine: open({ value: usually(fc.string()), source: usually(fc.string()) }),
      host: usually(fc.constantFrom('gpu-1', 'build.example', 'a b', '-x')),
      replace: usually(fc.boolean()),
      extra: scalar,
    },
    { requiredKeys: ['runner'] },
  ),
);

const teardownVerdicts = (input: unknown) => ({
  input,
  workflow: teardownInputProblem(input) === undefined,
  schema: teardownInputSchema.safeParse(input).success,
  committed: committedSchemaProblems('teardown-runner.input', input).length === 0,
});

test.each(TEARDOWN_CORPUS.map((input) => [JSON.stringify(input), input]))(
  'teardown: the workflow, the zod schema and the committed JSON Schema agree on %s',
  (_name, input) => {
    const { workflow } = teardownVerdicts(input);
    expect(teardownVerdicts(input)).toEqual({ input, workflow, schema: workflow, committed: workflow });
  },
);

test('teardown: the workflow, the zod schema and the committed JSON Schema agree on any JSON input', () => {
  const seen = { valid: 0, invalid: 0 };
  fc.assert(
    fc.property(anyTeardownInput.map(asJson), (input) => {
      const { workflow } = teardownVerdicts(input);
      seen[workflow ? 'valid' : 'invalid'] += 1;
      expect(teardownVerdicts(input)).toEqual({ input, workflow, schema: workflow, committed: workflow });
    }),
    { numRuns: 2000 },
  );
  expect(Math.min(seen.valid, seen.invalid)).toBeGreaterThan(200);
});

// ---- compile-time: what the workflow produces satisfies what the contract promises ------------
type Assignable<From, To> = [From] extends [To] ? true : false;
const holds = <T extends true>(): T | undefined => undefined;
holds<Assignable<ProvisionProgress, PublishedProgress>>();
holds<Assignable<ProvisionResult, PublishedResult>>();
holds<Assignable<StepProgress, PublishedProgress['steps'][number]>>();
holds<Assignable<{ runner: string; removed: RemovedContainer[] }, TeardownResult>>();
// …and the promise is not empty: a progress without steps does not satisfy it.
holds<Assignable<Assignable<Omit<ProvisionProgress, 'steps'>, PublishedProgress>, false>>();
