/**
 * A real server-side check of TLS, client certificates and API keys in front of a Temporal dev
 * server (which has no TLS or auth of its own): Debian's nginx, run with its own prefix on free
 * ports, terminating TLS and passing gRPC through. Rejections are answered as gRPC UNAUTHENTICATED
 * so every client (grpc-js, the Rust core, the temporal CLI) reads them as such (REFERENCE.md).
 * Certificates are made here with openssl: a CA, a server certificate, a client certificate, and a
 * second CA with its own client certificate for the bad cases.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'node:net';
import { freePort } from './temporal-server';

const run = promisify(execFile);

/** The name the server certificate carries besides localhost and 127.0.0.1 (for server-name overrides). */
export const TEST_SERVER_NAME = 'temporal.stigmer.test';

export interface TestCertificates {
  dir: string;
  /** The CA that signed the server and the good client certificate. */
  ca: string;
  /** Another CA: trusting it instead is the "wrong CA" case; its client certificate is refused. */
  otherCa: string;
  client: { cert: string; key: string };
  otherClient: { cert: string; key: string };
  /** Every PEM body written (certificates and keys), for scanning output for leaks. */
  pemBodies(): Promise<string[]>;
}

export async function makeCertificates(dir: string): Promise<TestCertificates> {
  await mkdir(dir, { recursive: true });
  const at = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const newCa = (name: string) =>
    run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.pem`),
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
  const issue = async (name: string, ca: string, subject: string, extensions: string) => {
    await run('openssl', ['req', ...ec, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', subject]);
    await writeFile(at(`${name}.ext`), extensions);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      at(`${name}.csr`),
      '-CA',
      at(`${ca}.pem`),
      '-CAkey',
      at(`${ca}.key`),
      '-CAcreateserial',
      '-out',
      at(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      at(`${name}.ext`),
    ]);
  };
  await Promise.all([newCa('stigmer-test-ca'), newCa('stigmer-other-ca')]);
  await Promise.all([
    issue(
      'server',
      'stigmer-test-ca',
      '/CN=localhost',
      `subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:${TEST_SERVER_NAME}\nextendedKeyUsage=serverAuth\n`,
    ),
    issue('client', 'stigmer-test-ca', '/CN=stigmer-runner-test', 'extendedKeyUsage=clientAuth\n'),
    issue('other-client', 'stigmer-other-ca', '/CN=stigmer-runner-other', 'extendedKeyUsage=clientAuth\n'),
  ]);
  const files = [
    'stigmer-test-ca.pem',
    'stigmer-test-ca.key',
    'stigmer-other-ca.pem',
    'stigmer-other-ca.key',
    'server.pem',
    'server.key',
    'client.pem',
    'client.key',
    'other-client.pem',
    'other-client.key',
  ];
  return {
    dir,
    ca: at('stigmer-test-ca.pem'),
    otherCa: at('stigmer-other-ca.pem'),
    client: { cert: at('client.pem'), key: at('client.key') },
    otherClient: { cert: at('other-client.pem'), key: at('other-client.key') },
    pemBodies: async () =>
      (await Promise.all(files.map((file) => readFile(at(file), 'utf8')))).flatMap((text) =>
        [...text.matchAll(/-----BEGIN [^-]+-----\n([\s\S]+?)\n-----END/g)].map((match) => match[1].replace(/\n/g, '')),
      ),
  };
}

export interface TlsProxy {
  /** TLS only: the server certificate, no client check. */
  tlsAddress: string;
  /** TLS plus a client certificate signed by the test CA. */
  mtlsAddress: string;
  /** TLS plus `authorization: Bearer <apiKey>`. */
  apiKeyAddress: string;
  apiKey: string;
  certs: TestCertificates;
  /** nginx's access log: one line per request, `PORT CLIENT-VERIFY "REQUEST" STATUS` (e.g. `4431 SUCCESS "POST /… HTTP/2.0" 200`). */
  accessLog(): Promise<string>;
  stop(): Promise<void>;
}

/** nginx from Debian in front of the dev server at `upstream` (host:port); certificates made under a temp dir. */
export async function startTlsProxy(upstream: string, apiKey: string): Promise<TlsProxy> {
  const prefix = await mkdtemp(join(tmpdir(), 'stigmer-tls-'));
  await chmod(prefix, 0o755);
  const certs = await makeCertificates(join(prefix, 'certs'));
  await mkdir(join(prefix, 'tmp'), { recursive: true });
  const [tlsPort, mtlsPort, apiKeyPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const tls = `ssl_certificate ${join(certs.dir, 'server.pem')};\n    ssl_certificate_key ${join(certs.dir, 'server.key')};`;
  // Rejections as gRPC (status 16): a bare 401 or a 400 for a bad client certificate reads as
  // INTERNAL or breaks the Rust core.
  const unauthenticated = (message: string) => `
    error_page 401 495 496 = @unauthenticated;
    location @unauthenticated {
      internal;
      default_type application/grpc;
      add_header grpc-status 16 always;
      add_header grpc-message "${message}" always;
      return 200;
    }`;
  const config = `
daemon off;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 512; }
http {
  # Which of the three servers took a request (its port), and nginx's verdict on the client certificate:
  # the default format names neither, so a call through one port read as a call through another.
  log_format stigmer '$server_port $ssl_client_verify "$request" $status';
  access_log ${join(prefix, 'access.log')} stigmer;
  client_body_temp_path ${join(prefix, 'tmp', 'body')};
  proxy_temp_path ${join(prefix, 'tmp', 'proxy')};
  fastcgi_temp_path ${join(prefix, 'tmp', 'fastcgi')};
  uwsgi_temp_path ${join(prefix, 'tmp', 'uwsgi')};
  scgi_temp_path ${join(prefix, 'tmp', 'scgi')};
  # Long polls last ~60 s: nginx's default 60 s would turn each idle poll into a 504.
  grpc_read_timeout 300s;
  grpc_send_timeout 300s;
  map $http_authorization $api_key_ok { default 0; "Bearer ${apiKey}" 1; }
  server {
    listen 127.0.0.1:${tlsPort} ssl http2;
    ${tls}
    location / { grpc_pass grpc://${upstream}; }
  }
  server {
    listen 127.0.0.1:${mtlsPort} ssl http2;
    ${tls}
    ssl_client_certificate ${certs.ca};
    ssl_verify_client on;
    ${unauthenticated('stigmer test proxy: a client certificate signed by the test CA is required')}
    location / { grpc_pass grpc://${upstream}; }
  }
  server {
    listen 127.0.0.1:${apiKeyPort} ssl http2;
    ${tls}
    ${unauthenticated('stigmer test proxy: missing or wrong API key')}
    location / {
      if ($api_key_ok = 0) { return 401; }
      grpc_pass grpc://${upstream};
    }
  }
}
`;
  const configFile = join(prefix, 'nginx.conf');
  await writeFile(configFile, config);
  // Debian puts it in /usr/sbin, which a non-root PATH may lack.
  const nginx = spawn(
    existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx',
    ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', configFile],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  nginx.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) => {
    nginx.once('error', (error) =>
      reject(new Error(`cannot run nginx (${error.message}): apt-get install nginx-light (scripts/setup.sh does)`)),
    );
    nginx.once('exit', (code) => {
      void readFile(join(prefix, 'error.log'), 'utf8')
        .catch(() => '')
        .then((log) => reject(new Error(`nginx exited (${code}): ${stderr.trim()} ${log}`)));
    });
  });
  exited.catch(() => undefined);
  await Promise.race([Promise.all([tlsPort, mtlsPort, apiKeyPort].map((port) => listening(port, 10_000))), exited]);
  return {
    tlsAddress: `127.0.0.1:${tlsPort}`,
    mtlsAddress: `127.0.0.1:${mtlsPort}`,
    apiKeyAddress: `127.0.0.1:${apiKeyPort}`,
    apiKey,
    certs,
    accessLog: () => readFile(join(prefix, 'access.log'), 'utf8').catch(() => ''),
    stop: async () => {
      await stop(nginx);
      await rm(prefix, { recursive: true, force: true });
    },
  };
}

async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM'); // fast shutdown: a graceful one would wait out open long polls
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
