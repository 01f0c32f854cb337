/* nettest: over the virtio-net device (FDT, or net=ADDR) sends count=N
 * (default 10) broadcast frames of ethertype 0x88b5 carrying "ping K" and
 * waits after each for a frame carrying "pong K" (the host responder's).
 * Prints "nettest: ok N" and powers off; exits 1 without a device.
 * With flood=N it only sends N frames, one in flight (tests/bench), and
 * probes the QEMU microvm slots at 0xfeb00000 when there is no FDT. */
#include "rt.h"

#define QN 8
#define HDR 12

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

static uint8_t rbuf[2048], tbuf[HDR + 64];

int main(void)
{
	uint64_t count = rt_getarg_u64("count", 10);
	uint8_t mac[6];
	char want[32];

	base = rt_getarg_u64("net", find(1));
	for (unsigned i = 0; !base && !rt_fdt() && i < 32; i++)
		if (rt_mmio_read32(0xfeb00000ULL + 512 * i) == 0x74726976u && rt_mmio_read32(0xfeb00000ULL + 512 * i + 8) == 1)
			base = 0xfeb00000ULL + 512 * i;
	if (!base || rt_mmio_read32(base + 8) != 1) {
		rt_printf("nettest: no virtio-net device\n");
		return 1;
	}
	reg(0x70, 0);
	reg(0x70, 3);
	reg(0x24, 0);
	reg(0x20, 1u << 5); /* MAC */
	reg(0x24, 1);
	reg(0x20, 1);
	reg(0x70, 3 | 8);
	vq_setup(&rxq, 0);
	vq_setup(&txq, 1);
	reg(0x70, 3 | 8 | 4);
	for (unsigned i = 0; i < 6; i++)
		mac[i] = rt_mmio_read8(base + 0x100 + i);
	if (rt_getarg("flood")) {
		uint64_t n = rt_getarg_u64("flood", 0);

		memset(tbuf, 0, sizeof(tbuf));
		memset(tbuf + HDR, 0xff, 6);
		memcpy(tbuf + HDR + 6, mac, 6);
		tbuf[HDR + 12] = 0x88;
		tbuf[HDR + 13] = 0xb5;
		for (uint64_t k = 0; k < n; k++) {
			vq_offer(&txq, 1, tbuf, sizeof(tbuf), false);
			vq_wait(&txq);
		}
		rt_printf("nettest: sent %llu\n", (unsigned long long)n);
		return 0;
	}
	for (uint64_t k = 1; k <= count; k++) {
		memset(tbuf, 0, sizeof(tbuf));
		memset(tbuf + HDR, 0xff, 6);
		memcpy(tbuf + HDR + 6, mac, 6);
		tbuf[HDR + 12] = 0x88;
		tbuf[HDR + 13] = 0xb5;
		rt_snprintf((char *)tbuf + HDR + 14, 32, "ping %llu", (unsigned long long)k);
		rt_snprintf(want, sizeof(want), "pong %llu", (unsigned long long)k);
		vq_offer(&rxq, 0, rbuf, sizeof(rbuf), true);
		vq_offer(&txq, 1, tbuf, sizeof(tbuf), false);
		vq_wait(&txq);
		for (;;) {
			uint32_t n = vq_wait(&rxq);

			if (n >= HDR + 14 + 6 && rbuf[HDR + 12] == 0x88 && rbuf[HDR + 13] == 0xb5 &&
			    memcmp(rbuf + HDR + 14, want, strlen(want)) == 0)
				break;
			vq_offer(&rxq, 0, rbuf, sizeof(rbuf), true); /* other traffic: wait on */
		}
	}
	rt_printf("nettest: ok %llu\n", (unsigned long long)count);
	return 0;
}
