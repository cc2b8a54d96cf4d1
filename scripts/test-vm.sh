#!/usr/bin/env bash
# The engine matrix on Docker inside QEMU VMs (scripts/lib/vm.sh): vm-desktop (Lima's network,
# host-gateway set, a folder shared at the same path, the socket over ssh) and vm-plain (nothing
# arranged). Builds the guest image when missing (~3.5 min), boots both with the stand-in image in
# their engines (~1.5–3 min under emulation), runs the `vm-matrix` jest project (every scenario), and stops the VMs it started. Slow: every container start,
# probe and runner boot runs on an emulated CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
engine_was_up=false
docker info >/dev/null 2>&1 && engine_was_up=true
bash scripts/setup.sh
vms=(vm-desktop vm-plain)
started=()
for vm in "${vms[@]}"; do
  [ -f ".tools/engines/$vm.pid" ] && kill -0 "$(cat ".tools/engines/$vm.pid")" 2>/dev/null || started+=("$vm")
done
stop_started() {
  [ "${#started[@]}" -eq 0 ] || bash scripts/engines.sh down "${started[@]}" || true
  if [ "$engine_was_up" = false ] && [ -f .tools/dockerd.pid ]; then
    kill "$(cat .tools/dockerd.pid)" 2>/dev/null || true
    rm -f .tools/dockerd.pid
  fi
}
trap stop_started EXIT
# The VMs boot with the scenarios' stand-in image already in their engine (a preload disk built
# natively in seconds), not copied in under emulation (~4-5 min per VM).
ENGINES_VM_IMAGES=$(node dist/scripts/stand-in-image.js python-2026-01)
export ENGINES_VM_IMAGES
bash scripts/engines.sh up "${vms[@]}"
mkdir -p test-artifacts
status=0
npx jest --ci --json --outputFile=test-artifacts/jest-vm.json --maxWorkers 2 --selectProjects vm-matrix "$@" || status=$?
node -e '
  const r = require("./test-artifacts/jest-vm.json");
  console.log(`jest (vm): ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit "$status"
