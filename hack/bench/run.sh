#!/usr/bin/env bash
# The `make bench` entry point: measures skiff and, when it is built, upstream kube-apiserver + etcd
# (/work/upstream, see its start.sh) in the same run, alternating the two, and prints markdown tables
# with both side by side and their ratio.
#
#   1. builds skiff (make build, with its version flags) and hack/bench/apiload into OUT/bin and runs
#      those copies: bin/skiff is shared, and a rebuild of it by someone else during the run must not
#      change the binary under test half-way (make bench has built bin/skiff itself beforehand);
#   2. creates a network namespace with only lo up; every server, probe and load client runs in it;
#   3. start-up (hack/bench/startup.sh): STARTUP_RUNS starts on a fresh data dir, then one restart on
#      the data dir of the last of them; each reports exec to /readyz 200, exec to the first
#      `kubectl get ns`, the CPU time used until /readyz 200 (less at the mercy of a busy machine
#      than the wall time), and after IDLE seconds VmRSS of the process tree plus RssAnon/RssFile
#      from /proc/PID/status (much of a large Go binary's RSS is clean, file-backed text pages);
#   4. load (hack/bench/apiload, default counts unless APILOAD_ARGS says otherwise): LOAD_RUNS rounds,
#      each of skiff and then upstream on a fresh data dir;
#   5. writes every raw output under OUT and prints the tables (also in OUT/tables.md).
# Every server and the namespace are removed at the end, also on failure or interrupt.
#
# Usage: hack/bench/run.sh            (as root: ip netns)
# Environment:
#   UPSTREAM_DIR   upstream build to compare with (bin/etcd, bin/kube-apiserver, start.sh); default
#                  /work/upstream when /work/upstream/bin exists; UPSTREAM_DIR=none: skiff only
#   STARTUP_RUNS   fresh-data-dir starts per server (default 3)
#   IDLE           seconds idle before reading RSS (default 30)
#   LOAD_RUNS      rounds of the load test (default 2; 0 skips it)
#   APILOAD_ARGS   extra apiload flags, e.g. "--ops 100 --list-pods 500" for a quick run
#   PORT           secure port inside the namespace (default 6443)
#   UPSTREAM_AUTHZ upstream's --authorization-mode (default RBAC, as start.sh; the load runs as a
#                  system:masters admin on both servers, so both allow it everything)
#   OUT            output directory (default _output/bench/<UTC time>; _output/bench/latest links to it)
#   BUILD=0        do not build skiff: measure a copy of bin/skiff as it is
#   KEEP_DATA=1    keep the servers' data dirs (OUT/data) instead of deleting them
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

STARTUP_RUNS="${STARTUP_RUNS:-3}"
IDLE="${IDLE:-30}"
LOAD_RUNS="${LOAD_RUNS:-2}"
APILOAD_ARGS="${APILOAD_ARGS:-}"
PORT="${PORT:-6443}"
BUILD="${BUILD:-1}"
KEEP_DATA="${KEEP_DATA:-0}"
OUT="${OUT:-_output/bench/$(date -u +%Y%m%dT%H%M%SZ)}"
if [[ -z "${UPSTREAM_DIR:-}" && -d /work/upstream/bin ]]; then UPSTREAM_DIR=/work/upstream; fi
[[ "${UPSTREAM_DIR:-}" == none ]] && UPSTREAM_DIR=""
UPSTREAM_DIR="${UPSTREAM_DIR:-}"
UPSTREAM_AUTHZ="${UPSTREAM_AUTHZ:-RBAC}"

[[ $(id -u) == 0 ]] || { echo "run.sh: needs root (ip netns)" >&2; exit 1; }
for tool in ip kubectl curl setsid awk; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done
if [[ -n "$UPSTREAM_DIR" ]]; then
  for f in bin/etcd bin/kube-apiserver start.sh; do
    [[ -e "$UPSTREAM_DIR/$f" ]] || { echo "run.sh: $UPSTREAM_DIR/$f missing (UPSTREAM_DIR=none to skip upstream)" >&2; exit 1; }
  done
fi

mkdir -p "$OUT" "$OUT/data"
OUT="$(cd "$OUT" && pwd)"
ln -sfn "$OUT" "$ROOT/_output/bench/latest" 2>/dev/null || true
mkdir -p "$OUT/bin"
APILOAD="$OUT/bin/apiload"
SKIFF="$OUT/bin/skiff"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# ---- build (outside the namespace: the go command may need the module cache or proxy) ----
if [[ "$BUILD" == 1 ]]; then
  log "building skiff and apiload into $OUT/bin"
  make --no-print-directory build BIN="$OUT/bin" >&2
else
  cp "$ROOT/bin/skiff" "$SKIFF"
fi
go build -o "$APILOAD" ./hack/bench/apiload
[[ -x "$SKIFF" && -x "$APILOAD" ]] || { echo "run.sh: $SKIFF or $APILOAD missing" >&2; exit 1; }
git rev-parse HEAD >"$OUT/commit" 2>/dev/null || true
git status --porcelain --untracked-files=no >"$OUT/tree-status" 2>/dev/null || true
"$SKIFF" version >"$OUT/skiff-version" 2>&1 || true
{ uname -a; nproc; grep -m1 'model name' /proc/cpuinfo; free -m; uptime; } >"$OUT/machine" 2>&1 || true

# ---- network namespace and cleanup ----
NS="skiff-bench-$$-$RANDOM"
CHILD=""       # a foreground tool (startup.sh, apiload) run in the background so traps stay responsive
SERVER_PID=""  # the load phase's server (leader of its own process group)
failures=0

stop_group() { # PID: TERM the leader, then its group, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 -- "-$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 25; i++)); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? pids p i
  trap - EXIT INT TERM
  if [[ -n "$CHILD" ]] && kill -0 "$CHILD" 2>/dev/null; then
    # startup.sh's own trap stops its server; apiload deletes what it created. Both get a minute.
    kill -TERM "$CHILD" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do kill -0 "$CHILD" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  [[ -z "$SERVER_PID" ]] || stop_group "$SERVER_PID"
  if ip netns list | awk '{ print $1 }' | grep -qxF "$NS"; then
    # Anything still running inside the namespace was started by this script.
    pids=$(ip netns pids "$NS" 2>/dev/null || true)
    if [[ -n "$pids" ]]; then
      log "stopping leftover processes in $NS: $pids"
      for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
      for ((i = 0; i < 50; i++)); do
        [[ -n "$(ip netns pids "$NS" 2>/dev/null)" ]] || break
        sleep 0.2
      done
      for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    fi
    ip netns del "$NS" 2>/dev/null || log "could not delete network namespace $NS"
  fi
  [[ "$KEEP_DATA" == 1 ]] || rm -rf "$OUT/data"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
log "network namespace $NS; raw output in $OUT"

# run_child CMD...: run in the background and wait, so INT/TERM reach our trap at once.
run_child() {
  local rc=0
  "$@" &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  return "$rc"
}

# Upstream gets a home of its own (its bin linked, its pki copied) so that its run/ directory (etcd
# data, kubeconfig, logs) is not shared with anyone else using /work/upstream at the same time.
UHOME="$OUT/data/upstream-home"
if [[ -n "$UPSTREAM_DIR" ]]; then
  mkdir -p "$UHOME"
  ln -sfn "$(cd "$UPSTREAM_DIR" && pwd)/bin" "$UHOME/bin"
  [[ -d "$UPSTREAM_DIR/pki" ]] && cp -r "$UPSTREAM_DIR/pki" "$UHOME/pki"
  upstream_version="upstream-$("$UPSTREAM_DIR/bin/kube-apiserver" --version 2>/dev/null | awk '{print $2}')"
  echo "$upstream_version" >"$OUT/upstream-version"
fi
UKUBECONFIG="$UHOME/run/admin.kubeconfig"
upstream_cmd() { # [--fresh]
  echo env UPSTREAM_DIR="$UHOME" PORT="$PORT" AUTHZ="$UPSTREAM_AUTHZ" "$UPSTREAM_DIR/start.sh" "$@"
}

# ---- start-up ----
startup_one() { # NAME IDX KUBECONFIG CMD...
  local name=$1 idx=$2 kc=$3
  shift 3
  log "startup: $name $idx"
  if ! run_child "$ROOT/hack/bench/startup.sh" --kubeconfig "$kc" --netns "$NS" --name "$name" \
    --idle "$IDLE" --status-file "$OUT/startup-$name-$idx.status" -- "$@" \
    >"$OUT/startup-$name-$idx.txt" 2>"$OUT/startup-$name-$idx.err"; then
    log "startup: $name $idx FAILED (see $OUT/startup-$name-$idx.err)"
    failures=$((failures + 1))
  fi
  echo "$*" >"$OUT/startup-$name-$idx.cmd"
}

if ((STARTUP_RUNS > 0)); then
  for ((i = 1; i <= STARTUP_RUNS; i++)); do
    d="$OUT/data/skiff-startup-$i"
    rm -rf "$d"
    startup_one skiff "$i" "$d/admin.kubeconfig" "$SKIFF" server --data-dir "$d" --secure-port "$PORT"
    if [[ -n "$UPSTREAM_DIR" ]]; then
      # shellcheck disable=SC2046
      startup_one upstream "$i" "$UKUBECONFIG" $(upstream_cmd --fresh)
    fi
  done
  d="$OUT/data/skiff-startup-$STARTUP_RUNS"
  startup_one skiff restart "$d/admin.kubeconfig" "$SKIFF" server --data-dir "$d" --secure-port "$PORT"
  if [[ -n "$UPSTREAM_DIR" ]]; then
    # shellcheck disable=SC2046
    startup_one upstream restart "$UKUBECONFIG" $(upstream_cmd)
  fi
fi

# ---- load ----
start_server() { # NAME: start it fresh in the namespace and wait for /readyz
  local name=$1 kc i
  local logf="$OUT/load-$name-run$run.server.log"
  if [[ "$name" == skiff ]]; then
    local d="$OUT/data/skiff-load-$run"
    rm -rf "$d"
    kc="$d/admin.kubeconfig"
    setsid ip netns exec "$NS" "$SKIFF" server --data-dir "$d" --secure-port "$PORT" >"$logf" 2>&1 &
  else
    kc="$UKUBECONFIG"
    rm -f "$kc"
    # shellcheck disable=SC2046
    setsid ip netns exec "$NS" $(upstream_cmd --fresh) >"$logf" 2>&1 &
  fi
  SERVER_PID=$!
  SERVER_KC="$kc"
  for ((i = 0; i < 1200; i++)); do
    kill -0 "$SERVER_PID" 2>/dev/null || { log "$name exited during start-up; see $logf"; return 1; }
    if [[ -f "$kc" ]] && ip netns exec "$NS" kubectl --kubeconfig "$kc" --request-timeout 2s get --raw /readyz >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  log "$name not ready after 120s; see $logf"
  return 1
}

descendants() { local c; echo "$1"; for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do descendants "$c"; done; }
tree_cpu_ticks() { # PID: user + system CPU of the live process tree, in clock ticks
  local p t ticks=0
  for p in $(descendants "$1" | sort -u); do
    t=$(sed 's/^.*) //' /proc/"$p"/stat 2>/dev/null | awk '{ print $12 + $13 }') || continue
    ticks=$((ticks + ${t:-0}))
  done
  echo "$ticks"
}

server_status() { # PID FILE: memory lines of every process in the tree
  local p
  : >"$2"
  for p in $(descendants "$1" | sort -u); do
    awk -v p="$p" -v c="$(cat /proc/"$p"/comm 2>/dev/null)" \
      'BEGIN { printf "pid=%s comm=%s", p, c }
       /^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem):/ { sub(":", "", $1); printf " %s=%s", $1, $2 }
       END { print "" }' /proc/"$p"/status >>"$2" 2>/dev/null || true
  done
}

load_one() { # NAME LABEL
  local name=$1 label=$2 out="$OUT/load-$1-run$run"
  log "load: $name round $run"
  if ! start_server "$name"; then
    failures=$((failures + 1))
  else
    local c0 c1
    c0=$(tree_cpu_ticks "$SERVER_PID")
    # shellcheck disable=SC2086
    if ! run_child ip netns exec "$NS" "$APILOAD" --kubeconfig "$SERVER_KC" --server-name "$label" \
      $APILOAD_ARGS >"$out.txt" 2>"$out.err"; then
      log "load: $name round $run: apiload failed (see $out.err)"
      failures=$((failures + 1))
    fi
    # The server's CPU time over the whole apiload run: the same work for both servers, and much
    # less at the mercy of a busy machine than the rates.
    c1=$(tree_cpu_ticks "$SERVER_PID")
    awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f\n", t / hz }' >"$out.cpu"
    server_status "$SERVER_PID" "$out.status"
    echo "ip netns exec NS $APILOAD --kubeconfig $SERVER_KC --server-name $label $APILOAD_ARGS" >"$out.cmd"
  fi
  [[ -z "$SERVER_PID" ]] || stop_group "$SERVER_PID"
  SERVER_PID=""
  if [[ "$name" == upstream ]]; then # start.sh logs into its run/ dir, which goes with the data
    cp "$UHOME/run/kube-apiserver.log" "$out.kube-apiserver.log" 2>/dev/null || true
    cp "$UHOME/run/etcd.log" "$out.etcd.log" 2>/dev/null || true
  fi
  [[ "$KEEP_DATA" == 1 ]] || rm -rf "$OUT/data/skiff-load-$run" "$UHOME/run/etcd-data"
}

for ((run = 1; run <= LOAD_RUNS; run++)); do
  load_one skiff skiff
  [[ -z "$UPSTREAM_DIR" ]] || load_one upstream "$upstream_version"
done

# ---- tables ----
# field N of the last table row of a startup.sh output
startup_field() { [[ -s "$1" ]] && tail -n 1 "$1" | awk -F'|' -v n="$2" '{ gsub(/ /, "", $n); print $n }'; }
# sum of KEY (kB) over the processes in a status file, in MiB
status_sum() { [[ -s "$1" ]] && awk -v k="$2" '{ for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) s += kv[2] } } END { printf "%.1f", s / 1024 }' "$1"; }
median() { printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
# "median (run1, run2, ...)" of a value over the fresh runs of NAME; sets MED
series() { # NAME KIND(startup FIELD | status KEY)
  local name=$1 kind=$2 key=$3 i v vals=()
  for ((i = 1; i <= STARTUP_RUNS; i++)); do
    if [[ "$kind" == startup ]]; then v=$(startup_field "$OUT/startup-$name-$i.txt" "$key" || true)
    else v=$(status_sum "$OUT/startup-$name-$i.status" "$key" || true); fi
    vals+=("${v:--}")
  done
  MED=$(median "${vals[@]}")
  local IFS=,
  SERIES="$MED (${vals[*]// /})"
  SERIES="${SERIES//,/, }"
}
one() { # NAME KIND KEY: the restart run
  if [[ "$2" == startup ]]; then startup_field "$OUT/startup-$1-restart.txt" "$3" || echo -
  else status_sum "$OUT/startup-$1-restart.status" "$3" || echo -; fi
}

startup_table() {
  local label kind key target s u sm um
  echo "| measurement | skiff | upstream | skiff/upstream | target |"
  echo "|---|---:|---:|---:|---|"
  while IFS=';' read -r label kind key target; do
    series skiff "$kind" "$key"; s="$SERIES"; sm="$MED"
    u="-"; um="-"
    if [[ -n "$UPSTREAM_DIR" ]]; then series upstream "$kind" "$key"; u="$SERIES"; um="$MED"; fi
    echo "| $label, fresh data dir: median (runs) | $s | $u | $(ratio "$sm" "$um") | $target |"
    sm=$(one skiff "$kind" "$key"); um="-"
    [[ -z "$UPSTREAM_DIR" ]] || um=$(one upstream "$kind" "$key")
    echo "| $label, restart on existing data dir | $sm | $um | $(ratio "$sm" "$um") | $target |"
  done <<EOF
exec to /readyz 200 (s);startup;3;< 1 s (aim 0.3 s)
exec to first kubectl get ns (s);startup;4;
CPU time used until /readyz 200, process tree (s);startup;7;
VmRSS after ${IDLE} s idle, process tree (MiB);startup;5;< 150 MiB
RssAnon after ${IDLE} s idle (MiB);status;RssAnon;
RssFile after ${IDLE} s idle (MiB);status;RssFile;
EOF
}

load_table() { # SKIFF_FILE UPSTREAM_FILE
  awk -F'|' -v upfile="$2" '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    function ratio(a, b) { return (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) ? sprintf("%.2f", a / b) : "-" }
    function isrow() { return $0 ~ /^\| / && trim($3) != "test" && $0 !~ /^\|---/ }
    BEGIN {
      while (upfile != "" && (getline line < upfile) > 0) {
        $0 = line
        if (!isrow()) continue
        k = trim($3) SUBSEP trim($4) SUBSEP trim($5)
        U[k] = 1; Uops[k] = trim($8); Up50[k] = trim($9); Up99[k] = trim($10); Uerr[k] = trim($7)
        Unote[k] = trim($12); uorder[++nu] = k
      }
      print "| test | kind | clients | skiff ops/s | upstream ops/s | ops/s skiff/upstream | skiff p50 / p99 ms | upstream p50 / p99 ms | p50 skiff/upstream | errors skiff / upstream |"
      print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    }
    isrow() {
      k = trim($3) SUBSEP trim($4) SUBSEP trim($5); S[k] = 1
      u = (k in U)
      printf "| %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s / %s |\n", trim($3), trim($4), trim($5),
        trim($8), u ? Uops[k] : "-", u ? ratio(trim($8), Uops[k]) : "-",
        trim($9), trim($10), u ? Up50[k] " / " Up99[k] : "-", u ? ratio(trim($9), Up50[k]) : "-",
        trim($7), u ? Uerr[k] : "-"
      if (trim($7) + 0 > 0 || trim($12) ~ /(first|write) error|watch (closed|error)/) notes[++nn] = "skiff " trim($3) " " trim($4) " " trim($5) ": " trim($12)
    }
    END {
      for (i = 1; i <= nu; i++) {
        k = uorder[i]
        if (Uerr[k] + 0 > 0 || Unote[k] ~ /(first|write) error|watch (closed|error)/) notes[++nn] = "upstream " k ": " Unote[k]
        if (k in S) continue
        split(k, f, SUBSEP)
        printf "| %s | %s | %s | - | %s | - | - | %s / %s | - | - / %s |\n", f[1], f[2], f[3], Uops[k], Up50[k], Up99[k], Uerr[k]
      }
      if (nn > 0) print ""
      for (i = 1; i <= nn; i++) { gsub(SUBSEP, " ", notes[i]); print "- " notes[i] }
    }' "$1"
}

# All rounds in one table ("round 1 · round 2 · ..." in each cell), then per round how many
# throughput rows skiff matched upstream in and the geometric means of the ratios.
load_rounds_table() {
  local files=() r
  for ((r = 1; r <= LOAD_RUNS; r++)); do files+=("$OUT/load-skiff-run$r.txt" "$OUT/load-upstream-run$r.txt"); done
  awk -F'|' -v n="$LOAD_RUNS" '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    function num(s) { return s ~ /^[0-9.]+$/ }
    function ratio(a, b) { return (num(a) && num(b) && b + 0 > 0) ? sprintf("%.2f", a / b) : "-" }
    function cell(side, k, f,   r, out) {
      out = ""
      for (r = 1; r <= n; r++) out = out (r > 1 ? " · " : "") (((side, r, k, f) in V) ? V[side, r, k, f] : "-")
      return out
    }
    FNR == 1 { fi++; side = (fi % 2) ? "s" : "u"; round = int((fi + 1) / 2) }
    /^\| / && trim($3) != "test" && $0 !~ /^\|---/ {
      k = trim($3) SUBSEP trim($4) SUBSEP trim($5)
      if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
      V[side, round, k, "ops"] = trim($8); V[side, round, k, "p50"] = trim($9)
      V[side, round, k, "lat"] = trim($9) " / " trim($10)
    }
    END {
      print "| test | kind | clients | skiff ops/s | upstream ops/s | skiff/upstream ops/s | skiff p50 / p99 ms | upstream p50 / p99 ms | skiff/upstream p50 |"
      print "|---|---|---:|---:|---:|---:|---:|---:|---:|"
      for (i = 1; i <= nk; i++) {
        k = order[i]; split(k, f, SUBSEP)
        ro = ""; rp = ""
        for (r = 1; r <= n; r++) {
          a = V["s", r, k, "ops"]; b = V["u", r, k, "ops"]; ro = ro (r > 1 ? " · " : "") ratio(a, b)
          if (num(a) && num(b) && b + 0 > 0) { cnt[r]++; if (a + 0 >= b + 0) ge[r]++; lo[r] += log(a / b) }
          a = V["s", r, k, "p50"]; b = V["u", r, k, "p50"]; rp = rp (r > 1 ? " · " : "") ratio(a, b)
          if (num(a) && num(b) && b + 0 > 0) { pc[r]++; lp[r] += log(a / b) }
        }
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], cell("s", k, "ops"), cell("u", k, "ops"), ro, cell("s", k, "lat"), cell("u", k, "lat"), rp
      }
      print ""
      for (r = 1; r <= n; r++) if (cnt[r] > 0)
        printf "- round %d: skiff >= upstream in %d of %d throughput rows; geometric mean skiff/upstream: ops/s %.2f, p50 %.2f\n", r, ge[r], cnt[r], exp(lo[r] / cnt[r]), pc[r] ? exp(lp[r] / pc[r]) : 0
    }' "${files[@]}"
}

load_memory() { # the servers' CPU time during the load, and their memory after it
  local name f sc="-" uc="-"
  [[ -s "$OUT/load-skiff-run$run.cpu" ]] && sc=$(cat "$OUT/load-skiff-run$run.cpu")
  [[ -s "$OUT/load-upstream-run$run.cpu" ]] && uc=$(cat "$OUT/load-upstream-run$run.cpu")
  echo "- server CPU time (process tree, user + system) over the whole apiload run: skiff $sc s, upstream $uc s (skiff/upstream $(ratio "$sc" "$uc"))"
  for name in skiff upstream; do
    f="$OUT/load-$name-run$run.status"
    [[ -s "$f" ]] || continue
    echo "- $name after the load, process tree: VmHWM (peak) sum $(status_sum "$f" VmHWM) MiB, VmRSS $(status_sum "$f" VmRSS) MiB, RssAnon $(status_sum "$f" RssAnon) MiB"
  done
}

{
  echo "## Start-up and idle memory ($(date -u +%Y-%m-%d), ${OUT#"$ROOT"/})"
  echo
  if ((STARTUP_RUNS > 0)); then startup_table; fi
  for ((run = 1; run <= LOAD_RUNS; run++)); do
    echo
    echo "## Load, round $run (apiload${APILOAD_ARGS:+ $APILOAD_ARGS})"
    echo
    up=""
    [[ -z "$UPSTREAM_DIR" ]] || up="$OUT/load-upstream-run$run.txt"
    if [[ -s "$OUT/load-skiff-run$run.txt" ]]; then load_table "$OUT/load-skiff-run$run.txt" "$up"; else echo "(skiff round $run produced no output)"; fi
    echo
    load_memory
  done
  if [[ -n "$UPSTREAM_DIR" ]] && ((LOAD_RUNS > 1)); then
    echo
    echo "## Load, all rounds side by side (round 1 · round 2 · ...)"
    echo
    load_rounds_table
  fi
  ((failures == 0)) || { echo; echo "**$failures measurement(s) failed; see the .err files in ${OUT#"$ROOT"/}.**"; }
} | tee "$OUT/tables.md"

((failures == 0))
