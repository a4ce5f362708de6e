#!/usr/bin/env bash
# Runs a command inside a fresh network namespace with only loopback up, then removes it.
# Tests that create Services, webhooks or pods run this way so that no packet for a cluster
# address (10.96.x.x, pod IPs) can leave the machine: outside loopback there is no route.
# Needs root (ip netns). Usage: hack/netns-run.sh CMD [ARGS...]
set -euo pipefail
ns="skiff-test-$$-$RANDOM"
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns exec "$ns" ip link set lo up
# The go command must not try the module proxy from inside (there is no network), nor rewrite go.mod.
export GOFLAGS="${GOFLAGS:-} -mod=readonly" GOPROXY=off
ip netns exec "$ns" "$@"
