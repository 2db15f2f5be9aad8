# Sourced by a guest script: hostroot mounts the host's root file system, shared read-only by
# run.sh --share-root (virtio 9p, mount tag "hostroot"), at /host with proc, sys, dev and a
# tmpfs /run of the guest's own (its scratch space: not /tmp, where the host's checkout may
# live), so that `chroot /host /usr/bin/node ...` runs the host's Node, repository and tools
# inside the guest (docs/qemu-rig.md, "Node inside the guest").
hostroot() {
  lgmod virtio_pci && lgmod 9pnet_virtio && lgmod 9p || return 1
  /bin/busybox mkdir -p /host
  /bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host || return 1
  /bin/busybox mount -t proc proc /host/proc
  /bin/busybox mount -t sysfs sysfs /host/sys
  /bin/busybox mount -t devtmpfs devtmpfs /host/dev
  /bin/busybox mount -t tmpfs tmpfs /host/run
}
