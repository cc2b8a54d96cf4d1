import {
  buildContainerSpec,
  HOSTNAME_NAME_CHARS,
  LABELS,
  MANAGED_BY,
  replaceReason,
  runnerHostname,
  specFingerprint,
  type ExistingContainer,
} from './container-spec';
import { planNetworking } from './network-plan';
import { RUNNER_RELEASES, type RunnerReleaseId } from './releases';
import { configFrom, ENGINES } from '../test-fixtures';

describe('buildContainerSpec', () => {
  it.each(Object.keys(RUNNER_RELEASES))(
    '%s: mounts only the workspace, where that release looks for it, and labels the contract',
    (id) => {
      const config = configFrom({
        STIGMER_RUNNER_CONTRACT: id,
        STIGMER_RUNNER_WORKSPACE_DIR: 'C:\\Users\\me\\.stigmer\\data\\workspace',
      });
      const spec = buildContainerSpec(config, planNetworking(config, ENGINES.desktopWindows), {}, 'wf');
      const contract = RUNNER_RELEASES[id as RunnerReleaseId];
      expect(spec.binds).toEqual([`C:\\Users\\me\\.stigmer\\data\\workspace:${contract.workspacePath}`]);
      expect(spec.labels[LABELS.contract]).toBe(id);
      const workspaceVariable = contract.carries.workspace as string;
      expect(spec.env).toContain(`${workspaceVariable}=${contract.workspacePath}`);
    },
  );
});

describe('replaceReason: reuse a container only when it is ours, named right, of this spec and image, and usable', () => {
  const ours: ExistingContainer = {
    names: ['runner'],
    labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.specHash]: 'abc' },
    imageId: 'sha256:1',
    state: 'running',
  };
  const wanted = { name: 'runner', specHash: 'abc', imageId: 'sha256:1' };
  it.each<[string, Partial<ExistingContainer>, Partial<typeof wanted>, ReturnType<typeof replaceReason>]>([
    ['running, matching', {}, {}, undefined],
    ['stopped, matching (restarted, not replaced)', { state: 'exited' }, {}, undefined],
    ['made by someone else', { labels: {} }, {}, { kind: 'not-managed' }],
    // the label's value says who manages it: another tool's is not ours
    ['managed by another tool', { labels: { [LABELS.managedBy]: 'other-tool' } }, {}, { kind: 'not-managed' }],
    ['our label under another name', { names: ['other'] }, {}, { kind: 'other-name' }],
    ['another spec', {}, { specHash: 'def' }, { kind: 'spec-changed' }],
    ['another image', {}, { imageId: 'sha256:2' }, { kind: 'image-updated' }],
    ['the image is gone', {}, { imageId: undefined }, { kind: 'image-updated' }],
    ['dead', { state: 'dead' }, {}, { kind: 'unusable', state: 'dead' }],
    ['being removed', { state: 'removing' }, {}, { kind: 'unusable', state: 'removing' }],
  ])('%s', (_case, existing, want, expected) => {
    expect(replaceReason({ ...ours, ...existing }, { ...wanted, ...want })).toEqual(expected);
  });
});

describe('runnerHostname: each container its own host name, so readiness counts only its poller', () => {
  it.each<[string, string, string]>([
    ['stigmer-agent-runner', '0a1b2c3d', 'stigmer-agent-runner-0a1b2c3d'],
    ['r', 'ffffffff', 'r-ffffffff'],
    // kept to 54 characters of the name: with the suffix, 63, a DNS label's (and the engines') most
    ['a'.repeat(60), 'deadbeef', `${'a'.repeat(HOSTNAME_NAME_CHARS)}-deadbeef`],
    ['x.y_z-1', '12345678', 'x.y_z-1-12345678'],
  ])('%s + %s → %s', (name, hex, expected) => {
    expect(runnerHostname(name, hex)).toBe(expected);
    expect(runnerHostname(name, hex).length).toBeLessThanOrEqual(63);
  });

  it('is not part of the spec or its fingerprint: a reused container keeps its own, and the hash does not change', () => {
    const config = configFrom();
    const spec = buildContainerSpec(config, planNetworking(config, ENGINES.nativeLinux), {}, 'wf');
    expect(spec).not.toHaveProperty('hostname');
    expect(Object.keys(JSON.parse(specFingerprint(spec)))).toEqual([
      'image',
      'env',
      'networkMode',
      'extraHosts',
      'binds',
      'restartPolicy',
      'logConfig',
    ]);
  });
});
