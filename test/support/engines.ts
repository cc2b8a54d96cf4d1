/**
 * The engines the test matrix runs on: rootful Docker (the product's own discovery finds it) and
 * the ones scripts/engines.sh starts (rootful and rootless Podman, rootless Docker), each on its own
 * socket. A missing engine fails the suite loudly with the command that starts it — never a skip.
 *
 * VM_ENGINES are Docker inside a QEMU VM (scripts/lib/vm.sh), the Desktop/Colima/Lima topology:
 * `npm test` boots them and runs the same scenarios there (test/vm), after the ones on this machine.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { connectDocker, connectDockerAt } from '../../src/docker/client';
import { projectRoot } from '../../src/temporal/dev-server';
import { requireDocker } from './docker';

export const TEST_ENGINES = ['rootful-docker', 'rootless-docker', 'rootful-podman', 'rootless-podman'] as const;
export type TestEngine = (typeof TEST_ENGINES)[number];
/** vm-desktop: Lima's network (this machine is 192.168.5.2), host-gateway set, SHARED_DIR shared at the same path; vm-plain: nothing arranged. */
export const VM_ENGINES = ['vm-desktop', 'vm-plain'] as const;
export type VmEngine = (typeof VM_ENGINES)[number];
/**
 * Engines as their install leaves them, beside the matrix's: rootless Docker with RootlessKit's default
 * (this machine's loopback blocked for containers) — its own tests, not the matrix's scenarios.
 */
export const STOCK_ENGINES = ['rootless-docker-stock'] as const;
export type StockEngine = (typeof STOCK_ENGINES)[number];
/** The engines the scenario matrix (test/e2e/engines/scenarios.ts) runs on. */
export type MatrixEngine = TestEngine | VmEngine;
export type AnyEngine = MatrixEngine | StockEngine;

export interface EngineUnderTest {
  name: AnyEngine;
  docker: Dockerode;
  /** What a child process needs to talk to this engine (DOCKER_HOST), as a user would set it. */
  env: Record<string, string>;
  /**
   * A folder of this machine the engine also sees at the same path (vm-desktop's share): homes the
   * runner bind-mounts must be under it. Absent: every path of this machine is seen as is, or none is.
   */
  sharedDir?: string;
}

const ENGINES_DIR = join(projectRoot(), '.tools', 'engines');

/** KEY=value lines of a running engine's .tools/engines/NAME.env; empty when it is not running. */
function engineEnvFile(name: AnyEngine): Record<string, string> {
  const file = join(ENGINES_DIR, `${name}.env`);
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line) => {
        const match = /^([A-Z_]+)=(.+)$/.exec(line);
        return match ? [[match[1], match[2]]] : [];
      }),
  );
}

export async function requireEngine(name: AnyEngine): Promise<EngineUnderTest> {
  if (name === 'rootful-docker') return { name, docker: await requireDocker(), env: {} };
  const file = join(ENGINES_DIR, `${name}.env`);
  const { DOCKER_HOST: host, SHARED_DIR: sharedDir } = engineEnvFile(name);
  if (!host)
    throw new Error(
      `engine ${name} is not running (no ${file}): start it with \`bash scripts/engines.sh up ${name}\` (npm test does)`,
    );
  const { docker } = connectDockerAt({ url: host, source: 'env:DOCKER_HOST' }, {});
  await docker.ping().catch((error: Error) => {
    throw new Error(
      `engine ${name} does not answer at ${host}: ${error.message}; restart it with \`bash scripts/engines.sh up ${name}\``,
    );
  });
  return { name, docker, env: { DOCKER_HOST: host }, ...(sharedDir ? { sharedDir } : {}) };
}

/** The DOCKER_HOST of every engine of the matrix this machine has started (rootful Docker's default included). */
export function engineUrls(): string[] {
  const started = [...TEST_ENGINES, ...VM_ENGINES, ...STOCK_ENGINES]
    .filter((name) => name !== 'rootful-docker')
    .flatMap((name) => {
      const host = engineEnvFile(name).DOCKER_HOST;
      return host ? [host] : [];
    });
  return ['unix:///var/run/docker.sock', ...started];
}

/** Makes an image built on the rootful engine available on `engine` (copied with save | load when missing). */
export async function ensureImageOn(engine: EngineUnderTest, image: string): Promise<void> {
  if (engine.name === 'rootful-docker') return;
  const [source, target] = await Promise.all([
    connectDocker({}).docker.getImage(image).inspect(),
    engine.docker
      .getImage(image)
      .inspect()
      .catch(() => undefined),
  ]);
  if (target?.Id.replace(/^sha256:/, '') === source.Id.replace(/^sha256:/, '')) return;
  await promisify(execFile)('bash', [join(projectRoot(), 'scripts', 'engines.sh'), 'load', image, engine.name], {
    // A VM engine copies over a virtual network into an emulated CPU: ~70 s for 171 MB measured.
    timeout: VM_ENGINES.includes(engine.name as VmEngine) ? 600_000 : 120_000,
  });
}
