# Sourced by scripts/engines.sh: container engines inside a QEMU VM, the topology of Docker Desktop,
# Colima, Lima, OrbStack and Rancher Desktop (the engine is not on this machine; this machine is
# reached through the VM's user-mode network). See docs/engines.md "Engines in a VM".
#
#   vm-desktop  Lima's network layout (this machine is 192.168.5.2; 10.0.2.2 does not exist),
#               dockerd --host-gateway-ip=192.168.5.2 (host.docker.internal:host-gateway reaches
#               this machine), $VM_SHARE shared into the VM at the same path over 9p, the engine's
#               unix socket forwarded over ssh as Colima does.
#   vm-plain    a plain VM / remote engine: QEMU's default network (this machine is 10.0.2.2),
#               stock dockerd (host-gateway is the VM's own docker0), nothing shared, the engine
#               on TCP through a loopback-only forward.
#
# Both boot one cached guest image (.tools/vm/guest-HASH, rebuilt when the recipe below changes)
# with snapshot=on: a run never writes the image and nothing persists from one boot to the next.
# Everything that differs between the two is handed to the guest on the kernel command line.
#
# Uses from engines.sh: $root, $state, log, die, need_pkgs, $UP_TIMEOUT, $ROOTFUL_DOCKER_HOST.

VM_ENGINES=(vm-desktop vm-plain)
VM_DIR="$root/.tools/vm"
# Fixed and outside the clone: the guest mounts it at the same path, and tests put the homes the
# runner bind-mounts under it (a path outside it does not exist in the VM). Not under /var: the
# worker's policy refuses a workspace in a system tree, as it would a user's there.
VM_SHARE=${STIGMER_VM_SHARE:-/srv/stigmer-vm-share}
# Short and fixed: a unix socket path is at most 107 bytes and the clone may sit deep.
VM_RUN=/run/stigmer-vm
VM_SUITE=bookworm
VM_PACKAGES=linux-image-amd64,systemd-sysv,udev,dbus,kmod,iproute2,ca-certificates,docker.io,openssh-server,procps
VM_DISK_SIZE=6G # sparse; the base system uses ~1 GB, the rest holds the images `load` copies in
# TCG only: this machine's /dev/kvm (kvm-pvm) cannot boot a stock Debian kernel. tb-size=256
# halves QEMU's resident size (~1 GB per VM).
VM_QEMU_CPU=(-accel tcg,tb-size=256 -cpu max -smp "${ENGINES_VM_CPUS:-1}" -m 1536)
# Seconds from QEMU's start to /_ping OK. TCG is CPU-bound: ~40 s for one VM on an idle host, ~4 min
# measured for two at once on a 2-core host already at load 4-6.
VM_BOOT_TIMEOUT=${ENGINES_VM_BOOT_TIMEOUT:-480}
# Images of the rootful engine the VMs boot with (space-separated): see vm_images_disk.
read -r -a VM_IMAGES <<< "${ENGINES_VM_IMAGES:-}"
VM_IMAGES_DISK=

is_vm() { case "$1" in vm-desktop | vm-plain) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------------------------------------
# The guest's side: one script, run at every boot before docker, applying the stigmer.* arguments.
vm_guest_setup() {
  cat <<'EOF'
#!/bin/sh
# Applies the configuration scripts/lib/vm.sh gives this boot on the kernel command line:
#   stigmer.net=ADDR/PREFIX,GATEWAY   static address on eth0 (no DHCP client in the image); no
#                                     traffic out of ADDR/PREFIX
#   stigmer.dockerd=FLAG,FLAG...      extra dockerd flags (commas for spaces)
#   stigmer.share=TAG:/PATH           9p share mounted at /PATH
#   stigmer.sshkey=BASE64             root's authorized key
set -eu
arg() { for w in $(cat /proc/cmdline); do case "$w" in "$1="*) echo "${w#*=}"; return 0 ;; esac; done; }

net=$(arg stigmer.net)
if [ -n "$net" ]; then
  modprobe virtio_net 2>/dev/null || true
  i=0; while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
  ip link set lo up
  ip link set eth0 up
  ip addr add "${net%%,*}" dev eth0
  ip route add default via "${net#*,}"
  # Nothing leaves the VM's own user-mode network: slirp would carry any other address out through
  # this machine's network (10.0.2.2 from the Lima layout reached a real host there). Refused fast,
  # from the VM itself (OUTPUT: --network host) and from its containers (DOCKER-USER, which
  # dockerd keeps ahead of its own FORWARD rules).
  iptables -A OUTPUT -o eth0 ! -d "${net%%,*}" -j REJECT
  iptables -N DOCKER-USER
  iptables -A DOCKER-USER -o eth0 ! -d "${net%%,*}" -j REJECT
fi

mkdir -p /run/stigmer
echo "STIGMER_DOCKERD_FLAGS=$(arg stigmer.dockerd | tr , ' ')" > /run/stigmer/dockerd.env

share=$(arg stigmer.share)
if [ -n "$share" ]; then
  modprobe 9pnet_virtio; modprobe 9p
  mkdir -p "${share#*:}"
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none "${share%%:*}" "${share#*:}"
fi

# The engine's store, filled on this machine before boot (vm_images_disk): the images are there
# from the first /_ping, not copied in under emulation.
# (docker.io makes /var/lib/docker at its first start, not at install.)
if [ -b /dev/vdb ]; then mkdir -p /var/lib/docker; mount -o noatime /dev/vdb /var/lib/docker; fi

key=$(arg stigmer.sshkey)
if [ -n "$key" ]; then
  mkdir -p -m 700 /root/.ssh
  echo "$key" | base64 -d > /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
fi
EOF
}

vm_guest_unit() {
  cat <<'EOF'
[Unit]
Description=stigmer: this boot's network, share, ssh key and dockerd flags (kernel command line)
DefaultDependencies=no
After=local-fs.target systemd-modules-load.service
Before=docker.service containerd.service ssh.service network.target
Wants=network.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/stigmer-guest-setup

[Install]
WantedBy=multi-user.target
EOF
}

# -H fd:// keeps docker.socket's /var/run/docker.sock; the per-boot flags come from the file above.
vm_guest_docker_dropin() {
  cat <<'EOF'
[Service]
EnvironmentFile=-/run/stigmer/dockerd.env
ExecStart=
ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $STIGMER_DOCKERD_FLAGS
EOF
}

vm_recipe() {
  printf 'suite=%s\npackages=%s\ndisk=%s\n' "$VM_SUITE" "$VM_PACKAGES" "$VM_DISK_SIZE"
  declare -f vm_build_chroot_hook vm_build_rootfs_tweaks
  vm_guest_setup
  vm_guest_unit
  vm_guest_docker_dropin
}
vm_image_dir() { echo "$VM_DIR/guest-$(vm_recipe | sha256sum | cut -c1-12)"; }

# Run by mmdebstrap inside the finished chroot ($1, /proc and /dev mounted). Under TCG every byte
# and unit of the boot costs: an initramfs with the three modules that mount the root disk only
# (MODULES=most: 36 MB to unpack and a udev pass over all of it).
vm_build_chroot_hook() {
  sed -i 's/^MODULES=.*/MODULES=list/' "$1/etc/initramfs-tools/initramfs.conf"
  printf '%s\n' virtio_pci virtio_blk ext4 >> "$1/etc/initramfs-tools/modules"
  chroot "$1" update-initramfs -u -k all
}

# Boot-time trimming and the guest files, applied to the unpacked root file system ($1).
vm_build_rootfs_tweaks() {
  local r=$1 u
  echo stigmer-vm > "$r/etc/hostname"
  : > "$r/etc/fstab"
  # Units this guest never needs (no tty, no persistent journal, no dm/drm/efi, nothing to clean).
  for u in getty@tty1.service e2scrub_reap.service modprobe@drm.service modprobe@dm_mod.service \
    modprobe@efi_pstore.service dpkg-db-backup.timer systemd-tmpfiles-clean.timer \
    systemd-journal-flush.service systemd-update-utmp.service systemd-update-utmp-runlevel.service; do
    ln -sf /dev/null "$r/etc/systemd/system/$u"
  done
  mkdir -p "$r/etc/systemd/journald.conf.d"
  printf '[Journal]\nStorage=volatile\n' > "$r/etc/systemd/journald.conf.d/stigmer.conf"
  mkdir -p "$r/usr/local/sbin" "$r/etc/systemd/system/docker.service.d" "$r/etc/systemd/system/multi-user.target.wants"
  vm_guest_setup > "$r/usr/local/sbin/stigmer-guest-setup"
  chmod 0755 "$r/usr/local/sbin/stigmer-guest-setup"
  vm_guest_unit > "$r/etc/systemd/system/stigmer-guest.service"
  vm_guest_docker_dropin > "$r/etc/systemd/system/docker.service.d/stigmer.conf"
  ln -sf /etc/systemd/system/stigmer-guest.service "$r/etc/systemd/system/multi-user.target.wants/stigmer-guest.service"
  # Periodic jobs only cost CPU under TCG; nothing in this guest needs them.
  local t
  for t in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
    rm -f "$r/etc/systemd/system/timers.target.wants/$t"
  done
}

# ---------------------------------------------------------------------------------------------
vm_prepare() {
  need_pkgs qemu-system-x86 qemu-utils mmdebstrap e2fsprogs openssh-client curl
  mkdir -p "$VM_DIR" "$VM_RUN"
  chmod 0700 "$VM_RUN"
  install -d -m 0755 "$VM_SHARE"
  vm_build_image
  [ "${#VM_IMAGES[@]}" -eq 0 ] || vm_images_disk
}

# Built once per recipe; a lock keeps two worktrees sharing .tools from building it together.
vm_build_image() {
  local dir tmp t0
  dir=$(vm_image_dir)
  [ -f "$dir/ready" ] && return 0
  exec 9> "$VM_DIR/build.lock"
  flock 9
  if [ -f "$dir/ready" ]; then exec 9>&-; return 0; fi
  t0=$SECONDS
  tmp="$dir.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # The root file system is made outside the clone: while mmdebstrap runs it has /proc mounted, and
  # tools walking the clone (prettier, jest's file map) would trip over it.
  local rootfs
  rootfs=$(vm_scratch_dir rootfs)
  log "vm: building the guest image $(basename "$dir") (mmdebstrap $VM_SUITE, ~3 min; log: $tmp/build.log)"
  # This machine's apt sources, so its mirror: packages come the way this machine's own do.
  local sources=/etc/apt/sources.list.d/debian.sources
  [ -f "$sources" ] || sources=/etc/apt/sources.list
  mmdebstrap --mode=root --variant=minbase --include="$VM_PACKAGES" \
    --customize-hook="$(declare -f vm_build_chroot_hook); vm_build_chroot_hook \"\$1\"" \
    "$VM_SUITE" "$rootfs" "$sources" > "$tmp/build.log" 2>&1 \
    || { tail -n 30 "$tmp/build.log" >&2; rm -rf "$rootfs"; die "vm: mmdebstrap failed (log: $tmp/build.log)"; }
  vm_build_rootfs_tweaks "$rootfs"
  cp "$(readlink -f "$rootfs/vmlinuz")" "$tmp/vmlinuz"
  cp "$(readlink -f "$rootfs/initrd.img")" "$tmp/initrd.img"
  truncate -s "$VM_DISK_SIZE" "$tmp/disk.raw"
  mkfs.ext4 -q -F -L stigmer-vm -d "$rootfs" "$tmp/disk.raw" >> "$tmp/build.log" 2>&1
  rm -rf "$rootfs"
  chmod 0444 "$tmp/disk.raw" # snapshot=on only ever reads it
  vm_recipe > "$tmp/recipe"
  touch "$tmp/ready"
  mv "$tmp" "$dir"
  log "vm: guest image ready in $((SECONDS - t0))s: $dir ($(du -sh --apparent-size "$dir/disk.raw" | cut -f1) disk, $(du -sh "$dir/disk.raw" | cut -f1) used)"
  vm_remove_old guest "$dir"
  exec 9>&-
}

# ---------------------------------------------------------------------------------------------
# Preload. `docker load` into a VM runs every byte through an emulated CPU: 229–311 s for the 171 MB
# stand-in, per VM, per boot. Instead a private dockerd on this machine (its own network namespace,
# data and exec roots) loads VM_IMAGES natively into a data root, which becomes an ext4 disk the guest
# mounts at /var/lib/docker before its engine starts (snapshot=on: a run never writes it). Same
# docker.io on both sides (this machine's apt sources build the guest), same overlay2 store.
# Keyed by the images' names and ids and docker.io's version; built in seconds when missing.
vm_images_key() {
  local image id lines=()
  for image in "${VM_IMAGES[@]}"; do
    id=$(DOCKER_HOST=$ROOTFUL_DOCKER_HOST docker image inspect --format '{{.Id}}' "$image") \
      || die "vm: $image is not on the rootful engine (ENGINES_VM_IMAGES names images to put in the VMs)"
    lines+=("$image $id")
  done
  VM_IMAGES_KEY=$({ printf '%s\n' "${lines[@]}" | sort; dpkg-query -W -f '${Version}\n' docker.io; } | sha256sum | cut -c1-12)
}

# Stops the preload dockerd (SIGTERM, SIGKILL after 20 s) and removes its socket and exec root.
vm_preload_stop() {
  local pid=$1 sock=$2 deadline=$((SECONDS + 20))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.1
  done
  rm -rf "${VM_RUN:?}/preload-$$" "$sock"
}

# Sets VM_IMAGES_DISK (not echoed: a die in a command substitution would not stop the script).
vm_images_disk() {
  local dir tmp sock pid image t0 bytes data
  vm_images_key
  dir="$VM_DIR/images-$VM_IMAGES_KEY"
  if [ ! -f "$dir/ready" ]; then
    exec 9> "$VM_DIR/build.lock"
    flock 9
    if [ ! -f "$dir/ready" ]; then
      t0=$SECONDS
      tmp="$dir.tmp.$$" sock="$VM_RUN/preload-$$.sock" data=$(vm_scratch_dir data)
      rm -rf "$tmp"; mkdir -p "$tmp"
      # In a network namespace of its own: a dockerd started with --bridge=none deletes the host's
      # docker0 (the rootful engine's bridge), and nothing here needs a network.
      setsid unshare --net dockerd --data-root "$data" --exec-root "$VM_RUN/preload-$$" --pidfile "$tmp/dockerd.pid" \
        -H "unix://$sock" --bridge=none --iptables=false --ip-masq=false --storage-driver=overlay2 \
        > "$tmp/dockerd.log" 2>&1 < /dev/null &
      pid=$!
      # Whatever happens from here, the private dockerd and its scratch go with this script.
      trap 'vm_preload_stop "$pid" "$sock"; rm -rf "$data"' EXIT
      until vm_pings "unix://$sock"; do
        kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$((t0 + 60))" ] \
          || { tail -n 20 "$tmp/dockerd.log" >&2; die "vm: the preload dockerd did not answer (log: $tmp/dockerd.log)"; }
        sleep 0.2
      done
      for image in "${VM_IMAGES[@]}"; do
        DOCKER_HOST=$ROOTFUL_DOCKER_HOST docker save "$image" | DOCKER_HOST="unix://$sock" docker load -q >&2 \
          || die "vm: loading $image for the VMs failed (log: $tmp/dockerd.log)"
      done
      vm_preload_stop "$pid" "$sock"
      # Only the image store: networks, containers and runtimes are the guest engine's own to make.
      (cd "$data" && rm -rf buildkit containerd containers network plugins runtimes swarm tmp trust)
      bytes=$(du -sb "$data" | cut -f1)
      # Room for what the runs write (containers' layers, volumes); sparse, so it costs nothing here.
      truncate -s "$((bytes * 2 + 2 * 1024 * 1024 * 1024))" "$tmp/disk.raw"
      mkfs.ext4 -q -F -L stigmer-images -d "$data" "$tmp/disk.raw" > "$tmp/mkfs.log" 2>&1 \
        || die "vm: mkfs.ext4 of the preload disk failed (log: $tmp/mkfs.log)"
      rm -rf "$data"
      trap - EXIT
      chmod 0444 "$tmp/disk.raw"
      printf '%s\n' "${VM_IMAGES[@]}" > "$tmp/images"
      touch "$tmp/ready"
      mv "$tmp" "$dir"
      log "vm: preload disk with ${VM_IMAGES[*]} ready in $((SECONDS - t0))s: $dir"
      vm_remove_old images "$dir"
    fi
    exec 9>&-
  fi
  VM_IMAGES_DISK="$dir/disk.raw"
}

# A fresh directory outside the clone for a build's big intermediate tree (world-traversable: it
# becomes a file system's root).
vm_scratch_dir() {
  local made
  made=$(mktemp -d "${TMPDIR:-/var/tmp}/stigmer-vm-$1.XXXXXX")
  chmod 0755 "$made"
  echo "$made"
}

# Guest images of an older recipe and preload disks of other images go, unless a running QEMU (any
# worktree sharing .tools) still boots one.
vm_remove_old() {
  local kind=$1 keep=$2 old f pid in_use
  for old in "$VM_DIR/$kind"-*; do
    [ "$old" != "$keep" ] && [ -d "$old" ] || continue
    in_use=
    for f in "$state"/vm-*.pid; do
      [ -f "$f" ] && pid=$(cat "$f") && kill -0 "$pid" 2>/dev/null || continue
      tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$old/" && in_use=1
    done
    if [ -n "$in_use" ]; then log "vm: keeping $(basename "$old") (a running VM uses it)"; else
      log "vm: removing $(basename "$old") (older recipe)"; rm -rf "$old"
    fi
  done
}

# A loopback TCP port nothing listens on (QEMU binds it a moment later and fails loudly if taken).
vm_free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    [ -n "$(ss -Htln "sport = :$p")" ] || { echo "$p"; return 0; }
  done
}

vm_ssh_key() {
  [ -f "$VM_DIR/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C stigmer-vm -f "$VM_DIR/id_ed25519"
  echo "$VM_DIR/id_ed25519"
}
vm_ssh_opts() {
  local port=$1
  echo "-i $(vm_ssh_key) -p $port -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5"
}

vm_host_of() { # the DOCKER_HOST recorded for a VM engine, empty when none
  [ ! -f "$state/$1.env" ] || sed -n 's/^DOCKER_HOST=//p' "$state/$1.env"
}
vm_pings() {
  local host=$1
  case "$host" in
    unix://*) [ -S "${host#unix://}" ] && [ "$(curl -s --max-time 3 --unix-socket "${host#unix://}" http://d/_ping 2>/dev/null)" = OK ] ;;
    tcp://*) [ "$(curl -s --max-time 3 "http://${host#tcp://}/_ping" 2>/dev/null)" = OK ] ;;
    *) return 1 ;;
  esac
}
vm_alive() { [ -f "$state/$1.$2" ] && kill -0 "$(cat "$state/$1.$2")" 2>/dev/null; }

# Starts QEMU for one config (returns at once); the wait is vm_wait, so several boot together.
vm_launch() {
  local name=$1 dir netdev append port ssh_port=
  dir=$(vm_image_dir)
  # mitigations=off: an emulated CPU has no side channel worth the cost of flushing on every switch.
  append="root=/dev/vda rw console=ttyS0 quiet apparmor=0 mitigations=off net.ifnames=0 systemd.hostname=$name"
  local extra=()
  case "$name" in
    vm-desktop)
      ssh_port=$(vm_free_port)
      netdev="user,id=n0,net=192.168.5.0/24,host=192.168.5.2,dns=192.168.5.3,dhcpstart=192.168.5.15,hostfwd=tcp:127.0.0.1:$ssh_port-:22"
      append+=" stigmer.net=192.168.5.15/24,192.168.5.2 stigmer.dockerd=--host-gateway-ip=192.168.5.2"
      append+=" stigmer.share=stigmershare:$VM_SHARE stigmer.sshkey=$(base64 -w0 < "$(vm_ssh_key).pub")"
      # passthrough: QEMU (root here) stores the guest's uids as they are, so a folder owned by
      # 1000 here is 1000 in the guest and a container's files land here with its uid.
      extra=(-virtfs "local,path=$VM_SHARE,mount_tag=stigmershare,security_model=passthrough")
      echo "unix://$VM_RUN/$name.sock" > "$state/$name.host"
      echo "$ssh_port" > "$state/$name.sshport"
      ;;
    vm-plain)
      port=$(vm_free_port)
      netdev="user,id=n0,hostfwd=tcp:127.0.0.1:$port-:2375"
      append+=" stigmer.net=10.0.2.15/24,10.0.2.2 stigmer.dockerd=-H,tcp://0.0.0.0:2375,--tls=false"
      echo "tcp://127.0.0.1:$port" > "$state/$name.host"
      ;;
  esac
  rm -f "$state/$name.env" "$state/$name.console"
  # setsid: QEMU leads its own process group; its pid is what `down` stops.
  setsid qemu-system-x86_64 "${VM_QEMU_CPU[@]}" -nodefaults -display none -no-user-config \
    -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" -append "$append" \
    -drive "file=$dir/disk.raw,format=raw,if=virtio,snapshot=on" \
    ${VM_IMAGES_DISK:+-drive "file=$VM_IMAGES_DISK,format=raw,if=virtio,snapshot=on"} \
    -netdev "$netdev" -device virtio-net-pci,netdev=n0 \
    -serial "file:$state/$name.console" \
    -monitor "unix:$VM_RUN/$name.monitor,server,nowait" \
    "${extra[@]}" > "$state/$name.log" 2>&1 < /dev/null &
  echo $! > "$state/$name.pid"
  echo "$SECONDS" > "$state/$name.started"
  log "$name: QEMU pid $! booting (console: $state/$name.console)"
}

# Colima's way to the engine: its unix socket forwarded over ssh to a local socket.
vm_start_forward() {
  local name=$1 sock="$VM_RUN/$1.sock" port
  port=$(cat "$state/$name.sshport")
  rm -f "$sock"
  # shellcheck disable=SC2046
  setsid ssh $(vm_ssh_opts "$port") -N -o ExitOnForwardFailure=yes -o ServerAliveInterval=10 \
    -o StreamLocalBindUnlink=yes -L "$sock:/var/run/docker.sock" root@127.0.0.1 \
    >> "$state/$name.log" 2>&1 < /dev/null &
  echo $! > "$state/$name.ssh.pid"
}

# One step of the wait for NAME's engine: 0 once it answers (its .env written), 1 while booting;
# dies when QEMU exited or the boot timeout passed.
vm_poll() {
  local name=$1 host started
  host=$(cat "$state/$name.host")
  started=$(cat "$state/$name.started")
  if vm_pings "$host"; then
    {
      echo "DOCKER_HOST=$host"
      [ "$name" != vm-desktop ] || echo "SHARED_DIR=$VM_SHARE"
    } > "$state/$name.env"
    log "$name: engine answers at $host after $((SECONDS - started))s"
    return 0
  fi
  vm_alive "$name" pid || { tail -n 20 "$state/$name.log" "$state/$name.console" >&2; die "$name: QEMU exited before the engine answered"; }
  [ "$SECONDS" -lt "$((started + VM_BOOT_TIMEOUT))" ] || { tail -n 20 "$state/$name.console" >&2; die "$name: engine did not answer within ${VM_BOOT_TIMEOUT}s"; }
  # The ssh forward needs sshd up in the guest; (re)started until it holds.
  if [ "$name" = vm-desktop ] && ! vm_alive "$name" ssh.pid; then
    # shellcheck disable=SC2046
    ssh $(vm_ssh_opts "$(cat "$state/$name.sshport")") root@127.0.0.1 true 2>/dev/null && vm_start_forward "$name"
  fi
  return 1
}

# Waits for all of them at once: they boot in parallel and each reports its own time.
vm_wait() {
  local pending=("$@") left name
  while [ "${#pending[@]}" -gt 0 ]; do
    left=()
    for name in "${pending[@]}"; do vm_poll "$name" || left+=("$name"); done
    pending=("${left[@]}")
    [ "${#pending[@]}" -eq 0 ] || sleep 0.5 # poll interval of the conditions in vm_poll
  done
}

vm_up() {
  local name host todo=()
  vm_prepare
  for name in "$@"; do
    host=$(vm_host_of "$name")
    if [ -n "$host" ] && vm_pings "$host"; then
      log "$name: already answers at $host (left alone)"
      continue
    fi
    if [ "$name" = vm-desktop ] && vm_alive "$name" pid && [ -f "$state/$name.sshport" ]; then
      log "$name: VM up but its ssh forward is not: restarting the forward"
      vm_stop_pid "$name" ssh.pid
      echo "$SECONDS" > "$state/$name.started"
      todo+=("$name")
      continue
    fi
    vm_down "$name" >/dev/null 2>&1 || true # leftovers of a VM that died
    vm_launch "$name"
    todo+=("$name")
  done
  # A VM whose engine never answered is of no use to anyone: stop what this call started.
  vm_booting=("${todo[@]}")
  trap 'for n in "${vm_booting[@]}"; do vm_down "$n"; done' EXIT
  [ "${#todo[@]}" -eq 0 ] || vm_wait "${todo[@]}"
  trap - EXIT
  for name in "$@"; do echo "$name DOCKER_HOST=$(vm_host_of "$name")"; done
}

# Stops the process recorded in $state/NAME.SUFFIX: SIGTERM to its group, SIGKILL after 20 s.
vm_stop_pid() {
  local name=$1 suffix=$2 pid deadline
  vm_alive "$name" "$suffix" || { rm -f "$state/$name.$suffix"; return 0; }
  pid=$(cat "$state/$name.$suffix")
  log "$name: stopping pid $pid ($suffix)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$name: pid $pid still up after 20s, SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$state/$name.$suffix"
}

vm_down() {
  local name=$1
  vm_alive "$name" pid || vm_alive "$name" ssh.pid || log "$name: not running from this script"
  vm_stop_pid "$name" ssh.pid
  vm_stop_pid "$name" pid
  rm -f "$state/$name".{env,host,sshport,started} "$VM_RUN/$name.sock" "$VM_RUN/$name.monitor"
}

vm_env() {
  local host
  host=$(vm_host_of "$1")
  [ -n "$host" ] && vm_pings "$host" || die "$1 does not answer (run: engines.sh up $1)"
  cat "$state/$1.env"
}

# Each VM emulates its own CPU on its own host thread: copying into several at once takes about the
# time of one where the host has the cores.
vm_load_all() {
  local image=$1 id=$2 name pids=() failed=0 p
  shift 2
  for name in "$@"; do
    vm_load "$image" "$id" "$name" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  [ "$failed" -eq 0 ] || die "loading $image failed (above)"
}

vm_load() {
  local image=$1 id=$2 name=$3 host have t0 size
  host=$(vm_host_of "$name")
  [ -n "$host" ] && vm_pings "$host" || die "$name does not answer (run: engines.sh up $name)"
  have=$(DOCKER_HOST=$host docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  if [ "$have" = "$id" ]; then log "$name: already has $image ($id)"; return 0; fi
  size=$(DOCKER_HOST=$ROOTFUL_DOCKER_HOST docker image inspect --format '{{.Size}}' "$image")
  log "$name: loading $image ($id, $((size / 1000000)) MB)"
  t0=$SECONDS
  DOCKER_HOST=$ROOTFUL_DOCKER_HOST docker save "$image" | DOCKER_HOST=$host docker load -q >&2
  log "$name: loaded $image in $((SECONDS - t0))s"
}
