import { closeSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPrivateLog, preparePrivateDb, spawnPrivate } from './dev-server';

const mode = (path: string) => statSync(path).mode & 0o777;
const fresh = () => mkdtempSync(join(tmpdir(), 'dev-server-'));

describe("the managed dev server's data is private to its user (issue 23)", () => {
  it.each([
    ['a new data folder and database', () => undefined],
    [
      'a world-readable database and companions from an earlier version',
      (folder: string) => {
        mkdirSync(folder, { mode: 0o700 });
        for (const suffix of ['', '-wal', '-shm'])
          writeFileSync(join(folder, `temporal.db${suffix}`), 'x', { mode: 0o644 });
      },
    ],
  ])('%s: folder 0700 (when made here), files 0600', (_, before) => {
    const folder = join(fresh(), 'temporal-data');
    before(folder);
    preparePrivateDb(join(folder, 'temporal.db'));
    expect(mode(folder)).toBe(0o700);
    for (const suffix of ['', '-wal', '-shm'])
      if (existsSync(join(folder, `temporal.db${suffix}`)))
        expect(mode(join(folder, `temporal.db${suffix}`))).toBe(0o600);
  });

  it('a missing database is left for the server to create (it sets the schema up only in one it made)', () => {
    const db = join(fresh(), 'temporal-data', 'temporal.db');
    preparePrivateDb(db);
    expect(existsSync(db)).toBe(false);
  });

  it('the log is 0600, also when it existed world-readable', () => {
    const log = join(fresh(), 'temporal.log');
    writeFileSync(log, 'old\n', { mode: 0o644 });
    closeSync(openPrivateLog(log));
    expect(mode(log)).toBe(0o600);
  });

  it('what the server creates itself is 0600 (umask 077 for the child), and this process keeps its umask', async () => {
    const file = join(fresh(), 'made-by-child');
    const umask = process.umask();
    const child = spawnPrivate(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(file)}, 'x')`], {
      stdio: 'ignore',
    });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(mode(file)).toBe(0o600);
    expect(process.umask()).toBe(umask);
  });
});
