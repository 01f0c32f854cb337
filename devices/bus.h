/* devices: the I/O bus. Port I/O and MMIO ranges -> handler. The table is an
 * immutable sorted array published through one atomic pointer: a vCPU finds
 * a device without a lock; a change builds a new array and swaps it in.
 * Devices keep their own locks where they need one: handlers run on vCPU
 * threads, concurrently. */
#ifndef COVE_DEVICES_BUS_H
#define COVE_DEVICES_BUS_H

#include <stdbool.h>
#include <stdint.h>

enum bus_space { BUS_PIO, BUS_MMIO };

struct bus_ops {
	/* off is relative to the range's base; len is 1, 2, 4 or 8; data is
	 * little-endian. */
	void (*read)(void *opaque, uint64_t off, void *data, unsigned len);
	void (*write)(void *opaque, uint64_t off, const void *data, unsigned len);
};

/* What the FDT and ACPI builders say about a range. All fields optional. */
struct bus_dev_info {
	const char *name;           /* node name, e.g. "serial", "virtio_mmio" */
	const char *fdt_compatible; /* e.g. "ns16550a", "virtio,mmio" */
	const char *acpi_hid;       /* e.g. "PNP0501", "LNRO0005" */
	int irq;                    /* GSI, or -1 */
};

struct bus_entry {
	uint64_t base;
	uint64_t len;
	enum bus_space space;
	const struct bus_ops *ops;
	void *opaque;
	struct bus_dev_info info;
};

struct bus;

struct bus *bus_new(void);
void bus_free(struct bus *b);
/* -EEXIST on overlap with a registered range, -EINVAL on len 0 or wrap. */
int bus_register(struct bus *b, enum bus_space sp, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque, const struct bus_dev_info *info);
int bus_unregister(struct bus *b, enum bus_space sp, uint64_t base);
/* Dispatch. An access no device claims is counted; a read of it fills data
 * with all-ones. Returns 0 when a device handled it, -ENOENT otherwise. */
int bus_read(struct bus *b, enum bus_space sp, uint64_t addr, void *data, unsigned len);
int bus_write(struct bus *b, enum bus_space sp, uint64_t addr, const void *data, unsigned len);
uint64_t bus_unknown_count(const struct bus *b, enum bus_space sp);
/* Visits every range in address order (PIO first), for FDT and ACPI. */
void bus_foreach(struct bus *b, void (*fn)(const struct bus_entry *e, void *arg), void *arg);
/* Hands p to the bus: bus_free() calls free_fn(p) (after the tables, in
 * reverse order of adoption). For device state that lives as long as the
 * bus, e.g. what uart_new, i8042_new, cmos_new, power_new and debugexit_new
 * allocate. -ENOMEM (p not adopted) on allocation failure. */
int bus_adopt(struct bus *b, void *p, void (*free_fn)(void *p));

#endif
