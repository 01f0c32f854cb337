#!/bin/sh
# Linux boot figures: time from exec to the kernel's first line, to the
# first userspace line and to the end, for cove and, in the same run, for
# QEMU -M microvm on the same kernel, initrd and command line (on hosts where
# KVM emulates guest kernel code, QEMU stops at the first instruction KVM's
# emulator gives up on: the figures say how far each got and when). Prints
# figures; never fails on a timing.
#
#   tests/bench/bench_linux.sh [KERNEL [INITRD]]   (default: Debian's cloud
#   kernel and the test initramfs, from tests/linux/fetch.sh)
#
# Environment: CPUS (2), MEM (512M), TIMEOUT (seconds per run, 3600),
# QEMU_TIMEOUT (900), MARK_USER (the first userspace line; the test init's
# by default), CMDLINE (extra words).
#
# On a host with VMX/SVM (CPL0 runs natively) the same script measures the
# Firecracker-style "time to init" target (<= 125 ms with a minimal kernel):
# give it a small kernel (e.g. a tinyconfig bzImage with virtio-mmio and the
# 8250 console built in) and an initramfs whose /init prints a line at once,
# set MARK_USER to that line, and read "mark <MARK_USER>".
set -eu
cd "$(dirname "$0")/../.."
ninja -j 2 build/cove build/tests/bench/linetime >/dev/null
if [ $# -ge 1 ]; then
	kernel=$1
	initrd=${2:-}
else
	cache=$(tests/linux/fetch.sh)
	kernel=$cache/vmlinuz
	initrd=$cache/initramfs.cpio
fi
cpus=${CPUS:-2}
mem=${MEM:-512M}
mark_user=${MARK_USER:-cove-linux: userspace}
# No "quiet": the kernel's banner (KERN_NOTICE) and "Run /init" (KERN_INFO)
# are marks, and on a host where init cannot run they are how far it got.
cmdline="console=ttyS0 panic=-1 mitigations=off init_on_alloc=0 nowatchdog cryptomgr.notests ${CMDLINE:-}"
disk=$(mktemp /var/tmp/cove_bench_linux_XXXXXX.img)
trap 'rm -f "$disk"' EXIT
truncate -s 64M "$disk"
printf 'cove-marker-5b2e' | dd of="$disk" conv=notrunc status=none

echo "Linux boot: $kernel${initrd:+, initrd $initrd}, $cpus vCPUs, $mem, a virtio-blk disk and a virtio-rng"
echo "command line: $cmdline"
initrd_arg=""
[ -n "$initrd" ] && initrd_arg="-i $initrd"
echo
echo "cove:"
# shellcheck disable=SC2086
build/tests/bench/linetime --timeout "${TIMEOUT:-3600}" --mark "Linux version" --mark "Run /init as init process" \
	--mark "$mark_user" --mark "cove-linux: done" -- build/cove -k "$kernel" $initrd_arg -a "$cmdline" --disk "$disk" --rng \
	--cpus "$cpus" --mem "$mem" --stats | sed 's/^/  /'

echo
echo "QEMU -M microvm (same kernel, initrd, command line; cove adds 'noxsave' where KVM emulates guest kernel code, so QEMU gets it too):"
initrd_q=""
[ -n "$initrd" ] && initrd_q="-initrd $initrd"
# shellcheck disable=SC2086
build/tests/bench/linetime --timeout "${QEMU_TIMEOUT:-900}" --mark "Linux version" --mark "Run /init as init process" \
	--mark "$mark_user" --mark "cove-linux: done" -- qemu-system-x86_64 -M microvm,rtc=on -accel kvm -cpu host -smp "$cpus" \
	-m "$mem" -nographic -nodefaults -no-reboot -serial stdio -kernel "$kernel" $initrd_q \
	-append "$cmdline noxsave" -global virtio-mmio.force-legacy=false \
	-drive id=d,file="$disk",if=none,format=raw -device virtio-blk-device,drive=d \
	-device virtio-rng-device | sed 's/^/  /'
