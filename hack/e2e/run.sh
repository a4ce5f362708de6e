#!/usr/bin/env bash
# Runs the end-to-end suite (test/e2e) against the built skiff binary with stock kubectl.
#
# The tests start `skiff server` as a child process on a free loopback port, so the whole
# `go test` runs inside a fresh network namespace (hack/netns-run.sh): nothing they do can reach
# past this machine's loopback. Everything that needs the network (module downloads, compiling)
# happens first, outside it.
#
# Environment:
#   SKIFF_E2E_BINARY  skiff binary to test (default: `make build`, then bin/skiff)
#   KUBECTL           kubectl to drive it with (default: /usr/bin/kubectl, else bin/kubectl, which
#                     `make kubectl` builds from k8s.io/kubectl)
#   E2E_RUN           only run tests matching this regexp (go test -run)
#   E2E_SKIP          skip tests matching this regexp (go test -skip), e.g. a known gap
#   E2E_FLAGS         extra go test flags (default: -v)
#   SKIFF_E2E_KEEP    keep the servers' data dirs and logs even when every test passes
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "${ROOT}"

if [[ -z "${SKIFF_E2E_BINARY:-}" ]]; then
  make --no-print-directory build
  SKIFF_E2E_BINARY="${ROOT}/bin/skiff"
fi
SKIFF_E2E_BINARY=$(realpath "${SKIFF_E2E_BINARY}")

if [[ -z "${KUBECTL:-}" ]]; then
  if [[ -x /usr/bin/kubectl ]]; then
    KUBECTL=/usr/bin/kubectl
  elif [[ -x "${ROOT}/bin/kubectl" ]]; then
    KUBECTL="${ROOT}/bin/kubectl"
  else
    echo "no kubectl: install one at /usr/bin/kubectl, set KUBECTL, or run 'make kubectl'" >&2
    exit 1
  fi
fi
# kubectl diff shells out to diff(1).
command -v diff >/dev/null || { echo "kubectl diff needs diff(1): apt-get install diffutils" >&2; exit 1; }

echo "e2e: skiff ${SKIFF_E2E_BINARY} ($("${SKIFF_E2E_BINARY}" version 2>/dev/null || echo '?'))"
echo "e2e: kubectl ${KUBECTL} ($("${KUBECTL}" version --client 2>/dev/null | head -1))"

# Compile the test binary while the network is there, without running it (-exec /bin/true: its
# TestMain would start a server outside the namespace); inside the namespace it is only run.
go test -count=1 -run '^$' -exec /bin/true ./test/e2e >/dev/null

export SKIFF_E2E_BINARY KUBECTL
# shellcheck disable=SC2086
exec "${ROOT}/hack/netns-run.sh" go test -count=1 -timeout 30m ${E2E_FLAGS:--v} \
  ${E2E_RUN:+-run "${E2E_RUN}"} ${E2E_SKIP:+-skip "${E2E_SKIP}"} ./test/e2e
