#!/usr/bin/env bash
# Benchmark of a real node (issue 4): pod startup latency on containerd and the node agent's memory.
#
# `skiff server` and a separate `skiff nodeagent --container-runtime=containerd` (so the agent's
# RSS is its own; its containerd child and the shims are reported apart) run inside a fresh network
# namespace with loopback and a dummy device (or a veth pair inside the namespace) carrying the
# node's IP, as hack/e2e/runtime.sh does: nothing a pod sends can leave the machine. The busybox
# test image is imported, then hack/bench/podstartup runs PODS busybox pods (`sleep 3600`,
# imagePullPolicy Never) all at once and at RATE per second, recording created -> Running and Ready
# from a watch, and measures the CRI's own RunPodSandbox+CreateContainer+StartContainer time for as
# many sandboxes, sequentially and at the same pace, against the same containerd.
#
# Usage: hack/bench/node.sh   (root, containerd, runc, nft, ip, CNI plugins, busybox-static;
#                              skips cleanly without them)
# Environment: PODS (100), RATE (5), RUNS (burst,paced), NODE_IP (192.168.251.1/24),
#   OUT (_output/bench/node-<time>): binaries in OUT/bin, logs in OUT, markdown rows on stdout.
# Everything is removed at the end, also on failure: pods, processes (by pid), mounts, the pods'
# cgroups, the namespace (and with it the bridge and the nftables tables), the data dirs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

PODS="${PODS:-100}"
RATE="${RATE:-5}"
RUNS="${RUNS:-burst,paced}"
NODE_IP="${NODE_IP:-192.168.251.1/24}"
OUT="${OUT:-_output/bench/node-$(date -u +%Y%m%dT%H%M%SZ)}"

skip() { echo "node.sh: $*; skipping" >&2; exit 0; }
[[ $(id -u) == 0 ]] || skip "needs root"
for b in containerd runc nft ip; do
  command -v "$b" >/dev/null || [[ -x /usr/sbin/$b || -x /sbin/$b ]] || skip "$b is missing"
done
[[ -x /usr/lib/cni/bridge || -x /opt/cni/bin/bridge ]] || skip "the CNI plugins are missing"
[[ -x /bin/busybox ]] || skip "busybox-static is missing"

mkdir -p "$OUT/bin"
OUT="$(cd "$OUT" && pwd)"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

make --no-print-directory build BIN="$OUT/bin" >&2
go build -o "$OUT/bin/podstartup" ./hack/bench/podstartup
OUT="$OUT/busybox.tar" hack/images/busybox.sh >&2
SKIFF="$OUT/bin/skiff"
git rev-parse HEAD >"$OUT/commit" 2>/dev/null || true

ID="$$-$RANDOM"
NS="skiff-nbench-$ID"
SERVER_DIR="/dev/shm/skiff-nbench-$ID" # etcd on tmpfs: the shared disk stalls fsyncs
NODE_DIR="/tmp/sknb-$ID"              # short: containerd's socket path
CGROOT="/skiff-nbench-$ID"
SOCKET="$NODE_DIR/containerd/containerd.sock"
SERVER_PID="" AGENT_PID=""

inns() { ip netns exec "$NS" "$@"; }

# stop PID SECONDS: TERM, then KILL to its process group after SECONDS.
stop() {
  local pid=$1 secs=$2
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq $((secs * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# pids_using DIR: processes whose command line names DIR (containerd, its shims).
pids_using() {
  local p
  for p in /proc/[0-9]*; do
    [[ ${p#/proc/} != "$$" ]] && grep -qF "$1" "$p/cmdline" 2>/dev/null && echo "${p#/proc/}"
  done
  return 0
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [[ -n "$AGENT_PID" ]] && kill -0 "$AGENT_PID" 2>/dev/null && [[ -S $SOCKET ]]; then
    inns "$OUT/bin/podstartup" --cleanup --cri-endpoint "unix://$SOCKET" 2>>"$OUT/podstartup.log" || log "removing the sandboxes failed"
  fi
  stop "$AGENT_PID" 40
  stop "$SERVER_PID" 30
  local left
  left=$(pids_using "$NODE_DIR"; cat /sys/fs/cgroup/*"$CGROOT"/cgroup.procs /sys/fs/cgroup/*"$CGROOT"/*/cgroup.procs \
    /sys/fs/cgroup/*"$CGROOT"/*/*/cgroup.procs 2>/dev/null)
  if [[ -n "$left" ]]; then
    log "killing processes left: $(echo $left)"
    for p in $left; do kill -KILL "$p" 2>/dev/null; done
    sleep 1
  fi
  awk -v d="$NODE_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
  find /sys/fs/cgroup/*"$CGROOT" -depth -type d -exec rmdir {} \; 2>/dev/null
  for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  ip netns del "$NS" 2>/dev/null
  rm -rf "$SERVER_DIR" "$NODE_DIR"
  ls -d /sys/fs/cgroup/*"$CGROOT" 2>/dev/null && log "cgroups left under $CGROOT" && rc=1
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$NS"
inns ip link set lo up
if ! inns ip link add skiff-node0 type dummy 2>/dev/null; then
  inns ip link add skiff-node0 type veth peer name skiff-node0p
  inns ip link set skiff-node0p up
fi
inns ip addr add "$NODE_IP" dev skiff-node0
inns ip link set skiff-node0 up

log "starting skiff server"
mkdir -p "$SERVER_DIR" "$NODE_DIR"
setsid ip netns exec "$NS" "$SKIFF" server --data-dir "$SERVER_DIR" --secure-port 6443 --leader-elect=false \
  >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
K="$SERVER_DIR/admin.kubeconfig"
for _ in $(seq 600); do
  [[ -f "$K" ]] && inns kubectl --kubeconfig "$K" get --raw /readyz >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { log "skiff server exited; see $OUT/server.log"; exit 1; }
  sleep 0.2
done

# The agent runs with the machine's cgroup hierarchies mounted (hack/with-cgroups.sh): runc needs them.
log "starting skiff nodeagent"
setsid ip netns exec "$NS" hack/with-cgroups.sh "$SKIFF" nodeagent --kubeconfig "$K" --container-runtime=containerd --data-dir "$NODE_DIR" \
  --node-ip "${NODE_IP%/*}" --cgroup-root "$CGROOT" --pod-cidr 10.244.0.0/24 >"$OUT/nodeagent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 600); do
  [[ $(inns kubectl --kubeconfig "$K" get nodes -o jsonpath='{.items[*].status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]] && break
  kill -0 "$AGENT_PID" 2>/dev/null || { log "skiff nodeagent exited; see $OUT/nodeagent.log"; exit 1; }
  sleep 0.5
done
inns "$SKIFF" images import --data-dir "$NODE_DIR" "$OUT/busybox.tar" >&2

log "podstartup: $PODS pods, runs $RUNS, paced at $RATE/s"
inns "$OUT/bin/podstartup" --kubeconfig "$K" --cri-endpoint "unix://$SOCKET" --agent-pid "$AGENT_PID" \
  --pods "$PODS" --rate "$RATE" --runs "$RUNS" --cgroup-parent "$CGROOT" --work-dir "$NODE_DIR" --pods-csv "$OUT" \
  2> >(tee -a "$OUT/podstartup.log" >&2) | tee "$OUT/tables.md"
log "agent at the end: $(grep -E 'VmRSS|VmHWM' "/proc/$AGENT_PID/status" | tr -s ' \n' ' ')"
