#!/usr/bin/env bash
# The whole test suite: sets the machine up (idempotent), then runs every jest project — unit,
# support, workflow (real Temporal) and e2e (real Temporal and Docker). Stops a dockerd it started.
# The engines in a VM (scripts/lib/vm.sh) boot in the background meanwhile, and their scenarios (the
# `vm` project) run beside the others: an emulated VM spends a core of its own either way.
set -euo pipefail
cd "$(dirname "$0")/.."
engine_was_up=false
docker info >/dev/null 2>&1 && engine_was_up=true
bash scripts/setup.sh
# The engine matrix: rootful and rootless Podman and rootless Docker beside the rootful engine.
source scripts/lib/engine-scope.sh
mkdir -p test-artifacts
# With arguments (a file, a project) the run is what they name: no VM of its own.
vm_engines=()
[ "$#" -eq 0 ] && vm_engines=(vm-desktop vm-plain)
vm_started=()
for engine in "${vm_engines[@]}"; do
  [ -f ".tools/engines/$engine.pid" ] && kill -0 "$(cat ".tools/engines/$engine.pid")" 2>/dev/null || vm_started+=("$engine")
done
stop_started_engines() {
  [ -z "${vm_up:-}" ] || wait "$vm_up" 2>/dev/null || true
  [ "${#vm_started[@]}" -eq 0 ] || bash scripts/engines.sh down "${vm_started[@]}" || true
  engines_down_started
  if [ "$engine_was_up" = false ] && [ -f .tools/dockerd.pid ]; then
    kill "$(cat .tools/dockerd.pid)" 2>/dev/null || true
    rm -f .tools/dockerd.pid
  fi
}
trap stop_started_engines EXIT
if [ "${#vm_engines[@]}" -gt 0 ]; then
  bash scripts/engines.sh up "${vm_engines[@]}" >test-artifacts/vm-engines.log 2>&1 &
  vm_up=$!
fi
engines_up rootful-podman rootless-podman rootless-docker
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
rm -f test-artifacts/engine-matrix.jsonl test-artifacts/jest-vm.json
status=0
vm_jest=
if [ -n "${vm_up:-}" ]; then
  (
    wait "$vm_up" || { echo "[test] the VM engines did not come up: test-artifacts/vm-engines.log" >&2; tail -n 30 test-artifacts/vm-engines.log >&2; }
    # Run even when a VM is missing: its tests then fail loudly, naming the command that starts it.
    npx jest --ci --selectProjects vm --json --outputFile=test-artifacts/jest-vm.json >test-artifacts/jest-vm.log 2>&1
  ) &
  vm_jest=$!
  unset vm_up # waited for by the job above
  main_projects=(--selectProjects unit layout support workflow e2e ui compose bench)
else
  main_projects=()
fi
npx jest --ci --json --outputFile=test-artifacts/jest-results.json "${main_projects[@]}" "$@" || status=$?
if [ -n "$vm_jest" ]; then
  wait "$vm_jest" || status=1
  echo "[test] the vm project (beside the others):" >&2
  cat test-artifacts/jest-vm.log >&2
fi
# A plain closing line any CI can read, from jest's own counts (both runs).
node -e '
  const fs = require("fs");
  const runs = ["./test-artifacts/jest-results.json", "./test-artifacts/jest-vm.json"].filter((f) => fs.existsSync(f)).map((f) => require(f));
  const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
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
