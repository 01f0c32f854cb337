/* blkbench: the virtio-blk driver of blktest, timing itself: count=N
 * requests of size=BYTES (4096: random sectors; larger: sequential), one
 * in flight. The device comes from the FDT, or, with no FDT (QEMU
 * -M microvm), from probing the virtio-mmio slots at 0xfeb00000 (512 bytes
 * apart). Prints "blkbench: N requests" and exits; the host times the run
 * against a count=0 run (tests/bench/bench_blk.sh). The words "indirect"
 * and "event_idx" negotiate those features, as for blktest. */
#include "vblk.h"


static uint8_t buf[128 * 1024];

static uint64_t probe(void)
{
	for (unsigned i = 0; i < 32; i++) {
		uint64_t a = 0xfeb00000ULL + 512 * i;

		if (rt_mmio_read32(a) == MAGIC && rt_mmio_read32(a + 8) == 2)
			return a;
	}
	return 0;
}

int main(void)
{
	struct rt_device dev;
	uint64_t count = rt_getarg_u64("count", 1000), size = rt_getarg_u64("size", 4096), sectors, x = 88172645463325252ULL;

	if (rt_fdt_device("virtio,mmio", 0, &dev) == 0)
		blk_base = dev.base;
	else
		blk_base = probe();
	if (!blk_base || blk_init(blk_args()) < 0) {
		rt_printf("blkbench: no virtio-blk device\n");
		return 1;
	}
	if (size > sizeof(buf) || size % 512)
		return 2;
	sectors = rt_mmio_read32(blk_base + 0x100) | ((uint64_t)rt_mmio_read32(blk_base + 0x104) << 32);
	for (uint64_t i = 0; i < count; i++) {
		uint64_t s;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (size == 4096)
			s = (x % (sectors / 8)) * 8;
		else
			s = (i * (size / 512)) % (sectors - size / 512);
		if (blk_rw(0, s, buf, (uint32_t)size))
			return 3;
	}
	rt_printf("blkbench: %llu requests\n", (unsigned long long)count);
	return 0;
}
