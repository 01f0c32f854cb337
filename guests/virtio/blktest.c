/* blktest: finds the first virtio-mmio block device (FDT, or blk=ADDR on
 * the command line under QEMU), writes a pattern to sectors 0..7, flushes,
 * reads it back and compares. Prints "blktest: ok" and powers off, or
 * exits with status 1..5 saying which step failed. Polls; no interrupts.
 * With loop=1 it instead writes sector n holding n, flushes, and prints
 * "acked n" for n = 1, 2, ... until the disk ends (the SIGKILL test). */
#include "vblk.h"

static uint8_t wbuf[4096], rbuf[4096];

int main(void)
{
	struct rt_device dev;

	if (rt_fdt_device("virtio,mmio", 0, &dev) == 0)
		blk_base = dev.base;
	blk_base = rt_getarg_u64("blk", blk_base);
	if (!blk_base || blk_init() < 0) {
		rt_printf("blktest: no virtio-blk device\n");
		return 1;
	}
	if (rt_getarg_u64("loop", 0)) {
		uint64_t sectors = rt_mmio_read32(blk_base + 0x100) | ((uint64_t)rt_mmio_read32(blk_base + 0x104) << 32);

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
