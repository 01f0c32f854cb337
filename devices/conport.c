/* devices: cove's console port, at CONPORT_PORT. One 32-bit OUT of the
 * guest-physical address of a record { u32 len; u8 bytes[len]; } sends the
 * bytes out through COM1 (its transmit FIFO, in order with THR writes) in
 * a single exit. Through the UART itself every byte is an exit, even for a
 * string OUT, on hosts whose KVM emulates the guest's I/O instructions
 * (HOST.md): ~40 us a byte there. A 32-bit IN returns how many bytes the
 * last record sent; fewer than len when the FIFO was full, and the guest
 * sends the rest again. Guests find the port in the FDT (compatible
 * "cove,console"); solo5's hvt console hypercall works the same way.
 *
 * The record is guest data: its address and length are checked once,
 * through mem_gpa_to_hva, and a record that is not wholly in guest RAM or
 * is longer than CONPORT_MAX sends nothing. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "mem/mem.h"

#define CONPORT_LEN 4 /* one 32-bit port */

struct conport {
	struct mem_map *mem;
	struct uart *uart;
	atomic_uint last; /* bytes the last record sent */
};

static void conport_send(struct conport *c, uint32_t gpa)
{
	const uint8_t *rec = mem_gpa_to_hva(c->mem, gpa, sizeof(uint32_t), false);
	const uint8_t *bytes;
	uint32_t len;

	atomic_store(&c->last, 0);
	if (!rec)
		return;
	memcpy(&len, rec, sizeof(len));
	if (len > CONPORT_MAX)
		return;
	bytes = mem_gpa_to_hva(c->mem, (uint64_t)gpa + sizeof(uint32_t), len, false);
	if (!bytes)
		return;
	atomic_store(&c->last, (unsigned)uart_write_bytes(c->uart, bytes, len));
}

static void conport_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct conport *c = opaque;
	uint32_t v = off == 0 ? atomic_load(&c->last) : 0xffffffffu;

	memset(data, 0xff, len);
	memcpy(data, &v, len < sizeof(v) ? len : sizeof(v));
}

static void conport_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	uint32_t gpa;

	/* Only a whole 32-bit write at the port is a record's address. */
	if (off != 0 || len != sizeof(gpa))
		return;
	memcpy(&gpa, data, sizeof(gpa));
	conport_send(opaque, gpa);
}

static const struct bus_ops conport_ops = {conport_read, conport_write};

int conport_new(struct bus *b, struct mem_map *m, struct uart *u)
{
	struct bus_dev_info info = {"console", "cove,console", NULL, -1};
	struct conport *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	c->mem = m;
	c->uart = u;
	rc = bus_register(b, BUS_PIO, CONPORT_PORT, CONPORT_LEN, &conport_ops, c, &info);
	if (rc == 0) {
		rc = bus_adopt(b, c, free);
		if (rc < 0)
			bus_unregister(b, BUS_PIO, CONPORT_PORT);
	}
	if (rc < 0)
		free(c);
	return rc;
}
