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
# while other work runs, with the work that needs them chained after, then waited for.
#   engines_up_background NAME... [-- COMMAND...]
#       as engines_up, returning at once (the boot's output in test-artifacts/vm-engines.log); COMMAND,
#       if given, runs as soon as they answer (its output in test-artifacts/vm-project.log)
#   engines_wait_background
#       1 with the boot log's tail if they did not start; else COMMAND's output and status (0 without one)
engines_bg_pid=
engines_up_background() {
  local engine names=()
  while [ "$#" -gt 0 ] && [ "$1" != -- ]; do names+=("$1"); shift; done
  [ "$#" -eq 0 ] || shift
  for engine in "${names[@]}"; do
    [ -f ".tools/engines/$engine.pid" ] && kill -0 "$(cat ".tools/engines/$engine.pid")" 2>/dev/null || started_engines+=("$engine")
  done
  mkdir -p test-artifacts
  rm -f test-artifacts/vm-engines.up test-artifacts/vm-project.log
  # Its own process group: an early exit stops the boot, and the work chained after it, at once (above).
  # Arguments: how many names, the names, then COMMAND.
  setsid bash -c '
    bash scripts/engines.sh up "${@:2:$1}" > test-artifacts/vm-engines.log 2>&1 || exit 1
    touch test-artifacts/vm-engines.up
    shift "$(($1 + 1))"
    [ "$#" -eq 0 ] || "$@" > test-artifacts/vm-project.log 2>&1
  ' _ "${#names[@]}" "${names[@]}" "$@" &
  engines_bg_pid=$!
}
engines_wait_background() {
  [ -n "$engines_bg_pid" ] || return 0
  local status=0
  wait "$engines_bg_pid" || status=$?
  engines_bg_pid=
  if [ ! -f test-artifacts/vm-engines.up ]; then
    echo "engines in a VM did not start (test-artifacts/vm-engines.log):" >&2
    tail -n 20 test-artifacts/vm-engines.log >&2
    return 1
  fi
  [ ! -f test-artifacts/vm-project.log ] || cat test-artifacts/vm-project.log
  return "$status"
}
