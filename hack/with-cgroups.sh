#!/usr/bin/env bash
# Runs a command with the machine's cgroup hierarchies mounted under /sys/fs/cgroup, for use inside
# `ip netns exec NS hack/with-cgroups.sh CMD...`: ip netns exec gives the command a mount namespace
# with a fresh /sys, without them, and runc needs them. Mounting a v1 hierarchy with the same
# controllers attaches the existing one; a v2 mount is the same unified hierarchy.
set -euo pipefail
if ! grep -q " /sys/fs/cgroup/" /proc/self/mounts; then
  mount -t tmpfs cgroup_root /sys/fs/cgroup
  grep -E "^[^ ]+ /sys/fs/cgroup/[^ ]+ cgroup2? " /proc/1/mounts | while read -r _ dir type opts _; do
    keep=$(tr , "\n" <<<"$opts" | { grep -vxE "rw|ro|relatime|noatime|nosuid|nodev|noexec|seclabel" || true; } | paste -sd, -)
    mkdir -p "$dir"
    mount -t "$type" ${keep:+-o "$keep"} "$type" "$dir"
  done
fi
exec "$@"
