/** docker-compose.yml's agent-runner speaks the runner's env contract, so the two cannot drift. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RUNNER_READS } from './runner-env';

const compose = parse(readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { environment?: Record<string, string>; network_mode?: string; extra_hosts?: string[] }>;
};
const runner = compose.services['agent-runner'];

test('the runner service sets only names the runner reads, including the ones Stigmer once forgot', () => {
  const names = Object.keys(runner.environment ?? {});
  expect(names.filter((name) => !(RUNNER_READS as readonly string[]).includes(name))).toEqual([]);
  expect(names).toEqual(expect.arrayContaining(['TEMPORAL_SERVICE_ADDRESS', 'STIGMER_BACKEND_ENDPOINT', 'OLLAMA_BASE_URL', 'SANDBOX_ROOT_DIR']));
});

test('the runner is bridged with host.docker.internal, never on the host network', () => {
  for (const service of Object.values(compose.services)) expect(service.network_mode).toBeUndefined();
  expect(runner.extra_hosts).toEqual(['host.docker.internal:host-gateway']);
  expect(Object.values(runner.environment ?? {}).join(' ')).not.toMatch(/localhost|127\.0\.0\.1/);
});
