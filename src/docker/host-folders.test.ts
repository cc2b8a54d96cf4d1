/** The workspace walk on real folders: created one level at a time, never through a symlink. */
import { chmod, chown, lstat, mkdir, mkdtemp, readlink, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalPath,
  identityOf,
  mountedFolder,
  openFolderNoFollow,
  SymlinkOnPathError,
  UntrustedFolderError,
} from './host-folders';

let base: string;
beforeAll(async () => (base = await mkdtemp(join(tmpdir(), 'stigmer-folders-'))));
afterAll(() => rm(base, { recursive: true, force: true }));

test('creates the missing folders (the last 0750) and opens the one asked for', async () => {
  const target = join(base, 'a', 'b', 'workspace');
  const folder = await openFolderNoFollow(target);
  try {
    expect(identityOf(await folder.stat())).toEqual(identityOf(await stat(target)));
  } finally {
    await folder.close();
  }
  expect((await stat(target)).mode & 0o777).toBe(0o750 & ~process.umask());
  expect((await stat(join(base, 'a'))).mode & 0o777).toBe(0o755 & ~process.umask());
});

test.each([
  ['the last component', (dir: string) => join(dir, 'ws')],
  ['a component on the way', (dir: string) => join(dir, 'ws', 'deeper')],
])('a symlink as %s is refused and nothing is made through it', async (_name, target) => {
  const dir = await mkdtemp(join(base, 'link-'));
  const elsewhere = await mkdtemp(join(base, 'elsewhere-'));
  await symlink(elsewhere, join(dir, 'ws'));
  await expect(openFolderNoFollow(target(dir))).rejects.toBeInstanceOf(SymlinkOnPathError);
  expect(await readlink(join(dir, 'ws'))).toBe(elsewhere);
  await expect(lstat(join(elsewhere, 'deeper'))).rejects.toMatchObject({ code: 'ENOENT' });
});

test('a symlink swapped in and out while walking never lets the walk through', async () => {
  const dir = await mkdtemp(join(base, 'race-'));
  const elsewhere = await mkdtemp(join(base, 'target-'));
  let swapping = true;
  const swapper = (async () => {
    // Each step may lose a race with the walk (a folder it just made): the swapping goes on regardless.
    const ignore = () => undefined;
    while (swapping) {
      await rm(join(dir, 'ws'), { recursive: true, force: true }).catch(ignore);
      await symlink(elsewhere, join(dir, 'ws')).catch(ignore);
      await rm(join(dir, 'ws'), { recursive: true, force: true }).catch(ignore);
      await mkdir(join(dir, 'ws')).catch(ignore);
    }
  })();
  for (let round = 0; round < 200; round += 1) {
    try {
      const folder = await openFolderNoFollow(join(dir, 'ws', 'inner'));
      await folder.close();
    } catch (error) {
      if (!(error instanceof SymlinkOnPathError) && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  swapping = false;
  await swapper;
  // Whatever the interleaving, nothing was ever created through the link.
  await expect(lstat(join(elsewhere, 'inner'))).rejects.toMatchObject({ code: 'ENOENT' });
});

test('canonicalPath resolves symlinks of the existing part and `..` textually', async () => {
  const real = await mkdtemp(join(base, 'real-'));
  await symlink(real, join(base, 'alias'));
  expect(canonicalPath(join(base, 'alias', 'not', 'yet'))).toBe(join(real, 'not', 'yet'));
  expect(canonicalPath(`${base}/x/../../../etc`)).toBe('/etc');
  expect(canonicalPath('C:\\Users\\me')).toBe('C:\\Users\\me');
});

test('mountedFolder sees a process’s folder through its root', async () => {
  expect(await mountedFolder(process.pid, base)).toEqual(identityOf(await stat(base)));
  expect(await mountedFolder(process.pid, join(base, 'missing'))).toBeUndefined();
});

describe('folders above the workspace must be ones no one else can change', () => {
  const trustRootOnly = (folder: { uid: number; mode: number }) =>
    [0, process.getuid?.()].includes(folder.uid) && ((folder.mode & 0o022) === 0 || (folder.mode & 0o1000) !== 0);

  test.each([
    ['writable by everyone', 0o777, undefined, true],
    ['sticky and writable by everyone (as /tmp)', 0o1777, undefined, false],
    ['owned by another user', 0o755, 4242, true],
    ['plain 0755 of ours', 0o755, undefined, false],
  ])('a parent %s → refused: %s', async (_name, mode, uid, refused) => {
    const parent = await mkdtemp(join(base, 'parent-'));
    await chmod(parent, mode);
    if (uid !== undefined) await chown(parent, uid, uid);
    const opened = openFolderNoFollow(join(parent, 'ws'), trustRootOnly);
    if (refused) await expect(opened).rejects.toBeInstanceOf(UntrustedFolderError);
    else await (await opened).close();
    if (refused) await expect(lstat(join(parent, 'ws'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
