#!/usr/bin/env bash
# A real 3-node Docker Swarm on one machine (see /work/shared/testing/REAL-DOCKER.md): each node is a
# dockerd in its own network namespace, joined by a bridge in a namespace with no link to the host
# network, so no traffic can leave the machine. Needs root, docker.io and busybox-static.
#
#   swarm.sh up [BASE]    start; prints shell assignments (BASE, ID, NS_*, SOCK_*, VETH_*) on stdout
#                         nodes 1-3 form the swarm (node1 manager); node4 is a plain engine (no swarm)
#   swarm.sh down BASE    stop every dockerd by PID and delete the namespaces (idempotent)
#
# Names carry a random id so parallel or leftover runs never collide.
set -euo pipefail

NODES=3 # swarm members
DAEMONS=4 # plus one plain engine
IMAGE=local/busybox:1

log() { echo "swarm.sh: $*" >&2; }

down() {
  local base=$1
  [ -f "$base/id" ] || { log "nothing to tear down in $base"; return 0; }
  local id
  id=$(cat "$base/id")
  local pids=()
  for i in $(seq 1 $DAEMONS); do
    for f in "$base/node$i/docker.pid" "$base/node$i/wrapper.pid"; do
      if [ -f "$f" ]; then
        local pid
        pid=$(cat "$f")
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); fi
      fi
    done
  done
  # dockerd stops in ~2 s (--shutdown-timeout 2); escalate to KILL after 15 s.
  for _ in $(seq 1 150); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true; done
  # containerd-shims outlive dockerd on purpose (live restore); they belong to this run: end them by PID.
  for i in $(seq 1 $DAEMONS); do
    local ns="sha${id}n$i"
    if ip netns pids "$ns" >/dev/null 2>&1; then
      for pid in $(ip netns pids "$ns"); do kill -KILL "$pid" 2>/dev/null || true; done
    fi
  done
  for i in $(seq 1 $DAEMONS); do ip netns del "sha${id}n$i" 2>/dev/null || true; done
  ip netns del "sha${id}sw" 2>/dev/null || true
  # Mounts made by the daemons live in their private mount namespaces and died with them.
  rm -rf "$base"
  log "down $base"
}

up() {
  local base=${1:-}
  local id
  id=$(printf '%04x' $((RANDOM % 65536)))
  [ -n "$base" ] || base=/tmp/sha-swarm-$id
  mkdir -p "$base/shared"
  echo "$id" >"$base/id"
  local sw="sha${id}sw"
  trap 'log "failed; tearing down"; down "$base"; exit 1' ERR

  ip netns add "$sw"
  ip -n "$sw" link set lo up
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  # `ip netns exec` remounts /sys: replay the cgroup mounts inside each node or dockerd cannot start.
  grep ' /sys/fs/cgroup' /proc/mounts >"$base/cgroup-mounts"

  for i in $(seq 1 $DAEMONS); do
    local ns="sha${id}n$i" veth="sha${id}v$i"
    mkdir -p "$base/node$i"
    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" netns "$sw"
    ip -n "$sw" link set "$veth" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "10.213.0.1$i/24" dev eth0
    ip -n "$ns" link set eth0 up
    setsid ip netns exec "$ns" unshare --uts --mount --propagation private sh -c "
      hostname node$i
      while read src dst type opts rest; do mkdir -p \$dst; mount -t \$type -o \$opts \$src \$dst; done < $base/cgroup-mounts
      mkdir -p /run/docker /run/containerd; mount -t tmpfs tmpfs /run/docker; mount -t tmpfs tmpfs /run/containerd
      DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 exec dockerd --data-root $base/node$i/root --exec-root $base/node$i/exec \
        --pidfile $base/node$i/docker.pid -H unix://$base/node$i.sock --shutdown-timeout 2" \
      >"$base/node$i/dockerd.log" 2>&1 </dev/null &
    echo $! >"$base/node$i/wrapper.pid"
  done

  # The offline image: a static busybox, no registry needed.
  local rootfs="$base/rootfs"
  mkdir -p "$rootfs/bin"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  chroot "$rootfs" /bin/busybox --install -s /bin

  for i in $(seq 1 $DAEMONS); do
    local sock="$base/node$i.sock" ok=0
    for _ in $(seq 1 300); do
      if docker -H "unix://$sock" version >/dev/null 2>&1; then ok=1; break; fi
      sleep 0.1
    done
    [ $ok = 1 ] || { log "node$i did not start:"; tail -20 "$base/node$i/dockerd.log" >&2; false; }
    tar -C "$rootfs" -c . | docker -H "unix://$sock" import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
  done

  docker -H "unix://$base/node1.sock" swarm init --advertise-addr 10.213.0.11 --listen-addr 10.213.0.11:2377 >/dev/null
  local token
  token=$(docker -H "unix://$base/node1.sock" swarm join-token -q worker)
  for i in $(seq 2 $NODES); do
    docker -H "unix://$base/node$i.sock" swarm join --token "$token" --advertise-addr "10.213.0.1$i" \
      --listen-addr "10.213.0.1$i:2377" 10.213.0.11:2377 >/dev/null
  done
  # Ready when the manager sees every node ready.
  for _ in $(seq 1 100); do
    local ready
    ready=$(docker -H "unix://$base/node1.sock" node ls --format '{{.Status}}' | grep -c '^Ready$' || true)
    [ "$ready" = "$NODES" ] && break
    sleep 0.2
  done
  trap - ERR

  echo "BASE=$base"
  echo "ID=$id"
  echo "NS_SWITCH=$sw"
  for i in $(seq 1 $DAEMONS); do
    echo "NS_$i=sha${id}n$i"
    echo "VETH_$i=sha${id}v$i"
    echo "SOCK_$i=$base/node$i.sock"
  done
}

case "${1:-}" in
  up) up "${2:-}" ;;
  down) down "${2:?usage: swarm.sh down BASE}" ;;
  *)
    echo "usage: swarm.sh up [BASE] | down BASE" >&2
    exit 2
    ;;
esac
