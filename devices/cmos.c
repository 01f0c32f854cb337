/* devices: CMOS RAM and real-time clock (Motorola MC146818A datasheet; the
 * PC/AT CMOS map for the memory-size bytes a BIOS reads). The clock is the
 * host's CLOCK_REALTIME in UTC plus an offset the guest sets by writing the
 * time registers. The update cycle is never in progress (UIP reads 0) and
 * there is no periodic, alarm or update interrupt. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/devices.h"

#define CMOS_INDEX	 0
#define CMOS_DATA	 1
#define CMOS_NMI_DISABLE 0x80
#define CMOS_SIZE	 128

#define RTC_SECONDS	  0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES	  0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS	  0x04
#define RTC_HOURS_ALARM	  0x05
#define RTC_DAY_OF_WEEK	  0x06
#define RTC_DAY_OF_MONTH  0x07
#define RTC_MONTH	  0x08
#define RTC_YEAR	  0x09
#define RTC_REG_A	  0x0a
#define RTC_REG_B	  0x0b
#define RTC_REG_C	  0x0c
#define RTC_REG_D	  0x0d
#define CMOS_BASE_MEM_LO  0x15
#define CMOS_BASE_MEM_HI  0x16
#define CMOS_EXT_MEM_LO	  0x17
#define CMOS_EXT_MEM_HI	  0x18
#define CMOS_CHECKSUM_HI  0x2e
#define CMOS_CHECKSUM_LO  0x2f
#define CMOS_EXT_MEM2_LO  0x30
#define CMOS_EXT_MEM2_HI  0x31
#define RTC_CENTURY	  0x32
#define CMOS_MEM_16M_LO	  0x34
#define CMOS_MEM_16M_HI	  0x35
#define CMOS_MEM_4G_LO	  0x5b
#define CMOS_MEM_4G_MID	  0x5c
#define CMOS_MEM_4G_HI	  0x5d

#define RTC_A_UIP	0x80
#define RTC_B_SET	0x80
#define RTC_B_DM_BINARY 0x04
#define RTC_B_24H	0x02
#define RTC_D_VRT	0x80
#define RTC_HOUR_PM	0x80

struct cmos {
	pthread_mutex_t lock;
	uint8_t index;
	bool nmi_masked;
	uint8_t ram[CMOS_SIZE];
	int64_t offset; /* guest time minus host time, seconds */
	struct tm set;	/* the time being set while REG_B SET is 1 */
};

static uint8_t cmos_to_bcd(const struct cmos *c, unsigned v)
{
	if (c->ram[RTC_REG_B] & RTC_B_DM_BINARY)
		return (uint8_t)v;
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned cmos_from_bcd(const struct cmos *c, uint8_t v)
{
	if (c->ram[RTC_REG_B] & RTC_B_DM_BINARY)
		return v;
	return (v >> 4) * 10u + (v & 0x0f);
}

static void cmos_now(const struct cmos *c, struct tm *tm)
{
	struct timespec ts;
	time_t t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = (time_t)(ts.tv_sec + c->offset);
	if (!gmtime_r(&t, tm)) {
		/* unreachable with guest years 0-9999, but never read garbage */
		memset(tm, 0, sizeof(*tm));
		tm->tm_mday = 1;
		tm->tm_year = 70;
	}
}

static uint8_t cmos_hours(const struct cmos *c, int h)
{
	if (c->ram[RTC_REG_B] & RTC_B_24H)
		return cmos_to_bcd(c, (unsigned)h);
	/* 12-hour mode: 12, 1..11, with bit 7 for PM */
	return (uint8_t)(cmos_to_bcd(c, (unsigned)(h % 12 ? h % 12 : 12)) | (h >= 12 ? RTC_HOUR_PM : 0));
}

static int cmos_hours_in(const struct cmos *c, uint8_t v)
{
	int h;

	if (c->ram[RTC_REG_B] & RTC_B_24H)
		return (int)cmos_from_bcd(c, v);
	h = (int)cmos_from_bcd(c, v & 0x7f) % 12;
	return (v & RTC_HOUR_PM) ? h + 12 : h;
}

static uint8_t cmos_time_reg(struct cmos *c, unsigned reg)
{
	struct tm tm;

	if (c->ram[RTC_REG_B] & RTC_B_SET)
		tm = c->set; /* updates are halted while the guest sets the clock */
	else
		cmos_now(c, &tm);
	switch (reg) {
	case RTC_SECONDS:
		return cmos_to_bcd(c, (unsigned)tm.tm_sec % 60);
	case RTC_MINUTES:
		return cmos_to_bcd(c, (unsigned)tm.tm_min);
	case RTC_HOURS:
		return cmos_hours(c, tm.tm_hour);
	case RTC_DAY_OF_WEEK:
		return cmos_to_bcd(c, (unsigned)tm.tm_wday + 1);
	case RTC_DAY_OF_MONTH:
		return cmos_to_bcd(c, (unsigned)tm.tm_mday);
	case RTC_MONTH:
		return cmos_to_bcd(c, (unsigned)tm.tm_mon + 1);
	case RTC_YEAR:
		return cmos_to_bcd(c, (unsigned)(tm.tm_year + 1900) % 100);
	default: /* RTC_CENTURY */
		return cmos_to_bcd(c, (unsigned)(tm.tm_year + 1900) / 100);
	}
}

static bool cmos_is_time_reg(unsigned reg)
{
	return reg == RTC_SECONDS || reg == RTC_MINUTES || reg == RTC_HOURS || reg == RTC_DAY_OF_WEEK ||
	       reg == RTC_DAY_OF_MONTH || reg == RTC_MONTH || reg == RTC_YEAR || reg == RTC_CENTURY;
}

/* The guest wrote one time field: fold it into the offset. Out-of-range
 * values (a hostile or confused guest) are clamped by timegm's
 * normalisation; the clock never stops. */
static void cmos_set_time_reg(struct cmos *c, unsigned reg, uint8_t v)
{
	struct tm tm;
	struct timespec ts;
	time_t t;
	unsigned n = cmos_from_bcd(c, v);

	if (c->ram[RTC_REG_B] & RTC_B_SET)
		tm = c->set;
	else
		cmos_now(c, &tm);
	switch (reg) {
	case RTC_SECONDS:
		tm.tm_sec = (int)(n % 60);
		break;
	case RTC_MINUTES:
		tm.tm_min = (int)(n % 60);
		break;
	case RTC_HOURS:
		tm.tm_hour = cmos_hours_in(c, v) % 24;
		break;
	case RTC_DAY_OF_WEEK:
		return; /* derived from the date */
	case RTC_DAY_OF_MONTH:
		tm.tm_mday = n >= 1 && n <= 31 ? (int)n : 1;
		break;
	case RTC_MONTH:
		tm.tm_mon = n >= 1 && n <= 12 ? (int)n - 1 : 0;
		break;
	case RTC_YEAR:
		tm.tm_year = (tm.tm_year + 1900) / 100 * 100 + (int)(n % 100) - 1900;
		break;
	default: /* RTC_CENTURY */
		tm.tm_year = (int)(n % 100) * 100 + (tm.tm_year + 1900) % 100 - 1900;
		break;
	}
	if (c->ram[RTC_REG_B] & RTC_B_SET) {
		c->set = tm;
		return;
	}
	t = timegm(&tm);
	clock_gettime(CLOCK_REALTIME, &ts);
	c->offset = (int64_t)t - ts.tv_sec;
}

static uint8_t cmos_read_reg(struct cmos *c, unsigned reg)
{
	uint8_t v;

	if (cmos_is_time_reg(reg))
		return cmos_time_reg(c, reg);
	switch (reg) {
	case RTC_REG_A:
		return c->ram[reg] & (uint8_t)~RTC_A_UIP;
	case RTC_REG_C:
		v = c->ram[reg];
		c->ram[reg] = 0; /* read clears the interrupt flags */
		return v;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return c->ram[reg];
	}
}

static void cmos_write_reg(struct cmos *c, unsigned reg, uint8_t v)
{
	struct timespec ts;

	if (cmos_is_time_reg(reg)) {
		cmos_set_time_reg(c, reg, v);
		return;
	}
	switch (reg) {
	case RTC_REG_A:
		c->ram[reg] = v & (uint8_t)~RTC_A_UIP;
		return;
	case RTC_REG_B:
		if ((v & RTC_B_SET) && !(c->ram[reg] & RTC_B_SET)) {
			cmos_now(c, &c->set);
		} else if (!(v & RTC_B_SET) && (c->ram[reg] & RTC_B_SET)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			c->offset = (int64_t)timegm(&c->set) - ts.tv_sec; /* the clock restarts */
		}
		c->ram[reg] = v;
		return;
	case RTC_REG_C:
	case RTC_REG_D:
		return; /* read-only */
	default:
		c->ram[reg] = v;
		return;
	}
}

static void cmos_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct cmos *c = opaque;
	uint8_t *d = data;
	unsigned i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < len; i++)
		d[i] = off + i == CMOS_DATA ? cmos_read_reg(c, c->index)
					    : 0xff; /* the index port is write-only */
	pthread_mutex_unlock(&c->lock);
}

static void cmos_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	struct cmos *c = opaque;
	const uint8_t *d = data;
	unsigned i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < len; i++) {
		if (off + i == CMOS_INDEX) {
			c->nmi_masked = d[i] & CMOS_NMI_DISABLE;
			c->index = d[i] & (CMOS_SIZE - 1);
		} else if (off + i == CMOS_DATA) {
			cmos_write_reg(c, c->index, d[i]);
		}
	}
	pthread_mutex_unlock(&c->lock);
}

static const struct bus_ops cmos_ops = {cmos_read, cmos_write};

static void cmos_put16(struct cmos *c, unsigned lo, uint64_t v)
{
	c->ram[lo] = (uint8_t)v;
	c->ram[lo + 1] = (uint8_t)(v >> 8);
}

static void cmos_fill_memory(struct cmos *c, uint64_t below, uint64_t above)
{
	const uint64_t mib = 1ULL << 20, k64 = 1ULL << 16;
	uint64_t ext = below > mib ? (below - mib) >> 10 : 0;
	uint64_t over16 = below > 16 * mib ? (below - 16 * mib) / k64 : 0;
	uint64_t over4g = above / k64;
	unsigned i, sum = 0;

	cmos_put16(c, CMOS_BASE_MEM_LO, 640);
	cmos_put16(c, CMOS_EXT_MEM_LO, ext > 0xffff ? 0xffff : ext);
	cmos_put16(c, CMOS_EXT_MEM2_LO, ext > 0xffff ? 0xffff : ext);
	cmos_put16(c, CMOS_MEM_16M_LO, over16 > 0xffff ? 0xffff : over16);
	if (over4g > 0xffffff)
		over4g = 0xffffff;
	c->ram[CMOS_MEM_4G_LO] = (uint8_t)over4g;
	c->ram[CMOS_MEM_4G_MID] = (uint8_t)(over4g >> 8);
	c->ram[CMOS_MEM_4G_HI] = (uint8_t)(over4g >> 16);
	/* the AT checksum covers 0x10-0x2d */
	for (i = 0x10; i < CMOS_CHECKSUM_HI; i++)
		sum += c->ram[i];
	c->ram[CMOS_CHECKSUM_HI] = (uint8_t)(sum >> 8);
	c->ram[CMOS_CHECKSUM_LO] = (uint8_t)sum;
}

static void cmos_free(void *p)
{
	struct cmos *c = p;

	pthread_mutex_destroy(&c->lock);
	free(c);
}

int cmos_new(struct bus *b, uint64_t ram_below_4g, uint64_t ram_above_4g)
{
	/* No IRQ: the RTC raises no interrupts, and a guest driver told of
	 * IRQ 8 would wait on update interrupts that never come. */
	struct bus_dev_info info = {"rtc", "motorola,mc146818", "PNP0B00", -1};
#ifdef __GLIBC__
	/* glibc's gmtime_r reads the time zone files on its first call; do
	 * that now, before the vCPU's seccomp filter forbids opening files.
	 * musl's never does, and its tzset opens and maps /etc/localtime
	 * (~17 us of every start here). */
	tzset();
#endif
	struct cmos *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->ram[RTC_REG_A] = 0x26;      /* 32.768 kHz time base, 1024 Hz rate */
	c->ram[RTC_REG_B] = RTC_B_24H; /* BCD, 24-hour, no interrupts */
	cmos_fill_memory(c, ram_below_4g, ram_above_4g);
	rc = bus_register(b, BUS_PIO, CMOS_PORT, 2, &cmos_ops, c, &info);
	if (rc == 0) {
		rc = bus_adopt(b, c, cmos_free);
		if (rc < 0)
			bus_unregister(b, BUS_PIO, CMOS_PORT);
	}
	if (rc < 0)
		cmos_free(c);
	return rc;
}
