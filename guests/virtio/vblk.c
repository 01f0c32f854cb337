/* guests/virtio: the polling virtio-blk driver blktest and blkbench share:
 * one queue of QN descriptors on the first virtio-mmio block device
 * (virtio 1.2 sections 2.7 and 4.2.3). With BLK_INDIRECT a request is one
 * descriptor pointing at a table of its buffers (2.7.7); with
 * BLK_EVENT_IDX the driver notifies only when the device's avail_event
 * asks for it and tells the device its used_event (2.7.10). */
#include "vblk.h"

#define QN 8

#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define DESC_F_NEXT	       1
#define DESC_F_WRITE	       2
#define DESC_F_INDIRECT	       4
#define VIRTQ_USED_F_NO_NOTIFY 1

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

uint64_t blk_base;
unsigned blk_features;
static struct desc *desc;
static struct desc *itable;	 /* the indirect table: header, data, status */
static volatile uint16_t *avail; /* flags, idx, ring[QN], used_event */
static volatile uint16_t *used;	 /* flags, idx, then {u32 id, u32 len}[QN], avail_event */
static uint16_t aidx, used_ahead;

static void reg(uint32_t off, uint32_t v)
{
	rt_mmio_write32(blk_base + off, v);
}

unsigned blk_args(void)
{
	return (rt_getarg("indirect") ? BLK_INDIRECT : 0) | (rt_getarg("event_idx") ? BLK_EVENT_IDX : 0);
}

int blk_init(unsigned want)
{
	uint8_t *mem = rt_alloc_pages(4);
	uint32_t offered, accept = 0;

	if (rt_mmio_read32(blk_base) != MAGIC || rt_mmio_read32(blk_base + 4) != 2 ||
	    rt_mmio_read32(blk_base + 8) != 2)
		return -1;
	desc = (struct desc *)mem;
	avail = (volatile uint16_t *)(mem + 4096);
	used = (volatile uint16_t *)(mem + 8192);
	itable = (struct desc *)(mem + 12288);
	memset(mem, 0, 4 * 4096);
	aidx = used_ahead = 0;
	/* 2.4: the reset is done once status reads 0 again. */
	reg(0x70, 0);
	while (rt_mmio_read32(blk_base + 0x70))
		rt_pause();
	reg(0x70, 3);
	reg(0x14, 0);
	offered = rt_mmio_read32(blk_base + 0x10);
	blk_features = 0;
	if ((want & BLK_INDIRECT) && (offered >> VIRTIO_F_INDIRECT_DESC & 1)) {
		blk_features |= BLK_INDIRECT;
		accept |= 1u << VIRTIO_F_INDIRECT_DESC;
	}
	if ((want & BLK_EVENT_IDX) && (offered >> VIRTIO_F_EVENT_IDX & 1)) {
		blk_features |= BLK_EVENT_IDX;
		accept |= 1u << VIRTIO_F_EVENT_IDX;
	}
	reg(0x24, 1);
	reg(0x20, 1); /* VERSION_1 */
	reg(0x24, 0);
	reg(0x20, accept);
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

/* vring_need_event: did the avail index pass event going old -> now? */
static bool need_event(uint16_t event, uint16_t now, uint16_t old)
{
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

int blk_rw(uint32_t type, uint64_t sector, void *buf, uint32_t len)
{
	struct desc *t = blk_features & BLK_INDIRECT ? itable : desc;
	uint16_t old = aidx;
	unsigned n = 0;

	hdr.type = type;
	hdr.sector = sector;
	status = 0xff;
	t[n] = (struct desc){(uint64_t)(uintptr_t)&hdr, 16, DESC_F_NEXT, (uint16_t)(n + 1)};
	n++;
	if (len) {
		t[n] = (struct desc){(uint64_t)(uintptr_t)buf, len,
				     (uint16_t)(DESC_F_NEXT | (type == 0 ? DESC_F_WRITE : 0)),
				     (uint16_t)(n + 1)};
		n++;
	}
	t[n] = (struct desc){(uint64_t)(uintptr_t)&status, 1, DESC_F_WRITE, 0};
	n++;
	if (blk_features & BLK_INDIRECT)
		desc[0] = (struct desc){(uint64_t)(uintptr_t)itable, 16 * n, DESC_F_INDIRECT, 0};
	avail[2 + aidx % QN] = 0;
	if (blk_features & BLK_EVENT_IDX)
		avail[2 + QN] = (uint16_t)(old + used_ahead); /* used_event */
	rt_wmb();
	aidx++;
	avail[1] = aidx;
	rt_mb();
	/* 2.7.10: without EVENT_IDX, the device's NO_NOTIFY flag asks us not
	 * to notify (it polls the ring); with it, avail_event says when. */
	if (blk_features & BLK_EVENT_IDX ? need_event(used[2 + 4 * QN], aidx, old) : !(used[0] & VIRTQ_USED_F_NO_NOTIFY))
		reg(0x50, 0);
	while (used[1] != aidx)
		rt_pause();
	rt_rmb();
	return status;
}

uint16_t blk_avail_event(void)
{
	rt_rmb();
	return used[2 + 4 * QN];
}

void blk_used_event_ahead(uint16_t ahead)
{
	used_ahead = ahead;
}

uint16_t blk_avail_idx(void)
{
	return aidx;
}

uint32_t blk_isr_take(void)
{
	uint32_t v = rt_mmio_read32(blk_base + 0x60);

	reg(0x64, v);
	return v;
}
