#!/bin/sh
# Packs the guest's base initramfs (uncompressed newc cpio: nothing to decompress under TCG):
# /init, busybox (static) and the harness. The test appends a second cpio holding /script;
# the kernel unpacks concatenated archives in order.
# usage: scripts/qemu-rig/initramfs.sh OUT_DIR   (needs OUT_DIR/harness; writes OUT_DIR/initramfs.cpio)
set -e
out=${1:?usage: initramfs.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
[ -x /bin/busybox ] || { echo "qemu-rig: /bin/busybox missing: run scripts/install-deps.sh as root" >&2; exit 1; }
command -v cpio >/dev/null 2>&1 || { echo "qemu-rig: cpio missing: run scripts/install-deps.sh as root" >&2; exit 1; }
root="$out/rootfs"
rm -rf "$root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/guest/init" "$root/init"
cp "$out/harness" "$root/harness"
chmod 755 "$root/init" "$root/harness"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out/initramfs.cpio"
echo "qemu-rig: $out/initramfs.cpio ($(wc -c < "$out/initramfs.cpio") bytes)"
