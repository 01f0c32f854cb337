/* guests/exitcost: what a guest exit costs under the VMM it runs on, in TSC
 * cycles, measured from CPL3: port writes and reads to an unassigned port,
 * a string write, unassigned-MMIO reads, and a LAPIC register read (handled
 * in the kernel, no trip to the VMM). Prints figures, never a verdict: run it
 * under cove and under QEMU and compare (the ratio is what means something).
 * "n=" sets the iterations (default 2000). Under KVM PVM a `rep outsb` from
 * CPL3 costs one exit per byte: compare rep-outsb-64 with outb. */
#include "rt.h"

#define UNUSED_PORT 0x1234
#define UNUSED_MMIO 0xe0000000ULL

static uint64_t per(uint64_t t0, uint64_t n)
{
	return (rt_rdtsc() - t0) / n;
}

int main(void)
{
	uint64_t n = rt_getarg_u64("n", 2000);
	if (n == 0)
		n = 1;
	static const char line[64] = "exitcost: 64-byte string write to an unassigned port.........\n";
	uint64_t t0 = rt_rdtsc();
	for (uint64_t i = 0; i < n; i++)
		outb(UNUSED_PORT, (uint8_t)i);
	uint64_t out = per(t0, n);
	t0 = rt_rdtsc();
	for (uint64_t i = 0; i < n; i++)
		(void)inb(UNUSED_PORT);
	uint64_t in = per(t0, n);
	t0 = rt_rdtsc();
	for (uint64_t i = 0; i < n; i++) {
		const void *p = line;
		size_t len = sizeof(line);
		__asm__ volatile("rep outsb" : "+S"(p), "+c"(len) : "d"(UNUSED_PORT) : "memory");
	}
	uint64_t outs = per(t0, n);
	t0 = rt_rdtsc();
	for (uint64_t i = 0; i < n; i++)
		(void)rt_mmio_read32(UNUSED_MMIO);
	uint64_t mmio = per(t0, n);
	t0 = rt_rdtsc();
	for (uint64_t i = 0; i < n; i++)
		(void)rt_mmio_read32(RT_LAPIC_BASE + 0x20);
	uint64_t lapic = per(t0, n);
	rt_printf("exitcost: cycles per exit (n=%lu): outb %lu inb %lu rep-outsb-64 %lu (%lu a byte) mmio-read %lu lapic-read %lu\n",
		  n, out, in, outs, outs / sizeof(line), mmio, lapic);
	return 0;
}
