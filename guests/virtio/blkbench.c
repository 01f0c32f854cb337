/* blkbench: the virtio-blk driver of blktest, timing itself: count=N
 * requests of size=BYTES (4096: random sectors; larger: sequential), one
 * in flight. The device comes from the FDT, or, with no FDT (QEMU
 * -M microvm), from probing the virtio-mmio slots at 0xfeb00000 (512 bytes
 * apart). Prints "blkbench: N requests" and exits; the host times the run
 * against a count=0 run (tests/bench/bench_blk.sh). */
#include "rt.h"

#define QN 8
#define MAGIC 0x74726976u

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static uint64_t base;
static struct desc *desc;
static volatile uint16_t *avail; /* flags, idx, ring[QN], used_event */
static volatile uint16_t *used;  /* flags, idx, then {u32 id, u32 len}[QN] */
static uint16_t aidx;

static void reg(uint32_t off, uint32_t v)
{
	rt_mmio_write32(base + off, v);
}

static int blk_init(void)
{
	uint8_t *mem = rt_alloc_pages(3);

	if (rt_mmio_read32(base) != MAGIC || rt_mmio_read32(base + 4) != 2 || rt_mmio_read32(base + 8) != 2)
		return -1;
	desc = (struct desc *)mem;
	avail = (volatile uint16_t *)(mem + 4096);
	used = (volatile uint16_t *)(mem + 8192);
	memset(mem, 0, 3 * 4096);
	reg(0x70, 0);
	reg(0x70, 3);
	reg(0x24, 1);
	reg(0x20, 1); /* VERSION_1 only */
	reg(0x24, 0);
	reg(0x20, 0);
	reg(0x70, 3 | 8);
	if (!(rt_mmio_read32(base + 0x70) & 8))
		return -1;
	reg(0x30, 0);
	reg(0x38, QN);
	reg(0x80, (uint32_t)(uintptr_t)desc);
	reg(0x84, 0);
	reg(0x90, (uint32_t)(uintptr_t)avail);
	reg(0x94, 0);
	reg(0xa0, (uint32_t)(uintptr_t)used);
	reg(0xa4, 0);
	reg(0x44, 1);
	reg(0x70, 3 | 8 | 4);
	return 0;
}

static struct {
	uint32_t type, reserved;
	uint64_t sector;
} hdr;
static volatile uint8_t status;

static int blk_rw(uint32_t type, uint64_t sector, void *buf, uint32_t len)
{
	unsigned d = 0;

	hdr.type = type;
	hdr.sector = sector;
	status = 0xff;
	desc[0] = (struct desc){(uint64_t)(uintptr_t)&hdr, 16, 1, 1};
	if (len) {
		desc[1] = (struct desc){(uint64_t)(uintptr_t)buf, len, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2};
		d = 1;
	}
	desc[d + 1 > 1 ? 2 : 1] = (struct desc){(uint64_t)(uintptr_t)&status, 1, 2, 0};
	if (!len)
		desc[0].next = 1;
	avail[2 + aidx % QN] = 0;
	rt_wmb();
	aidx++;
	avail[1] = aidx;
	rt_mb();
	reg(0x50, 0);
	while (used[1] != aidx)
		rt_pause();
	rt_rmb();
	return status;
}


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
		base = dev.base;
	else
		base = probe();
	if (!base || blk_init() < 0) {
		rt_printf("blkbench: no virtio-blk device\n");
		return 1;
	}
	if (size > sizeof(buf) || size % 512)
		return 2;
	sectors = rt_mmio_read32(base + 0x100) | ((uint64_t)rt_mmio_read32(base + 0x104) << 32);
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
