/**
 * The layout holds: no import circle, no arrow from a lower floor up (type-only imports included),
 * no function over 80 lines outside probes/, a README in every room. Each rule is also run on a copy
 * of src/ with one violation planted, so a rule that cannot see its violation fails here.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLayout, MAX_FUNCTION_LINES } from './rules';

const ROOT = join(__dirname, '..', '..');

describe('this tree', () => {
  const report = checkLayout(ROOT);

  it.each(['circles', 'unplaced', 'upward', 'intoTests', 'long', 'unexplained'] as const)('has no %s', (rule) => {
    expect(report[rule]).toEqual([]);
  });
});

describe('a copy of src/ with one violation planted', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'layout-'));
    cpSync(join(ROOT, 'src'), join(root, 'src'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is clean before the plant', () => {
    expect(checkLayout(root)).toEqual({
      circles: [],
      unplaced: [],
      upward: [],
      intoTests: [],
      long: [],
      unexplained: [],
    });
  });

  it('sees a type-only import from the core up to the CLI', () => {
    appendFileSync(
      join(root, 'src/core/settings/types.ts'),
      "import type { commandContext } from '../../cli/command';\n",
    );
    expect(checkLayout(root).upward).toEqual([
      { from: 'src/core/settings/types.ts', to: 'src/cli/command.ts', typeOnly: true },
    ]);
  });

  it('sees a type-only circle inside one room', () => {
    appendFileSync(join(root, 'src/core/settings/types.ts'), "export type { ConfigError } from './errors';\n");
    expect(checkLayout(root).circles).toEqual([['src/core/settings/errors.ts', 'src/core/settings/types.ts']]);
  });

  it('sees an upward import written as a dynamic import()', () => {
    appendFileSync(join(root, 'src/docker/client.ts'), "export const later = () => import('../activities/deps');\n");
    expect(checkLayout(root).upward).toEqual([
      { from: 'src/docker/client.ts', to: 'src/activities/deps.ts', typeOnly: false },
    ]);
  });

  it(`sees a function of ${MAX_FUNCTION_LINES + 1} lines, and lets probes/ be long`, () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES - 1 }, (_, i) => `  void ${i};`).join('\n');
    const long = `export function tooLong(): void {\n${body}\n}\n`;
    appendFileSync(join(root, 'src/core/paths.ts'), long);
    appendFileSync(join(root, 'src/probes/exec-probe-body.ts'), long);
    expect(checkLayout(root).long).toEqual([
      expect.objectContaining({ file: 'src/core/paths.ts', name: 'tooLong', lines: MAX_FUNCTION_LINES + 1 }),
    ]);
  });

  it('sees shipped code reaching into the tests', () => {
    mkdirSync(join(root, 'test/support'), { recursive: true });
    writeFileSync(join(root, 'test/support/planted.ts'), 'export const planted = 1;\n');
    appendFileSync(join(root, 'src/core/paths.ts'), "export { planted } from '../../test/support/planted';\n");
    expect(checkLayout(root).intoTests).toEqual([
      { from: 'src/core/paths.ts', to: 'test/support/planted.ts', typeOnly: false },
    ]);
  });

  it('sees a room nobody placed, and a room without its README', () => {
    writeFileSync(join(root, 'src/guardian.ts'), 'export const x = 1;\n');
    rmSync(join(root, 'src/docker/README.md'), { force: true });
    const report = checkLayout(root);
    expect(report.unplaced).toEqual(['src/guardian.ts']);
    expect(report.unexplained).toEqual(['src/docker']);
  });
});
