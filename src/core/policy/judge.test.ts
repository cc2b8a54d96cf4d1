import { describeRefusals } from './errors';
import {
  imageParts,
  judgeEngine,
  judgeFileRead,
  judgeHome,
  judgeImage,
  judgeProvision,
  judgeWorkspace,
  MAX_INPUT_FILE_BYTES,
  secretsMayGo,
  trustsFolder,
  type FileFacts,
} from './judge';
import { isSystemFolder, isWithin } from './paths';
import type { WorkerPolicy } from './types';

const root = { name: 'root', home: '/root', uid: 0, gid: 0 };
const alice = { name: 'alice', home: '/home/alice', uid: 1000, gid: 1000 };
const policy: WorkerPolicy = {
  worker: root,
  accounts: [root, alice],
  own: {
    image: 'ghcr.io/stigmer/agent-runner:latest',
    engine: 'unix:///var/run/docker.sock',
    workspaceDir: '/srv/work/runner',
    llmBaseUrl: 'http://localhost:11434',
  },
  workspaceRoots: [{ value: '/data/stigmer', source: 'file:/root/.stigmer/config.yaml#worker.workspace_roots' }],
  engines: [{ value: 'unix:///run/user/1000/podman/podman.sock', source: 'file:x#worker.engines' }],
  images: [
    { value: 'localhost:5000/acme/runner', source: 'file:x#worker.images' },
    { value: 'ghcr.io/pinned/runner@sha256:aaaa', source: 'file:x#worker.images' },
  ],
  ownFiles: ['/etc/stigmer/worker.yaml'],
};
const sourced = (value: string, source = 'env:X') => ({ value, source });

describe('paths', () => {
  test.each([
    ['/a/b', '/a', true],
    ['/a', '/a', true],
    ['/ab', '/a', false],
    ['/a/../b', '/a', true], // textual: callers hand in canonical paths
    ['/', '/', true],
    ['/x', '/', true],
  ])('isWithin(%s, %s) = %s', (path, rootPath, expected) => expect(isWithin(path, rootPath)).toBe(expected));

  test.each([
    ['/', true],
    ['/etc', true],
    ['/etc/ssh', true],
    ['/usr/local/x', true],
    ['/var/lib/docker', true],
    ['/home', true],
    ['/root', true],
    ['/tmp', true],
    ['/proc/1', true],
    ['C:\\Windows\\System32', true],
    ['C:\\', true],
    ['/home/alice', false],
    ['/home/alice/.stigmer/data/w', false],
    ['/tmp/x', false],
    ['/srv/work', false],
    ['/etcetera', false],
  ])('isSystemFolder(%s) = %s', (path, expected) => expect(isSystemFolder(path)).toBe(expected));
});

describe('judgeHome', () => {
  test.each([
    ['/root', '/root', undefined],
    ['/home/alice', '/home/alice', undefined],
    ['/home/alice/../alice', '/home/alice', undefined],
    ['/home/bob', '/home/bob', 'not-served'],
    // The runner's own workspace with a planted .stigmer: a claim, not a served home.
    ['/root/.stigmer/data/workspace', '/root/.stigmer/data/workspace', 'not-served'],
    ['/home/alice/link', undefined, 'not-served'],
  ])('%s (canonical %s) → %s', (claimed, canonical, rule) => {
    const refusal = judgeHome(claimed, canonical, policy);
    expect(refusal?.rule).toBe(rule);
    if (refusal) {
      expect(refusal).toMatchObject({ subject: 'home', value: claimed, setting: 'trigger.homeDir' });
      expect(refusal.allow).toContain('worker.serve_accounts');
    }
  });
});

describe('judgeWorkspace', () => {
  test.each([
    ['/root/.stigmer/data/workspace', root, undefined],
    ['/home/alice/.stigmer/data/r1', alice, undefined],
    ['/data/stigmer/team/r1', alice, undefined],
    ['/srv/work/runner', alice, undefined], // the worker's own setting
    ['/home/alice/.stigmer/data', alice, 'outside-roots'], // a root itself holds every workspace
    ['/data/stigmer', alice, 'outside-roots'],
    ['/root/.stigmer/data/workspace', alice, 'outside-roots'], // another account's data
    ['/home/alice/.stigmer/data/r1', root, 'outside-roots'],
    ['/srv/work/other', alice, 'outside-roots'],
    ['/home/alice/projects', alice, 'outside-roots'],
    ['/home/alice/.stigmer', alice, 'outside-roots'],
    ['/', alice, 'system-folder'],
    ['/etc', alice, 'system-folder'],
    ['/var/lib/docker/volumes', root, 'system-folder'],
    ['/home', alice, 'system-folder'],
    ['/root', root, 'system-folder'],
    ['C:\\Users\\a\\.stigmer\\data\\..\\..\\Windows', alice, 'system-folder'], // unresolved `..`
  ])('%s for %o → %s', (canonical, account, rule) => {
    const refusal = judgeWorkspace(sourced(canonical, 'env:STIGMER_RUNNER_WORKSPACE_DIR'), canonical, account, policy);
    expect(refusal?.rule).toBe(rule);
    if (refusal) expect(refusal.setting).toBe('env:STIGMER_RUNNER_WORKSPACE_DIR');
  });

  test('judged by its canonical path, named by the value given', () => {
    const refusal = judgeWorkspace(sourced('/home/alice/.stigmer/data/evil'), '/etc', alice, policy);
    expect(refusal).toMatchObject({ rule: 'system-folder', value: '/home/alice/.stigmer/data/evil' });
  });

  test('a system folder is refused even when the worker names it its own', () => {
    expect(judgeWorkspace(sourced('/'), '/', root, { ...policy, own: { workspaceDir: '/' } })?.rule).toBe(
      'system-folder',
    );
  });

  test('a refusal tells how to allow it without listing the policy to whoever asked', () => {
    const refusal = judgeWorkspace(sourced('/opt/x'), '/opt/x', alice, policy);
    expect(refusal?.allow).toContain('worker.workspace_roots');
    expect(refusal?.allow).not.toContain('/data/stigmer');
  });
});

describe('judgeEngine', () => {
  test.each([
    ['unix:///var/run/docker.sock', undefined],
    ['unix:///run/user/1000/podman/podman.sock', undefined],
    ['tcp://127.0.0.1:2375', 'not-allowed'],
    ['ssh://evil@example.com', 'not-allowed'],
  ])('%s → %s', (url, rule) => {
    const refusal = judgeEngine(sourced(url, 'env:DOCKER_HOST'), policy);
    expect(refusal?.rule).toBe(rule);
    if (refusal) expect(refusal.allow).toContain('worker.engines');
  });
});

describe('judgeImage', () => {
  test.each([
    ['ghcr.io/stigmer/agent-runner:latest', undefined],
    ['localhost:5000/acme/runner:1.2', undefined],
    ['localhost:5000/acme/runner@sha256:bbbb', undefined],
    ['ghcr.io/pinned/runner@sha256:aaaa', undefined],
    ['ghcr.io/pinned/runner:tag@sha256:aaaa', undefined],
    ['ghcr.io/pinned/runner@sha256:bbbb', 'not-allowed'],
    ['ghcr.io/pinned/runner:latest', 'not-allowed'],
    ['ghcr.io/stigmer/agent-runner:evil', 'not-allowed'], // own is an exact reference, not a repository
    ['localhost:5000/acme/runner-evil:1', 'not-allowed'],
    ['alpine', 'not-allowed'],
  ])('%s → %s', (image, rule) => {
    const refusal = judgeImage(sourced(image, 'flag:--image'), policy);
    expect(refusal?.rule).toBe(rule);
    if (refusal) expect(refusal.allow).toMatch(/worker\.images.*restart/);
  });

  test.each([
    ['alpine', { repository: 'alpine' }],
    ['docker.io/library/alpine:3', { repository: 'alpine' }],
    ['localhost:5000/x', { repository: 'localhost:5000/x' }],
    ['localhost:5000/x:1@sha256:ab', { repository: 'localhost:5000/x', digest: 'sha256:ab' }],
  ])('imageParts(%s)', (reference, parts) => expect(imageParts(reference)).toEqual(parts));
});

describe('judgeFileRead', () => {
  const file = (over: Partial<FileFacts>): FileFacts => ({
    path: '/home/alice/.stigmer/config.yaml',
    real: '/home/alice/.stigmer/config.yaml',
    kind: 'file',
    size: 100,
    uid: 1000,
    setting: 'default',
    ...over,
  });
  test.each([
    ['an account file in its home', file({}), alice, undefined],
    ['a symlink out of the home', file({ real: '/etc/shadow', uid: 0 }), alice, 'outside-roots'],
    ['a FIFO', file({ kind: 'other' }), alice, 'not-regular'],
    ['a device', file({ path: '/dev/zero', real: '/dev/zero', kind: 'other', uid: 0 }), alice, 'not-regular'],
    ['a folder', file({ kind: 'directory' }), alice, 'not-regular'],
    ['a huge file', file({ size: MAX_INPUT_FILE_BYTES + 1 }), alice, 'too-large'],
    ['root-owned in her home (a hard link)', file({ uid: 0 }), alice, 'foreign-owner'],
    ["the worker's own file", file({ real: '/etc/stigmer/worker.yaml', uid: 0 }), alice, undefined],
    ["root's own file for root", file({ real: '/root/.stigmer/config.yaml', uid: 0 }), root, undefined],
    ["root's file for alice", file({ real: '/root/.stigmer/config.yaml', uid: 0 }), alice, 'outside-roots'],
  ])('%s → %s', (_name, facts, account, rule) => {
    expect(judgeFileRead(facts, account, policy)?.rule).toBe(rule);
  });
});

describe('secretsMayGo', () => {
  const own = { ...policy, own: { ...policy.own, llmApiKeySource: 'env:ANTHROPIC_API_KEY' } };
  test.each([
    ['the worker’s own endpoint and key', 'http://localhost:11434', 'env:ANTHROPIC_API_KEY', true],
    ['the worker’s own endpoint, no key at all', 'http://localhost:11434', null, true],
    ['another endpoint', 'http://evil:80', 'env:ANTHROPIC_API_KEY', false],
    ['another endpoint, no key', 'http://evil:80', null, false], // a base URL's password would go
    ['its endpoint, another key of the worker’s env', 'http://localhost:11434', 'env:OPENAI_API_KEY', false],
    ['its endpoint, a key from a file', 'http://localhost:11434', 'file:/home/alice/.stigmer/config.yaml#k', false],
  ])('%s → %s', (_name, llmBaseUrl, apiKeySource, expected) => {
    expect(secretsMayGo({ llmBaseUrl, apiKeySource }, own)).toBe(expected);
  });

  test('a worker with no key of its own sends none, even to its own endpoint', () => {
    expect(secretsMayGo({ llmBaseUrl: 'http://localhost:11434', apiKeySource: 'env:ANTHROPIC_API_KEY' }, policy)).toBe(
      false,
    );
  });
});

describe('judgeProvision', () => {
  test('lists every refusal at once, each naming its setting', () => {
    const refusals = judgeProvision(
      {
        home: { claimed: '/root', canonical: '/root' },
        workspace: { value: sourced('/', 'env:STIGMER_RUNNER_WORKSPACE_DIR'), canonical: '/' },
        engine: sourced('tcp://127.0.0.1:9', 'env:DOCKER_HOST'),
        image: sourced('evil:1', 'flag:--image'),
      },
      policy,
    );
    expect(refusals.map((refusal) => [refusal.subject, refusal.setting, refusal.rule])).toEqual([
      ['workspace', 'env:STIGMER_RUNNER_WORKSPACE_DIR', 'system-folder'],
      ['engine', 'env:DOCKER_HOST', 'not-allowed'],
      ['image', 'flag:--image', 'not-allowed'],
    ]);
    const text = describeRefusals(refusals);
    expect(text).toContain('env:DOCKER_HOST: engine tcp://127.0.0.1:9 is not one');
    expect(text.split('\n')).toHaveLength(4);
  });

  test('an allowed provision has none', () => {
    expect(
      judgeProvision(
        {
          home: { claimed: '/home/alice', canonical: '/home/alice' },
          workspace: { value: sourced('/home/alice/.stigmer/data/w'), canonical: '/home/alice/.stigmer/data/w' },
          image: sourced('ghcr.io/stigmer/agent-runner:latest'),
        },
        policy,
      ),
    ).toEqual([]);
  });
});

describe('trustsFolder', () => {
  test.each([
    ['root, 0755', { uid: 0, mode: 0o40755 }, alice, true],
    ['the account, 0700', { uid: 1000, mode: 0o40700 }, alice, true],
    ['the worker (root) serving alice, 0750', { uid: 0, mode: 0o40750 }, alice, true],
    ['/tmp: root, sticky, world-writable', { uid: 0, mode: 0o41777 }, alice, true],
    ['root, world-writable, not sticky', { uid: 0, mode: 0o40777 }, alice, false],
    ['root, group-writable', { uid: 0, mode: 0o40775 }, alice, false],
    ['the runner’s uid (its own workspace)', { uid: 100999, mode: 0o40755 }, alice, false],
    ['alice’s folder, for root', { uid: 1000, mode: 0o40755 }, root, false],
  ])('%s → %s', (_name, folder, account, trusted) => {
    expect(trustsFolder(folder, account, policy)).toBe(trusted);
  });
});
