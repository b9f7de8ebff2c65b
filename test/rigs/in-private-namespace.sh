#!/usr/bin/env bash
# Runs a command in a private mount + network namespace with its own /run/pcscd and loopback,
# so the pcscd a test starts (and vpcd's TCP ports) never meet the system's. Everything started
# inside dies with the namespace. Needs root (or CAP_SYS_ADMIN), as in CI.
set -euo pipefail

if [ "${CARDBENCH_IN_RIG_NAMESPACE:-}" = 1 ]; then
  exec "$@"
fi
if ! unshare --mount --net --propagation private true 2>/dev/null; then
  echo "in-private-namespace: cannot create a private namespace (needs root or CAP_SYS_ADMIN); run the tests as root." >&2
  exit 3
fi
exec unshare --mount --net --propagation private --fork -- bash -c '
  set -e
  mkdir -p /run/pcscd
  mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
  ip link set lo up
  export CARDBENCH_IN_RIG_NAMESPACE=1
  exec "$@"' rig "$@"
