import { AddressError, classifyHost, inSubnet, maskUserinfo, parseAddress, rewriteLocalHost } from './address';

describe('rewriteLocalHost', () => {
  const alias = 'host.docker.internal';
  it.each([
    ['localhost:7233', 'host.docker.internal:7233'],
    ['LOCALHOST:7233', 'host.docker.internal:7233'],
    ['localhost.:7233', 'host.docker.internal:7233'],
    ['http://localhost:11434', 'http://host.docker.internal:11434'],
    ['HTTP://LocalHost:11434/v1?x=1#f', 'HTTP://host.docker.internal:11434/v1?x=1#f'],
    ['http://127.0.0.1:11434', 'http://host.docker.internal:11434'],
    ['127.1.2.3:7234', 'host.docker.internal:7234'],
    ['[::1]:7234', 'host.docker.internal:7234'],
    ['::1', 'host.docker.internal'],
    ['http://[::1]:11434/', 'http://host.docker.internal:11434/'],
    ['[0:0:0:0:0:0:0:1]:7233', 'host.docker.internal:7233'],
    ['[::ffff:127.0.0.1]:7233', 'host.docker.internal:7233'],
    ['0.0.0.0:7233', 'host.docker.internal:7233'],
    ['127.1:7233', 'host.docker.internal:7233'],
    ['0:7233', 'host.docker.internal:7233'],
    ['http://0x7f.1:11434/v1', 'http://host.docker.internal:11434/v1'],
    ['[::]:7233', 'host.docker.internal:7233'],
    ['http://user:pw@localhost:11434', 'http://user:pw@host.docker.internal:11434'],
    ['localhost', 'host.docker.internal'],
  ])('%s → %s', (input, expected) => {
    const result = rewriteLocalHost(input, alias, 'why');
    expect(result.resolved).toBe(expected);
    expect(result.rewritten).toBe(true);
    expect(result.reason).toContain(alias);
  });

  it.each([
    'mylocalhost.example.com:7233',
    'localhost.example.com:7233',
    'http://localhost-proxy:11434',
    'http://notlocalhost:11434',
    'http://example.com/localhost',
    '10.0.0.5:7233',
    '172.17.0.1:7233',
    '[2001:db8::1]:7233',
    '128.0.0.1:7233',
    '127.example.com:7233',
    '0.example.com:7233',
    'host.docker.internal:7233',
    'https://api.anthropic.com',
  ])('keeps %s', (input) => {
    const result = rewriteLocalHost(input, alias, 'why');
    expect(result.resolved).toBe(input);
    expect(result.rewritten).toBe(false);
  });
});

describe('classifyHost', () => {
  it.each([
    ['localhost', 'loopback'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['1.2.3.4', 'other'],
    ['::2', 'other'],
    ['localhost.localdomain.example', 'other'],
    // the short forms inet_aton and URL parsers read as IPv4: the last part fills the remaining bytes
    ['127.1', 'loopback'],
    ['127.0.1', 'loopback'],
    ['127.1.', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0x7F000001', 'loopback'],
    ['0', 'unspecified'],
    ['0.0', 'unspecified'],
    ['0x0', 'unspecified'],
    ['128.1', 'other'],
    ['0.1', 'other'],
    // not IPv4 numbers, so host names: never local
    ['127.example.com', 'other'],
    ['0.example.com', 'other'],
    ['mylocalhost.example.com', 'other'],
    ['127.0.0.1.nip.io', 'other'],
    ['127.1.2.3.4', 'other'],
    ['127.16777216', 'other'],
    ['08.1', 'other'],
    ['0x', 'other'],
  ])('%s is %s', (host, expected) => expect(classifyHost(host)).toBe(expected));
});

describe('parseAddress errors', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['local host:7233', 'white space'],
    ['localhost:99999', 'outside 1-65535'],
    ['localhost:0', 'outside 1-65535'],
    ['localhost:port', 'not a number'],
    ['[::1:7233', 'never closed'],
    ['http://:11434', 'no host'],
    ['300.1.1.1:7233', 'not a valid IPv4'],
    ['bad_host!:7233', 'not a host name'],
    ['htp:/x', '"//" is missing after "htp:"'],
    ['http:/localhost:11434', '"//" is missing after "http:"'],
    ['1http://x', '"1http:" is not a scheme'],
    ['://x', 'no scheme before "://"'],
    ['localhost:', 'the port after ":" is empty'],
  ])('%j fails: %s', (input, fragment) => {
    expect(() => parseAddress(input)).toThrow(AddressError);
    expect(() => parseAddress(input)).toThrow(fragment);
  });

  it('keeps every part of a full URL', () => {
    expect(parseAddress('https://u:p@Example.com:8443/a/b?q=1#h')).toEqual({
      scheme: 'https://',
      userinfo: 'u:p@',
      host: 'Example.com',
      port: 8443,
      rest: '/a/b?q=1#h',
    });
  });
});

describe('user-info is masked before an address is checked (issue 23)', () => {
  it.each([
    ['http://u:p#ss@localhost:11434', 'http://u:***@localhost:11434', 'p#ss'],
    ['http://u:a/b@localhost:11434', 'http://u:***@localhost:11434', 'a/b'],
    ['http://u:pw@localhost:99999', 'http://u:***@localhost:99999', 'pw@'],
    ['http://tok?en@bad host', 'http://***@bad host', 'tok?en'],
    ['u:p@ss@localhost:x', 'u:***@localhost:x', 'p@ss'],
    // These parse, with the host moved into the password: refused, not carried unmasked.
    ['https://AbCd/EfGh==@llm.example.com/v1', 'https://***@llm.example.com/v1', 'EfGh'],
    ['http://user:2024/Spring@proxy:8080', 'http://user:***@proxy:8080', 'Spring'],
    ['http://u:12?34@localhost', 'http://u:***@localhost', '12?34'],
  ])('%s fails quoting %s only', (input, shown, secret) => {
    let message = '';
    try {
      parseAddress(input);
    } catch (error) {
      expect(error).toBeInstanceOf(AddressError);
      message = (error as AddressError).message;
    }
    expect(message).toContain(`"${shown}"`);
    expect(message).not.toContain(secret);
  });

  it.each([
    ['http://u:p#ss@localhost:11434', 'http://u:***@localhost:11434'],
    ['http://u:pw@localhost:11434', 'http://u:***@localhost:11434'],
    ['http://localhost:11434', 'http://localhost:11434'],
    ['not a url', 'not a url'],
    ['https://AbCd/EfGh==@llm.example.com/v1', 'https://***@llm.example.com/v1'],
  ])('maskUserinfo(%s) → %s, parsing or not', (input, masked) => expect(maskUserinfo(input)).toBe(masked));
});

describe('inSubnet: who the Temporal forwarder lets in (issue 23)', () => {
  it.each<[string, string, boolean]>([
    ['172.17.0.2', '172.17.0.0/16', true],
    ['172.17.255.254', '172.17.0.0/16', true],
    ['172.18.0.2', '172.17.0.0/16', false],
    ['192.168.1.20', '172.17.0.0/16', false],
    ['::ffff:172.17.0.2', '172.17.0.0/16', true],
    ['10.88.0.5', '10.88.0.0/16', true],
    ['127.0.0.1', '127.0.0.0/8', true],
    ['192.168.1.20', '192.168.1.20', true],
    ['192.168.1.21', '192.168.1.20', false],
    ['192.168.1.21', '192.168.1.20/32', false],
    ['anything', '0.0.0.0/0', false],
    ['8.8.8.8', '0.0.0.0/0', true],
    ['fd00::5', 'fd00::/64', true],
    ['fd01::5', 'fd00::/64', false],
    ['::1', '::1/128', true],
    ['172.17.0.2', 'fd00::/64', false],
    ['172.17.0.2', '172.17.0.0/33', false],
    ['172.17.0.2', '172.17.0.0/x', false],
    ['172.17.0.2', 'not-a-cidr', false],
    ['999.17.0.2', '172.17.0.0/16', false],
  ])('%s in %s: %s', (address, cidr, inside) => expect(inSubnet(address, cidr)).toBe(inside));
});
