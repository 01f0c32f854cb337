/* devices: every device handler, called directly (past the bus's own
 * checks) with random offsets, lengths 1/2/4/8 and data, must neither crash
 * nor touch memory it does not own (run under ASan), and every device must
 * still work when a driver programs it afterwards. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/legacy.h"

static unsigned events;
static void ev_any(void *ctx)
{
	(void)ctx;
	events++;
}
static void ev_exit(void *ctx, unsigned v)
{
	(void)ctx;
	(void)v;
	events++;
}
static void ev_a20(void *ctx, bool on)
{
	(void)ctx;
	(void)on;
	events++;
}
static void ev_irq(void *ctx, unsigned gsi, bool level)
{
	(void)ctx;
	(void)gsi;
	(void)level;
	events++;
}
static void op_route(void *ctx, unsigned pin, uint64_t a, uint32_t d, bool m)
{
	(void)ctx;
	(void)pin;
	(void)a;
	(void)d;
	(void)m;
	events++;
}
static void op_deliver(void *ctx, uint64_t a, uint32_t d)
{
	(void)ctx;
	(void)a;
	(void)d;
	events++;
}

static struct vm_events ev = {.poweroff = ev_any,
			      .reset = ev_any,
			      .debug_exit = ev_exit,
			      .set_a20 = ev_a20,
			      .set_irq = ev_irq,
			      .pic_intr = ev_any};
static struct ioapic_ops iops = {.route = op_route, .deliver = op_deliver};

struct entries {
	struct bus_entry e[32];
	unsigned n;
};

static void collect(const struct bus_entry *e, void *arg)
{
	struct entries *l = arg;
	cr_assert_lt(l->n, 32);
	l->e[l->n++] = *e;
}

static uint8_t inb(struct bus *b, uint16_t port)
{
	uint8_t v = 0;
	cr_assert_eq(bus_read(b, BUS_PIO, port, &v, 1), 0);
	return v;
}

static void outb(struct bus *b, uint16_t port, uint8_t v)
{
	cr_assert_eq(bus_write(b, BUS_PIO, port, &v, 1), 0);
}

Test(devices_fuzz, random_accesses_to_every_handler_then_devices_still_work, .timeout = 120)
{
	struct bus *b = bus_new();
	struct uart *u = uart_new(b, UART_COM1_BASE, UART_COM1_IRQ, -1, &ev);
	cr_assert_not_null(u);
	cr_assert_eq(debugexit_new(b, &ev), 0);
	cr_assert_eq(i8042_new(b, &ev), 0);
	cr_assert_eq(cmos_new(b, 256 << 20, 0), 0);
	cr_assert_eq(power_new(b, &ev), 0);
	struct pic *pic = pic_new(b, &ev);
	struct pit *pit = pit_new(b, &ev);
	struct ioapic *io = ioapic_new(b, &iops);
	cr_assert(pic && pit && io);

	struct entries l = {0};
	bus_foreach(b, collect, &l);
	cr_assert_geq(l.n, 12, "every device registered its ranges (%u)", l.n);

	srand(12345);
	static const unsigned lens[4] = {1, 2, 4, 8};
	for (unsigned it = 0; it < 200000; it++) {
		const struct bus_entry *e = &l.e[(unsigned)rand() % l.n];
		uint64_t off = (uint64_t)rand() % e->len;
		unsigned len = lens[rand() & 3];
		uint64_t data = ((uint64_t)rand() << 32) ^ (uint64_t)rand();
		if (rand() & 1)
			e->ops->write(e->opaque, off, &data, len);
		else
			e->ops->read(e->opaque, off, &data, len);
		if ((it & 1023) == 0) {
			uart_input(u, &data, sizeof(data));
			pic_set_irq(pic, (unsigned)rand() % 16, rand() & 1);
			ioapic_set_irq(io, (unsigned)rand() % IOAPIC_PINS, rand() & 1);
			ioapic_eoi(io, (uint8_t)rand());
			pit_advance(pit, (int64_t)rand() * 1000);
			(void)pic_ack(pic);
		}
	}
	cr_assert_gt(events, 0, "the fuzzing reached the devices' events");

	/* drivers start over and get sane answers */
	outb(b, UART_COM1_BASE + 3, 0x03);
	outb(b, UART_COM1_BASE + 4, 0x00);
	outb(b, UART_COM1_BASE + 7, 0x5a);
	cr_assert_eq(inb(b, UART_COM1_BASE + 7), 0x5a);
	cr_assert_eq(inb(b, UART_COM1_BASE + 5) & 0x60, 0x60);

	while (inb(b, I8042_CMD_PORT) & 1)
		(void)inb(b, I8042_DATA_PORT);
	outb(b, I8042_CMD_PORT, 0xaa);
	cr_assert_eq(inb(b, I8042_CMD_PORT) & 1, 1);
	cr_assert_eq(inb(b, I8042_DATA_PORT), 0x55);

	outb(b, 0x20, 0x11);
	outb(b, 0x21, 0x20);
	outb(b, 0x21, 0x04);
	outb(b, 0x21, 0x01);
	outb(b, 0x4d0, 0x00);
	pic_set_irq(pic, 1, false);
	pic_set_irq(pic, 1, true);
	cr_assert_eq(pic_ack(pic), 0x21);

	/* NVRAM is the guest's to overwrite; the clock must still be sane */
	outb(b, CMOS_PORT, 0x0d);
	cr_assert_eq(inb(b, CMOS_PORT + 1), 0x80);
	outb(b, CMOS_PORT, 0x0b);
	outb(b, CMOS_PORT + 1, 0x06);
	outb(b, CMOS_PORT, 0x04);
	cr_assert_lt(inb(b, CMOS_PORT + 1), 24);
	outb(b, CMOS_PORT, 0x08);
	uint8_t mon = inb(b, CMOS_PORT + 1);
	cr_assert(mon >= 1 && mon <= 12, "month %u", mon);

	outb(b, 0x43, 0x34);
	outb(b, 0x40, 0x00);
	outb(b, 0x40, 0x10);
	cr_assert_geq(pit_next_event(pit), 0);

	uint32_t sel = 1, ver = 0;
	cr_assert_eq(bus_write(b, BUS_MMIO, IOAPIC_BASE, &sel, 4), 0);
	cr_assert_eq(bus_read(b, BUS_MMIO, IOAPIC_BASE + 0x10, &ver, 4), 0);
	cr_assert_eq(ver, 0x00170011);

	ioapic_free(io);
	pit_free(pit);
	pic_free(pic);
	bus_free(b);
}
