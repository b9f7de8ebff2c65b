#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Cardbench needs.
#   app  — to build and run the app: PC/SC (pcscd + headers for the pcsclite addon), libudev for USB,
#          a compiler for native addons.
#   test — all of the above plus the real smart card stack the tests drive (vpcd, libccid's serial
#          driver, pcsc-tools, OpenSC, socat), Chromium for the browser tier, tshark for captures,
#          and iproute2/util-linux for the private test namespaces.
set -euo pipefail

profile="${1:-app}"
app_packages=(pcscd libpcsclite-dev libudev1 build-essential python3 ca-certificates)
test_packages=(libccid vsmartcard-vpcd pcsc-tools opensc socat chromium tshark wireshark-common iproute2 util-linux python3-pyscard)

case "$profile" in
  app) packages=("${app_packages[@]}") ;;
  test) packages=("${app_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 [app|test]" >&2; exit 2 ;;
esac

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "$0: run as root or install sudo" >&2; exit 3; }
  as_root=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
echo "debian-packages: installed the '$profile' set (${#packages[@]} packages)."
