/**
 * Writes the published workflow contract — docs/contract/v<N>/*.json, generated from
 * src/core/contract/schemas.ts and src/core/contract/names.ts — and removes generated files the code no longer makes;
 * also the Go trigger's fixture of the CLI's step lines. `npm run contract`; unit tests fail when
 * the committed files differ from the code (src/core/contract/schemas.test.ts, src/cli/step-lines.test.ts).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_DIR, contractDocuments } from '../src/core/contract/schemas';
import { projectRoot } from '../src/temporal/dev-server';
import { STEP_LINES_FILE, stepLineFixture } from '../test/support/step-lines';

function main(): void {
  const dir = join(projectRoot(), CONTRACT_DIR);
  mkdirSync(dir, { recursive: true });
  const documents = contractDocuments();
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.json') && !(file in documents)) {
      rmSync(join(dir, file));
      console.log(`removed ${CONTRACT_DIR}/${file}`);
    }
  }
  for (const [file, text] of Object.entries(documents)) writeFileSync(join(dir, file), text);
  console.log(`wrote ${Object.keys(documents).length} files to ${CONTRACT_DIR}/`);
  mkdirSync(join(projectRoot(), STEP_LINES_FILE, '..'), { recursive: true });
  writeFileSync(join(projectRoot(), STEP_LINES_FILE), stepLineFixture());
  console.log(`wrote ${STEP_LINES_FILE}`);
}

main();
