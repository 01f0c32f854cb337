/* devices/pit8254: counters programmed as BIOS and Linux program them, on a
 * fake clock so each expected count is exact. */
#include <criterion/criterion.h>
#include <errno.h>
#include <time.h>

#include "devices/legacy.h"

#define TICK_NS(t) ((int64_t)((t)*1000000000ULL / 1193182ULL) + 1)

static struct bus *bus;
static struct pit *pit;
static int64_t fake_ns = 1000000000;
static unsigned irq0_raises, irq0_lowers, notifies;

static int64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_ns;
}

static void ev_irq(void *ctx, unsigned gsi, bool level)
{
	(void)ctx;
	cr_assert_eq(gsi, 0);
	if (level)
		irq0_raises++;
	else
		irq0_lowers++;
}

static void on_notify(void *ctx)
{
	(void)ctx;
	notifies++;
}

static struct vm_events ev = {.set_irq = ev_irq};

static void setup(void)
{
	bus = bus_new();
	pit = pit_new(bus, &ev);
	cr_assert_not_null(pit);
	pit_set_clock(pit, fake_clock, NULL);
	pit_set_notify(pit, on_notify, NULL);
}

static void teardown(void)
{
	pit_free(pit);
	bus_free(bus);
}

static void outb(uint16_t port, uint8_t v)
{
	cr_assert_eq(bus_write(bus, BUS_PIO, port, &v, 1), 0, "port %#x", port);
}

static uint8_t inb(uint16_t port)
{
	uint8_t v = 0;
	cr_assert_eq(bus_read(bus, BUS_PIO, port, &v, 1), 0, "port %#x", port);
	return v;
}

static void advance_ticks(uint64_t t)
{
	fake_ns += (int64_t)((t * 1000000000ULL + 1193181ULL) / 1193182ULL); /* rounded up: t whole ticks */
}

static unsigned read16(uint16_t port)
{
	unsigned lo = inb(port);
	return lo | (unsigned)inb(port) << 8;
}

TestSuite(pit, .init = setup, .fini = teardown);

Test(pit, mode2_counts_down_and_reloads)
{
	outb(0x43, 0x34); /* counter 0, lo/hi, mode 2 */
	outb(0x40, 0x00);
	outb(0x40, 0x10); /* 0x1000 */
	outb(0x43, 0x00); /* latch */
	cr_assert_eq(read16(0x40), 0x1000);
	advance_ticks(0x100);
	outb(0x43, 0x00);
	unsigned v = read16(0x40);
	cr_assert(v >= 0xeff && v <= 0xf00, "count %#x after 0x100 ticks", v);
	advance_ticks(0x1000);
	outb(0x43, 0x00);
	v = read16(0x40);
	cr_assert(v >= 0xeff && v <= 0xf00, "reloaded: %#x", v);
}

Test(pit, latch_freezes_the_value_until_read)
{
	outb(0x43, 0x34);
	outb(0x40, 0xff);
	outb(0x40, 0xff);
	advance_ticks(100);
	outb(0x43, 0x00);
	advance_ticks(5000);
	unsigned v = read16(0x40);
	cr_assert(v >= 0xffff - 101 && v <= 0xffff - 99, "latched %#x", v);
	outb(0x43, 0x00);
	outb(0x43, 0x00); /* a second latch before the read is ignored */
	advance_ticks(5000);
	unsigned w = read16(0x40);
	cr_assert(w < v - 4000, "the second latch came later: %#x", w);
}

Test(pit, linux_calibration_sees_out2_rise_in_mode0)
{
	outb(0x61, (inb(0x61) & ~0x02) | 0x01); /* gate 2 on, speaker off */
	outb(0x43, 0xb0);			/* counter 2, lo/hi, mode 0 */
	unsigned latch = 11932;			/* 10 ms */
	outb(0x42, latch & 0xff);
	outb(0x42, latch >> 8);
	cr_assert_eq(inb(0x61) & 0x20, 0, "OUT2 low while counting");
	advance_ticks(latch - 10);
	cr_assert_eq(inb(0x61) & 0x20, 0);
	advance_ticks(20);
	cr_assert_eq(inb(0x61) & 0x20, 0x20, "OUT2 high at terminal count");
	cr_assert_eq(inb(0x61) & 0x01, 0x01, "gate 2 reads back");
}

Test(pit, gate2_low_pauses_mode0)
{
	outb(0x61, 0x01);
	outb(0x43, 0xb0);
	outb(0x42, 0x00);
	outb(0x42, 0x20); /* 0x2000 */
	advance_ticks(0x1000);
	outb(0x61, 0x00);
	advance_ticks(0x4000);
	outb(0x43, 0x80);
	unsigned v = read16(0x42);
	cr_assert(v >= 0xffe && v <= 0x1001, "paused at %#x", v);
	outb(0x61, 0x01);
	advance_ticks(0x1100);
	cr_assert_eq(inb(0x61) & 0x20, 0x20);
}

Test(pit, refresh_bit_toggles)
{
	uint8_t a = inb(0x61) & 0x10;
	fake_ns += 15085;
	uint8_t b = inb(0x61) & 0x10;
	cr_assert_neq(a, b, "bit 4 toggles every refresh period");
}

Test(pit, mode3_square_wave_out)
{
	outb(0x61, 0x01);
	outb(0x43, 0xb6); /* counter 2, lo/hi, mode 3 */
	outb(0x42, 100);
	outb(0x42, 0);
	advance_ticks(10);
	cr_assert_eq(inb(0x61) & 0x20, 0x20, "first half high");
	advance_ticks(50);
	cr_assert_eq(inb(0x61) & 0x20, 0, "second half low");
	advance_ticks(50);
	cr_assert_eq(inb(0x61) & 0x20, 0x20, "next period");
	outb(0x43, 0x80);
	unsigned v = read16(0x42);
	cr_assert_eq(v & 1, 0, "mode 3 counts by two: %u", v);
}

Test(pit, lobyte_only_and_hibyte_only_access)
{
	outb(0x43, 0x14); /* counter 0, LSB only, mode 2 */
	outb(0x40, 200);
	cr_assert_eq(inb(0x40), 200);
	advance_ticks(50);
	unsigned v = inb(0x40);
	cr_assert(v >= 149 && v <= 150, "%u", v);
	outb(0x43, 0x24); /* MSB only */
	outb(0x40, 0x02); /* 0x200 */
	cr_assert_eq(inb(0x40), 0x02);
}

Test(pit, readback_status_and_count)
{
	outb(0x43, 0x34);
	outb(0x43, 0xe2); /* read-back status of counter 0 */
	cr_assert_eq(inb(0x40), 0x80 | 0x40 | 0x30 | 0x04, "OUT high, null count, lo/hi, mode 2");
	outb(0x40, 0x34);
	outb(0x40, 0x12);
	outb(0x43, 0xc2); /* status and count */
	cr_assert_eq(inb(0x40), 0x80 | 0x30 | 0x04, "count loaded: null clear");
	cr_assert_eq(read16(0x40), 0x1234);
}

Test(pit, bcd_counting)
{
	outb(0x43, 0x35); /* counter 0 lo/hi mode 2 BCD */
	outb(0x40, 0x00);
	outb(0x40, 0x10); /* BCD 1000 */
	advance_ticks(1);
	outb(0x43, 0x00);
	unsigned v = read16(0x40);
	cr_assert(v == 0x0999 || v == 0x1000, "BCD digits: %#x", v);
}

Test(pit, irq0_periodic_schedule_and_coalescing)
{
	cr_assert_eq(pit_next_event(pit), -1, "unprogrammed: no event");
	unsigned before = notifies;
	outb(0x43, 0x34);
	outb(0x40, 0x9c);
	outb(0x40, 0x2e); /* 11932: 100 Hz */
	cr_assert_gt(notifies, before, "the VM hears about the new schedule");
	int64_t t0 = fake_ns;
	int64_t next = pit_next_event(pit);
	cr_assert(next >= t0 + 9999000 && next <= t0 + 10001000, "first edge %lld ns after load",
		  (long long)(next - t0));
	pit_advance(pit, next - 1000);
	cr_assert_eq(irq0_raises, 0, "not yet");
	pit_advance(pit, next);
	cr_assert_eq(irq0_raises, 1);
	cr_assert_eq(irq0_lowers, 1, "edge: raised then lowered");
	int64_t n2 = pit_next_event(pit);
	cr_assert(n2 > next + 9000000, "the next period");
	pit_advance(pit, n2);
	cr_assert_eq(irq0_raises, 2);
	pit_advance(pit, n2); /* again at the same time: nothing new */
	cr_assert_eq(irq0_raises, 2);
	/* the I/O thread slept 5 periods: one interrupt, schedule moves on */
	pit_advance(pit, n2 + 50000000);
	cr_assert_eq(irq0_raises, 3);
	cr_assert_gt(pit_next_event(pit), n2 + 50000000);
}

Test(pit, irq0_oneshot_mode0)
{
	outb(0x43, 0x30);
	outb(0x40, 0xe8);
	outb(0x40, 0x03); /* 1000 ticks */
	int64_t next = pit_next_event(pit);
	cr_assert_geq(next, fake_ns + TICK_NS(1000) - 2);
	pit_advance(pit, next);
	cr_assert_eq(irq0_raises, 1);
	cr_assert_eq(pit_next_event(pit), -1, "one shot");
	pit_advance(pit, next + 1000000000);
	cr_assert_eq(irq0_raises, 1);
}

Test(pit, real_clock_counts_down)
{
	pit_set_clock(pit, NULL, NULL);
	outb(0x43, 0x34);
	outb(0x40, 0xff);
	outb(0x40, 0xff);
	struct timespec ts = {0, 2000000};
	nanosleep(&ts, NULL);
	outb(0x43, 0x00);
	unsigned v = read16(0x40);
	cr_assert_lt(v, 0xffff - 2000, "2 ms is ~2386 ticks, counted %u", 0xffff - v);
}

Test(pit, hostile_accesses)
{
	for (unsigned v = 0; v < 256; v++) {
		outb(0x43, (uint8_t)v);
		outb(0x40 + (v % 3), (uint8_t)(v * 13));
		outb(0x40 + (v % 3), 0);
		(void)inb(0x40 + (v % 3));
		outb(0x61, (uint8_t)v);
		advance_ticks(v);
		pit_advance(pit, fake_ns);
		(void)pit_next_event(pit);
	}
	cr_assert_eq(inb(0x43), 0xff, "the control register is write-only");
	uint32_t d = 0;
	cr_assert_eq(bus_read(bus, BUS_PIO, 0x40, &d, 4), 0);
	cr_assert_eq(bus_read(bus, BUS_PIO, 0x61, &d, 2), -ENOENT);
	uint64_t q = 0;
	cr_assert_eq(bus_write(bus, BUS_PIO, 0x40, &q, 8), -ENOENT);
}
