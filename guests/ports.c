/* guests/ports: nothing answers at an unassigned port or MMIO address, so
 * reads return all ones and writes are dropped, and the guest goes on. The
 * port is "port=" (default 0x1234), the MMIO address "mmio=" (default
 * 0xe0000000, in cove's hole between the virtio window and the IOAPIC).
 * Prints a verdict; exits 0 (power off) or debug-exit code 4 (status 9). */
#include "rt.h"

#define PORTS_EXIT_BAD 4

static bool check(const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return true;
	rt_printf("ports: %s read 0x%lx, want 0x%lx\n", what, got, want);
	return false;
}

int main(void)
{
	uint16_t port = (uint16_t)rt_getarg_u64("port", 0x1234);
	uint64_t mmio = rt_getarg_u64("mmio", 0xe0000000ULL);
	bool ok = true;
	outb(port, 0x12);
	outw(port, 0x3456);
	outl(port, 0x789abcde);
	ok &= check("inb", inb(port), 0xff);
	ok &= check("inw", inw(port), 0xffff);
	ok &= check("inl", inl(port), 0xffffffffu);
	rt_mmio_write32(mmio, 0x11223344);
	rt_mmio_write8(mmio + 1, 0x55);
	ok &= check("mmio8", rt_mmio_read8(mmio), 0xff);
	ok &= check("mmio16", rt_mmio_read16(mmio), 0xffff);
	ok &= check("mmio32", rt_mmio_read32(mmio), 0xffffffffu);
	ok &= check("mmio64", rt_mmio_read64(mmio), ~0ULL);
	rt_printf("ports: port 0x%x mmio 0x%lx %s\n", port, mmio, ok ? "read all-ones, writes ignored: ok" : "BAD");
	return ok ? 0 : PORTS_EXIT_BAD;
}
