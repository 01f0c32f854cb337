/* rngtest: finds the virtio-mmio entropy device (FDT, or rng=ADDR on the
 * command line), asks it for 64 bytes twice and checks they are not all
 * zero and not equal. Prints "rngtest: ok <16 hex digits>" and powers off,
 * or exits 1 (no device), 2 (no bytes) or 3 (bytes not random). */
#include "rt.h"

#define QN 8

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static uint64_t base;
static struct desc *desc;
static volatile uint16_t *avail, *used;
static uint16_t aidx;

static void reg(uint32_t off, uint32_t v)
{
	rt_mmio_write32(base + off, v);
}

static uint64_t find(uint32_t id)
{
	struct rt_device dev;

	for (unsigned i = 0; rt_fdt_device("virtio,mmio", i, &dev) == 0; i++)
		if (rt_mmio_read32(dev.base) == 0x74726976u && rt_mmio_read32(dev.base + 8) == id)
			return dev.base;
	return 0;
}

static int rng_init(void)
{
	uint8_t *mem = rt_alloc_pages(3);

	if (rt_mmio_read32(base) != 0x74726976u || rt_mmio_read32(base + 8) != 4)
		return -1;
	memset(mem, 0, 3 * 4096);
	desc = (struct desc *)mem;
	avail = (volatile uint16_t *)(mem + 4096);
	used = (volatile uint16_t *)(mem + 8192);
	reg(0x70, 0);
	reg(0x70, 3);
	reg(0x24, 1);
	reg(0x20, 1);
	reg(0x70, 3 | 8);
	if (!(rt_mmio_read32(base + 0x70) & 8))
		return -1;
	reg(0x30, 0);
	reg(0x38, QN);
	reg(0x80, (uint32_t)(uintptr_t)desc);
	reg(0x90, (uint32_t)(uintptr_t)avail);
	reg(0xa0, (uint32_t)(uintptr_t)used);
	reg(0x44, 1);
	reg(0x70, 3 | 8 | 4);
	return 0;
}

static uint32_t rng_get(void *buf, uint32_t len)
{
	desc[0] = (struct desc){(uint64_t)(uintptr_t)buf, len, 2, 0};
	avail[2 + aidx % QN] = 0;
	rt_wmb();
	aidx++;
	avail[1] = aidx;
	rt_mb();
	reg(0x50, 0);
	while (used[1] != aidx)
		rt_pause();
	rt_rmb();
	return *(volatile uint32_t *)((volatile uint8_t *)used + 4 + 8 * ((aidx - 1) % QN) + 4);
}

static uint8_t a[64], b[64];

int main(void)
{
	unsigned nz = 0;

	base = rt_getarg_u64("rng", find(4));
	if (!base || rng_init() < 0) {
		rt_printf("rngtest: no virtio-rng device\n");
		return 1;
	}
	if (rng_get(a, sizeof(a)) != sizeof(a) || rng_get(b, sizeof(b)) != sizeof(b))
		return 2;
	for (unsigned i = 0; i < sizeof(a); i++)
		nz += a[i] != 0;
	if (nz < 32 || memcmp(a, b, sizeof(a)) == 0)
		return 3;
	rt_printf("rngtest: ok %02x%02x%02x%02x%02x%02x%02x%02x\n", a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
	return 0;
}
