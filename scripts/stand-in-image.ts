/**
 * Builds the stand-in runner image of one release on the rootful engine (when missing) and prints its
 * tag: what scripts/test-vm.sh hands `engines.sh up` so the VMs boot with it already in their engine
 * (copying it in under emulation costs minutes; see scripts/lib/vm.sh "preload").
 */
import { connectDocker } from '../src/docker/client';
import { RUNNER_RELEASES, type RunnerReleaseId } from '../src/core/runner/releases';
import { ensureTestRunnerImage } from '../test/support/runner-image';

async function standInImage(release: string): Promise<number> {
  if (!(release in RUNNER_RELEASES)) {
    process.stderr.write(
      `stand-in-image: unknown release ${JSON.stringify(release)} (one of ${Object.keys(RUNNER_RELEASES).join(', ')})\n`,
    );
    return 2;
  }
  process.stdout.write(`${await ensureTestRunnerImage(connectDocker({}).docker, release as RunnerReleaseId)}\n`);
  return 0;
}

standInImage(process.argv[2] ?? 'python-2026-01').then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`stand-in-image: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
