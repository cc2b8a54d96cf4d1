/**
 * v1 of the published contract stays as published, and v2 only grows from it where v1's promise
 * reaches: names a client relies on keep existing, exit codes keep their numbers, an output never drops a
 * required field, an input never requires a new one. A change that breaks any of these is a v3.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_VERSION } from './names';

const CONTRACT_ROOT = join(__dirname, '..', '..', '..', 'docs', 'contract');
const read = (version: number, file: string) => readFileSync(join(CONTRACT_ROOT, `v${version}`, file), 'utf8');

/** sha256 of each v1 file as it stood when v2 was made (2026-12-07): v1 is frozen. */
const V1_AS_PUBLISHED: Record<string, string> = {
  'contract.json': '0453549286d4d1523c13b8002065664f9b252632b5d52f5175ca42277a535c4f',
  'provision-runner.input.schema.json': '41b72ace9e91ae0ab0f1216476554ec63f09972b0e3adc59fd342dde04e4d19e',
  'provision-runner.progress.schema.json': 'c83a81777efaee3145857f4b01c3bf848849850c444265617063cfc361e72adc',
  'provision-runner.result.schema.json': '2adf0deb979927dad785d607261cab8de217e746ccc600410d476c458834755e',
  'teardown-runner.input.schema.json': 'ac22e6301839a61166e2e3c36ce8b04122205ff1538593f1e235eebcf080bb01',
  'teardown-runner.result.schema.json': 'd3de532f110649e03bf14bf6dc5f707f869312cf9a51853febb25f8ff9148445',
};

test('v1 is frozen: its files are byte for byte as published', () => {
  const files = readdirSync(join(CONTRACT_ROOT, 'v1')).filter((file) => file.endsWith('.json'));
  expect(files.sort()).toEqual(Object.keys(V1_AS_PUBLISHED).sort());
  for (const file of files)
    expect({ file, sha256: createHash('sha256').update(read(1, file)).digest('hex') }).toEqual({
      file,
      sha256: V1_AS_PUBLISHED[file],
    });
});

interface ContractJson {
  taskQueue: string;
  workflows: Record<string, { workflowIdPrefix: string; queries: Record<string, string> }>;
  searchAttributes: { name: string; type: string }[];
  failureTypes: string[];
  exitCodes: { name: string; code: number }[];
  triggerEnvNames: string[];
}

describe.each(Array.from({ length: CONTRACT_VERSION - 1 }, (_, index) => [index + 1, index + 2]))(
  'v%i → v%i',
  (older, newer) => {
    const before = JSON.parse(read(older, 'contract.json')) as ContractJson;
    const after = JSON.parse(read(newer, 'contract.json')) as ContractJson;

    test('names a client relies on still exist, unchanged', () => {
      expect(after.taskQueue).toBe(before.taskQueue);
      for (const [type, workflow] of Object.entries(before.workflows)) {
        expect(after.workflows[type]?.workflowIdPrefix).toBe(workflow.workflowIdPrefix);
        expect(Object.keys(after.workflows[type].queries)).toEqual(
          expect.arrayContaining(Object.keys(workflow.queries)),
        );
      }
      expect(after.searchAttributes).toEqual(expect.arrayContaining(before.searchAttributes));
      expect(after.failureTypes).toEqual(expect.arrayContaining(before.failureTypes));
      expect(after.triggerEnvNames).toEqual(expect.arrayContaining(before.triggerEnvNames));
    });

    test('every exit code keeps its number and name; a code is never given a second name', () => {
      for (const code of before.exitCodes)
        expect(after.exitCodes.find((entry) => entry.name === code.name)?.code).toBe(code.code);
      const numbers = after.exitCodes.map((entry) => entry.code);
      expect(new Set(numbers).size).toBe(numbers.length);
    });

    test.each(readdirSync(join(CONTRACT_ROOT, `v${older}`)).filter((file) => file.endsWith('.schema.json')))(
      '%s: outputs keep every required field; inputs require nothing new, drop no field, change no type, narrow no enum',
      (file) => {
        const old = schemaFacts(JSON.parse(read(older, file)));
        const now = schemaFacts(JSON.parse(read(newer, file)));
        if (file.includes('.input.')) {
          expect(old.required).toEqual(expect.arrayContaining(now.required));
          for (const [path, type] of old.types) expect({ path, type: now.types.get(path) }).toEqual({ path, type });
          for (const [path, values] of old.enums)
            expect({ path, values: now.enums.get(path) }).toEqual({ path, values: expect.arrayContaining(values) });
        } else expect(now.required).toEqual(expect.arrayContaining(old.required));
      },
    );
  },
);

/**
 * What a JSON Schema promises, by path: the required fields, each property's type, each enum's
 * values — through nested objects, `items`, `anyOf`/`oneOf`/`allOf` and `$defs` (by their name).
 */
function schemaFacts(root: unknown): { required: string[]; types: Map<string, string>; enums: Map<string, unknown[]> } {
  const facts = { required: [] as string[], types: new Map<string, string>(), enums: new Map<string, unknown[]>() };
  const visit = (node: unknown, at: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const schema = node as Record<string, unknown>;
    if (schema.type !== undefined) facts.types.set(at, JSON.stringify(schema.type));
    if (Array.isArray(schema.enum)) facts.enums.set(at, schema.enum);
    for (const name of (schema.required as string[] | undefined) ?? []) facts.required.push(`${at}/${name}`);
    for (const [name, child] of Object.entries((schema.properties as Record<string, unknown>) ?? {}))
      visit(child, `${at}/${name}`);
    if (schema.items !== undefined) visit(schema.items, `${at}[]`);
    for (const key of ['anyOf', 'oneOf', 'allOf'])
      for (const [index, child] of ((schema[key] as unknown[] | undefined) ?? []).entries())
        visit(child, `${at}|${key}${index}`);
    for (const [name, child] of Object.entries((schema.$defs as Record<string, unknown>) ?? {}))
      visit(child, `#${name}`);
  };
  visit(root, '');
  return facts;
}
