#!/bin/bash
# Guest-observed virtio-blk figures, cove next to QEMU -M microvm in the same
# run, same guest ELF (guests/virtio/blkbench.c, one request in flight):
# 4 KiB random-read IOPS and 128 KiB sequential-read throughput. Each figure
# is N requests timed from the host minus a count=0 run (boot and exit), so
# VM start-up is not counted. Like with like: cove reads the image through
# the host's page cache, and so does QEMU with cache=writeback (its
# default); the image is in the page cache for both (written just before).
# QEMU with cache=none (O_DIRECT) is printed too, for reference only: it
# pays a device read per request, which the others do not. So is QEMU with
# the disk on an iothread, which, like cove's I/O thread, busy-polls the
# queue with the guest's notifications off (poll-max-ns 32 us, as cove's
# window); the ratios are against the best of QEMU's two page-cache lines.
# The guest honours the device's NO_NOTIFY flag (guests/virtio/vblk.c), so
# either VMM's polling can spare it the notify exits. Prints figures and
# ratios; never fails on a timing.
# Usage: tests/bench/bench_blk.sh [build dir] [N]
set -u
cd "$(dirname "$0")/../.."
b=${1:-build}
n=${2:-20000}
elf=$b/guests/virtio/blkbench.elf
img=$(mktemp /var/tmp/cove_bench_XXXXXX.img)
trap 'rm -f "$img"' EXIT
truncate -s 256M "$img"
dd if=/dev/urandom of="$img" bs=1M count=256 conv=notrunc status=none

now() { date +%s%N; }
run_cove() { "$b/cove" --disk "$img" -a "$1" "$elf" >/dev/null; }
# $qemu_cache: writeback (the page cache, as cove) or none (O_DIRECT)
run_qemu() {
	qemu-system-x86_64 -M microvm -accel kvm -m 256 -nographic -nodefaults -serial stdio \
		-global virtio-mmio.force-legacy=false -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$elf" -append "$1" \
		-drive id=d,file="$img",if=none,format=raw,aio=io_uring,cache=$qemu_cache \
		${qemu_iothread:+-object iothread,id=io0} \
		-device virtio-blk-device,drive=d${qemu_iothread:+,iothread=io0} >/dev/null 2>&1
	# isa-debug-exit: main's 0 powers off through port 0xf4 -> status 1
}
# seconds for count=$2 size=$3 on $1, minus a count=0 run
measure() {
	local t0 t1 t2
	t0=$(now); "run_$1" "count=0 size=$3"; t1=$(now)
	"run_$1" "count=$2 size=$3"; t2=$(now)
	echo "$(((t2 - t1) - (t1 - t0)))"
}
# figures VM NAME: ${NAME}_iops and ${NAME}_mbs
figures() {
	local r s
	r=$(measure "$1" "$n" 4096)
	s=$(measure "$1" "$((n / 4))" 131072)
	eval "${2}_iops=\$(awk -v n=$n -v t=$r 'BEGIN{printf \"%.0f\", n / (t / 1e9)}')"
	eval "${2}_mbs=\$(awk -v n=$((n / 4)) -v t=$s 'BEGIN{printf \"%.1f\", n * 131072 / (t / 1e9) / 1048576}')"
}
figures cove cove
qemu_cache=writeback figures qemu qemu
qemu_cache=writeback qemu_iothread=1 figures qemu qemu_iot
qemu_cache=none figures qemu qemu_direct
best() { awk -v a="$1" -v b="$2" 'BEGIN{print (a > b ? a : b)}'; }
qemu_best_iops=$(best "$qemu_iops" "$qemu_iot_iops")
qemu_best_mbs=$(best "$qemu_mbs" "$qemu_iot_mbs")
echo "virtio-blk, one disk, QD1, $n x 4 KiB random reads and $((n / 4)) x 128 KiB sequential reads"
printf '%-40s %12s %14s\n' vm "4K rand IOPS" "128K seq MiB/s"
printf '%-40s %12s %14s\n' "cove (host page cache)" "$cove_iops" "$cove_mbs"
printf '%-40s %12s %14s\n' "qemu cache=writeback (host page cache)" "$qemu_iops" "$qemu_mbs"
printf '%-40s %12s %14s\n' "qemu cache=writeback, iothread (polls)" "$qemu_iot_iops" "$qemu_iot_mbs"
printf '%-40s %12s %14s\n' "qemu cache=none (O_DIRECT; reference)" "$qemu_direct_iops" "$qemu_direct_mbs"
awk -v a="$cove_iops" -v b="$qemu_best_iops" -v c="$cove_mbs" -v d="$qemu_best_mbs" \
	'BEGIN{printf "ratio cove/qemu (best page-cache line each), both through the page cache: IOPS %.2fx, throughput %.2fx\n", a / b, c / d}'
echo "note: cove has no O_DIRECT mode; the cache=none line is not a like-for-like peer"
