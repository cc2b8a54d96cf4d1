import { initialProgress, renderChecklist, type StepProgress } from './progress';

function steps(...overrides: Array<Partial<StepProgress>>): StepProgress[] {
  return initialProgress().map((step, index) => ({ ...step, ...overrides[index] }));
}

test('a provision in flight', () => {
  expect(
    renderChecklist(
      'r1',
      steps({ status: 'succeeded', attempts: 1, durationMs: 12, note: 'image x' }, { status: 'running', attempts: 1 }),
    ),
  ).toBe(
    [
      '**Provisioning runner `r1`**',
      '',
      '- ✓ resolveConfig — 12 ms · image x',
      '- ◐ planNetworking — running…',
      '- ○ startContainer',
      '- ○ verifyConnectivity',
      '- ○ awaitRunnerReady',
      '',
      '_running planNetworking…_',
    ].join('\n'),
  );
});

test('a failed step lists each service’s cause and fix under it', () => {
  const text = renderChecklist(
    'r1',
    steps(
      { status: 'succeeded', attempts: 1, durationMs: 5 },
      { status: 'succeeded', attempts: 1, durationMs: 1500 },
      { status: 'succeeded', attempts: 2, durationMs: 300 },
      { status: 'failed', attempts: 3, error: 'Ollama: …\n    cause: …' },
    ),
    [
      { service: 'ollama', cause: 'Ollama listens on 127.0.0.1 only', fix: 'set OLLAMA_HOST=0.0.0.0:11434' },
      {
        service: 'temporal',
        cause: 'localhost inside a bridged container is the container itself',
        fix: 'use --network host on a native engine',
      },
    ],
  );
  expect(text.split('\n').slice(2)).toEqual([
    '- ✓ resolveConfig — 5 ms',
    '- ✓ planNetworking — 1.5 s',
    '- ✓ startContainer — 300 ms, 2 attempts',
    '- ✗ verifyConnectivity — **failed** after 3 attempts',
    '  - ollama: Ollama listens on 127.0.0.1 only — fix: set `OLLAMA_HOST=0.0.0.0:11434`',
    '  - temporal: localhost inside a bridged container is the container itself — fix: use `--network host` on a native engine',
    '- ○ awaitRunnerReady',
    '',
    '_failed at verifyConnectivity_',
  ]);
});

test('a failed step without a diagnosis shows the first line of its error', () => {
  const text = renderChecklist(
    'r1',
    steps({ status: 'failed', attempts: 1, error: 'Invalid configuration:\n  - env:X: bad' }),
  );
  expect(text).toContain('- ✗ resolveConfig — **failed** after 1 attempt\n  - Invalid configuration:\n');
});
