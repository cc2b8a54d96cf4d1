/**
 * The layout's rules, over what `source-graph.ts` measures: no import circle anywhere, no import
 * from a lower floor to a higher one in shipped code (type-only imports included: a type still
 * ties the lower room to the higher one's changes), no function over 80 lines outside `probes/`,
 * and a README in every source folder. `layout.test.ts` runs them on this tree and on planted ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { functionLengths, importCircles, importEdges, sourceFiles, type ImportEdge } from './source-graph';

/**
 * The floors of `src/`, lowest first: a file may import its own floor and the ones below. A folder
 * holds a floor's files directly (not its sub-folders, which are floors of their own).
 */
export const FLOORS: readonly string[] = [
  'src/core', // leaves: address, paths, vocabulary, wait, concurrency, pollers
  'src/core/settings', // the settings' types, cascade, Temporal connection, secrets, errors
  'src/core/policy', // what the worker allows whatever its input: homes, files, workspaces, engines, images
  'src/core/runner', // engine, network plan, releases, env, container spec
  'src/core/contract', // the published workflow contract: names, schemas, progress, input checks
  'src/core/health', // diagnosis, the warm-run decision
  'src/observability',
  'src/docker',
  'src/settings',
  'src/probes',
  'src/temporal',
  'src/activities',
  'src/workflows',
  'src/provisioning-worker.ts',
  'src/cli',
];

/** Tests, fixtures and test helpers sit above everything they import; only shipped code is floored. */
const isShipped = (file: string): boolean =>
  file.startsWith('src/') && !file.endsWith('.test.ts') && !file.endsWith('/test-fixtures.ts');

export const MAX_FUNCTION_LINES = 80;

/** The probe body is shipped into the container whole, as one function: the one place allowed long. */
const mayBeLong = (file: string): boolean => file.startsWith('src/probes/') || !isShippedOrTool(file);
const isShippedOrTool = (file: string): boolean =>
  isShipped(file) || ((file.startsWith('bench/') || file.startsWith('scripts/')) && !file.endsWith('.test.ts'));

export function floorOf(file: string): number {
  const exact = FLOORS.indexOf(file);
  if (exact >= 0) return exact;
  return FLOORS.indexOf(path.posix.dirname(file));
}

export interface LayoutReport {
  circles: string[][];
  /** Shipped files in a folder no floor names: a new room is placed in `FLOORS` first. */
  unplaced: string[];
  /** Shipped imports from a lower floor to a higher one. */
  upward: ImportEdge[];
  /** Shipped code reaching into tests, bench or scripts. */
  intoTests: ImportEdge[];
  long: { file: string; name: string; line: number; lines: number }[];
  /** Source folders without a README.md saying what belongs there. */
  unexplained: string[];
}

export function checkLayout(root: string): LayoutReport {
  const files = sourceFiles(root, ['src', 'test', 'bench', 'scripts']);
  const edges = importEdges(root, files);
  const shipped = edges.filter((edge) => isShipped(edge.from));
  return {
    circles: importCircles(edges),
    unplaced: files.filter((file) => isShipped(file) && floorOf(file) < 0),
    upward: shipped.filter((edge) => edge.to.startsWith('src/') && floorOf(edge.to) > floorOf(edge.from)),
    intoTests: shipped.filter((edge) => !edge.to.startsWith('src/')),
    long: functionLengths(
      root,
      files.filter((file) => !mayBeLong(file)),
    ).filter((fn) => fn.lines > MAX_FUNCTION_LINES),
    unexplained: FLOORS.filter((floor) => !floor.endsWith('.ts')).filter(
      (folder) => !fs.existsSync(path.join(root, folder, 'README.md')),
    ),
  };
}
