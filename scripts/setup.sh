#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine, skipping what is already there:
# npm packages, the Temporal CLI (pinned, into .tools/bin), a Docker engine (Debian's docker.io,
# started when none answers) and the compiled build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
TEMPORAL_CLI_VERSION=v1.5.1
log() { printf '[setup] %s\n' "$*" >&2; }

# npm packages: reinstall only when package-lock.json changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f node_modules/.setup-lock-hash ] || [ "$(cat node_modules/.setup-lock-hash)" != "$lock_hash" ]; then
  # `npm ci`: exactly the lock file. The lock lists every platform's optional binaries
  # (@swc/core-*, @unrs/resolver-binding-*) — with only Linux's, npm ci refuses it as out of sync.
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.setup-lock-hash
fi

# Temporal CLI: the version Stigmer manages, built from source (no prebuilt download here).
# `go install` builds report version 0.0.0-DEV, so a marker file records which tag was installed.
temporal="$root/.tools/bin/temporal"
if [ ! -x "$temporal" ] || [ "$(cat "$temporal.version" 2>/dev/null)" != "$TEMPORAL_CLI_VERSION" ]; then
  command -v go >/dev/null || { log "Go is needed to install the Temporal CLI (go install)"; exit 1; }
  log "go install github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION (a few minutes the first time)"
  GOBIN="$root/.tools/bin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  echo "$TEMPORAL_CLI_VERSION" > "$temporal.version"
fi

# Docker engine: use the one that answers; otherwise install Debian's and start it.
if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null; then
    log "no Docker engine: apt-get install docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq docker.io >/dev/null
  fi
  log "starting dockerd (log: $root/.tools/dockerd.log)"
  mkdir -p "$root/.tools"
  nohup dockerd >"$root/.tools/dockerd.log" 2>&1 &
  echo $! > "$root/.tools/dockerd.pid"
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { log "dockerd did not come up; see $root/.tools/dockerd.log"; tail -n 20 "$root/.tools/dockerd.log" >&2; exit 1; }
fi

# Debian packages the tests use: Chromium for the Temporal UI test (playwright-core drives it; no
# browser download), docker-compose (v1, Debian's) to validate docker-compose.yml, and nginx (light)
# as the TLS / client-certificate / API-key check in front of a dev server (the tests run their own
# instance on free ports; the package's own service is not needed). The package index is refreshed
# only when something is to be installed.
apt_missing=()
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
command -v docker-compose >/dev/null || apt_missing+=(docker-compose)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_missing+=(nginx-light)
if [ "${#apt_missing[@]}" -gt 0 ]; then
  log "apt-get install ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi

# The compiled CLI and the prebuilt workflow bundle the production worker loads.
log "npm run build"
npm run --silent build >/dev/null
log "ready: temporal CLI $(cat "$temporal.version"), docker $(docker version --format '{{.Server.Version}}'), node $(node --version)"
