#!/usr/bin/env bash
# The whole test suite: sets the machine up (idempotent), then runs every jest project — unit,
# support, workflow (real Temporal) and e2e (real Temporal and Docker). Stops a dockerd it started.
set -euo pipefail
cd "$(dirname "$0")/.."
engine_was_up=false
docker info >/dev/null 2>&1 && engine_was_up=true
bash scripts/setup.sh
stop_started_engine() {
  if [ "$engine_was_up" = false ] && [ -f .tools/dockerd.pid ]; then
    kill "$(cat .tools/dockerd.pid)" 2>/dev/null || true
    rm -f .tools/dockerd.pid
  fi
}
trap stop_started_engine EXIT
npx jest --ci "$@"
