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
#   deploy     a Deployment of DEPLOY_REPLICAS replicas on DEPLOY_NODES nodes: create to all
#              available (everything inside one `skiff server`).
#   big        BIG_NODES nodes and BIG_PODS pods (Deployments of 5,000 replicas): time to all
#              available and the server's RSS then (BIG=1; takes several minutes).
#
# Usage: hack/bench/cluster.sh [scheduler] [deploy] [big]   (root; default: scheduler deploy)
# Output: markdown rows on stdout; raw logs under OUT (default _output/bench/cluster-<time>).
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
OUT="${OUT:-_output/bench/cluster-$(date -u +%Y%m%dT%H%M%SZ)}"
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
SERVER_PID=""
stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server
  for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$OUT/data"
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
  local dir="$OUT/data/$name"
  rm -rf "$dir"; mkdir -p "$dir"
  setsid ip netns exec "$NS" "$SKIFF" server --data-dir "$dir" --secure-port 6443 \
    --simulated-pod-cidr 10.128.0.0/9 "$@" >"$OUT/$name.log" 2>&1 &
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
  echo '| scheduler | workload | nodes | backlog pods | pods/s | backlog s | stream p50 | stream p99 | stream max | stream rate | CPU s (backlog) |'
  echo '|---|---|---|---|---|---|---|---|---|---|---|'
  local upstream_cfg="$OUT/kube-scheduler.yaml"
  for round in $(seq "$ROUNDS"); do
    for w in $WORKLOADS; do
      for s in skiff upstream; do
        [[ $s == upstream && ! -x "$UPSTREAM_SCHEDULER" ]] && continue
        log "round $round: $w with $s"
        start_server "sched-$s-$w-$round" --disable=scheduler --simulated-nodes "$SCHED_NODES" --simulated-zones 3 \
          --simulated-node-cpu 4 --simulated-node-memory 32Gi
        local k="$KUBECONFIG_PATH" cmd
        if [[ $s == skiff ]]; then
          cmd="$SKIFF scheduler --kubeconfig $k --scheduler-leader-elect=false"
        else
          printf 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nleaderElection:\n  leaderElect: false\nclientConnection:\n  kubeconfig: %s\n  qps: 5000\n  burst: 10000\n' "$k" >"$upstream_cfg"
          cmd="$UPSTREAM_SCHEDULER --config $upstream_cfg --secure-port 0"
        fi
        SCHEDBENCH_SCHEDULER_LOG="$OUT/sched-$s-$w-$round.scheduler.log" inns "$OUT/bin/schedbench" --kubeconfig "$k" \
          --scheduler-name "$s" --workload "$w" --nodes "$SCHED_NODES" --pods "$SCHED_PODS" \
          --stream-pods "$STREAM_PODS" --stream-rate "$STREAM_RATE" --scheduler-cmd "$cmd" \
          2>>"$OUT/schedbench.log" || log "schedbench failed: see $OUT/schedbench.log"
        stop_server
      done
    done
  done
}

# wait_available K NAMESPACE WANT: until the Deployments in NAMESPACE have WANT available pods.
wait_available() {
  local k=$1 ns=$2 want=$3 got
  for _ in $(seq 36000); do
    got=$(inns kubectl --kubeconfig "$k" -n "$ns" get deploy -o jsonpath='{range .items[*]}{.status.availableReplicas}{"\n"}{end}' | awk '{ s += $1 } END { print s+0 }')
    [[ "$got" -ge "$want" ]] && return 0
    sleep 0.1
  done
  return 1
}

phase_deploy() {
  echo
  echo '| test | nodes | replicas | create to all available s | server RSS MiB after |'
  echo '|---|---|---|---|---|'
  start_server deploy --simulated-nodes "$DEPLOY_NODES"
  local k="$KUBECONFIG_PATH" t0 t1
  inns kubectl --kubeconfig "$k" wait --for=condition=Ready node --all --timeout=120s >/dev/null
  inns kubectl --kubeconfig "$k" create namespace bench >/dev/null
  t0=$(date +%s.%N)
  inns kubectl --kubeconfig "$k" -n bench create deployment big --image=registry.k8s.io/pause:3.10 --replicas="$DEPLOY_REPLICAS" >/dev/null
  wait_available "$k" bench "$DEPLOY_REPLICAS"
  t1=$(date +%s.%N)
  printf '| deployment | %d | %d | %.1f | %s |\n' "$DEPLOY_NODES" "$DEPLOY_REPLICAS" "$(echo "$t1 - $t0" | bc)" "$(rss_mib "$SERVER_PID")"
  stop_server
}

phase_big() {
  echo
  echo '| test | nodes | pods | nodes ready s | pods available s | server RSS MiB | server CPU s |'
  echo '|---|---|---|---|---|---|---|'
  local t0 t1 t2 k per=5000
  t0=$(date +%s.%N)
  start_server big --simulated-nodes "$BIG_NODES"
  k="$KUBECONFIG_PATH"
  inns kubectl --kubeconfig "$k" wait --for=condition=Ready node --all --timeout=600s >/dev/null
  t1=$(date +%s.%N)
  inns kubectl --kubeconfig "$k" create namespace bench >/dev/null
  for i in $(seq $((BIG_PODS / per))); do
    inns kubectl --kubeconfig "$k" -n bench create deployment "big-$i" --image=registry.k8s.io/pause:3.10 --replicas="$per" >/dev/null
  done
  wait_available "$k" bench "$BIG_PODS"
  t2=$(date +%s.%N)
  local cpu
  cpu=$(awk '{ printf "%.0f", ($14 + $15) / 100 }' "/proc/$SERVER_PID/stat")
  printf '| nodes+pods | %d | %d | %.1f | %.1f | %s | %s |\n' "$BIG_NODES" "$BIG_PODS" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(rss_mib "$SERVER_PID")" "$cpu"
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
