import { isAbsolutePath } from './paths';

describe('isAbsolutePath', () => {
  it.each([
    ['/home/me', true],
    ['/', true],
    ['C:\\Users\\me', true],
    ['c:/Users/me', true],
    ['D:\\', true],
    ['\\\\server\\share', true],
    ['\\\\server\\share\\me', true],
    ['\\\\?\\C:\\Users\\me', true],
    ['//server/share', true],
    ['', false],
    ['home/me', false],
    ['./me', false],
    ['~/me', false],
    ['.\\me', false],
    ['C:', false],
    ['C:Users\\me', false], // relative to drive C:'s current directory
    ['\\Users\\me', false], // relative to the current drive
    ['\\\\server', false],
    ['CD:\\x', false],
  ])('%j → %s', (path, expected) => expect(isAbsolutePath(path)).toBe(expected));
});
