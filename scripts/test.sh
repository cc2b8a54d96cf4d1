#!/usr/bin/env bash
# The whole test suite: sets the machine up (idempotent), then runs every jest project — unit,
# support, workflow (real Temporal), e2e (real Temporal and Docker) and, last, vm (the engine
# matrix on Docker inside two QEMU VMs, booted in the background meanwhile). Stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
engine_was_up=false
docker info >/dev/null 2>&1 && engine_was_up=true
bash scripts/setup.sh
# The engine matrix: rootful and rootless Podman and rootless Docker beside the rootful engine; and
# rootless Docker as its install leaves it (loopback blocked), for its own tests.
source scripts/lib/engine-scope.sh
stop_started_engines() {
  engines_down_started
  if [ "$engine_was_up" = false ] && [ -f .tools/dockerd.pid ]; then
    kill "$(cat .tools/dockerd.pid)" 2>/dev/null || true
    rm -f .tools/dockerd.pid
  fi
}
trap stop_started_engines EXIT
engines_up rootful-podman rootless-podman rootless-docker rootless-docker-stock
# The engines in a VM (scripts/lib/vm.sh), with arguments only when they ask for them: guest built
# once and cached, booted in the background with the scenarios' stand-in image already in their
# engine — built here first, as a test building the same tag at the same time would give it another id.
with_vms=false
if [ "$#" -eq 0 ] || [[ "$*" == *vm* ]]; then
  with_vms=true
  ENGINES_VM_IMAGES=$(node dist/scripts/stand-in-image.js python-2026-01)
  export ENGINES_VM_IMAGES
  engines_up_background vm-desktop vm-plain
fi
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
mkdir -p test-artifacts
rm -f test-artifacts/engine-matrix.jsonl
status=0
rm -f test-artifacts/jest-results.json test-artifacts/jest-vm.json
if [ "$#" -gt 0 ]; then
  # Arguments choose files or projects.
  [ "$with_vms" = false ] || engines_wait_background || status=1
  npx jest --ci --json --outputFile=test-artifacts/jest-results.json "$@" || status=$?
else
  npx jest --ci --json --outputFile=test-artifacts/jest-results.json \
    --selectProjects unit layout support workflow e2e ui compose bench || status=$?
  # The two VMs are independent engines: their files run side by side.
  engines_wait_background || status=1
  npx jest --ci --maxWorkers 2 --json --outputFile=test-artifacts/jest-vm.json --selectProjects vm || status=$?
fi
# A plain closing line any CI can read, from jest's own counts (every project's).
node -e '
  const runs = ["jest-results.json", "jest-vm.json"].flatMap((f) => { try { return [require(`./test-artifacts/${f}`)]; } catch { return []; } });
  const sum = (key) => runs.reduce((total, r) => total + r[key], 0);
  console.log(`jest: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
' || true
# docs/engines.md from what the engine matrix measured in this run — a full run only: a run of some
# files would rewrite it without the engines it skipped. An engine with no results fails the run.
if [ "$#" -eq 0 ]; then
  node dist/scripts/engine-table.js || status=1
else
  echo "docs/engines.md left as it is: only a full npm test (no arguments) renders it" >&2
fi
exit "$status"
