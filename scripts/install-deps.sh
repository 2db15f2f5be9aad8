#!/bin/sh
# Installs the system tools the tests need when they are missing (Debian, as root):
#   tshark               — the independent judge of every frame format (dumpcap comes with it);
#   iproute2             — network namespaces and veth pairs for the real-Linux neighbour test;
#   gcc, g++, make, python3, binutils — node-gyp's build of the addons (host/native);
#   qemu-system-x86      — QEMU's e1000 as a real NIC model (test/qemu-e1000.test.ts);
#   wabt                 — wasm2c: the release core translated to C for the QEMU guest and
#                          for the board addon's crash path;
#   busybox-static, cpio — the guest's initramfs userland;
#   keepalived, frr      — the stock peers the dialects are proved against (test/dialect-*.test.ts).
#                          Debian's policy-rc.d (or its absence of an init system) keeps their
#                          services from starting; the tests run them in namespaces themselves.
#   iputils-ping         — the client's 1 packet/ms probe of a running pair (test/run-pair.test.ts).
#   mtd-utils            — the independent reader/writer of real flash (nanddump, mtd_debug,
#                          nandflipbits) in the QEMU guest's flashing test (test/qemu-flash.test.ts).
#   ethtool              — veth offloads turned off in the switching service's proofs
#                          (test/switch-linux.test.ts: a frame a soft NIC reads must carry its
#                          full checksum); iputils-ping there too, for a real ping to the TAP.
# Without root, it says what is missing and fails: a test that cannot run is a failure.
# (The guest kernel is not installed here: scripts/qemu-rig/kernel.sh downloads the Debian
# package into build/qemu/cache and extracts vmlinuz from it, leaving this machine alone.)
set -e
missing=""
command -v tshark >/dev/null 2>&1 || missing="$missing tshark"
command -v dumpcap >/dev/null 2>&1 || missing="$missing wireshark-common"
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
command -v c++ >/dev/null 2>&1 || missing="$missing g++"
command -v make >/dev/null 2>&1 || missing="$missing make"
command -v ar >/dev/null 2>&1 || missing="$missing binutils"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing="$missing qemu-system-x86"
command -v wasm2c >/dev/null 2>&1 || missing="$missing wabt"
[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 && ldd /bin/busybox 2>&1 | grep -q "not a dynamic" \
  || missing="$missing busybox-static"
[ -e /usr/include/stdio.h ] || missing="$missing libc6-dev"
command -v cpio >/dev/null 2>&1 || missing="$missing cpio"
command -v keepalived >/dev/null 2>&1 || missing="$missing keepalived"
[ -x /usr/lib/frr/bfdd ] || missing="$missing frr"
command -v nanddump >/dev/null 2>&1 || missing="$missing mtd-utils"
ping -V 2>&1 | grep -q iputils || missing="$missing iputils-ping"
command -v ethtool >/dev/null 2>&1 || missing="$missing ethtool"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing:$missing — install them (apt-get install$missing) or run as root" >&2
  exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the tests only read files.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
