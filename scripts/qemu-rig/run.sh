#!/bin/sh
# Boots the QEMU guest once and runs one harness script in it (docs/qemu-rig.md).
# The serial console is this process's stdout: the harness prints one "LG {json}" line per
# script command. QEMU exits when the guest powers off (-no-reboot).
#
# usage: scripts/qemu-rig/run.sh [options] SCRIPT
#   --dir DIR        the rig's build directory (default build/qemu; make qemu-rig fills it)
#   --phys ADDR      physical base of the core's linear memory (default 0x10000000)
#   --mac MAC        the e1000's MAC address (default 02:00:5e:10:00:01)
#   --udp A:B        network side: frames the e1000 sends go as UDP datagrams to
#                    127.0.0.1:A; datagrams sent to 127.0.0.1:B arrive at the e1000
#                    (default: no network backend; the NIC still transmits into a hub)
#   --pcap FILE      QEMU's filter-dump: every frame the e1000 sends or receives
#   --monitor PATH   QEMU's human monitor on a unix socket (e.g. "set_link n0 off")
#   --smp N, --mem M QEMU's -smp and -m (defaults 1, 512M)
#   --cpio FILE      one more cpio archive appended to the initramfs before the script
#                    (e.g. build/qemu/modules.cpio: kernel modules, lgmod, hostroot)
#   --share-root     the host's / shared read-only over virtio 9p (mount tag hostroot;
#                    guest/hostroot.sh mounts it at /host for chroot)
#   --disk FILE      FILE as a virtio disk (/dev/vda in the guest), raw; persists across boots
#   --pidfile FILE   QEMU's pid, written when it starts (SIGKILL it: a power cut)
#   --machine M      pc (default: i440FX, no IOMMU) or q35
#   --iommu          q35 with a virtual Intel IOMMU (-device intel-iommu,intremap=on; the
#                    kernel gets intel_iommu=on iommu=nopt): what VFIO needs
#   --reserve SIZE   RAM reserved at --phys on the kernel command line (memmap=SIZE$ADDR;
#                    default 64M; 0: none, as on a machine nobody prepared)
# A SCRIPT that starts with "#!/bin/sh" is run by the guest's shell instead of the harness.
set -e
dir=build/qemu phys=0x10000000 mac=02:00:5e:10:00:01 udp= pcap= monitor= smp=1 mem=512M cpios= share= disk= pidfile= machine=pc iommu= reserve=64M
while [ $# -gt 1 ]; do
  case "$1" in
    --dir) dir=$2 ;; --phys) phys=$2 ;; --mac) mac=$2 ;; --udp) udp=$2 ;; --pcap) pcap=$2 ;; --monitor) monitor=$2 ;;
    --smp) smp=$2 ;; --mem) mem=$2 ;; --cpio) cpios="$cpios $2" ;; --disk) disk=$2 ;; --pidfile) pidfile=$2 ;;
    --machine) machine=$2 ;; --reserve) reserve=$2 ;;
    --share-root) share=1; shift; continue ;;
    --iommu) iommu=1 machine=q35; shift; continue ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
script=${1:?usage: run.sh [options] SCRIPT}
[ -f "$script" ] || { echo "run.sh: no script $script" >&2; exit 2; }
for f in vmlinuz initramfs.cpio; do
  [ -f "$dir/$f" ] || { echo "run.sh: $dir/$f missing: run make qemu-rig" >&2; exit 1; }
done
command -v qemu-system-x86_64 >/dev/null 2>&1 || { echo "run.sh: qemu-system-x86_64 missing: run scripts/install-deps.sh as root" >&2; exit 1; }

# The script travels as a second cpio archive appended to the base one.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$script" "$tmp/script"
(cd "$tmp" && echo script | cpio -o -H newc --quiet -R 0:0 > script.cpio)
for c in $cpios; do [ -f "$c" ] || { echo "run.sh: no cpio $c" >&2; exit 2; }; done
cat "$dir/initramfs.cpio" $cpios "$tmp/script.cpio" > "$tmp/initrd"

# $reserve reserved at $phys (memmap=SIZE$ADDR marks it E820 reserved: the kernel never uses
# it, and /dev/mem may map it because it is not System RAM). lgphys reaches init's
# environment (the kernel hands unknown name=value parameters to init).
append="console=ttyS0 quiet loglevel=1 panic=-1 lgphys=$phys"
[ "$reserve" != 0 ] && append="$append memmap=$reserve\$$phys"
case "$machine" in pc|q35) ;; *) echo "run.sh: --machine pc or q35, not $machine" >&2; exit 2 ;; esac
# The virtual IOMMU comes before the devices it translates for. Interrupt remapping is what
# VFIO_SET_IOMMU insists on ("No interrupt remapping support" otherwise); iommu=nopt keeps
# the kernel's own devices translated too (no identity passthrough domain). no_timer_check:
# with interrupt remapping the kernel panics when its early timer-IRQ check fails ("timer
# doesn't work through Interrupt-remapped IO-APIC"), and under TCG on a loaded host the tick
# can simply come late.
viommu=
if [ -n "$iommu" ]; then
  viommu="-device intel-iommu,intremap=on"
  append="$append intel_iommu=on iommu=nopt no_timer_check"
fi
net="-netdev hubport,id=n0,hubid=0"
[ -n "$udp" ] && net="-netdev socket,id=n0,udp=127.0.0.1:${udp%%:*},localaddr=127.0.0.1:${udp##*:}"
dump=
[ -n "$pcap" ] && dump="-object filter-dump,id=f0,netdev=n0,file=$pcap"
mon=
[ -n "$monitor" ] && mon="-monitor unix:$monitor,server=on,wait=off"
extra=
[ -n "$share" ] && extra="-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
if [ -n "$disk" ]; then
  [ -f "$disk" ] || { echo "run.sh: no disk $disk" >&2; exit 2; }
  extra="$extra -drive file=$disk,if=virtio,format=raw"
fi
# romfile= : no iPXE option ROM (we boot with -kernel; the ROM would only cost time).
# QEMU runs in the background so that a TERM to this script stops it too.
qemu-system-x86_64 -nodefaults -display none -serial stdio -no-reboot \
  -machine "$machine" -smp "$smp" -m "$mem" $viommu \
  -kernel "$dir/vmlinuz" -initrd "$tmp/initrd" -append "$append" \
  $net -device "e1000,netdev=n0,mac=$mac,romfile=" $dump $mon $extra </dev/null &
qemu=$!
[ -n "$pidfile" ] && echo $qemu > "$pidfile"
trap 'kill $qemu 2>/dev/null; wait $qemu; rm -rf "$tmp"; exit 143' INT TERM
wait $qemu
