#!/usr/bin/env bash
# Builds the test image localhost/busybox:test from Debian's busybox-static (/bin/busybox, with a
# link for every applet: sh, sleep, httpd, wget, nslookup, ...) as an OCI image-layout tar,
# _output/images/busybox.tar by default. Load it into a node's containerd with
#   bin/skiff images import _output/images/busybox.tar [--container-runtime-endpoint unix:///...]
# Environment: OUT (output file), BUSYBOX (the binary), NAME (the image name).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=${OUT:-_output/images/busybox.tar}
busybox=${BUSYBOX:-/bin/busybox}
if [[ ! -x $busybox ]]; then
	echo "$busybox not found: apt-get install busybox-static" >&2
	exit 1
fi
exec go run ./hack/images/mkimage -o "$out" -busybox "$busybox" ${NAME:+-name "$NAME"} busybox
