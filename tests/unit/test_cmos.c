/* devices/cmos: the RTC as firmware and Linux read it, and the memory-size
 * bytes a BIOS reads. */
#include <criterion/criterion.h>
#include <errno.h>
#include <time.h>

#include "devices/devices.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static struct bus *bus;

static void teardown(void)
{
	bus_free(bus);
}

static void make(uint64_t below, uint64_t above)
{
	bus = bus_new();
	cr_assert_eq(cmos_new(bus, below, above), 0);
}

static uint8_t rd(uint8_t idx)
{
	uint8_t v = 0;
	cr_assert_eq(bus_write(bus, BUS_PIO, CMOS_PORT, &idx, 1), 0);
	cr_assert_eq(bus_read(bus, BUS_PIO, CMOS_PORT + 1, &v, 1), 0);
	return v;
}

static void wr(uint8_t idx, uint8_t v)
{
	cr_assert_eq(bus_write(bus, BUS_PIO, CMOS_PORT, &idx, 1), 0);
	cr_assert_eq(bus_write(bus, BUS_PIO, CMOS_PORT + 1, &v, 1), 0);
}

static unsigned bcd(uint8_t v)
{
	return (v >> 4) * 10u + (v & 15);
}

static struct tm host_now(void)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	return tm;
}

/* Reads the RTC the way Linux does: retry until two reads agree. */
static void read_rtc(unsigned *y, unsigned *mo, unsigned *d, unsigned *h, unsigned *mi, unsigned *s)
{
	for (int i = 0; i < 5; i++) {
		*s = rd(0);
		*mi = rd(2);
		*h = rd(4);
		*d = rd(7);
		*mo = rd(8);
		*y = rd(9);
		if (*s == rd(0))
			return;
	}
}

Test(cmos, rtc_date_is_the_host_date_in_bcd, .fini = teardown)
{
	make(64 * MiB, 0);
	cr_assert_eq(rd(0x0a) & 0x80, 0, "UIP never set");
	cr_assert_eq(rd(0x0b) & 0x06, 0x02, "BCD and 24-hour by default");
	cr_assert_eq(rd(0x0d), 0x80, "valid RAM and time");
	unsigned y, mo, d, h, mi, s;
	read_rtc(&y, &mo, &d, &h, &mi, &s);
	struct tm tm = host_now();
	cr_assert_eq(bcd((uint8_t)y), (unsigned)(tm.tm_year % 100));
	cr_assert_eq(bcd((uint8_t)mo), (unsigned)tm.tm_mon + 1);
	cr_assert_eq(bcd(rd(0x32)), (unsigned)(tm.tm_year + 1900) / 100, "century byte");
	cr_assert_eq(bcd(rd(0x06)), (unsigned)tm.tm_wday + 1);
	unsigned rtc = bcd((uint8_t)h) * 3600 + bcd((uint8_t)mi) * 60 + bcd((uint8_t)s);
	unsigned now = (unsigned)(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
	cr_assert((rtc + 86400 - now) % 86400 <= 2 || (now + 86400 - rtc) % 86400 <= 2,
		  "RTC %u s vs host %u s into the day", rtc, now);
	cr_assert_leq((s & 0x0f), 9, "seconds are BCD digits");
}

Test(cmos, binary_mode_and_12_hour_mode, .fini = teardown)
{
	make(64 * MiB, 0);
	wr(0x0b, 0x02 | 0x04); /* binary, 24h */
	struct tm tm = host_now();
	cr_assert_eq(rd(0x08), tm.tm_mon + 1, "binary month");
	cr_assert_eq(rd(0x32), (tm.tm_year + 1900) / 100);
	/* set 15:30 via the SET bit, then read it back in 12h mode */
	wr(0x0b, 0x80 | 0x04 | 0x02);
	wr(0x04, 15);
	wr(0x02, 30);
	wr(0x00, 0);
	cr_assert_eq(rd(0x04), 15, "frozen while SET");
	wr(0x0b, 0x04 | 0x02);
	cr_assert_eq(rd(0x04), 15);
	cr_assert_eq(rd(0x02), 30);
	wr(0x0b, 0x04); /* binary, 12h */
	cr_assert_eq(rd(0x04), 0x80 | 3, "15h is 3 PM");
	wr(0x0b, 0x00); /* BCD, 12h */
	wr(0x04, 0x12); /* 12 AM = midnight */
	wr(0x0b, 0x02);
	cr_assert_eq(rd(0x04), 0x00, "12 AM is hour 0");
}

Test(cmos, guest_set_year_sticks, .fini = teardown)
{
	make(64 * MiB, 0);
	wr(0x09, 0x99);
	wr(0x32, 0x19);
	cr_assert_eq(rd(0x09), 0x99);
	cr_assert_eq(rd(0x32), 0x19);
}

Test(cmos, memory_size_bytes_for_512mib, .fini = teardown)
{
	make(512 * MiB, 0);
	cr_assert_eq(rd(0x15) | rd(0x16) << 8, 640);
	cr_assert_eq(rd(0x17) | rd(0x18) << 8, 0xffff, "511 MiB in KiB is capped");
	cr_assert_eq(rd(0x30) | rd(0x31) << 8, 0xffff);
	cr_assert_eq(rd(0x34) | rd(0x35) << 8, (512 - 16) * 16, "above 16 MiB in 64 KiB units");
	cr_assert_eq(rd(0x5b) | rd(0x5c) << 8 | rd(0x5d) << 16, 0);
}

Test(cmos, memory_size_bytes_for_small_and_huge, .fini = teardown)
{
	make(8 * MiB, 0);
	cr_assert_eq(rd(0x17) | rd(0x18) << 8, 7 * 1024);
	cr_assert_eq(rd(0x34) | rd(0x35) << 8, 0);
	bus_free(bus);
	make(3 * GiB, 5 * GiB);
	cr_assert_eq(rd(0x34) | rd(0x35) << 8, (3 * 1024 - 16) * 16);
	cr_assert_eq(rd(0x5b) | rd(0x5c) << 8 | rd(0x5d) << 16, 5 * 1024 * 16);
}

Test(cmos, nvram_holds_values_and_checksum_covers_0x10_to_0x2d, .fini = teardown)
{
	make(64 * MiB, 0);
	unsigned sum = 0;
	for (uint8_t i = 0x10; i < 0x2e; i++)
		sum += rd(i);
	cr_assert_eq(rd(0x2e) << 8 | rd(0x2f), sum);
	wr(0x40, 0xab);
	wr(0x7f, 0xcd);
	cr_assert_eq(rd(0x40), 0xab);
	cr_assert_eq(rd(0x7f), 0xcd);
}

Test(cmos, nmi_bit_and_index_wrap, .fini = teardown)
{
	make(64 * MiB, 0);
	wr(0x40, 0x11);
	cr_assert_eq(rd(0x80 | 0x40), 0x11, "bit 7 is the NMI mask, not part of the index");
	cr_assert_eq(rd(0xff), rd(0x7f));
}

Test(cmos, register_c_clears_on_read_and_d_is_read_only, .fini = teardown)
{
	make(64 * MiB, 0);
	cr_assert_eq(rd(0x0c), 0);
	wr(0x0d, 0x00);
	cr_assert_eq(rd(0x0d), 0x80);
	wr(0x0a, 0xa6);
	cr_assert_eq(rd(0x0a), 0x26, "UIP is read-only and reads 0");
}

Test(cmos, hostile_accesses, .fini = teardown)
{
	make(64 * MiB, 0);
	uint8_t v;
	cr_assert_eq(bus_read(bus, BUS_PIO, CMOS_PORT, &v, 1), 0);
	cr_assert_eq(v, 0xff, "the index port is write-only");
	uint16_t w = 0x5540; /* index 0x40 then data 0x55 in one outw */
	cr_assert_eq(bus_write(bus, BUS_PIO, CMOS_PORT, &w, 2), 0);
	cr_assert_eq(rd(0x40), 0x55);
	/* garbage into the time registers keeps a sane clock */
	wr(0x08, 0x99);
	wr(0x07, 0xff);
	wr(0x04, 0xff);
	unsigned mo = bcd(rd(0x08));
	cr_assert(mo >= 1 && mo <= 12, "month %u", mo);
	unsigned h = bcd(rd(0x04));
	cr_assert_lt(h, 24);
	uint32_t d;
	cr_assert_eq(bus_read(bus, BUS_PIO, CMOS_PORT, &d, 4), -ENOENT);
}

static void rtc_info(const struct bus_entry *e, void *arg)
{
	if (e->base == CMOS_PORT)
		*(const struct bus_dev_info **)arg = &e->info;
}

Test(cmos, described_as_pnp0b00_without_an_irq, .fini = teardown)
{
	make(64 * MiB, 0);
	const struct bus_dev_info *i = NULL;
	bus_foreach(bus, rtc_info, &i);
	cr_assert_not_null(i);
	cr_assert_str_eq(i->acpi_hid, "PNP0B00");
	cr_assert_eq(i->irq, -1, "no RTC interrupts are emulated, so none is promised");
}
