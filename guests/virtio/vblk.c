/* guests/virtio: the polling virtio-blk driver blktest and blkbench share:
 * one queue of QN descriptors on the first virtio-mmio block device. */
#include "vblk.h"

#define QN 8

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

uint64_t blk_base;
static struct desc *desc;
static volatile uint16_t *avail; /* flags, idx, ring[QN], used_event */
static volatile uint16_t *used;  /* flags, idx, then {u32 id, u32 len}[QN] */
static uint16_t aidx;

static void reg(uint32_t off, uint32_t v)
{
	rt_mmio_write32(blk_base + off, v);
}

int blk_init(void)
{
	uint8_t *mem = rt_alloc_pages(3);

	if (rt_mmio_read32(blk_base) != MAGIC || rt_mmio_read32(blk_base + 4) != 2 || rt_mmio_read32(blk_base + 8) != 2)
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
	if (!(rt_mmio_read32(blk_base + 0x70) & 8))
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

int blk_rw(uint32_t type, uint64_t sector, void *buf, uint32_t len)
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

