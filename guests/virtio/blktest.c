/* blktest: finds the first virtio-mmio block device (FDT, or blk=ADDR on
 * the command line under QEMU), writes a pattern to sectors 0..7, flushes,
 * reads it back and compares. Prints "blktest: ok (features: ...)" and
 * powers off, or exits with the number of the step that failed. Polls; no
 * interrupts. The words "indirect" and "event_idx" make the driver
 * negotiate those features (status 6 when the device refuses one); with
 * event_idx it also checks that the device keeps avail_event and heeds
 * used_event (its interrupt status says whether it would interrupt).
 * With loop=1 it instead writes sector n holding n, flushes, and prints
 * "acked n" for n = 1, 2, ... until the disk ends (the SIGKILL test). With
 * hold=1 it writes the pattern without a flush, prints "blktest: written"
 * and spins until cove is ended (the flush-on-signal test). */
#include "vblk.h"

static uint8_t wbuf[4096], rbuf[4096];

/* With EVENT_IDX: avail_event follows the driver, and the used-buffer
 * interrupt comes exactly when used_event says. 0 or the failing step.
 * A device that polls the ring after a request (cove's I/O thread does,
 * for a short window) keeps avail_event behind the driver meanwhile,
 * which asks for no notification (2.7.10); when it stops it must set
 * avail_event to the driver's index again. So wait for that, a bounded
 * while (the I/O thread may not run at once on a busy host). */
static int check_event_idx(void)
{
	unsigned long spins = 0;

	while (blk_avail_event() != blk_avail_idx())
		if (++spins > 400000000ul)
			return 7;
		else
			__builtin_ia32_pause();
	blk_used_event_ahead(5); /* not before 5 more completions */
	blk_isr_take();
	if (blk_rw(0, 0, rbuf, 512) || (blk_isr_take() & 1))
		return 8;
	blk_used_event_ahead(0); /* on this one */
	if (blk_rw(0, 0, rbuf, 512) || !(blk_isr_take() & 1))
		return 9;
	return 0;
}

int main(void)
{
	struct rt_device dev;
	unsigned want = blk_args();
	int r;

	if (rt_fdt_device("virtio,mmio", 0, &dev) == 0)
		blk_base = dev.base;
	blk_base = rt_getarg_u64("blk", blk_base);
	if (!blk_base || blk_init(want) < 0) {
		rt_printf("blktest: no virtio-blk device\n");
		return 1;
	}
	if (blk_features != want) {
		rt_printf("blktest: the device refused features %x of %x\n", want & ~blk_features, want);
		return 6;
	}
	if (rt_getarg_u64("loop", 0)) {
		uint64_t sectors =
		    rt_mmio_read32(blk_base + 0x100) | ((uint64_t)rt_mmio_read32(blk_base + 0x104) << 32);

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
	if (rt_getarg_u64("hold", 0)) {
		rt_printf("blktest: written\n");
		for (;;)
			rt_pause();
	}
	if (blk_rw(4, 0, 0, 0))
		return 3;
	if (blk_rw(0, 0, rbuf, sizeof(rbuf)))
		return 4;
	if (memcmp(wbuf, rbuf, sizeof(rbuf)))
		return 5;
	if ((want & BLK_EVENT_IDX) && (r = check_event_idx()))
		return r;
	rt_printf("blktest: ok (features:%s%s)\n", blk_features & BLK_INDIRECT ? " indirect_desc" : "",
		  blk_features & BLK_EVENT_IDX ? " event_idx" : (blk_features ? "" : " none"));
	return 0;
}
