#!/bin/sh
# Fetches the guest kernel without installing anything on this machine: apt-get download
# puts Debian's linux-image package into OUT_DIR/cache; only /boot is unpacked from it.
# Debian's e1000 driver is a module and the initramfs carries no modules, so nothing in the
# guest binds the NIC: the core owns it.
# usage: scripts/qemu-rig/kernel.sh OUT_DIR   (writes OUT_DIR/vmlinuz and OUT_DIR/kernel-config)
set -e
out=${1:?usage: kernel.sh OUT_DIR}
cache="$out/cache"
mkdir -p "$cache"
deb=$(ls "$cache"/linux-image-6.1*-amd64_*.deb 2>/dev/null | grep -v -- -dbg | tail -1)
if [ -z "$deb" ]; then
  # linux-image-amd64 is a metapackage; its dependency names the current 6.1 ABI package.
  kpkg() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-6\.1[^ ]*-amd64\)$/\1/p' | head -1; }
  pkg=$(kpkg)
  if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then apt-get update -qq && pkg=$(kpkg); fi
  [ -n "$pkg" ] || { echo "qemu-rig: apt-cache does not know linux-image-amd64 (run apt-get update as root)" >&2; exit 1; }
  echo "qemu-rig: downloading $pkg into $cache"
  # apt-get download runs as the _apt user when it can; the cache dir is ours, so let it
  # write there when we are root (otherwise apt warns and falls back to unsandboxed).
  (cd "$cache" && apt-get download -q "$pkg" 2>&1 | grep -v "^W: Download is performed unsandboxed" >&2 || true)
  deb=$(ls "$cache"/linux-image-6.1*-amd64_*.deb 2>/dev/null | grep -v -- -dbg | tail -1)
  [ -n "$deb" ] || { echo "qemu-rig: apt-get download $pkg failed" >&2; exit 1; }
fi
rm -rf "$cache/boot"
dpkg-deb --fsys-tarfile "$deb" | (cd "$cache" && tar -x --wildcards './boot/*')
cp "$cache"/boot/vmlinuz-* "$out/vmlinuz"
cp "$cache"/boot/config-* "$out/kernel-config"
rm -rf "$cache/boot"
grep -q '^CONFIG_E1000=m' "$out/kernel-config" || echo "qemu-rig: warning: this kernel has e1000 built in; it will bind the NIC" >&2
echo "qemu-rig: $out/vmlinuz from $(basename "$deb")"
