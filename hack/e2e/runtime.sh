#!/usr/bin/env bash
# Runs the real-node end-to-end suite (test/e2e/runtime): `skiff server --container-runtime=containerd`
# with pods on containerd, driven by kubectl.
#
# Everything runs inside a fresh network namespace with loopback and a dummy device (or a veth pair
# inside the namespace where the kernel has no dummy devices) carrying the
# node's IP (NODE_IP, default 192.168.251.1/24): the node has an InternalIP, yet no packet for a pod,
# a Service or a load balancer address can leave the machine (there is no default route). The
# cgroup hierarchies are mounted into the namespace's mount namespace (`ip netns exec` gives it a
# fresh /sys), as runc needs them. The tests remove every pod, process, mount and cgroup they made;
# the namespace takes the bridge, the nftables tables and its sysctls with it.
#
# Environment:
#   SKIFF_E2E_BINARY  skiff binary (default: `make build`, then bin/skiff)
#   KUBECTL           kubectl (default /usr/bin/kubectl, else bin/kubectl)
#   NODE_IP           the node's address and prefix on the dummy device (default 192.168.251.1/24)
#   TOPOLOGIES        the suite runs once per topology: server (skiff server --container-runtime=containerd)
#                     and nodeagent (skiff server, and skiff nodeagent --kubeconfig beside it); default both
#   E2E_RUN, E2E_FLAGS  go test -run and extra flags (default -v)
#   SKIFF_E2E_KEEP    keep the data dir and logs
# Needs root, containerd, runc, ctr, the CNI plugins, nft and busybox-static.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "${ROOT}"

if [[ $(id -u) -ne 0 ]]; then
  echo "e2e-runtime: needs root; skipping" >&2
  exit 0
fi
for b in containerd ctr runc nft ip; do
  if ! command -v "$b" >/dev/null && [[ ! -x /usr/sbin/$b && ! -x /sbin/$b ]]; then
    echo "e2e-runtime: $b is missing (apt-get install containerd runc containernetworking-plugins nftables iproute2); skipping" >&2
    exit 0
  fi
done

if [[ -z "${SKIFF_E2E_BINARY:-}" ]]; then
  make --no-print-directory build
  SKIFF_E2E_BINARY="${ROOT}/bin/skiff"
fi
SKIFF_E2E_BINARY=$(realpath "${SKIFF_E2E_BINARY}")
if [[ -z "${KUBECTL:-}" ]]; then
  if [[ -x /usr/bin/kubectl ]]; then KUBECTL=/usr/bin/kubectl; else KUBECTL="${ROOT}/bin/kubectl"; fi
fi
NODE_IP=${NODE_IP:-192.168.251.1/24}

# The busybox test image and the test binary are built while the network is there.
# Both are per run (then renamed or removed), so runs side by side do not write each other's files.
SKIFF_E2E_BUSYBOX="${ROOT}/_output/images/busybox.tar"
mkdir -p "${ROOT}/_output/images"
OUT="${SKIFF_E2E_BUSYBOX}.$$" hack/images/busybox.sh
mv -f "${SKIFF_E2E_BUSYBOX}.$$" "${SKIFF_E2E_BUSYBOX}"
testbin="${ROOT}/_output/e2e-runtime-$$.test"
go test -c -o "${testbin}" ./test/e2e/runtime

# run_topology runs the suite once, in a namespace of its own.
run_topology() {
  local ns="skiff-rt-$$-$RANDOM"
  ip netns add "$ns"
  # shellcheck disable=SC2064
  trap "ip netns del '$ns' 2>/dev/null || true" EXIT
  ip netns exec "$ns" ip link set lo up
  # A dummy device; where the kernel has none, one end of a veth pair that ends in the namespace too.
  if ! ip netns exec "$ns" ip link add skiff-node0 type dummy 2>/dev/null; then
    ip netns exec "$ns" ip link add skiff-node0 type veth peer name skiff-node0p
    ip netns exec "$ns" ip link set skiff-node0p up
  fi
  ip netns exec "$ns" ip addr add "${NODE_IP}" dev skiff-node0
  ip netns exec "$ns" ip link set skiff-node0 up
  # The node reaches ClusterIPs through a route (the lookup comes before the proxy's DNAT), as
  # through a default route on a real machine; this one leads nowhere outside the namespace.
  ip netns exec "$ns" ip route add 10.96.0.0/12 dev skiff-node0 src "${NODE_IP%/*}"
  local rc=0
  # With the machine's cgroup hierarchies mounted (hack/with-cgroups.sh): runc needs them.
  # shellcheck disable=SC2086
  SKIFF_E2E_TOPOLOGY="$1" ip netns exec "$ns" hack/with-cgroups.sh "${testbin}" -test.count=1 -test.timeout=20m ${E2E_FLAGS:--test.v} ${E2E_RUN:+-test.run "${E2E_RUN}"} || rc=$?
  ip netns del "$ns" 2>/dev/null || true
  trap - EXIT
  return $rc
}

export SKIFF_E2E_BINARY KUBECTL SKIFF_E2E_BUSYBOX SKIFF_E2E_NODE_IP="${NODE_IP%/*}"
failed=()
for topology in ${TOPOLOGIES:-server nodeagent}; do
  echo "e2e-runtime: topology ${topology}"
  run_topology "${topology}" || failed+=("${topology}")
done
rm -f "${testbin}"
if ((${#failed[@]} > 0)); then
  echo "e2e-runtime: FAILED in topologies: ${failed[*]}" >&2
  exit 1
fi
