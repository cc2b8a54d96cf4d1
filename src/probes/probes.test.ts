/**
 * The probe contract: the node program (in-process and as `node -e` source) and the python program
 * give the same answers against the same real sockets — stand-ins for Ollama and the backend, a
 * closed port, and a server that accepts but never answers.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProbeResult, ProbeTarget } from '../core/health/diagnosis';
import { startBackendStandIn, type BackendStandIn } from '../../test/support/backend-standin';
import { startOllamaStandIn, type OllamaStandIn } from '../../test/support/ollama-standin';
import { freePort } from '../../test/support/temporal-server';
import { nodeProbeProgram, probeTargets } from './node-probe';
import { PYTHON_PROBE_PROGRAM } from './python-probe';

const run = promisify(execFile);
let ollama: OllamaStandIn;
let backend: BackendStandIn;
let silent: Server;
let silentPort: number;
const held: Socket[] = [];
let closedPort: number;
let targets: ProbeTarget[];
let writable: string;
let readOnly: string;
/** Root writes through any mode bits: as root the target is a read-only mount (EROFS), else a 0555 folder (EACCES). */
const asRoot = process.getuid?.() === 0;
const refusedCode = asRoot ? 'EROFS' : 'EACCES';

/** A folder that refuses writes to whoever runs the probe; a root that cannot mount fails here, loudly. */
function refusingFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'probe-read-only-'));
  if (asRoot) execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir]);
  else chmodSync(dir, 0o555);
  return dir;
}

beforeAll(async () => {
  [ollama, backend, closedPort] = await Promise.all([startOllamaStandIn(), startBackendStandIn(), freePort()]);
  silent = createServer((socket) => held.push(socket)); // accepts, never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
  writable = mkdtempSync(join(tmpdir(), 'probe-writable-'));
  readOnly = refusingFolder();
  targets = [
    { id: 'workspace', kind: 'write', host: '', port: 0, path: writable, timeoutMs: 2000 },
    { id: 'workspace-missing', kind: 'write', host: '', port: 0, path: join(writable, 'missing'), timeoutMs: 2000 },
    { id: 'workspace-read-only', kind: 'write', host: '', port: 0, path: readOnly, timeoutMs: 2000 },
    { id: 'tags', kind: 'http', host: '127.0.0.1', port: ollama.port, url: `${ollama.url}/api/tags`, timeoutMs: 2000 },
    {
      id: 'tags-by-name',
      kind: 'http',
      host: 'localhost',
      port: ollama.port,
      url: `http://localhost:${ollama.port}/api/tags`,
      timeoutMs: 2000,
    },
    {
      id: 'foreign-host-header',
      kind: 'http',
      host: '127.0.0.1',
      port: ollama.port,
      url: `${ollama.url}/api/tags`,
      hostHeader: `evil.example.com:${ollama.port}`,
      timeoutMs: 2000,
    },
    { id: 'backend', kind: 'tcp', host: '127.0.0.1', port: backend.port, timeoutMs: 2000 },
    { id: 'closed', kind: 'tcp', host: '127.0.0.1', port: closedPort, timeoutMs: 2000 },
    {
      id: 'closed-http',
      kind: 'http',
      host: '127.0.0.1',
      port: closedPort,
      url: `http://127.0.0.1:${closedPort}/api/tags`,
      timeoutMs: 2000,
    },
    {
      id: 'silent-http',
      kind: 'http',
      host: '127.0.0.1',
      port: silentPort,
      url: `http://127.0.0.1:${silentPort}/`,
      timeoutMs: 300,
    },
  ];
});

afterAll(async () => {
  held.forEach((socket) => socket.destroy());
  await Promise.all([ollama?.close(), backend?.close(), new Promise((resolve) => silent?.close(resolve))]);
  rmSync(writable, { recursive: true, force: true });
  if (asRoot && readOnly) execFileSync('umount', [readOnly]);
  rmSync(readOnly, { recursive: true, force: true });
});

function expectContract(results: ProbeResult[]): void {
  const byId = Object.fromEntries(results.map((result) => [result.id, result]));
  expect(results.map((result) => result.id)).toEqual(targets.map((target) => target.id));
  expect(byId.tags).toMatchObject({ ok: true, status: 200, address: `127.0.0.1:${ollama.port}` });
  expect(JSON.parse(byId.tags.body as string).models[0].name).toBe('qwen2.5-coder:7b');
  expect(byId['tags-by-name']).toMatchObject({ ok: true, status: 200 });
  expect(byId['foreign-host-header']).toMatchObject({ ok: true, status: 403 });
  expect(byId.backend).toMatchObject({ ok: true, address: `127.0.0.1:${backend.port}` });
  expect(byId.closed).toMatchObject({ ok: false, code: 'ECONNREFUSED' });
  expect(byId['closed-http']).toMatchObject({ ok: false, code: 'ECONNREFUSED' });
  expect(byId['silent-http']).toMatchObject({ ok: false, code: 'ETIMEDOUT' });
  // The write check leaves nothing behind, and a folder that refuses writes is reported with the kernel's code.
  expect(byId.workspace).toMatchObject({ ok: true });
  expect(readdirSync(writable)).toEqual([]);
  expect(byId['workspace-missing']).toMatchObject({ ok: false, code: 'ENOENT' });
  expect(byId['workspace-read-only']).toMatchObject({ ok: false, code: refusedCode });
  for (const result of results) expect(result.ms).toBeGreaterThanOrEqual(0);
}

test('node probe, in process', async () => {
  expectContract(await probeTargets(targets));
});

test('node probe, as the `node -e` program run inside containers', async () => {
  const { stdout } = await run('node', ['-e', nodeProbeProgram(), JSON.stringify(targets)]);
  expectContract(JSON.parse(stdout));
});

test('python probe, as run inside Python images such as Stigmer’s agent-runner', async () => {
  const { stdout } = await run('python3', ['-c', PYTHON_PROBE_PROGRAM, JSON.stringify(targets)]);
  expectContract(JSON.parse(stdout));
});

test.each([
  [
    'node',
    '-e',
    'Object.defineProperty(process, "pid", { value: 16 }); Date.now = () => 1796150749382;\n',
    nodeProbeProgram(),
  ],
  [
    'python3',
    '-c',
    'import os, time\nos.getpid = lambda: 16\ntime.time = lambda: 1796150749.382\n',
    PYTHON_PROBE_PROGRAM,
  ],
])(
  '%s probe: runners sharing a workspace check it at once without colliding (same pid in their namespaces, same ms)',
  async (interpreter, flag, sameMoment, program) => {
    const shared = mkdtempSync(join(tmpdir(), 'stigmer-shared-workspace-'));
    try {
      // Another runner's check, in flight: what the same pid and millisecond alone would name.
      writeFileSync(join(shared, '.stigmer-write-check-16-1796150749382'), 'ok');
      const check = [{ id: 'workspace', kind: 'write', host: '', port: 0, path: shared, timeoutMs: 2000 }];
      const { stdout } = await run(interpreter, [flag, sameMoment + program, JSON.stringify(check)]);
      expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ id: 'workspace', ok: true })]);
      expect(readdirSync(shared)).toEqual(['.stigmer-write-check-16-1796150749382']);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  },
);

test('a probe starved past its deadline still reports the connection that completed meanwhile', async () => {
  // Under load a probe process can be descheduled for longer than its timeout: it wakes with the
  // deadline passed and the connection already made. That is not "no answer".
  const pending = probeTargets([{ id: 'starved', kind: 'tcp', host: '127.0.0.1', port: silentPort, timeoutMs: 50 }]);
  await new Promise((resolve) => process.nextTick(resolve)); // the connect is issued on the next tick
  const starvedUntil = Date.now() + 300;
  while (Date.now() < starvedUntil); // no event loop turn, as when the process gets no CPU
  expect(await pending).toEqual([expect.objectContaining({ id: 'starved', ok: true })]);
});
