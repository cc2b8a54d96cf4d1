/**
 * Writes the published workflow contract — docs/contract/v<N>/*.json, generated from
 * src/core/contract.ts and src/core/names.ts — and removes generated files the code no longer makes.
 * `npm run contract`; src/core/contract.test.ts fails when the committed files differ from the code.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_DIR, contractDocuments } from '../src/core/contract';
import { projectRoot } from '../src/temporal/dev-server';

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
}

main();
