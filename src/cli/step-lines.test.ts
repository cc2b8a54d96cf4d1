/** The Go trigger's fixture of our step lines (examples/go-trigger/testdata) is what stepLine prints today. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_LINES_FILE, stepLineFixture } from '../../test/support/step-lines';

test('examples/go-trigger/testdata/step-lines.json holds the lines stepLine prints (run `npm run contract` after changing them)', () => {
  const committed = readFileSync(join(__dirname, '..', '..', STEP_LINES_FILE), 'utf8');
  expect(committed).toBe(stepLineFixture());
  expect(JSON.parse(committed).cases.length).toBeGreaterThan(20);
});
