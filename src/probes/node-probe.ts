/**
 * The probe program: dials every target concurrently and reports what answered. It runs in this
 * process for checks from the host, and — as its own source text via `node -e` — inside containers
 * whose image has node. It must stay self-contained: no imports, nothing from module scope.
 */
import type { ProbeResult, ProbeTarget } from '../core/health/diagnosis';

export async function probeTargets(targets: ProbeTarget[]): Promise<ProbeResult[]> {
  const net: typeof import('node:net') = require('node:net');
  const http: typeof import('node:http') = require('node:http');
  const https: typeof import('node:https') = require('node:https');
  const fs: typeof import('node:fs') = require('node:fs');

  const fileFailure = (target: ProbeTarget, error: unknown, started: number): ProbeResult => {
    const failure = error as NodeJS.ErrnoException;
    return {
      id: target.id,
      ok: false,
      code: failure.code ?? 'ERROR',
      message: failure.message,
      ms: Date.now() - started,
    };
  };

  // The runner's user must be able to create files in its workspace; the probe runs as that user.
  // Runners may share a workspace, and in their own PID namespaces their probes get the same pid: the
  // name carries random bytes (two probes in one millisecond collided, EEXIST, in bench P5).
  const probeWrite = async (target: ProbeTarget, started: number): Promise<ProbeResult> => {
    const file = `${target.path}/.stigmer-write-check-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
    try {
      fs.writeFileSync(file, 'ok', { flag: 'wx' });
      fs.unlinkSync(file);
      return { id: target.id, ok: true, ms: Date.now() - started };
    } catch (error) {
      return fileFailure(target, error, started);
    }
  };

  // Whether a file this machine wrote is seen from the container (a folder the engine shares with us).
  const probeRead = async (target: ProbeTarget, started: number): Promise<ProbeResult> => {
    try {
      const body = fs.readFileSync(target.path as string, 'utf8').slice(0, 4096);
      return { id: target.id, ok: true, body, ms: Date.now() - started };
    } catch (error) {
      return fileFailure(target, error, started);
    }
  };

  // The workspace given to the runner's user, as root, after the marker proves the folder is ours.
  const idOf = (file: string, name: string): number | undefined => {
    if (/^\d+$/.test(name)) return Number(name);
    const line = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .find((entry) => entry.split(':')[0] === name);
    return line === undefined ? undefined : Number(line.split(':')[2]);
  };
  const probeClaim = async (target: ProbeTarget, started: number): Promise<ProbeResult> => {
    const result = (fields: Omit<ProbeResult, 'id' | 'ms'>) => ({ id: target.id, ms: Date.now() - started, ...fields });
    try {
      if (target.marker !== undefined) {
        const seen = fs.existsSync(`${target.path}/${target.marker}`)
          ? fs.readFileSync(`${target.path}/${target.marker}`, 'utf8')
          : undefined;
        if (seen !== target.expect) return result({ ok: false, code: 'ENOENT', message: 'marker not seen' });
      }
      const [user, group] = (target.user ?? '0').split(':');
      const uid = idOf('/etc/passwd', user);
      if (uid === undefined) return result({ ok: false, code: 'ENOUSER', message: `no user ${user} in /etc/passwd` });
      const entry = /^\d+$/.test(user)
        ? fs
            .readFileSync('/etc/passwd', 'utf8')
            .split('\n')
            .find((line) => line.split(':')[2] === user)
        : fs
            .readFileSync('/etc/passwd', 'utf8')
            .split('\n')
            .find((line) => line.split(':')[0] === user);
      const gid = group !== undefined ? idOf('/etc/group', group) : entry ? Number(entry.split(':')[3]) : 0;
      if (gid === undefined) return result({ ok: false, code: 'ENOGROUP', message: `no group ${group} in /etc/group` });
      const path = target.path as string;
      fs.chownSync(path, uid, gid);
      fs.chmodSync(path, (fs.statSync(path).mode & 0o7777) | 0o700);
      return result({ ok: true, body: `${uid} ${gid}` });
    } catch (error) {
      const failure = error as NodeJS.ErrnoException;
      return result({ ok: false, code: failure.code ?? 'ERROR', message: failure.message });
    }
  };

  // A process starved of CPU can wake with its deadline passed and the answer already there; Node
  // runs expired timers before it reads sockets, so a timeout gives that I/O one turn before it counts.
  const afterPendingIo = (verdict: () => void) => () => setImmediate(verdict);

  const probeTcp = (target: ProbeTarget, started: number): Promise<ProbeResult> =>
    new Promise((resolve) => {
      const socket = net.connect({
        host: target.host,
        port: target.port,
        timeout: target.timeoutMs,
        autoSelectFamily: true,
      });
      const finish = (result: Omit<ProbeResult, 'id' | 'ms'>) => {
        socket.destroy();
        resolve({ id: target.id, ms: Date.now() - started, ...result });
      };
      socket.once('connect', () => finish({ ok: true, address: `${socket.remoteAddress}:${socket.remotePort}` }));
      socket.once(
        'timeout',
        afterPendingIo(() =>
          finish({
            ok: false,
            code: 'ETIMEDOUT',
            message: `no answer from ${target.host}:${target.port} within ${target.timeoutMs} ms`,
          }),
        ),
      );
      socket.once('error', (error: NodeJS.ErrnoException) =>
        finish({ ok: false, code: error.code ?? 'ERROR', message: error.message }),
      );
    });

  const probeHttp = (target: ProbeTarget, started: number): Promise<ProbeResult> =>
    new Promise((resolve) => {
      const url = new URL(target.url as string);
      const client = url.protocol === 'https:' ? https : http;
      const request = client.request({
        host: target.host,
        port: target.port,
        path: url.pathname + url.search,
        method: 'GET',
        headers: { Host: target.hostHeader ?? url.host, Accept: 'application/json' },
        timeout: target.timeoutMs,
        autoSelectFamily: true,
        agent: false, // a fresh connection per probe: a pooled one would prove nothing about dialling
        servername: url.hostname,
      } as import('node:https').RequestOptions);
      let address: string | undefined;
      request.once('socket', (socket) =>
        socket.once('connect', () => (address = `${socket.remoteAddress}:${socket.remotePort}`)),
      );
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < 65536) chunks.push(chunk);
          size += chunk.length;
        });
        response.once('end', () =>
          resolve({
            id: target.id,
            ok: true,
            status: response.statusCode,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 65536),
            address,
            ms: Date.now() - started,
          }),
        );
      });
      request.once(
        'timeout',
        afterPendingIo(() =>
          request.destroy(
            Object.assign(new Error(`no answer from ${target.host}:${target.port} within ${target.timeoutMs} ms`), {
              code: 'ETIMEDOUT',
            }),
          ),
        ),
      );
      request.once('error', (error: NodeJS.ErrnoException) =>
        resolve({
          id: target.id,
          ok: false,
          code: error.code ?? 'ERROR',
          message: error.message,
          address,
          ms: Date.now() - started,
        }),
      );
      request.end();
    });

  const probe = { http: probeHttp, tcp: probeTcp, write: probeWrite, read: probeRead, claim: probeClaim };
  return Promise.all(targets.map((target) => probe[target.kind](target, Date.now())));
}

/** `node -e` program text: prints the results of the targets passed as the first argument. */
export function nodeProbeProgram(): string {
  return `(${probeTargets.toString()})(JSON.parse(process.argv[1])).then((results) => process.stdout.write(JSON.stringify(results)))`;
}
