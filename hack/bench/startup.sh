#!/usr/bin/env bash
# Measure start-to-ready of an API server command: time from exec to the first /readyz 200, time to
# the first successful `kubectl get ns`, resident memory (VmRSS of the process and all of its
# descendants) after an idle period, and the CPU time the process tree used until /readyz answered.
# Prints one markdown table row and stops the server.
#
# Usage: hack/bench/startup.sh --kubeconfig PATH [--idle SECONDS] [--timeout SECONDS] [--netns NAME]
#                              [--name LABEL] [--status-file FILE] -- COMMAND [ARGS...]
#   --kubeconfig  the admin kubeconfig the command writes or uses (it is waited for and must be
#                 written or touched after the command starts, so a stale one from an earlier run is
#                 never used; skiff and start.sh rewrite theirs on every start, so a restart on an
#                 existing data dir is measured the same way)
#   --idle        seconds to stay idle after ready before reading RSS (default 30)
#   --timeout     give up if not ready after this many seconds (default 120)
#   --netns NAME  run the command and the probes inside network namespace NAME (created with only lo
#                 up if missing, and deleted at the end if this script created it)
#   --status-file FILE  also write, for each process of the tree, its pid, name and the memory lines of
#                 /proc/PID/status (VmRSS, VmHWM, RssAnon, RssFile, RssShmem, in kB) at the RSS reading
# Examples:
#   hack/bench/startup.sh --kubeconfig /tmp/skiff/admin.kubeconfig --netns bench -- \
#     ./skiff server --data-dir /tmp/skiff --secure-port 6443
#   hack/bench/startup.sh --kubeconfig /work/upstream/run/admin.kubeconfig --netns bench -- \
#     /work/upstream/start.sh --fresh
set -euo pipefail

KUBECONFIG_PATH=""
IDLE=30
TIMEOUT=120
NETNS=""
NAME=""
STATUS_FILE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kubeconfig) KUBECONFIG_PATH="$2"; shift 2 ;;
    --idle) IDLE="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --netns) NETNS="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    --status-file) STATUS_FILE="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown argument: $1 (the server command goes after --)" >&2; exit 2 ;;
  esac
done
[[ -n "$KUBECONFIG_PATH" && $# -gt 0 ]] || { sed -n '2,22p' "$0" >&2; exit 2; }
NAME="${NAME:-$(basename "$1")}"

in_ns=()
created_netns=0
if [[ -n "$NETNS" ]]; then
  if ! ip netns list | grep -qw "$NETNS"; then
    ip netns add "$NETNS"
    created_netns=1
  fi
  ip netns exec "$NETNS" ip link set lo up
  in_ns=(ip netns exec "$NETNS")
fi

now_ns() { date +%s%N; }
cache_dir="$(mktemp -d)"
log="$(mktemp)"

t0=$(now_ns)
t0_sec=$((t0 / 1000000000))
# setsid: the command leads its own process group, so the whole tree can be stopped by that id.
setsid "${in_ns[@]}" "$@" >"$log" 2>&1 &
pid=$!

# Stop the leader first and give it time to stop its children in its own order (start.sh stops
# kube-apiserver before etcd: TERM to the whole group at once makes kube-apiserver's graceful
# shutdown stall on the vanished etcd), then TERM and finally KILL whatever is left in the group.
finish() {
  trap - EXIT INT TERM
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  if kill -0 -- "-$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  rm -rf "$cache_dir"
  [[ "$created_netns" == 1 ]] && ip netns del "$NETNS"
  return 0
}
trap finish EXIT
trap 'exit 130' INT TERM

fail() { echo "startup.sh: $*; server output in $log" >&2; tail -n 20 "$log" >&2; exit 1; }

deadline=$((t0 + TIMEOUT * 1000000000))
kc() { "${in_ns[@]}" kubectl --kubeconfig "$KUBECONFIG_PATH" --cache-dir "$cache_dir" --request-timeout 2s "$@"; }

# 1. first /readyz 200. Anonymous curl when the server allows it (cheap, fine-grained polling), else
#    kubectl with the kubeconfig's credentials.
t_readyz=""
mode=""
server=""
while [[ -z "$t_readyz" ]]; do
  kill -0 "$pid" 2>/dev/null || fail "server exited before /readyz"
  [[ $(now_ns) -lt $deadline ]] || fail "no /readyz 200 within ${TIMEOUT}s"
  if [[ -z "$server" && -f "$KUBECONFIG_PATH" && $(stat -c %Y "$KUBECONFIG_PATH") -ge $t0_sec ]]; then
    server=$(kubectl --kubeconfig "$KUBECONFIG_PATH" config view --minify -o jsonpath='{.clusters[0].cluster.server}' 2>/dev/null || true)
  fi
  if [[ -n "$server" ]]; then
    if [[ "$mode" != kubectl ]]; then
      code=$("${in_ns[@]}" curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$server/readyz" || true)
      case "$code" in
        200) t_readyz=$(now_ns) ;;
        401|403) mode=kubectl ;;
      esac
    else
      if kc get --raw /readyz >/dev/null 2>&1; then t_readyz=$(now_ns); fi
    fi
  fi
  [[ -n "$t_readyz" ]] || sleep 0.02
done

# CPU time (user + system) the process tree has used so far: on a shared, busy machine the wall
# time to ready depends on what else runs, the CPU time much less.
descendants() {
  local p=$1 c
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do descendants "$c"; done
}
tree_cpu() {
  local p ticks=0 t
  for p in $(descendants "$pid" | sort -u); do
    # fields after "pid (comm) ": utime and stime are the 12th and 13th
    t=$(sed 's/^.*) //' /proc/"$p"/stat 2>/dev/null | awk '{ print $12 + $13 }') || continue
    ticks=$((ticks + ${t:-0}))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
cpu_readyz=$(tree_cpu)

# 2. first successful `kubectl get ns` (fresh discovery cache).
t_getns=""
while [[ -z "$t_getns" ]]; do
  kill -0 "$pid" 2>/dev/null || fail "server exited before kubectl get ns worked"
  [[ $(now_ns) -lt $deadline ]] || fail "kubectl get ns did not succeed within ${TIMEOUT}s"
  if kc get ns >/dev/null 2>&1; then t_getns=$(now_ns); else sleep 0.05; fi
done

# 3. idle, then sum VmRSS over the process tree. (sleep in the background: a foreground sleep would
#    hold off the INT/TERM trap, and so the server's shutdown, until it ends.)
sleep "$IDLE" &
wait $!
rss_kb=0
nproc=0
[[ -z "$STATUS_FILE" ]] || : >"$STATUS_FILE"
for p in $(descendants "$pid" | sort -u); do
  kb=$(awk '/^VmRSS:/ {print $2}' /proc/"$p"/status 2>/dev/null || true)
  [[ -n "$kb" ]] || continue
  rss_kb=$((rss_kb + kb))
  nproc=$((nproc + 1))
  if [[ -n "$STATUS_FILE" ]]; then
    awk -v p="$p" -v c="$(cat /proc/"$p"/comm 2>/dev/null)" \
      'BEGIN { printf "pid=%s comm=%s", p, c }
       /^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem):/ { sub(":", "", $1); printf " %s=%s", $1, $2 }
       END { print "" }' /proc/"$p"/status >>"$STATUS_FILE" 2>/dev/null || true
  fi
done
kill -0 "$pid" 2>/dev/null || fail "server exited during the idle period"

secs() { awk -v d="$1" 'BEGIN { printf "%.2f", d / 1e9 }'; }
echo "| server | exec to /readyz 200 (s) | exec to kubectl get ns (s) | RSS after ${IDLE}s idle (MiB) | processes | CPU used until /readyz 200 (s) |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| $NAME | $(secs $((t_readyz - t0))) | $(secs $((t_getns - t0))) | $(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }') | $nproc | $cpu_readyz |"
rm -f "$log"
