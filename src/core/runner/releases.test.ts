import { chooseRelease, RELEASE_LABEL, DEFAULT_RELEASE, RUNNER_RELEASES, type ImageFacts } from './releases';
import { planNetworking } from './network-plan';
import { configFrom, ENGINES } from '../test-fixtures';

const image = (overrides: Partial<ImageFacts> = {}): ImageFacts => ({
  image: 'img:1',
  present: true,
  labels: {},
  user: '',
  command: [],
  ...overrides,
});
const auto = { value: 'auto', source: 'default' };

describe('chooseRelease', () => {
  it.each([
    [
      'a setting names it',
      { value: 'typescript-2026', source: 'env:STIGMER_RUNNER_CONTRACT' },
      image({ labels: { [RELEASE_LABEL]: 'python-2026-01' } }),
      'typescript-2026',
      /^set by env:STIGMER_RUNNER_CONTRACT$/,
      false,
    ],
    [
      'the image declares it',
      auto,
      image({ labels: { [RELEASE_LABEL]: 'python-native-2026' } }),
      'python-native-2026',
      /declares it \(label dev.stigmer.runner-contract\)/,
      false,
    ],
    [
      'the image runs python',
      auto,
      image({ command: ['/usr/local/bin/python3', '-m', 'agent_runner'] }),
      'python-2026-01',
      /runs \/usr\/local\/bin\/python3 -m agent_runner/,
      false,
    ],
    [
      'the image declares an unknown one',
      auto,
      image({ labels: { [RELEASE_LABEL]: 'rust-2027' } }),
      DEFAULT_RELEASE,
      /declares "rust-2027"/,
      true,
    ],
    [
      'nothing tells',
      auto,
      image({ command: ['/app/runner'] }),
      DEFAULT_RELEASE,
      /no dev.stigmer.runner-contract label and does not run Python/,
      true,
    ],
    ['the image is not pulled yet', auto, image({ present: false }), DEFAULT_RELEASE, /not on the engine yet/, true],
    ['no engine (plan --platform)', auto, undefined, DEFAULT_RELEASE, /no engine to inspect the image/, false],
  ] as const)('%s → %s', (_, setting, facts, id, reason, warned) => {
    const decision = chooseRelease(setting, facts);
    expect(decision.id).toBe(id);
    expect(decision.reason).toMatch(reason);
    expect(decision.warning !== undefined).toBe(warned);
  });

  it('a label never makes "python" in a name count: only the executable does', () => {
    expect(chooseRelease(auto, image({ command: ['/app/run-python-tools.sh'] })).warning).toBeDefined();
  });
});

describe('the contract in the plan', () => {
  it.each(Object.values(RUNNER_RELEASES).map((contract) => [contract.id, contract]))(
    '%s: queue, user and the services verification checks',
    (id, contract) => {
      const plan = planNetworking(configFrom({ STIGMER_RUNNER_CONTRACT: id }), ENGINES.nativeLinux);
      expect(plan.runner).toMatchObject({ contract: id, taskQueue: contract.taskQueue, user: contract.defaultUser });
      expect(plan.services.map((service) => service.service)).toEqual(contract.services);
    },
  );

  it('the image user wins over the contract default; an image with no USER runs as root', () => {
    const config = configFrom();
    expect(planNetworking(config, ENGINES.nativeLinux, image({ user: 'stigmer' })).runner.user).toBe('stigmer');
    expect(planNetworking(config, ENGINES.nativeLinux, image({ user: '' })).runner.user).toBe('0');
  });

  it('an unknown image is planned with the default contract and a warning that says how to choose', () => {
    const plan = planNetworking(configFrom(), ENGINES.nativeLinux, image({ present: false }));
    expect(plan.runner.contract).toBe(DEFAULT_RELEASE);
    expect(plan.warnings.join('\n')).toMatch(/STIGMER_RUNNER_CONTRACT/);
  });
});
