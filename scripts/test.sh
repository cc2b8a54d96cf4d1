#!/usr/bin/env bash
# The whole test suite: sets the machine up (idempotent), then runs every jest project — unit,
# support, workflow (real Temporal) and e2e (real Temporal and Docker). Stops a dockerd it started.
# The engines inside QEMU VMs are `npm run test:vm` (scripts/test-vm.sh): under emulation their
# scenarios take longer than this whole suite's budget on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
engine_was_up=false
docker info >/dev/null 2>&1 && engine_was_up=true
bash scripts/setup.sh
# The engine matrix: rootful and rootless Podman and rootless Docker beside the rootful engine.
source scripts/lib/engine-scope.sh
stop_started_engines() {
  engines_down_started
  if [ "$engine_was_up" = false ] && [ -f .tools/dockerd.pid ]; then
    kill "$(cat .tools/dockerd.pid)" 2>/dev/null || true
    rm -f .tools/dockerd.pid
  fi
}
trap stop_started_engines EXIT
engines_up rootful-podman rootless-podman rootless-docker
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
mkdir -p test-artifacts
rm -f test-artifacts/engine-matrix.jsonl
status=0
# Every project but `vm` (its engines are not started here); arguments choose files or projects.
projects=()
[ "$#" -gt 0 ] || projects=(--selectProjects unit layout support workflow e2e ui compose bench)
npx jest --ci --json --outputFile=test-artifacts/jest-results.json "${projects[@]}" "$@" || status=$?
# A plain closing line any CI can read, from jest's own counts.
node -e '
  const r = require("./test-artifacts/jest-results.json");
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
# docs/engines.md from what the engine matrix measured in this run — a full run only: a run of some
# files would rewrite it without the engines it skipped. An engine with no results fails the run.
if [ "$#" -eq 0 ]; then
  node dist/scripts/engine-table.js || status=1
else
  echo "docs/engines.md left as it is: only a full npm test (no arguments) renders it" >&2
fi
exit "$status"
