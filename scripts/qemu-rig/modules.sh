#!/bin/sh
# Packs kernel modules for the guest from the same Debian linux-image package kernel.sh
# downloaded (it is never installed here): the modules named below and everything they
# depend on (the "depends=" field of each .ko's .modinfo), as a cpio archive to append to
# the initramfs, with a loader:
#   . /lib/lg/lgmod.sh; lgmod nandsim id_bytes=0x20,0xa2,0x00,0x15   # loads deps first
#   . /lib/lg/hostroot.sh; hostroot                                    # the host's / at /host (9p, read-only)
# usage: scripts/qemu-rig/modules.sh OUT_DIR [MODULE...]   (writes OUT_DIR/modules.cpio)
# Default set: 9p over virtio (Node inside the guest: docs/qemu-rig.md), virtio disks, the
# MTD devices of the flashing tests (mtdram, nandsim, block2mtd), VFIO (vfio-pci and the
# type1 IOMMU backend: the pci board kind) and the e1000 driver (a NIC a kernel driver holds).
set -e
out=${1:?usage: modules.sh OUT_DIR [MODULE...]}
shift
wanted=${*:-"9p 9pnet_virtio virtio_pci virtio_blk mtd mtdram nandsim block2mtd vfio-pci vfio_iommu_type1 e1000"}
here=$(cd "$(dirname "$0")" && pwd)
deb=$(ls "$out"/cache/linux-image-6.1*-amd64_*.deb 2>/dev/null | grep -v -- -dbg | tail -1)
[ -n "$deb" ] || { echo "qemu-rig: no kernel package in $out/cache: run scripts/qemu-rig/kernel.sh $out first" >&2; exit 1; }
tmp="$out/modules-tmp"
rm -rf "$tmp"
mkdir -p "$tmp/deb" "$tmp/root/lib/lg/modules"
dpkg-deb --fsys-tarfile "$deb" | (cd "$tmp/deb" && tar -x --wildcards './lib/modules/*.ko')
kdir=$(ls -d "$tmp"/deb/lib/modules/* | head -1)
find "$kdir" -name '*.ko' > "$tmp/all"
path_of() { grep "/$1\.ko\$" "$tmp/all" | head -1; }
deps_of() { tr '\0' '\n' < "$1" | sed -n 's/^depends=//p' | tr ',' ' '; }
add() {
  [ -f "$tmp/root/lib/lg/modules/$1.ko" ] && return 0
  ko=$(path_of "$1")
  [ -n "$ko" ] || { echo "qemu-rig: module $1 is not in $(basename "$deb")" >&2; exit 1; }
  cp "$ko" "$tmp/root/lib/lg/modules/$1.ko"
  d=$(deps_of "$ko")
  echo "$d" > "$tmp/root/lib/lg/modules/$1.deps"
  for m in $d; do add "$m"; done
}
for m in $wanted; do add "$m"; done
cp "$here/guest/lgmod.sh" "$here/guest/hostroot.sh" "$tmp/root/lib/lg/"
(cd "$tmp/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out/modules.cpio"
n=$(ls "$tmp"/root/lib/lg/modules/*.ko | wc -l)
rm -rf "$tmp"
echo "qemu-rig: $out/modules.cpio ($n modules from $(basename "$deb"))"
