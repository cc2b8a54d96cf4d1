/**
 * One resolver for every host address the runner container receives (Temporal, backend, LLM base
 * URL). Addresses come as URLs (`http://localhost:11434/v1`) or endpoints (`localhost:7233`,
 * `[::1]:7234`); only the host part is ever looked at or replaced, so a host that merely contains
 * "localhost" (`mylocalhost.example.com`) is never touched.
 */

export interface ParsedAddress {
  /** `http://`, `grpc://`, … including the separator, or '' for a bare endpoint. */
  scheme: string;
  /** `user:pass@` or ''. */
  userinfo: string;
  /** Host without brackets: `localhost`, `127.0.0.1`, `::1`, `host.docker.internal`. */
  host: string;
  port: number | undefined;
  /** Path, query and fragment, kept verbatim. */
  rest: string;
}

export class AddressError extends Error {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`"${input}" is not a valid address: ${reason}`);
    this.name = 'AddressError';
  }
}

/** An endpoint (host:port) is shown and carried as it is: credentials in it would travel and be printed. */
export const ENDPOINT_CREDENTIALS = 'must not carry credentials (user@ or user:password@)';

/** The mark that stands for masked user-info (a password, or a bare token) wherever an address is shown or recorded. */
export const MASK = '***';

const SCHEME = /^([a-z][a-z0-9+.-]*:\/\/)/i;
const HOSTNAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * The address parsed. Its user-info is masked before anything is checked: every check runs first on
 * the masked text, so no error quotes a password, or a piece of one a parser took for a host or port
 * (`http://u:p#ss@host` read naively is host `u`, port `p`).
 */
export function parseAddress(input: string): ParsedAddress {
  const masked = maskSuspectUserinfo(input);
  if (masked === input) return parseUnmasked(input);
  const expected = parseUnmasked(masked); // its errors quote the masked text only
  let parsed: ParsedAddress;
  try {
    parsed = parseUnmasked(input);
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
    throw new AddressError(masked, USERINFO_BREAKS);
  }
  // `https://tok/en@host` parses — as host `tok`, with the rest of the password in the path: a
  // password that moved the host is refused like one that broke it, or it would travel unmasked.
  if (parsed.host !== expected.host) throw new AddressError(masked, USERINFO_BREAKS);
  return parsed;
}

const USERINFO_BREAKS =
  'it has a password (masked here) holding "#", "/", "?" or "@", which ends the host part and leaves an invalid host or port: percent-encode them (%23, %2F, %3F, %40)';

/**
 * `text` with everything between its scheme and its last "@" masked as user-info (`user:***@` or
 * `***@`) — the widest reading, since a password holding "#", "/" or "?" hides where the authority
 * ends. Text without "@" is returned as it is. For error messages only: a path holding "@" is
 * over-masked, never a secret under-masked.
 */
export function maskSuspectUserinfo(text: string): string {
  const scheme = SCHEME.exec(text.trimStart())?.[1] ?? '';
  const start = text.indexOf(scheme) + scheme.length;
  const at = text.lastIndexOf('@');
  if (at < start) return text;
  const userinfo = text.slice(start, at);
  const colon = userinfo.indexOf(':');
  const user = colon === -1 ? '' : `${userinfo.slice(0, colon)}:`;
  return `${text.slice(0, start)}${user}${MASK}${text.slice(at)}`;
}

function parseUnmasked(input: string): ParsedAddress {
  const text = input.trim();
  if (text === '') throw new AddressError(input, 'it is empty');
  if (/\s/.test(text)) throw new AddressError(input, 'it contains white space');

  // Without these checks a broken scheme is read as host:port and reported as a bad port.
  const lone = /^([a-z][a-z0-9+.-]*:)\/(?!\/)/i.exec(text);
  if (lone) throw new AddressError(input, `"//" is missing after "${lone[1]}"`);
  const named = /^([^:/?#@[\]]*):\/\//.exec(text);
  if (named?.[1] === '') throw new AddressError(input, 'there is no scheme before "://"');
  if (named && !SCHEME.test(text)) throw new AddressError(input, `"${named[1]}:" is not a scheme`);

  const scheme = SCHEME.exec(text)?.[1] ?? '';
  const afterScheme = text.slice(scheme.length);
  const authorityEnd = afterScheme.search(/[/?#]/);
  const authority = authorityEnd === -1 ? afterScheme : afterScheme.slice(0, authorityEnd);
  const rest = authorityEnd === -1 ? '' : afterScheme.slice(authorityEnd);
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? '' : authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);

  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1) throw new AddressError(input, 'an IPv6 address opened with "[" is never closed');
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw new AddressError(input, `unexpected "${after}" after "]"`);
    portText = after === '' ? undefined : after.slice(1);
  } else if ((hostPort.match(/:/g) ?? []).length > 1) {
    host = hostPort; // bare IPv6 such as ::1 — it cannot carry a port without brackets
  } else {
    const colon = hostPort.indexOf(':');
    host = colon === -1 ? hostPort : hostPort.slice(0, colon);
    portText = colon === -1 ? undefined : hostPort.slice(colon + 1);
  }

  if (host === '') throw new AddressError(input, 'it has no host');
  if (!isIpv6(host) && !HOSTNAME.test(host))
    throw new AddressError(input, `"${host}" is not a host name or IP address`);
  const ipv4 = IPV4.exec(host);
  if (ipv4 && ipv4.slice(1).some((octet) => Number(octet) > 255)) {
    throw new AddressError(input, `"${host}" is not a valid IPv4 address`);
  }
  return { scheme, userinfo, host, port: parsePort(input, portText), rest };
}

function parsePort(input: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === '') throw new AddressError(input, 'the port after ":" is empty');
  if (!/^\d{1,5}$/.test(text)) throw new AddressError(input, `port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new AddressError(input, `port ${port} is outside 1-65535`);
  return port;
}

/** Why `input` does not start with `http://` or `https://`, or undefined when it does. */
export function httpSchemeProblem(input: string): string | undefined {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) return undefined;
  const head = /^([^:/?#@[\]]*):(\/*)(.*)$/s.exec(text);
  // `host`, `host:port` and `host:port/path` name no scheme at all
  if (!head || (head[2] === '' && /^\d*([/?#]|$)/.test(head[3]))) return 'it has no scheme';
  const [, name, slashes] = head;
  if (!/^[a-z][a-z0-9+.-]*$/i.test(name)) return `"${name}:" is not a scheme`;
  if (/^https?$/i.test(name)) return `"//" is missing after "${name}:"`;
  const wrong = `scheme "${name}:" is not http: or https:`;
  return slashes.length < 2 ? `${wrong}, and "//" is missing after it` : wrong;
}

function isIpv6(host: string): boolean {
  return host.includes(':') && /^[0-9a-f:.]+$/i.test(host);
}

export function formatAddress(address: ParsedAddress): string {
  const host = isIpv6(address.host) ? `[${address.host}]` : address.host;
  const port = address.port === undefined ? '' : `:${address.port}`;
  return `${address.scheme}${address.userinfo}${host}${port}${address.rest}`;
}

/**
 * The address with its user-info's secret part masked: `http://user:pw@host` → `http://user:***@host`,
 * `http://token@host` → `http://***@host`. Text that does not parse gets everything before its last "@"
 * masked (`maskSuspectUserinfo`): a password that breaks parsing is still a password.
 */
export function maskUserinfo(address: string): string {
  let parsed: ParsedAddress;
  try {
    parsed = parseAddress(address);
  } catch {
    return maskSuspectUserinfo(address);
  }
  if (parsed.userinfo === '') return address;
  const user = parsed.userinfo.slice(0, -1);
  const colon = user.indexOf(':');
  return formatAddress({ ...parsed, userinfo: colon === -1 ? `${MASK}@` : `${user.slice(0, colon)}:${MASK}@` });
}

/** `masked` with the user-info of `original` put back (for the one place the secret is meant for: the container). */
export function withUserinfoOf(masked: string, original: string): string {
  const target = parseAddress(masked);
  return formatAddress({ ...target, userinfo: parseAddress(original).userinfo });
}

/** Expands an IPv6 text form into its eight 16-bit groups, or undefined when it is not one. */
function ipv6Groups(host: string): number[] | undefined {
  if (!isIpv6(host)) return undefined;
  let text = host.toLowerCase();
  const embedded = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (embedded) {
    const octets = embedded[1].split('.').map(Number);
    text =
      text.slice(0, -embedded[1].length) +
      `${((octets[0] << 8) | octets[1]).toString(16)}:${((octets[2] << 8) | octets[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array(missing).fill('0'), ...tail].map((group) => parseInt(group, 16));
  return groups.some((group) => Number.isNaN(group) || group > 0xffff) ? undefined : groups;
}

/**
 * The four bytes of an IPv4 address in any form inet_aton and URL parsers accept — `127.0.0.1`,
 * `127.1`, `0`, `0x7f.1`, `0177.0.0.1`, `2130706433` — or undefined when `host` is not one. Dialers
 * resolve these without DNS, so they must be recognised here as the addresses they are.
 */
function ipv4Bytes(host: string): number[] | undefined {
  const parts = host.split('.').map(ipv4Number);
  if (parts.length > 4 || parts.some((part) => part === undefined)) return undefined;
  const numbers = parts as number[];
  const last = numbers[numbers.length - 1];
  const leading = numbers.slice(0, -1);
  // the last part fills every byte the others leave: 127.1 is 127.0.0.1
  if (leading.some((part) => part > 255) || last >= 256 ** (4 - leading.length)) return undefined;
  const value = leading.reduce((sum, part, index) => sum + part * 256 ** (3 - index), last);
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
}

function ipv4Number(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[0-7]+$/.test(text)) return parseInt(text, 8);
  if (/^(0|[1-9]\d*)$/.test(text)) return Number(text);
  return undefined;
}

export type HostClass = 'loopback' | 'unspecified' | 'other';

/**
 * Loopback: `localhost` (any case, trailing dot), 127.0.0.0/8 in any IPv4 form (`127.1`), ::1 and
 * ::ffff:127.x. Unspecified: 0.0.0.0 (also `0`) and :: — a bind address, which as a destination
 * means "this machine".
 */
export function classifyHost(host: string): HostClass {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost') return 'loopback';
  const ipv4 = ipv4Bytes(name);
  if (ipv4) {
    if (ipv4.every((byte) => byte === 0)) return 'unspecified';
    return ipv4[0] === 127 ? 'loopback' : 'other';
  }
  const groups = ipv6Groups(name);
  if (!groups) return 'other';
  if (groups.every((group) => group === 0)) return 'unspecified';
  if (groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1) return 'loopback';
  const mappedIpv4 = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mappedIpv4)
    return groups[6] >> 8 === 127 ? 'loopback' : groups[6] === 0 && groups[7] === 0 ? 'unspecified' : 'other';
  return 'other';
}

/** True for every host form that means "this machine" to whoever dials it. */
export function isLocalHost(host: string): boolean {
  return classifyHost(host) !== 'other';
}

export interface AddressRewrite {
  original: string;
  resolved: string;
  rewritten: boolean;
  reason: string;
}

/**
 * Rewrites an address for a dialer that reaches this machine's services under `hostAlias`.
 * Only hosts that mean "this machine" are replaced; everything else is kept verbatim.
 */
export function rewriteLocalHost(input: string, hostAlias: string, why: string): AddressRewrite {
  const parsed = parseAddress(input);
  if (!isLocalHost(parsed.host)) {
    return {
      original: input,
      resolved: input,
      rewritten: false,
      reason: `${parsed.host} is not a local address: kept`,
    };
  }
  if (parsed.host === hostAlias) {
    return { original: input, resolved: input, rewritten: false, reason: `already ${hostAlias}` };
  }
  const resolved = formatAddress({ ...parsed, host: hostAlias });
  return { original: input, resolved, rewritten: true, reason: `${parsed.host} → ${hostAlias}: ${why}` };
}

/** host:port of an address, with the given default port when it names none. */
export function endpointOf(input: string, defaultPort: number): { host: string; port: number } {
  const parsed = parseAddress(input);
  return { host: parsed.host, port: parsed.port ?? defaultPort };
}

/** An IP address as bytes: 4 for IPv4 (also written ::ffff:a.b.c.d), 16 for IPv6; undefined for anything else. */
function ipBytes(host: string): number[] | undefined {
  const ipv4 = IPV4.exec(host);
  if (ipv4) {
    const bytes = ipv4.slice(1).map(Number);
    return bytes.every((byte) => byte <= 255) ? bytes : undefined;
  }
  const groups = ipv6Groups(host);
  if (!groups) return undefined;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff)
    return [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255];
  return groups.flatMap((group) => [group >> 8, group & 255]);
}

/**
 * Whether the IP address `address` lies in `cidr` (`172.17.0.0/16`, `fd00::/64`; a bare address is
 * that one address). Anything that is not an IP address or a valid CIDR is outside.
 */
export function inSubnet(address: string, cidr: string): boolean {
  const [base, prefixText, extra] = cidr.split('/');
  const target = ipBytes(address);
  const network = ipBytes(base);
  if (!target || !network || target.length !== network.length || extra !== undefined) return false;
  const prefix = prefixText === undefined ? target.length * 8 : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? '0') || prefix > target.length * 8) return false;
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((target[bit >> 3] & mask) !== (network[bit >> 3] & mask)) return false;
  }
  return true;
}
