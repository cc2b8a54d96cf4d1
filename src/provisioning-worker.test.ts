import type { DockerConnection } from './docker/client';
import { loadWorkerPolicy } from './settings/worker-policy';
import { defaultActivityDeps } from './provisioning-worker';

test('the policy a command hands its worker reaches the activities (run --image, worker --config)', () => {
  const { policy } = loadWorkerPolicy({ env: {}, homeDir: '/nonexistent' }, { image: 'mine/runner:1' });
  const deps = defaultActivityDeps({ docker: {} as DockerConnection, env: {}, policy });
  expect(deps.policy).toBe(policy);
  expect(defaultActivityDeps({ docker: {} as DockerConnection, env: {} }).policy).toBeUndefined();
});
