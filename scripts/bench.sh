#!/usr/bin/env bash
# `npm run bench`: sets the machine up, starts rootful Podman (the second host of P4's two-host
# run) if it is not running, runs the bench, and stops Podman again if it started it here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/lib/engine-scope.sh
trap engines_down_started EXIT
engines_up rootful-podman
node dist/bench/run.js "$@"
