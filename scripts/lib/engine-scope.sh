# Sourced by test.sh and bench.sh: start the extra engines a job needs, and stop at exit only those
# this job started (engines already running are left running).
#   engines_up NAME...     scripts/engines.sh up NAME..., remembering which were not running
#   engines_down_started   scripts/engines.sh down for those
started_engines=()
engines_up() {
  local engine
  for engine in "$@"; do
    [ -f ".tools/engines/$engine.pid" ] && kill -0 "$(cat ".tools/engines/$engine.pid")" 2>/dev/null || started_engines+=("$engine")
  done
  bash scripts/engines.sh up "$@" >/dev/null
}
engines_down_started() {
  # A background start still running (an early exit) is stopped first — its own EXIT trap stops the
  # VMs it was booting — then the VMs are stopped with the rest.
  if [ -n "$engines_bg_pid" ]; then
    kill -TERM -- "-$engines_bg_pid" 2>/dev/null || true
    wait "$engines_bg_pid" 2>/dev/null || true
  fi
  [ "${#started_engines[@]}" -eq 0 ] || bash scripts/engines.sh down "${started_engines[@]}" || true
}

# The engines in a QEMU VM take minutes to build and boot under emulation: started in the background
# (their output in test-artifacts/vm-engines.log) while other work runs, then waited for.
#   engines_up_background NAME...   as engines_up, returning at once
#   engines_wait_background         0 once they answer; else their log's tail and 1
engines_bg_pid=
engines_up_background() {
  local engine
  for engine in "$@"; do
    [ -f ".tools/engines/$engine.pid" ] && kill -0 "$(cat ".tools/engines/$engine.pid")" 2>/dev/null || started_engines+=("$engine")
  done
  mkdir -p test-artifacts
  # Its own process group: an early exit stops the boot at once (below) instead of waiting minutes.
  setsid bash scripts/engines.sh up "$@" > test-artifacts/vm-engines.log 2>&1 &
  engines_bg_pid=$!
}
engines_wait_background() {
  [ -n "$engines_bg_pid" ] || return 0
  if wait "$engines_bg_pid"; then engines_bg_pid=; return 0; fi
  engines_bg_pid=
  echo "engines in a VM did not start (test-artifacts/vm-engines.log):" >&2
  tail -n 20 test-artifacts/vm-engines.log >&2
  return 1
}
