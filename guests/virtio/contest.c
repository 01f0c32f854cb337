/* contest: echoes lines over the virtio console (FDT, or con=ADDR): each
 * line read from receiveq goes back on transmitq as "echo: LINE". Ends,
 * powering off, after a line "quit" or at 16 lines; exits 1 without a
 * console device. */
#include "rt.h"

#define QN 8

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vq {
	struct desc *desc;
	volatile uint16_t *avail, *used;
	uint16_t aidx, uidx;
};

static uint64_t base;
static struct vq rxq, txq;

static void reg(uint32_t off, uint32_t v)
{
	rt_mmio_write32(base + off, v);
}

static void vq_setup(struct vq *q, unsigned qi)
{
	uint8_t *mem = rt_alloc_pages(3);

	memset(mem, 0, 3 * 4096);
	q->desc = (struct desc *)mem;
	q->avail = (volatile uint16_t *)(mem + 4096);
	q->used = (volatile uint16_t *)(mem + 8192);
	reg(0x30, qi);
	reg(0x38, QN);
	reg(0x80, (uint32_t)(uintptr_t)q->desc);
	reg(0x90, (uint32_t)(uintptr_t)q->avail);
	reg(0xa0, (uint32_t)(uintptr_t)q->used);
	reg(0x44, 1);
}

/* Offers buf (writable or not) and kicks; returns nothing: poll vq_wait. */
static void vq_offer(struct vq *q, unsigned qi, void *buf, uint32_t len, bool wr)
{
	q->desc[0] = (struct desc){(uint64_t)(uintptr_t)buf, len, (uint16_t)(wr ? 2 : 0), 0};
	q->avail[2 + q->aidx % QN] = 0;
	rt_wmb();
	q->aidx++;
	q->avail[1] = q->aidx;
	rt_mb();
	reg(0x50, qi);
}

static uint32_t vq_wait(struct vq *q)
{
	while (q->used[1] == q->uidx)
		rt_pause();
	rt_rmb();
	q->uidx++;
	return *(volatile uint32_t *)((volatile uint8_t *)q->used + 4 + 8 * ((q->uidx - 1) % QN) + 4);
}

static uint64_t find(uint32_t id)
{
	struct rt_device dev;

	for (unsigned i = 0; rt_fdt_device("virtio,mmio", i, &dev) == 0; i++)
		if (rt_mmio_read32(dev.base) == 0x74726976u && rt_mmio_read32(dev.base + 8) == id)
			return dev.base;
	return 0;
}

static char rbuf[256], line[256], obuf[300];

int main(void)
{
	unsigned ll = 0, lines = 0;

	base = rt_getarg_u64("con", find(3));
	if (!base || rt_mmio_read32(base + 8) != 3) {
		rt_printf("contest: no virtio-console device\n");
		return 1;
	}
	reg(0x70, 0);
	reg(0x70, 3);
	reg(0x24, 1);
	reg(0x20, 1);
	reg(0x70, 3 | 8);
	vq_setup(&rxq, 0);
	vq_setup(&txq, 1);
	reg(0x70, 3 | 8 | 4);
	for (;;) {
		uint32_t n;

		vq_offer(&rxq, 0, rbuf, sizeof(rbuf), true);
		n = vq_wait(&rxq);
		for (uint32_t i = 0; i < n; i++) {
			if (rbuf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = rbuf[i];
				continue;
			}
			line[ll] = 0;
			int k = rt_snprintf(obuf, sizeof(obuf), "echo: %s\n", line);
			vq_offer(&txq, 1, obuf, (uint32_t)k, false);
			vq_wait(&txq);
			if ((ll == 4 && memcmp(line, "quit", 4) == 0) || ++lines == 16)
				return 0;
			ll = 0;
		}
	}
}
