/* blktest: finds the first virtio-mmio block device (FDT, or blk=ADDR on
 * the command line under QEMU), writes a pattern to sectors 0..7, flushes,
 * reads it back and compares. Prints "blktest: ok" and powers off, or
 * exits with status 1..5 saying which step failed. Polls; no interrupts.
 * With loop=1 it instead writes sector n holding n, flushes, and prints
 * "acked n" for n = 1, 2, ... until the disk ends (the SIGKILL test). */
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

static uint8_t wbuf[4096], rbuf[4096];

int main(void)
{
	struct rt_device dev;

	if (rt_fdt_device("virtio,mmio", 0, &dev) == 0)
		base = dev.base;
	base = rt_getarg_u64("blk", base);
	if (!base || blk_init() < 0) {
		rt_printf("blktest: no virtio-blk device\n");
		return 1;
	}
	if (rt_getarg_u64("loop", 0)) {
		uint64_t sectors = rt_mmio_read32(base + 0x100) | ((uint64_t)rt_mmio_read32(base + 0x104) << 32);

		for (uint64_t n = 1; n < sectors; n++) {
			for (unsigned i = 0; i < 512; i += 8)
				memcpy(wbuf + i, &n, 8);
			if (blk_rw(1, n, wbuf, 512) || blk_rw(4, 0, 0, 0))
				return 2;
			rt_printf("acked %llu\n", (unsigned long long)n);
		}
		return 0;
	}
	for (unsigned i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (uint8_t)(i * 13 + 1);
	if (blk_rw(1, 0, wbuf, sizeof(wbuf)))
		return 2;
	if (blk_rw(4, 0, 0, 0))
		return 3;
	if (blk_rw(0, 0, rbuf, sizeof(rbuf)))
		return 4;
	if (memcmp(wbuf, rbuf, sizeof(rbuf)))
		return 5;
	rt_printf("blktest: ok\n");
	return 0;
}
