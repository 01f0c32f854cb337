#!/bin/bash
# Guest-observed virtio-blk figures, cove next to QEMU -M microvm in the same
# run, same guest ELF (guests/virtio/blkbench.c, one request in flight):
# 4 KiB random-read IOPS and 128 KiB sequential-read throughput. Each figure
# is N requests timed from the host minus a count=0 run (boot and exit), so
# VM start-up is not counted. Prints figures and ratios; never fails on a
# timing. Usage: tests/bench/bench_blk.sh [build dir] [N]
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
run_qemu() {
	qemu-system-x86_64 -M microvm -accel kvm -m 256 -nographic -nodefaults -serial stdio \
		-global virtio-mmio.force-legacy=false -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$elf" -append "$1" \
		-drive id=d,file="$img",if=none,format=raw,aio=io_uring,cache=none \
		-device virtio-blk-device,drive=d >/dev/null 2>&1
	# isa-debug-exit: main's 0 powers off through port 0xf4 -> status 1
}
# seconds for count=$2 size=$3 on $1, minus a count=0 run
measure() {
	local t0 t1 t2
	t0=$(now); "run_$1" "count=0 size=$3"; t1=$(now)
	"run_$1" "count=$2 size=$3"; t2=$(now)
	echo "$(((t2 - t1) - (t1 - t0)))"
}
for vm in cove qemu; do
	r=$(measure $vm "$n" 4096)
	s=$(measure $vm "$((n / 4))" 131072)
	eval "${vm}_iops=\$(awk -v n=$n -v t=$r 'BEGIN{printf \"%.0f\", n / (t / 1e9)}')"
	eval "${vm}_mbs=\$(awk -v n=$((n / 4)) -v t=$s 'BEGIN{printf \"%.1f\", n * 131072 / (t / 1e9) / 1048576}')"
done
echo "virtio-blk, one disk, QD1, $n x 4 KiB random reads and $((n / 4)) x 128 KiB sequential reads"
printf '%-6s %12s %14s\n' vm "4K rand IOPS" "128K seq MiB/s"
printf '%-6s %12s %14s\n' cove "$cove_iops" "$cove_mbs"
printf '%-6s %12s %14s\n' qemu "$qemu_iops" "$qemu_mbs"
awk -v a="$cove_iops" -v b="$qemu_iops" -v c="$cove_mbs" -v d="$qemu_mbs" \
	'BEGIN{printf "ratio cove/qemu: IOPS %.2fx, throughput %.2fx\n", a / b, c / d}'
echo "note: cove reads through the host page cache; QEMU runs cache=none (O_DIRECT) as asked"
