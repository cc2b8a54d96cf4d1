import { request } from 'node:http';
import { hostname } from 'node:os';
import { startOllamaStandIn, type OllamaStandIn } from './ollama-standin';

interface Reply {
  status: number;
  body: string;
  contentType: string | undefined;
}

function call(
  target: OllamaStandIn,
  path: string,
  opts: { method?: string; hostHeader?: string; connectHost?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: opts.connectHost ?? target.host,
        port: target.port,
        path,
        method: opts.method ?? 'GET',
        agent: false,
        headers: opts.hostHeader === undefined ? {} : { host: opts.hostHeader },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'] }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('Ollama stand-in', () => {
  let ollama: OllamaStandIn;
  beforeAll(async () => {
    ollama = await startOllamaStandIn();
  });
  afterAll(() => ollama.close());

  it('listens on a free loopback port by default', () => {
    expect(ollama.host).toBe('127.0.0.1');
    expect(ollama.port).toBeGreaterThan(0);
    expect(ollama.url).toBe(`http://127.0.0.1:${ollama.port}`);
  });

  it('serves the root, version, tags and ps routes like Ollama', async () => {
    await expect(call(ollama, '/')).resolves.toEqual({
      status: 200,
      body: 'Ollama is running',
      contentType: 'text/plain; charset=utf-8',
    });
    await expect(call(ollama, '/', { method: 'HEAD' })).resolves.toMatchObject({ status: 200, body: '' });
    expect(JSON.parse((await call(ollama, '/api/version')).body)).toEqual({ version: '0.5.1' });
    expect(JSON.parse((await call(ollama, '/api/ps')).body)).toEqual({ models: [] });

    const tags = JSON.parse((await call(ollama, '/api/tags')).body) as { models: Array<Record<string, unknown>> };
    expect(tags.models).toHaveLength(1);
    expect(tags.models[0]).toMatchObject({
      name: 'qwen2.5-coder:7b',
      model: 'qwen2.5-coder:7b',
      size: expect.any(Number),
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details: { parent_model: '', format: 'gguf', families: expect.any(Array) },
    });
    expect(Number.isNaN(Date.parse(String(tags.models[0].modified_at)))).toBe(false);
  });

  it("answers unknown routes with Go's plain 404", async () => {
    await expect(call(ollama, '/api/nope')).resolves.toEqual({
      status: 404,
      body: '404 page not found',
      contentType: 'text/plain',
    });
    await expect(call(ollama, '/api/ps', { method: 'HEAD' })).resolves.toMatchObject({ status: 404 });
  });

  it('records every request with its Host header', async () => {
    const before = ollama.requests.length;
    await call(ollama, '/api/version?x=1', { hostHeader: 'evil.example' });
    expect(ollama.requests.slice(before)).toEqual([
      { method: 'GET', path: '/api/version', hostHeader: 'evil.example' },
    ]);
  });

  it.each([
    'localhost',
    'localhost:11434',
    'LOCALHOST',
    `127.0.0.1:1`,
    '127.9.9.9',
    '[::1]:11434',
    '::1',
    '0.0.0.0',
    '10.1.2.3',
    '172.17.0.1:11434',
    '192.168.1.5',
    '[fd00::1]:80',
    'host.docker.internal:11434',
    'anything.internal',
    'printer.local',
    'app.localhost',
    hostname(),
  ])('lets Host %s through on a loopback listener', async (hostHeader) => {
    expect((await call(ollama, '/api/version', { hostHeader })).status).toBe(200);
  });

  it.each([
    'evil.example',
    'evil.example:11434',
    '8.8.8.8',
    '[2001:db8::1]:11434',
    'localhost.example',
    'internal',
    '[::1]',
  ])('refuses Host %s on a loopback listener with an empty 403', async (hostHeader) => {
    await expect(call(ollama, '/', { hostHeader })).resolves.toEqual({ status: 403, body: '', contentType: undefined });
  });

  it('answers OPTIONS for allowed host names with 204 before routing', async () => {
    expect((await call(ollama, '/api/tags', { method: 'OPTIONS', hostHeader: 'localhost' })).status).toBe(204);
    expect((await call(ollama, '/api/tags', { method: 'OPTIONS', hostHeader: '127.0.0.1' })).status).toBe(404);
  });
});

describe('Ollama stand-in on other addresses', () => {
  it('accepts every Host header when listening on 0.0.0.0', async () => {
    const ollama = await startOllamaStandIn({
      host: '0.0.0.0',
      models: ['llama3.2:1b', 'qwen2.5-coder:7b'],
      version: '0.6.0',
    });
    try {
      expect(ollama.url).toBe(`http://0.0.0.0:${ollama.port}`);
      const reply = await call(ollama, '/api/tags', { connectHost: '127.0.0.1', hostHeader: 'evil.example' });
      expect(reply.status).toBe(200);
      expect((JSON.parse(reply.body) as { models: Array<{ name: string }> }).models.map((m) => m.name)).toEqual([
        'llama3.2:1b',
        'qwen2.5-coder:7b',
      ]);
      expect(JSON.parse((await call(ollama, '/api/version', { connectHost: '127.0.0.1' })).body)).toEqual({
        version: '0.6.0',
      });
    } finally {
      await ollama.close();
    }
  });

  it('listens on IPv6 ::1 and still applies the loopback Host rule', async () => {
    const ollama = await startOllamaStandIn({ host: '::1' });
    try {
      expect(ollama.url).toBe(`http://[::1]:${ollama.port}`);
      expect((await call(ollama, '/')).status).toBe(200);
      expect((await call(ollama, '/', { hostHeader: 'evil.example' })).status).toBe(403);
    } finally {
      await ollama.close();
    }
  });

  it('serves on a requested port and frees it on close', async () => {
    const first = await startOllamaStandIn();
    await first.close();
    const again = await startOllamaStandIn({ port: first.port });
    try {
      expect(again.port).toBe(first.port);
      expect((await call(again, '/')).status).toBe(200);
    } finally {
      await again.close();
    }
    await expect(call(again, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
