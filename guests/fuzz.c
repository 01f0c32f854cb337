/* guests/fuzz: a hostile guest. It writes and reads pseudo-random values at
 * the legacy devices' ports, the IOAPIC and the virtio-mmio window (every
 * "virtio,mmio" node of the FDT, else the window's first slots), then checks
 * that the VM still works: it restores the UART, prints one line and powers
 * off. cove must neither crash nor hang nor end the VM on its own. The
 * accesses that end a VM on purpose (debug exit, power off, the i8042's and
 * port 0x92's and the power device's resets) are left out, and so is
 * turning A20 off, which on any PC makes this guest at 1 MiB run from 0.
 *   seed=N (default 1), n=N accesses (default 3000) */
#include "rt.h"

#define IOAPIC_BASE 0xfec00000ULL
#define VIRTIO_MMIO_BASE 0xd0000000ULL
#define VIRTIO_SLOT 0x1000ULL
#define VIRTIO_DEFAULT_SLOTS 4
#define MAX_MMIO 24

static const uint16_t ports[] = {
	0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, /* UART */
	0x70, 0x71,                                             /* CMOS */
	0x60, 0x64, 0x92,                                       /* i8042, port 92 */
	0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1,                   /* PICs, ELCR */
	0x40, 0x41, 0x42, 0x43, 0x61,                           /* PIT, port 61 */
	0x600, 0x601, 0x602,                                    /* power */
	0x1234, 0xcf8, 0xcfc,                                   /* nothing, PCI */
};

static uint64_t state;

static uint32_t rnd(void)
{
	state = state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(state >> 33);
}

/* Writes that end or reset the VM by design, or take A20 away. */
static bool ends_vm(uint16_t port, uint32_t v)
{
	uint8_t b = (uint8_t)v;
	if (port == 0x64)
		return b == 0xd1 || b == 0xdd || b >= 0xf0; /* output port; A20 off; pulse reset */
	if (port == 0x60)
		return true; /* may be the data of an 0xd1 from before */
	if (port == 0x92)
		return (b & 1) || !(b & 2); /* fast reset; A20 off */
	if (port >= 0x600 && port <= 0x602)
		return true; /* sleep control (power off) and reset registers */
	if (port == 0xcf9)
		return true; /* the PC reset control register, reached by a wide write */
	return false;
}

static void port_access(uint16_t port)
{
	uint32_t v = rnd();
	unsigned size = 1u << (rnd() % 3);
	if (rnd() & 1) {
		if (size == 1)
			(void)inb(port);
		else if (size == 2)
			(void)inw(port);
		else
			(void)inl(port);
		return;
	}
	/* A wide write covers the next ports too: check each byte's port. */
	for (unsigned i = 0; i < size; i++)
		if (ends_vm((uint16_t)(port + i), v >> (8 * i)))
			return;
	if (size == 1)
		outb(port, (uint8_t)v);
	else if (size == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
}

static void mmio_access(uint64_t base, uint64_t len)
{
	uint64_t a = base + (rnd() % len & ~3ULL);
	if (rnd() & 1)
		(void)rt_mmio_read32(a);
	else
		rt_mmio_write32(a, rnd());
}

int main(void)
{
	state = rt_getarg_u64("seed", 1);
	uint64_t n = rt_getarg_u64("n", 3000);
	uint64_t mmio[MAX_MMIO], mmio_len[MAX_MMIO];
	unsigned nmmio = 0;
	mmio[nmmio] = IOAPIC_BASE;
	mmio_len[nmmio++] = 0x20;
	struct rt_device d;
	for (unsigned i = 0; nmmio < MAX_MMIO && !rt_fdt_device("virtio,mmio", i, &d); i++) {
		mmio[nmmio] = d.base;
		mmio_len[nmmio++] = d.size ? d.size : VIRTIO_SLOT;
	}
	if (nmmio == 1)
		for (unsigned i = 0; i < VIRTIO_DEFAULT_SLOTS; i++) {
			mmio[nmmio] = VIRTIO_MMIO_BASE + i * VIRTIO_SLOT;
			mmio_len[nmmio++] = VIRTIO_SLOT;
		}
	rt_printf("fuzz: seed %lu, %lu accesses over %u ports and %u mmio ranges\n", state, n,
		  (unsigned)(sizeof(ports) / sizeof(ports[0])), nmmio);
	for (uint64_t i = 0; i < n; i++) {
		if (rnd() % 4)
			port_access(ports[rnd() % (sizeof(ports) / sizeof(ports[0]))]);
		else {
			unsigned m = rnd() % nmmio;
			mmio_access(mmio[m], mmio_len[m]);
		}
	}
	/* Undo what the fuzzing did to the console: 8N1, no loopback, no
	 * interrupts, FIFOs on. */
	outb(0x3fb, 0x03);
	outb(0x3f9, 0x00);
	outb(0x3fc, 0x00);
	outb(0x3fa, 0x07);
	rt_printf("\nfuzz: survived %lu accesses\n", n);
	return 0;
}
