#!/usr/bin/env bash
# Extra container engines for the multi-engine test matrix, beside the rootful Docker engine that
# scripts/setup.sh provides: rootful Podman, rootless Podman and rootless Docker, each serving a
# Docker-compatible API on its own unix socket. Debian packages only (no image can be pulled here).
#
#   engines.sh up   NAME...|all     install what is missing, configure, start; prints "NAME DOCKER_HOST=..."
#   engines.sh down [NAME...|all]   stop the engines this script started (by recorded pid)
#   engines.sh load IMAGE NAME...   copy IMAGE from the rootful Docker engine into each engine
#   engines.sh env  NAME            print the DOCKER_HOST line of a running engine
#
# NAME: rootful-podman, rootless-podman, rootless-docker (env also knows rootful-docker); and, named
# explicitly (not in `all`): rootless-docker-stock, a second rootless Docker as its install leaves it
# (RootlessKit's default: this machine's loopback blocked for containers), and vm-desktop and
# vm-plain: Docker inside a QEMU VM (scripts/lib/vm.sh).
# State: .tools/engines/NAME.{pid,log,env}. Idempotent: an engine that already answers is left as is.
# It never stops, restarts or reconfigures the rootful dockerd or /var/run/docker.sock.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state="$root/.tools/engines"
mkdir -p "$state"

ALL=(rootful-podman rootless-podman rootless-docker)
ROOTLESS_USER=${STIGMER_ROOTLESS_USER:-stigmer-rootless}
SUBID_RANGE_SIZE=65536
ROOTFUL_DOCKER_HOST=unix:///var/run/docker.sock
UP_TIMEOUT=${ENGINES_UP_TIMEOUT:-90} # seconds an engine may take to answer /_ping

log() { printf '[engines] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=lib/vm.sh
. "$root/scripts/lib/vm.sh"

# ---------------------------------------------------------------------------------------------
# Packages: install only what is missing; refresh the index only when an install fails without it.
need_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt (scripts/setup.sh) may hold the lock: wait for it rather than fail.
  local apt=(apt-get -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends)
  if ! "${apt[@]}" install "${missing[@]}" >/dev/null 2>&1; then
    "${apt[@]}" update >/dev/null
    "${apt[@]}" install "${missing[@]}" >/dev/null
  fi
}

# ---------------------------------------------------------------------------------------------
# Rootless prerequisites: a dedicated user (never root's files), subordinate id ranges for its
# user namespace, its XDG_RUNTIME_DIR, and /dev/net/tun (slirp4netns opens it as that user).
ensure_rootless_user() {
  if ! id -u "$ROOTLESS_USER" >/dev/null 2>&1; then
    log "useradd $ROOTLESS_USER"
    useradd --create-home --shell /bin/bash "$ROOTLESS_USER"
  fi
  ruid=$(id -u "$ROOTLESS_USER")
  rgid=$(id -g "$ROOTLESS_USER")
  rhome=$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)
  xdg="/run/user/$ruid"
  local f
  for f in /etc/subuid /etc/subgid; do
    touch "$f"
    if ! grep -q "^$ROOTLESS_USER:" "$f"; then
      # Next free range above every range already handed out (useradd usually did this already).
      local start
      start=$(awk -F: 'BEGIN{m=100000} {e=$2+$3; if (e>m) m=e} END{print m}' "$f")
      echo "$ROOTLESS_USER:$start:$SUBID_RANGE_SIZE" >> "$f"
      log "$f: $ROOTLESS_USER:$start:$SUBID_RANGE_SIZE"
    fi
  done
  install -d -m 0700 -o "$ruid" -g "$rgid" "$xdg"
  # The VM ships /dev/net/tun as 0600 root; remember the mode once so `down` can put it back.
  [ -f "$state/tun.mode" ] || stat -c %a /dev/net/tun > "$state/tun.mode"
  [ "$(stat -c %a /dev/net/tun)" = 666 ] || { log "chmod 0666 /dev/net/tun (was $(cat "$state/tun.mode"))"; chmod 0666 /dev/net/tun; }
}

# Runs a command as the rootless user with a minimal, explicit environment (no root HOME/PATH leaks),
# from `/`: the clone may sit where that user cannot enter (root's home is mode 700), and an engine
# that cannot chdir to its working directory exits before it answers.
as_rootless() {
  (
    cd /
    setpriv --reuid="$ruid" --regid="$rgid" --init-groups \
      env -i HOME="$rhome" USER="$ROOTLESS_USER" LOGNAME="$ROOTLESS_USER" XDG_RUNTIME_DIR="$xdg" \
      PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin "$@"
  )
}

# ---------------------------------------------------------------------------------------------
# Engine definitions: the socket each one serves, and how to start it.
socket_of() {
  case "$1" in
    rootful-docker) echo /var/run/docker.sock ;;
    rootful-podman) echo /run/podman/podman.sock ;;
    rootless-podman) ensure_ids; echo "/run/user/$ruid/podman/podman.sock" ;;
    rootless-docker) ensure_ids; echo "/run/user/$ruid/docker.sock" ;;
    rootless-docker-stock) ensure_ids; echo "/run/user/$ruid/stock/docker.sock" ;;
    *) die "unknown engine '$1' (one of: ${ALL[*]} rootless-docker-stock ${VM_ENGINES[*]}, all)" ;;
  esac
}
ensure_ids() {
  [ -n "${ruid:-}" ] && return 0
  ruid=$(id -u "$ROOTLESS_USER" 2>/dev/null) || die "user $ROOTLESS_USER does not exist (run: engines.sh up)"
  rgid=$(id -g "$ROOTLESS_USER"); rhome=$(getent passwd "$ROOTLESS_USER" | cut -d: -f6); xdg="/run/user/$ruid"
}

pings() { [ -S "$1" ] && [ "$(curl -s --max-time 3 --unix-socket "$1" http://d/_ping 2>/dev/null)" = OK ]; }
pid_alive() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

# Sets KEY = VALUE in SECTION of a TOML file when KEY is not set yet (keys used here are unique
# across containers.conf sections); an existing value is the admin's choice and is kept.
conf_set() {
  local file=$1 section=$2 key=$3 value=$4
  grep -qs "^[[:space:]]*${key}[[:space:]]*=" "$file" && return 0
  log "$file: [$section] $key = $value"
  if grep -qs "^\[$section\]" "$file"; then
    sed -i "/^\[$section\]/a $key = $value" "$file"
  else
    printf '\n[%s]\n%s = %s\n' "$section" "$key" "$value" >> "$file"
  fi
}

# Podman reads /etc/containers/containers.conf, rootful and rootless alike.
# - Podman 4.3 raises container rlimits to its defaults (nofile 1048576), which this VM refuses
#   ("error setting rlimit type 7": no CAP_SYS_RESOURCE): pin them to the hard limits here.
# - With cgroup v1 plus a cgroup2 mount that holds a controller (hybrid: hugetlb here), crun 1.8
#   refuses every container ("cgroups in hybrid mode not supported"); runc copes, so use runc.
configure_podman() {
  local conf=/etc/containers/containers.conf
  mkdir -p /etc/containers
  [ -f "$conf" ] || echo "# Written by scripts/engines.sh (stigmer-runner): see its comments for why." > "$conf"
  conf_set "$conf" containers default_ulimits '["nofile=20000:20000", "nproc=32768:32768"]'
  if [ ! -f /sys/fs/cgroup/cgroup.controllers ] && [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
    need_pkgs runc
    conf_set "$conf" engine runtime '"runc"'
  fi
}

# Without a storage.conf, rootless Podman 4.3 picked the vfs driver here (a full copy of the image
# per container); native overlay works for unprivileged users on this kernel, so ask for it. Storage
# made earlier with vfs is reset once (it only holds images that `load` copied in).
configure_rootless_podman_storage() {
  local conf="$rhome/.config/containers/storage.conf"
  [ -f "$conf" ] && return 0
  log "$conf: driver = overlay"
  as_rootless mkdir -p "$rhome/.config/containers"
  printf '# engines.sh: native overlay (vfs would copy every image per container)\n[storage]\ndriver = "overlay"\n' \
    | as_rootless tee "$conf" >/dev/null
  if [ -d "$rhome/.local/share/containers/storage/vfs" ]; then
    log "rootless-podman: resetting vfs storage for overlay"
    (cd /tmp && as_rootless podman system reset --force >&2)
  fi
}

# Packages, configuration and (for rootless engines) the user and devices: done on every `up`, so
# a rootless engine that already runs still gets the /dev/net/tun mode it needs.
prepare_engine() {
  case "$1" in
    rootful-podman) need_pkgs podman; configure_podman ;;
    rootless-podman)
      need_pkgs podman uidmap slirp4netns fuse-overlayfs
      configure_podman # the same /etc file: its limits fit the hard limits an unprivileged user has
      ensure_rootless_user
      configure_rootless_podman_storage ;;
    rootless-docker|rootless-docker-stock)
      need_pkgs rootlesskit uidmap slirp4netns
      command -v dockerd >/dev/null || die "dockerd is missing: run scripts/setup.sh first (it installs docker.io)"
      ensure_rootless_user ;;
    *) die "unknown engine '$1' (one of: ${ALL[*]} rootless-docker-stock ${VM_ENGINES[*]}, all)" ;;
  esac
}

# Debian's dockerd-rootless.sh as the rootless user, serving SOCK, in runtime dir RUNTIME, with RootlessKit's
# --disable-host-loopback=DISABLE and data root DATA. Its own data-root and exec-root (and so its own
# containerd): nothing shared with the rootful engine. 20.10 ignores
# DOCKERD_ROOTLESS_ROOTLESSKIT_DISABLE_HOST_LOOPBACK, hence the flag. A fixed --state-dir puts
# RootlessKit's API at RUNTIME/dockerd-rootless/api.sock (20.10's script leaves it in a random
# /tmp/rootlesskit* directory). Runs in the background; start_engine takes its pid.
start_rootless_docker() {
  local name=$1 sock=$2 runtime=$3 disable=$4 data=$5 script
  # (no grep -m1: an early exit would SIGPIPE dpkg, which pipefail reports as a failure)
  script=$(dpkg -L docker.io 2>/dev/null | grep '/dockerd-rootless\.sh$' || true)
  script=${script%%$'\n'*}
  [ -x "$script" ] || die "dockerd-rootless.sh not found in docker.io"
  as_rootless rm -rf "$runtime/dockerd-rootless"
  setsid setpriv --reuid="$ruid" --regid="$rgid" --init-groups \
    env -i HOME="$rhome" USER="$ROOTLESS_USER" LOGNAME="$ROOTLESS_USER" XDG_RUNTIME_DIR="$runtime" \
    PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS="--disable-host-loopback=$disable --state-dir=$runtime/dockerd-rootless" \
    "$script" --host "unix://$sock" --data-root "$data" \
    --exec-root "$runtime/docker" --pidfile "$runtime/docker.pid" \
    >"$state/$name.log" 2>&1 < /dev/null &
}

start_engine() {
  local name=$1 sock
  sock=$(socket_of "$name")
  rm -f "$sock" # a stale socket from a killed engine would make the engine refuse to start
  # From `/`: an engine run as the rootless user cannot chdir into a clone under root's home (700).
  cd /
  case "$name" in
    rootful-podman)
      mkdir -p /run/podman
      # setsid: the engine leads its own process group, which `down` signals as a whole.
      setsid podman system service --time=0 "unix://$sock" >"$state/$name.log" 2>&1 < /dev/null &
      ;;
    rootless-podman)
      as_rootless mkdir -p "$xdg/podman"
      setsid setpriv --reuid="$ruid" --regid="$rgid" --init-groups \
        env -i HOME="$rhome" USER="$ROOTLESS_USER" LOGNAME="$ROOTLESS_USER" XDG_RUNTIME_DIR="$xdg" \
        PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        podman system service --time=0 "unix://$sock" >"$state/$name.log" 2>&1 < /dev/null &
      ;;
    rootless-docker)
      # --disable-host-loopback=false lets containers reach host loopback at 10.0.2.2 (the engine the
      # matrix runs on). ROOTLESS_DOCKER_HOST_LOOPBACK=false starts it with RootlessKit's default.
      local disable_loopback=false
      [ "${ROOTLESS_DOCKER_HOST_LOOPBACK:-true}" = true ] || disable_loopback=true
      start_rootless_docker "$name" "$sock" "$xdg" "$disable_loopback" "$rhome/.local/share/docker"
      ;;
    rootless-docker-stock)
      # As `dockerd-rootless-setuptool.sh install` leaves it: host loopback blocked. Its own runtime
      # dir (socket, RootlessKit state, exec root) and data root: nothing shared with rootless-docker.
      as_rootless mkdir -p -m 0700 "$xdg/stock"
      start_rootless_docker "$name" "$sock" "$xdg/stock" true "$rhome/.local/share/docker-stock"
      ;;
  esac
  local pid=$!
  cd "$root"
  echo "$pid" > "$state/$name.pid"
  log "$name: started pid $pid (log: $state/$name.log), waiting for $sock/_ping"
  local deadline=$((SECONDS + UP_TIMEOUT))
  until pings "$sock"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$state/$name.log" >&2; rm -f "$state/$name.pid"; die "$name exited before answering"
    fi
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 20 "$state/$name.log" >&2; die "$name did not answer within ${UP_TIMEOUT}s"; }
    sleep 0.2 # poll interval of the condition above, not a wait for a guessed duration
  done
}

cmd_up() {
  local name sock vms=()
  for name in "$@"; do
    if is_vm "$name"; then vms+=("$name"); continue; fi # booted together below
    prepare_engine "$name"
    sock=$(socket_of "$name")
    if pings "$sock"; then
      pid_alive "$name" || log "$name: $sock already answers (not started by this script; left alone)"
    else
      start_engine "$name"
    fi
    echo "DOCKER_HOST=unix://$sock" > "$state/$name.env"
    echo "$name DOCKER_HOST=unix://$sock"
  done
  [ "${#vms[@]}" -eq 0 ] || vm_up "${vms[@]}"
}

# Rootless Podman leaves a "pause" process that holds its user namespace after the service stops.
# It is ended by its recorded pid, but only when nothing else of that user runs (a container's
# conmon still needs the namespace).
stop_rootless_pause() {
  ensure_ids
  local f="$xdg/libpod/tmp/pause.pid" p others
  [ -f "$f" ] || return 0
  p=$(cat "$f")
  kill -0 "$p" 2>/dev/null || return 0
  others=$( (ps -o pid= -u "$ruid" || true) | awk -v p="$p" '$1 != p' | wc -l)
  if [ "$others" -eq 0 ]; then
    log "rootless-podman: stopping its pause process $p"; kill -TERM "$p" 2>/dev/null || true
  fi
}

cmd_down() {
  local name pid deadline
  for name in "$@"; do
    if is_vm "$name"; then vm_down "$name"; continue; fi
    if ! pid_alive "$name"; then
      rm -f "$state/$name.pid" "$state/$name.env"; log "$name: not running from this script"
      continue
    fi
    pid=$(cat "$state/$name.pid")
    log "$name: stopping pid $pid (process group)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then log "$name: still up after 30s, SIGKILL"; kill -KILL -- "-$pid" 2>/dev/null || true; fi
      sleep 0.2
    done
    rm -f "$state/$name.pid" "$state/$name.env"
  done
  local rootless_left=false
  if pid_alive rootless-podman || pid_alive rootless-docker || pid_alive rootless-docker-stock; then rootless_left=true; fi
  # Rootless Podman's pause process outlives its service, and must while a rootless Docker engine of
  # the same user still runs: it goes once none of ours does (stop_rootless_pause checks the rest).
  if [ "$rootless_left" = false ] && id -u "$ROOTLESS_USER" >/dev/null 2>&1; then stop_rootless_pause; fi
  # /dev/net/tun goes back to its recorded mode once no rootless engine of ours runs.
  if [ -f "$state/tun.mode" ] && [ "$rootless_left" = false ]; then
    chmod "$(cat "$state/tun.mode")" /dev/net/tun
    log "/dev/net/tun mode restored to $(cat "$state/tun.mode")"
    rm -f "$state/tun.mode"
  fi
}

# Copies IMAGE from the rootful Docker engine; skipped where the target already has the same id
# (docker save keeps the config blob, so Docker and Podman report the same sha256 id).
cmd_load() {
  local image=$1; shift
  local id name sock have vms=()
  id=$(DOCKER_HOST=$ROOTFUL_DOCKER_HOST docker image inspect --format '{{.Id}}' "$image") \
    || die "$image is not in the rootful Docker engine"
  for name in "$@"; do
    if is_vm "$name"; then vms+=("$name"); continue; fi # loaded together below
    sock=$(socket_of "$name")
    pings "$sock" || die "$name does not answer on $sock (run: engines.sh up $name)"
    have=$(DOCKER_HOST="unix://$sock" docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
    if [ "${have#sha256:}" = "${id#sha256:}" ]; then log "$name: already has $image ($id)"; continue; fi
    log "$name: loading $image ($id)"
    case "$name" in
      rootful-podman) DOCKER_HOST=$ROOTFUL_DOCKER_HOST docker save "$image" | podman load -q >&2 ;;
      rootless-podman) ensure_ids; DOCKER_HOST=$ROOTFUL_DOCKER_HOST docker save "$image" | as_rootless podman load -q >&2 ;;
      *) DOCKER_HOST=$ROOTFUL_DOCKER_HOST docker save "$image" | DOCKER_HOST="unix://$sock" docker load -q >&2 ;;
    esac
  done
  [ "${#vms[@]}" -eq 0 ] || vm_load_all "$image" "$id" "${vms[@]}"
}

cmd_env() {
  local name=$1 sock
  if is_vm "$name"; then vm_env "$name"; return; fi
  sock=$(socket_of "$name")
  pings "$sock" || die "$name does not answer on $sock"
  echo "DOCKER_HOST=unix://$sock"
}

names() { # expands `all`; an empty list means all
  if [ "$#" -eq 0 ]; then printf '%s\n' "${ALL[@]}"; return; fi
  local n; for n in "$@"; do if [ "$n" = all ]; then printf '%s\n' "${ALL[@]}"; else echo "$n"; fi; done
}

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts engines as a dedicated user)"
sub=${1:-}; shift || true
case "$sub" in
  up) [ "$#" -gt 0 ] || die "usage: engines.sh up NAME...|all"; mapfile -t n < <(names "$@"); cmd_up "${n[@]}" ;;
  down) mapfile -t n < <(names "$@"); cmd_down "${n[@]}" ;;
  load) [ "$#" -ge 2 ] || die "usage: engines.sh load IMAGE NAME...|all"; img=$1; shift; mapfile -t n < <(names "$@"); cmd_load "$img" "${n[@]}" ;;
  env) [ "$#" -eq 1 ] || die "usage: engines.sh env NAME"; cmd_env "$1" ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
