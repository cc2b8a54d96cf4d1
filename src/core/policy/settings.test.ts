import { policySettingsFrom } from './settings';

describe('policySettingsFrom', () => {
  test('reads each list, every entry sourced by its key', () => {
    const { settings, issues } = policySettingsFrom(
      {
        worker: {
          serve_accounts: ['alice'],
          workspace_roots: ['/srv/stigmer'],
          engines: ['unix:///run/podman.sock'],
          images: ['ghcr.io/acme/runner'],
        },
      },
      '/root/.stigmer/config.yaml',
    );
    expect(issues).toEqual([]);
    expect(settings.serveAccounts).toEqual([
      { value: 'alice', source: 'file:/root/.stigmer/config.yaml#worker.serve_accounts' },
    ]);
    expect(settings.workspaceRoots[0].value).toBe('/srv/stigmer');
    expect(settings.engines[0].value).toBe('unix:///run/podman.sock');
    expect(settings.images[0].value).toBe('ghcr.io/acme/runner');
  });

  test.each([
    [undefined, []],
    [{}, []],
    [{ worker: null }, []],
    [{ worker: 'all' }, ['file:f#worker: must be a mapping']],
    [{ worker: { images: 'x' } }, ['file:f#worker.images: must be a list']],
    [
      { worker: { workspace_roots: ['relative', '/ok'] } },
      ['file:f#worker.workspace_roots[0]: is not a valid entry (ignored)'],
    ],
    [{ worker: { engines: [42] } }, ['file:f#worker.engines[0]: is not a valid entry (ignored)']],
    [{ worker: { engines: ['evil'] } }, ['file:f#worker.engines[0]: is not a valid entry (ignored)']],
    [{ worker: { images: ['Bad Image!'] } }, ['file:f#worker.images[0]: is not a valid entry (ignored)']],
    [{ worker: { serve_accounts: ['a b'] } }, ['file:f#worker.serve_accounts[0]: is not a valid entry (ignored)']],
    [{ worker: { allow_all: true } }, ['file:f#worker.allow_all: is not a worker setting (ignored)']],
  ])('%j → %j', (document, expected) => {
    const { issues } = policySettingsFrom(document, 'f');
    expect(issues.map((issue) => `${issue.source}: ${issue.message}`)).toEqual(expected);
  });
});

test('a bad entry is dropped, the good ones beside it kept', () => {
  const { settings } = policySettingsFrom(
    { worker: { workspace_roots: ['relative', '/ok'], images: ['ok/x', '!'] } },
    'f',
  );
  expect(settings.workspaceRoots.map((root) => root.value)).toEqual(['/ok']);
  expect(settings.images.map((image) => image.value)).toEqual(['ok/x']);
});
