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
  [ "${#started_engines[@]}" -eq 0 ] || bash scripts/engines.sh down "${started_engines[@]}" || true
}
