import { LABELS, MANAGED_BY } from './container-spec';
import { imageRepository, madeByStigmerCli, takeover, type FoundContainer, type ReplaceRequest } from './ownership';

describe('imageRepository: the repository of an image reference, without tag or digest', () => {
  it.each([
    ['ghcr.io/stigmer/agent-runner:latest', 'ghcr.io/stigmer/agent-runner'],
    ['ghcr.io/stigmer/agent-runner', 'ghcr.io/stigmer/agent-runner'],
    ['ghcr.io/stigmer/agent-runner@sha256:0123abcd', 'ghcr.io/stigmer/agent-runner'],
    ['ghcr.io/stigmer/agent-runner:0.9.0@sha256:0123abcd', 'ghcr.io/stigmer/agent-runner'],
    // a registry's port is not a tag
    ['localhost:5000/stigmer/agent-runner', 'localhost:5000/stigmer/agent-runner'],
    ['localhost:5000/stigmer/agent-runner:1', 'localhost:5000/stigmer/agent-runner'],
    ['busybox', 'busybox'],
    ['sha256:0123abcd', 'sha256'],
  ])('%s → %s', (reference, repository) => expect(imageRepository(reference)).toBe(repository));
});

describe("madeByStigmerCli: Stigmer's own CLI's runner, by name and image repository", () => {
  it.each<[string, FoundContainer['names'], string, boolean]>([
    ['its name and latest', ['stigmer-agent-runner'], 'ghcr.io/stigmer/agent-runner:latest', true],
    ['any tag', ['stigmer-agent-runner'], 'ghcr.io/stigmer/agent-runner:0.9.0', true],
    ['a digest', ['stigmer-agent-runner'], 'ghcr.io/stigmer/agent-runner@sha256:0123abcd', true],
    ['no tag', ['stigmer-agent-runner'], 'ghcr.io/stigmer/agent-runner', true],
    ['another name', ['my-runner'], 'ghcr.io/stigmer/agent-runner:latest', false],
    ['another repository', ['stigmer-agent-runner'], 'ghcr.io/stigmer/agent-runner-fork:latest', false],
    ['a look-alike registry', ['stigmer-agent-runner'], 'ghcr.io.evil/stigmer/agent-runner:latest', false],
    ['a user image', ['stigmer-agent-runner'], 'busybox:latest', false],
    ['an image id (its tag moved on)', ['stigmer-agent-runner'], 'sha256:0123abcd', false],
  ])('%s', (_case, names, image, expected) => expect(madeByStigmerCli({ names, image })).toBe(expected));
});

describe('takeover: only what stigmer-runner manages is replaced or removed, unless the input says so', () => {
  const mine: FoundContainer = {
    names: ['runner'],
    labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.runner]: 'runner' },
    image: 'ghcr.io/stigmer/agent-runner:latest',
  };
  const users: FoundContainer = { names: ['runner'], labels: { 'com.example': 'x' }, image: 'busybox:latest' };
  const stigmerCli: FoundContainer = {
    names: ['stigmer-agent-runner'],
    labels: {},
    image: 'ghcr.io/stigmer/agent-runner:latest',
  };
  const provision: ReplaceRequest = { replace: false, setting: 'flags.replace' };
  const teardown: ReplaceRequest = { replace: false, setting: 'replace' };
  const refused = (value: string, request: ReplaceRequest, allow: RegExp) => ({
    allowed: false,
    refusal: {
      subject: 'container',
      value,
      setting: request.setting,
      rule: 'not-managed',
      allow: expect.stringMatching(allow),
    },
  });

  it.each<[string, FoundContainer, ReplaceRequest, unknown]>([
    ['ours', mine, provision, { allowed: true, because: 'managed' }],
    ['ours, at teardown', mine, teardown, { allowed: true, because: 'managed' }],
    ["a user's, same name", users, provision, refused('runner', provision, /run --replace.*flags\.replace: true/)],
    ["a user's, at teardown", users, teardown, refused('runner', teardown, /teardown --replace.*replace: true/)],
    [
      "a user's, replace asked",
      users,
      { ...provision, replace: true },
      { allowed: true, because: 'replace-requested' },
    ],
    [
      "a user's, teardown --replace",
      users,
      { ...teardown, replace: true },
      { allowed: true, because: 'replace-requested' },
    ],
    [
      "another tool's managed-by label",
      { ...users, labels: { [LABELS.managedBy]: 'other-tool' } },
      provision,
      refused('runner', provision, /--replace/),
    ],
    [
      "only this runner's label, not the managed-by one",
      { ...users, labels: { [LABELS.runner]: 'runner' } },
      provision,
      refused('runner', provision, /--replace/),
    ],
    ["Stigmer's own CLI's", stigmerCli, provision, { allowed: true, because: 'stigmer-cli' }],
    ["Stigmer's own CLI's, at teardown", stigmerCli, teardown, { allowed: true, because: 'stigmer-cli' }],
    [
      "Stigmer's runner name, a user's image",
      { ...stigmerCli, image: 'busybox:latest' },
      provision,
      refused('stigmer-agent-runner', provision, /--replace/),
    ],
  ])('%s', (_case, found, request, expected) => expect(takeover(found, request)).toEqual(expected));
});
