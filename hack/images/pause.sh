#!/usr/bin/env bash
# Builds the sandbox image localhost/pause:local (a few hundred bytes: see nodeagent/images/pause)
# as an OCI image-layout tar, _output/images/pause.tar by default. skiff imports this image into
# the containerd it runs by itself; this script is for runtimes skiff does not start:
#   bin/skiff images import _output/images/pause.tar --container-runtime-endpoint unix:///...
# Environment: OUT (output file), ARCH (GOARCH, default this machine's).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=${OUT:-_output/images/pause.tar}
exec go run ./hack/images/mkimage -o "$out" ${ARCH:+-arch "$ARCH"} pause
