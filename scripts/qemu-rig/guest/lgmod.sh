# Sourced by a guest script: lgmod NAME [PARAM=VALUE...] loads a kernel module packed by
# scripts/qemu-rig/modules.sh, its dependencies first (busybox insmod; no modules.dep needed).
lgmod() {
  local m=$1 d
  shift
  # /proc/modules spells every name with underscores (vfio-pci is vfio_pci there).
  /bin/busybox grep -q "^$(echo "$m" | /bin/busybox tr - _) " /proc/modules && return 0
  for d in $(/bin/busybox cat "/lib/lg/modules/$m.deps"); do lgmod "$d" || return 1; done
  /bin/busybox insmod "/lib/lg/modules/$m.ko" "$@"
}
