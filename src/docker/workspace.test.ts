import { idsFromStatus, insideId } from './workspace';

describe('idsFromStatus', () => {
  it('reads the effective ids', () => {
    expect(
      idsFromStatus('Name:\tnode\nUid:\t100999\t100999\t100999\t100999\nGid:\t100998\t100998\t100998\t100998\n'),
    ).toEqual({ uid: 100999, gid: 100998 });
  });
  it('is undefined when the lines are missing', () => {
    expect(idsFromStatus('Name:\tnode\n')).toBeUndefined();
  });
});

describe('insideId', () => {
  it.each([
    ['rootful (identity)', '         0          0 4294967295', 1000, 1000],
    ['rootless, container root', '         0       1001          1\n         1     100000      65536', 1001, 0],
    ['rootless, uid 1000', '         0       1001          1\n         1     100000      65536', 100999, 1000],
    ['an id the namespace does not map', '         0       1001          1', 5, undefined],
  ])('%s', (_, map, outside, inside) => {
    expect(insideId(map, outside)).toBe(inside);
  });
});
