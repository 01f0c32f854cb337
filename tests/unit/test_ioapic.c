/* devices/ioapic: redirection entries programmed as Linux's io_apic.c does,
 * the MSI each becomes, and edge/level delivery with Remote IRR and EOI. */
#include <criterion/criterion.h>
#include <errno.h>

#include "devices/legacy.h"

struct log {
	unsigned routes, delivers;
	unsigned pin;
	uint64_t addr;
	uint32_t data;
	bool masked;
};

static void op_route(void *ctx, unsigned pin, uint64_t addr, uint32_t data, bool masked)
{
	struct log *l = ctx;
	l->routes++;
	l->pin = pin;
	l->addr = addr;
	l->data = data;
	l->masked = masked;
}

static void op_deliver(void *ctx, uint64_t addr, uint32_t data)
{
	struct log *l = ctx;
	l->delivers++;
	l->addr = addr;
	l->data = data;
}

static struct log lg;
static struct ioapic_ops ops = {.ctx = &lg, .route = op_route, .deliver = op_deliver};
static struct bus *bus;
static struct ioapic *io;

static void setup(void)
{
	bus = bus_new();
	io = ioapic_new(bus, &ops);
	cr_assert_not_null(io);
}

static void teardown(void)
{
	ioapic_free(io);
	bus_free(bus);
}

static void w32(uint64_t off, uint32_t v)
{
	cr_assert_eq(bus_write(bus, BUS_MMIO, IOAPIC_BASE + off, &v, 4), 0);
}

static uint32_t r32(uint64_t off)
{
	uint32_t v = 0;
	cr_assert_eq(bus_read(bus, BUS_MMIO, IOAPIC_BASE + off, &v, 4), 0);
	return v;
}

static uint32_t reg_read(uint32_t r)
{
	w32(0x00, r);
	return r32(0x10);
}

static void reg_write(uint32_t r, uint32_t v)
{
	w32(0x00, r);
	w32(0x10, v);
}

static void rte_write(unsigned pin, uint64_t v)
{
	reg_write(0x11 + 2 * pin, (uint32_t)(v >> 32));
	reg_write(0x10 + 2 * pin, (uint32_t)v);
}

static uint64_t rte_read(unsigned pin)
{
	return reg_read(0x10 + 2 * pin) | (uint64_t)reg_read(0x11 + 2 * pin) << 32;
}

TestSuite(ioapic, .init = setup, .fini = teardown);

Test(ioapic, version_says_24_pins)
{
	cr_assert_eq(reg_read(0x01), 0x00170011);
}

Test(ioapic, id_register_holds_4_bits_and_arb_follows)
{
	reg_write(0x00, 0xff000000);
	cr_assert_eq(reg_read(0x00), 0x0f000000);
	cr_assert_eq(reg_read(0x02), 0x0f000000);
	reg_write(0x01, 0);
	cr_assert_eq(reg_read(0x01), 0x00170011, "VER is read-only");
}

Test(ioapic, all_pins_start_masked)
{
	for (unsigned p = 0; p < IOAPIC_PINS; p++)
		cr_assert_eq(rte_read(p), 1ULL << 16, "pin %u", p);
	ioapic_set_irq(io, 4, true);
	cr_assert_eq(lg.delivers, 0);
}

Test(ioapic, rte_write_routes_fixed_physical_edge)
{
	rte_write(4, 0x0300000000000031ULL); /* dest 3, physical, fixed, edge, vector 0x31 */
	cr_assert_eq(lg.pin, 4);
	cr_assert_eq(lg.addr, 0xfee03000ULL);
	cr_assert_eq(lg.data, 0x31);
	cr_assert_not(lg.masked);
	cr_assert_eq(rte_read(4), 0x0300000000000031ULL);
}

Test(ioapic, msi_for_logical_lowest_priority_level)
{
	/* dest 0x0f logical, lowest priority (1), level, vector 0x41 */
	rte_write(9, 0x0f00000000000000ULL | (1ULL << 15) | (1ULL << 11) | (1ULL << 8) | 0x41);
	cr_assert_eq(lg.addr, 0xfee0f004ULL, "dest in bits 19:12, DM in bit 2");
	cr_assert_eq(lg.data, 0x41 | 1u << 8 | 1u << 14 | 1u << 15);
}

Test(ioapic, nmi_and_extint_delivery_modes_carry_through)
{
	rte_write(0, (7ULL << 8));
	cr_assert_eq((lg.data >> 8) & 7, 7, "ExtINT");
	rte_write(1, (4ULL << 8) | 2);
	cr_assert_eq((lg.data >> 8) & 7, 4, "NMI");
}

Test(ioapic, masked_route_is_reported)
{
	rte_write(5, (1ULL << 16) | 0x35);
	cr_assert(lg.masked);
	ioapic_set_irq(io, 5, true);
	cr_assert_eq(lg.delivers, 0, "masked pins deliver nothing");
}

Test(ioapic, edge_delivers_on_rising_edge_only)
{
	rte_write(4, 0x34);
	ioapic_set_irq(io, 4, true);
	cr_assert_eq(lg.delivers, 1);
	cr_assert_eq(lg.data, 0x34);
	ioapic_set_irq(io, 4, true);
	cr_assert_eq(lg.delivers, 1, "held high: no new edge");
	ioapic_set_irq(io, 4, false);
	ioapic_set_irq(io, 4, true);
	cr_assert_eq(lg.delivers, 2);
	cr_assert_eq(rte_read(4) & (1ULL << 14), 0, "edge pins never set Remote IRR");
}

Test(ioapic, edge_while_masked_is_lost)
{
	rte_write(4, (1ULL << 16) | 0x34);
	ioapic_set_irq(io, 4, true);
	ioapic_set_irq(io, 4, false);
	rte_write(4, 0x34);
	cr_assert_eq(lg.delivers, 0);
}

Test(ioapic, level_sets_remote_irr_and_eoi_redelivers_while_asserted)
{
	rte_write(10, (1ULL << 15) | 0x50);
	ioapic_set_irq(io, 10, true);
	cr_assert_eq(lg.delivers, 1);
	cr_assert_neq(rte_read(10) & (1ULL << 14), 0, "Remote IRR set");
	ioapic_set_irq(io, 10, true);
	cr_assert_eq(lg.delivers, 1, "no more until EOI");
	ioapic_eoi(io, 0x51);
	cr_assert_eq(lg.delivers, 1, "EOI for another vector");
	ioapic_eoi(io, 0x50);
	cr_assert_eq(lg.delivers, 2, "still asserted: delivered again");
	ioapic_set_irq(io, 10, false);
	ioapic_eoi(io, 0x50);
	cr_assert_eq(lg.delivers, 2);
	cr_assert_eq(rte_read(10) & (1ULL << 14), 0, "Remote IRR clear after EOI");
}

Test(ioapic, unmasking_an_asserted_level_pin_delivers)
{
	rte_write(11, (1ULL << 16) | (1ULL << 15) | 0x60);
	ioapic_set_irq(io, 11, true);
	cr_assert_eq(lg.delivers, 0);
	rte_write(11, (1ULL << 15) | 0x60);
	cr_assert_eq(lg.delivers, 1);
}

Test(ioapic, eoi_reaches_every_pin_with_that_vector)
{
	rte_write(16, (1ULL << 15) | 0x70);
	rte_write(17, (1ULL << 15) | 0x70);
	ioapic_set_irq(io, 16, true);
	ioapic_set_irq(io, 17, true);
	cr_assert_eq(lg.delivers, 2);
	ioapic_set_irq(io, 16, false);
	ioapic_eoi(io, 0x70);
	cr_assert_eq(lg.delivers, 3, "only pin 17 is still asserted");
}

Test(ioapic, guest_cannot_write_read_only_bits)
{
	rte_write(3, (1ULL << 15) | (1ULL << 14) | (1ULL << 12) | 0x7fff00000000ULL | 0x44);
	uint64_t r = rte_read(3);
	cr_assert_eq(r & ((1ULL << 14) | (1ULL << 12)), 0, "delivery status and Remote IRR are read-only");
	cr_assert_eq(r & 0x00ffffff00000000ULL, 0, "reserved bits 55:32 stay zero");
}

Test(ioapic, hostile_indexes_and_widths)
{
	cr_assert_eq(reg_read(0x40), 0, "past the last RTE");
	reg_write(0x40, 0xffffffff);
	reg_write(0xff, 0xffffffff);
	cr_assert_eq(reg_read(0xff), 0);
	ioapic_set_irq(io, 24, true);
	ioapic_set_irq(io, 1000, true);
	/* byte write to IOREGSEL, then a byte read of IOWIN */
	uint8_t b = 0x01;
	cr_assert_eq(bus_write(bus, BUS_MMIO, IOAPIC_BASE, &b, 1), 0);
	cr_assert_eq(bus_read(bus, BUS_MMIO, IOAPIC_BASE + 0x12, &b, 1), 0);
	cr_assert_eq(b, 0x17, "byte 2 of VER");
	uint64_t q = 0;
	cr_assert_eq(bus_read(bus, BUS_MMIO, IOAPIC_BASE + 0x10, &q, 8), 0);
	cr_assert_eq(q, 0x00170011ULL);
	cr_assert_eq(bus_read(bus, BUS_MMIO, IOAPIC_BASE + 0xffc, &q, 4), 0);
	cr_assert_eq(bus_write(bus, BUS_MMIO, IOAPIC_BASE + 0xff8, &q, 8), 0);
	cr_assert_eq(bus_read(bus, BUS_MMIO, IOAPIC_BASE + 0xffc, &q, 8), -ENOENT);
	cr_assert_eq(lg.delivers, 0);
}

static void info_of(const struct bus_entry *e, void *arg)
{
	if (e->base == IOAPIC_BASE && e->space == BUS_MMIO)
		*(const struct bus_dev_info **)arg = &e->info;
}

Test(ioapic, describes_itself)
{
	const struct bus_dev_info *i = NULL;
	bus_foreach(bus, info_of, &i);
	cr_assert_not_null(i);
	cr_assert_str_eq(i->name, "ioapic");
	cr_assert_eq(i->irq, -1);
}
