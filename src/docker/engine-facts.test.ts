import { firstHostOf } from './engine-facts';

test.each([
  ['172.17.0.0/16', '172.17.0.1'],
  ['172.18.5.7/16', '172.18.0.1'],
  ['192.168.65.0/24', '192.168.65.1'],
  ['10.0.0.0/8', '10.0.0.1'],
  ['fd00::/64', undefined],
  [undefined, undefined],
])('first host of %s is %s', (subnet, expected) => expect(firstHostOf(subnet)).toBe(expected));
