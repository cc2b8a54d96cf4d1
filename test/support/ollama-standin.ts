import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlockList, isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

export interface OllamaStandIn {
  host: string;
  port: number;
  /** http://host:port, with IPv6 hosts in brackets. */
  url: string;
  requests: Array<{ method: string; path: string; hostHeader: string | undefined }>;
  close(): Promise<void>;
}

export interface OllamaStandInOptions {
  host?: string;
  port?: number;
  models?: string[];
  version?: string;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

// Go's netip.Addr.IsPrivate: RFC 1918 and RFC 4193.
const privateRanges = new BlockList();
privateRanges.addSubnet('10.0.0.0', 8, 'ipv4');
privateRanges.addSubnet('172.16.0.0', 12, 'ipv4');
privateRanges.addSubnet('192.168.0.0', 16, 'ipv4');
privateRanges.addSubnet('fc00::', 7, 'ipv6');

function family(ip: string): 'ipv4' | 'ipv6' {
  return isIP(ip) === 4 ? 'ipv4' : 'ipv6';
}

function isLocalInterfaceIp(ip: string): boolean {
  return Object.values(networkInterfaces()).some((addrs) => addrs?.some((a) => a.address === ip));
}

/** Go's net.SplitHostPort falling back to the whole value, as Ollama does. */
function hostPart(hostHeader: string): string {
  const bracketed = /^\[([^\]]*)\]:[^:]*$/.exec(hostHeader);
  if (bracketed) return bracketed[1];
  const plain = /^([^:[\]]*):[^:[\]]*$/.exec(hostHeader);
  return plain ? plain[1] : hostHeader;
}

/**
 * Ollama's server/routes.go `allowedHostsMiddleware` + `allowedHost`: only when the listener is on a
 * loopback address, the Host header's host part must be an IP that is loopback, private, unspecified
 * or on a local interface, or a name that is empty, `localhost`, the machine's hostname, or ends in
 * `.localhost`, `.local` or `.internal`. A bracketed IPv6 Host without a port (`[::1]`) fails
 * SplitHostPort and ParseAddr alike and is therefore refused, as in Ollama.
 */
function hostVerdict(hostHeader: string | undefined): 'ip' | 'name' | 'forbidden' {
  const host = hostPart(hostHeader ?? '');
  if (isIP(host)) {
    const fam = family(host);
    const ip = host.replace(/%.*$/, ''); // zones do not change Go's range checks
    if (
      loopback.check(ip, fam) ||
      privateRanges.check(ip, fam) ||
      ip === '0.0.0.0' ||
      ip === '::' ||
      isLocalInterfaceIp(host)
    )
      return 'ip';
  }
  const name = host.toLowerCase();
  if (name === '' || name === 'localhost' || name === hostname().toLowerCase()) return 'name';
  return ['localhost', 'local', 'internal'].some((tld) => name.endsWith(`.${tld}`)) ? 'name' : 'forbidden';
}

function modelEntry(name: string): object {
  const digest = createHash('sha256').update(name).digest('hex');
  const fam = name.split(/[:.\d]/)[0] || name;
  return {
    name,
    model: name,
    modified_at: new Date(0).toISOString(),
    size: 4_683_087_332,
    digest,
    details: {
      parent_model: '',
      format: 'gguf',
      family: fam,
      families: [fam],
      parameter_size: '7.6B',
      quantization_level: 'Q4_K_M',
    },
  };
}

export async function startOllamaStandIn(opts: OllamaStandInOptions = {}): Promise<OllamaStandIn> {
  const host = opts.host ?? '127.0.0.1';
  const models = opts.models ?? ['qwen2.5-coder:7b'];
  const version = opts.version ?? '0.5.1';
  const requests: OllamaStandIn['requests'] = [];
  let guarded = true;

  const send = (res: ServerResponse, status: number, body = '', type?: string): void => {
    res.writeHead(status, { ...(type && { 'Content-Type': type }), 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const json = (res: ServerResponse, value: unknown): void =>
    send(res, 200, JSON.stringify(value), 'application/json; charset=utf-8');

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method, path, hostHeader: req.headers.host });
    if (guarded) {
      const verdict = hostVerdict(req.headers.host);
      if (verdict === 'forbidden') return send(res, 403);
      if (verdict === 'name' && method === 'OPTIONS') return send(res, 204);
    }
    const route = `${method === 'HEAD' ? 'GET' : method} ${path}`;
    if (route === 'GET /') return send(res, 200, 'Ollama is running', 'text/plain; charset=utf-8');
    if (route === 'GET /api/version') return json(res, { version });
    if (route === 'GET /api/tags') return json(res, { models: models.map(modelEntry) });
    // Ollama registers HEAD for the routes above but not for /api/ps.
    if (method === 'GET' && path === '/api/ps') return json(res, { models: [] });
    send(res, 404, '404 page not found', 'text/plain');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  guarded = loopback.check(bound.address, family(bound.address));
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  return {
    host,
    port: bound.port,
    url: `http://${urlHost}:${bound.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
