import { mkdirSync, mkdtempSync, unlinkSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installationKey, INSTALLATION_KEY_BYTES } from './installation-key';

// The module object itself (an `import * as` namespace cannot be spied on).
const fs = jest.requireActual<typeof import('node:fs')>('node:fs');

const freshHome = () => mkdtempSync(join(tmpdir(), 'installation-key-'));
const mode = (path: string) => statSync(path).mode & 0o777;

describe('the installation key (issue 23)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is made with 32 random bytes, mode 0600, in a ~/.stigmer made 0700', () => {
    const home = freshHome();
    const key = installationKey(home);
    const path = join(home, '.stigmer', 'installation.key');
    expect(key).toHaveLength(INSTALLATION_KEY_BYTES);
    expect(readFileSync(path)).toEqual(key);
    expect(mode(path)).toBe(0o600);
    expect(mode(join(home, '.stigmer'))).toBe(0o700);
    expect(readdirSync(join(home, '.stigmer'))).toEqual(['installation.key']); // no temporary left
  });

  it('is read, not replaced, once it exists (the same hash across runs)', () => {
    const home = freshHome();
    mkdirSync(join(home, '.stigmer'));
    const existing = Buffer.alloc(32, 3);
    writeFileSync(join(home, '.stigmer', 'installation.key'), existing, { mode: 0o600 });
    expect(installationKey(home)).toEqual(existing);
  });

  it('of two concurrent creators, the one that links first wins and the other reads its key', () => {
    const home = freshHome();
    const winner = Buffer.alloc(32, 9);
    const realLink = fs.linkSync;
    jest.spyOn(fs, 'linkSync').mockImplementationOnce((temporary, path) => {
      writeFileSync(`${String(path)}.other`, winner, { mode: 0o600 });
      realLink(`${String(path)}.other`, path); // the other creator got there first
      unlinkSync(`${String(path)}.other`);
      realLink(temporary, path); // EEXIST
    });
    expect(installationKey(home)).toEqual(winner);
    expect(readdirSync(join(home, '.stigmer'))).toEqual(['installation.key']);
  });

  it('a file of the wrong size is an error naming it', () => {
    const home = freshHome();
    mkdirSync(join(home, '.stigmer'));
    writeFileSync(join(home, '.stigmer', 'installation.key'), 'short');
    expect(() => installationKey(home)).toThrow(/installation\.key holds 5 bytes/);
  });
});
