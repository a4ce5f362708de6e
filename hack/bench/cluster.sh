#!/usr/bin/env bash
# Benchmarks of the whole control loop on simulated nodes (issue 3), each on a fresh
# `skiff server` in a network namespace with only lo up:
#
#   scheduler  hack/bench/schedbench on SCHED_NODES simulated nodes (3 zones): a backlog of
#              SCHED_PODS pods created before the scheduler starts (throughput: pods/s until the
#              last is bound), then STREAM_PODS pods at STREAM_RATE/s (create-to-bound latency),
#              for the plain, spread and antiaffinity workloads. The scheduler under test runs as its
#              own process against the same skiff apiserver (`skiff server --disable=scheduler`):
#              `skiff scheduler` and, when UPSTREAM_SCHEDULER exists, upstream kube-scheduler v1.37.2
#              with the same client limits (QPS 5000, burst 10000), alternating, ROUNDS times.
#              Upstream's scheduler waits for resource.k8s.io informers (DRA is GA and locked on),
#              which skiff does not serve: the server gets testdata/dra-crds.yaml, empty stand-ins.
#              SKIFF_SCHEDULER_ARGS adds flags to `skiff scheduler` (e.g. --scheduler-profiling
#              --scheduler-metrics-bind-address 127.0.0.1:10259 with PROFILE=1 to save a CPU profile).
#   deploy     a Deployment of DEPLOY_REPLICAS replicas on DEPLOY_NODES nodes: create to all
#              available (everything inside one `skiff server`).
#   big        BIG_NODES nodes and BIG_PODS pods (Deployments of 5,000 replicas): time to all
#              available and the server's RSS then (pass `big`; about 45 minutes here).
#
# Usage: hack/bench/cluster.sh [scheduler] [deploy] [big]   (root; default: scheduler deploy)
# Output: markdown rows on stdout; raw logs under OUT (default _output/bench/cluster-<time>).
# The servers' data dirs (embedded etcd) live under DATA (default /dev/shm/skiff-cbench-<pid>, a
# tmpfs): on a disk shared with other builds, etcd's fsyncs stalled for seconds ("etcdserver:
# request timed out") and the in-process controller manager lost its Lease, which stops the server.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

SCHED_NODES="${SCHED_NODES:-1000}"
SCHED_PODS="${SCHED_PODS:-10000}"
STREAM_PODS="${STREAM_PODS:-1000}"
STREAM_RATE="${STREAM_RATE:-100}"
ROUNDS="${ROUNDS:-1}"
WORKLOADS="${WORKLOADS:-plain spread antiaffinity}"
DEPLOY_NODES="${DEPLOY_NODES:-100}"
DEPLOY_REPLICAS="${DEPLOY_REPLICAS:-1000}"
BIG_NODES="${BIG_NODES:-5000}"
BIG_PODS="${BIG_PODS:-50000}"
UPSTREAM_SCHEDULER="${UPSTREAM_SCHEDULER:-/work/upstream/bin/kube-scheduler}"
SCHEDULERS="${SCHEDULERS:-skiff upstream}"
SKIFF_SCHEDULER_ARGS="${SKIFF_SCHEDULER_ARGS:-}"
PROFILE="${PROFILE:-0}"
OUT="${OUT:-_output/bench/cluster-$(date -u +%Y%m%dT%H%M%SZ)}"
DATA="${DATA:-/dev/shm/skiff-cbench-$$}"
# One server, so no controller manager Lease: a starved server (2 shared cores) failed to renew
# it within 10 s and a lost Lease stops the whole `skiff server`.
SERVER_ARGS="${SERVER_ARGS:---leader-elect=false}"
PHASES=("$@")
[[ ${#PHASES[@]} -gt 0 ]] || PHASES=(scheduler deploy)

[[ $(id -u) == 0 ]] || { echo "cluster.sh: needs root (ip netns)" >&2; exit 1; }
mkdir -p "$OUT/bin"
OUT="$(cd "$OUT" && pwd)"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

make --no-print-directory build BIN="$OUT/bin" >&2
go build -o "$OUT/bin/schedbench" ./hack/bench/schedbench
SKIFF="$OUT/bin/skiff"
git rev-parse HEAD >"$OUT/commit" 2>/dev/null || true

NS="skiff-cbench-$$-$RANDOM"
SERVER_PID="" SERVER_DIR=""
stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  rm -rf "$SERVER_DIR"
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server
  for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$DATA"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
inns() { ip netns exec "$NS" "$@"; }

# start_server NAME ARGS...: a fresh skiff server in the namespace, ready.
start_server() {
  local name=$1; shift
  local dir="$DATA/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  SERVER_DIR="$dir"
  setsid ip netns exec "$NS" "$SKIFF" server --data-dir "$dir" --secure-port 6443 \
    --simulated-pod-cidr 10.128.0.0/9 $SERVER_ARGS "$@" >"$OUT/$name.log" 2>&1 &
  SERVER_PID=$!
  KUBECONFIG_PATH="$dir/admin.kubeconfig"
  for _ in $(seq 600); do
    [[ -f "$KUBECONFIG_PATH" ]] && inns kubectl --kubeconfig "$KUBECONFIG_PATH" get --raw /readyz >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "cluster.sh: server $name did not get ready; see $OUT/$name.log" >&2
  return 1
}

rss_mib() { awk '/VmRSS/ { printf "%.0f", $2/1024 }' "/proc/$1/status"; }

phase_scheduler() {
  echo
  "$OUT/bin/schedbench" --header
  local upstream_cfg="$OUT/kube-scheduler.yaml"
  for round in $(seq "$ROUNDS"); do
    for w in $WORKLOADS; do
      for s in $SCHEDULERS; do
        [[ $s == upstream && ! -x "$UPSTREAM_SCHEDULER" ]] && continue
        log "round $round: $w with $s"
        start_server "sched-$s-$w-$round" --disable=scheduler --simulated-nodes "$SCHED_NODES" --simulated-zones 3 \
          --simulated-node-cpu 4 --simulated-node-memory 32Gi
        local k="$KUBECONFIG_PATH" cmd profile=()
        inns kubectl --kubeconfig "$k" apply -f hack/bench/testdata/dra-crds.yaml >/dev/null
        inns kubectl --kubeconfig "$k" wait --for=condition=Established crd --all --timeout=60s >/dev/null
        if [[ $s == skiff ]]; then
          cmd="$SKIFF scheduler --kubeconfig $k --scheduler-leader-elect=false $SKIFF_SCHEDULER_ARGS"
          [[ $PROFILE == 1 ]] && profile=(--profile-url http://127.0.0.1:10259/debug/pprof/profile --profile-out "$OUT/sched-$s-$w-$round.cpu.pb.gz")
        else
          printf 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nleaderElection:\n  leaderElect: false\nclientConnection:\n  kubeconfig: %s\n  qps: 5000\n  burst: 10000\n' "$k" >"$upstream_cfg"
          cmd="$UPSTREAM_SCHEDULER --config $upstream_cfg --secure-port 0"
        fi
        SCHEDBENCH_SCHEDULER_LOG="$OUT/sched-$s-$w-$round.scheduler.log" inns "$OUT/bin/schedbench" --kubeconfig "$k" \
          --scheduler-name "$s" --workload "$w" --nodes "$SCHED_NODES" --pods "$SCHED_PODS" \
          --stream-pods "$STREAM_PODS" --stream-rate "$STREAM_RATE" --scheduler-cmd "$cmd" --server-pid "$SERVER_PID" \
          "${profile[@]}" 2>>"$OUT/schedbench.log" || log "schedbench failed: see $OUT/schedbench.log"
        stop_server
      done
    done
  done
}

# wait_nodes K N TIMEOUT: until N nodes are Ready and untainted (the node lifecycle controller
# removes the not-ready taint the API server puts on new nodes). One LIST every second: a
# kubectl per 100 ms costs a busy 2-core machine a good part of a core.
wait_nodes() {
  local k=$1 n=$2 timeout=$3 got
  for _ in $(seq "$timeout"); do
    got=$(inns kubectl --kubeconfig "$k" get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}/{.spec.taints}{"\n"}{end}' 2>/dev/null | grep -c '^True/$' || true)
    [[ "$got" -ge "$n" ]] && return 0
    sleep 1
  done
  echo "cluster.sh: only $got of $n nodes ready and untainted after ${timeout}s" >&2
  return 1
}

# wait_available K NAMESPACE DEPLOYMENT WANT: until the Deployment has WANT available replicas
# (kubectl wait watches, so the time is exact without polling).
wait_available() {
  inns kubectl --kubeconfig "$1" -n "$2" wait --for=jsonpath='{.status.availableReplicas}'="$4" "deployment/$3" --timeout=3600s >/dev/null
}

cpu_s() { awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
hwm_mib() { awk '/VmHWM/ { printf "%.0f", $2/1024 }' "/proc/$1/status"; }

phase_deploy() {
  echo
  echo '| test | nodes | replicas | create to all available s | server CPU s (deploy) | server RSS MiB after | load |'
  echo '|---|---|---|---|---|---|---|'
  start_server deploy --simulated-nodes "$DEPLOY_NODES"
  local k="$KUBECONFIG_PATH" t0 t1 c0 c1
  wait_nodes "$k" "$DEPLOY_NODES" 300
  inns kubectl --kubeconfig "$k" create namespace bench >/dev/null
  c0=$(cpu_s "$SERVER_PID")
  t0=$(date +%s.%N)
  inns kubectl --kubeconfig "$k" -n bench create deployment big --image=registry.k8s.io/pause:3.10 --replicas="$DEPLOY_REPLICAS" >/dev/null
  wait_available "$k" bench big "$DEPLOY_REPLICAS"
  t1=$(date +%s.%N)
  c1=$(cpu_s "$SERVER_PID")
  printf '| deployment | %d | %d | %.1f | %.1f | %s | %s |\n' "$DEPLOY_NODES" "$DEPLOY_REPLICAS" "$(echo "$t1 - $t0" | bc)" \
    "$(echo "$c1 - $c0" | bc)" "$(rss_mib "$SERVER_PID")" "$(cut -d' ' -f1 /proc/loadavg)"
  stop_server
}

phase_big() {
  echo
  echo '| test | nodes | pods | nodes ready s | pods available s | server RSS MiB | server peak RSS MiB | server CPU s | load |'
  echo '|---|---|---|---|---|---|---|---|---|'
  local t0 t1 t2 k per=5000 n
  n=$((BIG_PODS / per))
  t0=$(date +%s.%N)
  start_server big --simulated-nodes "$BIG_NODES"
  k="$KUBECONFIG_PATH"
  wait_nodes "$k" "$BIG_NODES" 1800
  t1=$(date +%s.%N)
  log "big: $BIG_NODES nodes ready after $(echo "$t1 - $t0" | bc) s; RSS $(rss_mib "$SERVER_PID") MiB"
  inns kubectl --kubeconfig "$k" create namespace bench >/dev/null
  # One Deployment at a time, so each 5,000 pods are a checkpoint (time, RSS, CPU) on the way.
  for i in $(seq "$n"); do
    inns kubectl --kubeconfig "$k" -n bench create deployment "big-$i" --image=registry.k8s.io/pause:3.10 --replicas="$per" >/dev/null
    wait_available "$k" bench "big-$i" "$per"
    log "big: big-$i available after $(echo "$(date +%s.%N) - $t1" | bc) s; RSS $(rss_mib "$SERVER_PID") MiB, CPU $(cpu_s "$SERVER_PID") s"
  done
  t2=$(date +%s.%N)
  printf '| nodes+pods | %d | %d | %.1f | %.1f | %s | %s | %s | %s |\n' "$BIG_NODES" "$BIG_PODS" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" \
    "$(rss_mib "$SERVER_PID")" "$(hwm_mib "$SERVER_PID")" "$(cpu_s "$SERVER_PID")" "$(cut -d' ' -f1 /proc/loadavg)"
  stop_server
}

for p in "${PHASES[@]}"; do
  case "$p" in
    scheduler) phase_scheduler ;;
    deploy) phase_deploy ;;
    big) phase_big ;;
    *) echo "cluster.sh: unknown phase $p" >&2; exit 2 ;;
  esac
done
