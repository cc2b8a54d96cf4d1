#!/usr/bin/env bash
# The main job: set up this machine (idempotent), then provision the agent-runner on the embedded
# default with a locally built image. Arguments go to `stigmer-runner run` (e.g. --json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/scripts/provision-local.js "$@"
