#!/usr/bin/env bash
# Start an upstream etcd + kube-apiserver pair on loopback for side-by-side comparisons with skiff.
#
# This is a harness, not upstream code (the differential harness in hack/diff/ and the load tool in
# hack/bench/ compare skiff against the server it starts). Install it outside the repo as
# /work/upstream/start.sh, or set UPSTREAM_DIR. Nothing here is used by CI. The binaries are built
# outside the skiff repo, in a scratch module that is never committed (the repo must never depend on
# k8s.io/kubernetes):
#
#   mkdir -p /work/upstream/src && cd /work/upstream/src
#   # go.mod: module scratch.local/upstream; go 1.26.0; require k8s.io/kubernetes v1.37.2; and a
#   # replace block pinning every k8s.io/* staging module to v0.37.2, e.g.
#   #   replace k8s.io/api => k8s.io/api v0.37.2   (likewise apimachinery, apiserver, client-go, ...:
#   #   every "k8s.io/X => ./staging/src/k8s.io/X" line of kubernetes' own go.mod)
#   # plus a tools.go (//go:build tools) with: import _ "k8s.io/kubernetes/cmd/kube-apiserver"
#   go mod tidy
#   V="-X k8s.io/component-base/version.gitVersion=v1.37.2 -X k8s.io/component-base/version.gitMajor=1"
#   V="$V -X k8s.io/component-base/version.gitMinor=37 -X k8s.io/client-go/pkg/version.gitVersion=v1.37.2"
#   go build -ldflags "$V" -o /work/upstream/bin/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
#
#   mkdir -p /work/upstream/etcdsrc && cd /work/upstream/etcdsrc
#   # main.go: package main; import "go.etcd.io/etcd/server/v3/etcdmain"; func main(){ etcdmain.Main(os.Args) }
#   go mod init scratch.local/etcd && go get go.etcd.io/etcd/server/v3@v3.7.3 && go mod tidy
#   go build -o /work/upstream/bin/etcd .
#
# Usage: start.sh [--netns NAME] [--fresh]
#   Runs in the foreground until killed (SIGINT/SIGTERM stop etcd and kube-apiserver too).
#   --netns NAME  create network namespace NAME (only lo up), run everything inside it and delete it
#                 on exit; clients must then run under `ip netns exec NAME ...`.
#   --fresh       wipe etcd's data directory first.
# Environment: UPSTREAM_DIR (default /work/upstream; expects bin/etcd and bin/kube-apiserver there),
#   PORT (kube-apiserver secure port, default 6443), ETCD_CLIENT_PORT (default 23790),
#   ETCD_PEER_PORT (default 23800), AUTHZ (RBAC or AlwaysAllow, default RBAC), APISERVER_ARGS (extra flags).
# Writes $UPSTREAM_DIR/run/admin.kubeconfig (user admin in group system:masters, client-cert auth),
# prints "ready" once /readyz answers 200, and logs to $UPSTREAM_DIR/run/{etcd,kube-apiserver}.log.
set -euo pipefail

NETNS=""
FRESH=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --netns) NETNS="$2"; shift 2 ;;
    --fresh) FRESH=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [[ -n "$NETNS" ]]; then
  if ! ip netns list | grep -qw "$NETNS"; then
    ip netns add "$NETNS"
    created_netns=1
  fi
  ip netns exec "$NETNS" ip link set lo up
  args=()
  [[ "$FRESH" == 1 ]] && args+=(--fresh)
  rc=0
  ip netns exec "$NETNS" bash "$(readlink -f "$0")" "${args[@]}" &
  child=$!
  trap 'kill -TERM "$child" 2>/dev/null || true' INT TERM
  wait "$child" || rc=$?
  wait "$child" 2>/dev/null || true
  [[ "${created_netns:-0}" == 1 ]] && ip netns del "$NETNS"
  exit "$rc"
fi

DIR="${UPSTREAM_DIR:-/work/upstream}"
PORT="${PORT:-6443}"
ETCD_CLIENT_PORT="${ETCD_CLIENT_PORT:-23790}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-23800}"
AUTHZ="${AUTHZ:-RBAC}"
PKI="$DIR/pki"
RUN="$DIR/run"
mkdir -p "$PKI" "$RUN"

gen_certs() {
  cd "$PKI"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=upstream-ca" \
    -keyout ca.key -out ca.crt 2>/dev/null
  cat > server.ext <<EOF
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
EOF
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout server.key -out server.csr 2>/dev/null
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
    -extfile server.ext -out server.crt 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > client.ext
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=admin" -keyout admin.key -out admin.csr 2>/dev/null
  openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
    -extfile client.ext -out admin.crt 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  cd - >/dev/null
}
[[ -f "$PKI/sa.pub" && -f "$PKI/admin.crt" ]] || gen_certs

KUBECONFIG_OUT="$RUN/admin.kubeconfig"
cat > "$KUBECONFIG_OUT" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: upstream
  cluster:
    server: https://127.0.0.1:${PORT}
    certificate-authority-data: $(base64 -w0 < "$PKI/ca.crt")
users:
- name: admin
  user:
    client-certificate-data: $(base64 -w0 < "$PKI/admin.crt")
    client-key-data: $(base64 -w0 < "$PKI/admin.key")
contexts:
- name: upstream
  context: {cluster: upstream, user: admin}
current-context: upstream
EOF

[[ "$FRESH" == 1 ]] && rm -rf "$RUN/etcd-data"

pids=()
# Stop kube-apiserver before etcd: its graceful shutdown stalls while etcd is gone.
stop() {
  trap - INT TERM EXIT
  local i p
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    p=${pids[i]}
    kill -TERM "$p" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
}
trap stop EXIT
trap 'stop; exit 0' INT TERM

"$DIR/bin/etcd" --name upstream --data-dir "$RUN/etcd-data" \
  --listen-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORT}" \
  --advertise-client-urls "http://127.0.0.1:${ETCD_CLIENT_PORT}" \
  --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
  --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORT}" \
  --initial-cluster "upstream=http://127.0.0.1:${ETCD_PEER_PORT}" \
  --listen-metrics-urls "" --log-level warn >"$RUN/etcd.log" 2>&1 &
pids+=($!)

# shellcheck disable=SC2086
"$DIR/bin/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:${ETCD_CLIENT_PORT}" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$PORT" \
  --tls-cert-file "$PKI/server.crt" --tls-private-key-file "$PKI/server.key" \
  --client-ca-file "$PKI/ca.crt" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-cluster-ip-range 10.0.0.0/24 \
  --endpoint-reconciler-type none \
  --authorization-mode "$AUTHZ" \
  ${APISERVER_ARGS:-} >"$RUN/kube-apiserver.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 1200); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$PKI/ca.crt" \
    --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:${PORT}/readyz" || true)
  if [[ "$code" == 200 ]]; then
    echo "ready: KUBECONFIG=$KUBECONFIG_OUT"
    break
  fi
  for p in "${pids[@]}"; do
    if ! kill -0 "$p" 2>/dev/null; then
      echo "a server exited early; see $RUN/*.log" >&2
      exit 1
    fi
  done
  sleep 0.1
done
[[ "${code:-}" == 200 ]] || { echo "not ready after 120s; see $RUN/*.log" >&2; exit 1; }

wait -n "${pids[@]}" || true
echo "a server exited; see $RUN/*.log" >&2
exit 1
