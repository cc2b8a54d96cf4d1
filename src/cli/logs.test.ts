import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { redactingLines, secretsInEnv } from './logs';

async function through(chunks: string[], secrets: string[]): Promise<string> {
  const target = new PassThrough();
  let seen = '';
  target.on('data', (chunk: Buffer) => (seen += chunk.toString('utf8')));
  const lines = redactingLines(target, secrets);
  for (const chunk of chunks) lines.write(chunk);
  lines.end();
  await finished(lines);
  return seen;
}

describe('stigmer-runner logs: the runner’s log with every known secret masked', () => {
  test.each([
    ['whole, in one chunk', ['key=sk-live-123456789\n'], 'key=***\n'],
    ['split across two chunks', ['key=sk-live-1234', '56789 used\nnext\n'], 'key=*** used\nnext\n'],
    ['on a last line without a newline', ['a\nkey=sk-live-123456789'], 'a\nkey=***'],
    ['a proxy URL’s password whatever its value', ['http://user:hunter2@proxy:3128\n'], 'http://user:***@proxy:3128\n'],
  ])('%s', async (_case, chunks, expected) => {
    const shown = await through(chunks, ['sk-live-123456789']);
    expect(shown.replace(/\*{3,}|\[redacted\]|•+/g, '***')).toBe(expected);
    expect(shown).not.toContain('sk-live-123456789');
    expect(shown).not.toContain('hunter2');
  });
});

describe('the secrets the runner holds, from its own env', () => {
  test('every release secret variable’s value, nothing else', () => {
    expect(
      secretsInEnv(['ANTHROPIC_API_KEY=sk-1', 'STIGMER_LLM_API_KEY=', 'OLLAMA_BASE_URL=http://x', 'STIGMER_TOKEN=t=2']),
    ).toEqual(['sk-1', 't=2']);
  });
  test('a character split across two chunks comes out whole', async () => {
    const bytes = Buffer.from('naïve\n', 'utf8');
    const target = new PassThrough();
    let seen = '';
    target.on('data', (chunk: Buffer) => (seen += chunk.toString('utf8')));
    const lines = redactingLines(target, []);
    lines.write(bytes.subarray(0, 3));
    lines.write(bytes.subarray(3));
    lines.end();
    await finished(lines);
    expect(seen).toBe('naïve\n');
  });
});
