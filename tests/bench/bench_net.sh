#!/bin/bash
# Guest-to-host packets per second over a tap (64-byte frames, one in
# flight, guests/virtio/nettest.c flood=N), cove next to QEMU -M microvm
# with virtio-net-device on the same tap, same run, inside a private network
# namespace (unshare -n). N frames timed from the host minus a flood=0 run.
# Prints figures and the ratio; never fails on a timing.
# Usage: tests/bench/bench_net.sh [build dir] [N]
set -u
cd "$(dirname "$0")/../.."
b=${1:-build}
n=${2:-20000}
if [ -z "${COVE_BENCH_NETNS:-}" ]; then
	COVE_BENCH_NETNS=1 exec unshare -n "$0" "$b" "$n"
fi
elf=$b/guests/virtio/nettest.elf
ip tuntap add dev covebench0 mode tap vnet_hdr && ip link set covebench0 up || exit 1
now() { date +%s%N; }
run_cove() { "$b/cove" --net tap=covebench0 -a "$1" "$elf" >/dev/null; }
run_qemu() {
	qemu-system-x86_64 -M microvm -accel kvm -m 256 -nographic -nodefaults -serial stdio \
		-global virtio-mmio.force-legacy=false -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$elf" -append "$1" \
		-netdev tap,id=n,ifname=covebench0,script=no,downscript=no,vhost=off \
		-device virtio-net-device,netdev=n >/dev/null 2>&1
}
for vm in cove qemu; do
	t0=$(now); "run_$vm" "flood=0"; t1=$(now)
	"run_$vm" "flood=$n"; t2=$(now)
	t=$(((t2 - t1) - (t1 - t0)))
	eval "${vm}_pps=\$(awk -v n=$n -v t=$t 'BEGIN{printf \"%.0f\", n / (t / 1e9)}')"
done
echo "virtio-net guest -> host, $n x 64-byte frames, one in flight"
printf '%-6s %10s\n' vm "pkt/s" cove "$cove_pps" qemu "$qemu_pps"
awk -v a="$cove_pps" -v b="$qemu_pps" 'BEGIN{printf "ratio cove/qemu: %.2fx\n", a / b}'
