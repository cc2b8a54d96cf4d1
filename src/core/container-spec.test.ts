import { logsDirFor } from './container-spec';

describe('logsDirFor puts logs beside the workspace, in the path style of the workspace', () => {
  it.each([
    ['/home/u/.stigmer/data/workspace', '/home/u/.stigmer/data/logs'],
    ['/srv/workspace/', '/srv/logs'],
    ['/home/u/we\\ird/workspace', '/home/u/we\\ird/logs'], // a backslash is a file name character on POSIX
    ['C:\\Users\\me\\.stigmer\\data\\workspace', 'C:\\Users\\me\\.stigmer\\data\\logs'],
    ['C:\\Users\\me/.stigmer/data/workspace', 'C:\\Users\\me/.stigmer/data/logs'], // the default under a Windows home
    ['D:\\workspace\\', 'D:\\logs'],
    ['\\\\nas\\share\\workspace', '\\\\nas\\share\\logs'],
    ['/', '/logs'],
    ['C:\\', 'C:\\logs'],
  ])('%j → %j', (workspace, logs) => expect(logsDirFor(workspace)).toBe(logs));
});
