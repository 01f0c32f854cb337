/* devices: 8254 programmable interval timer (Intel 8254 datasheet, order
 * 231164) and the PC's port 0x61 (gate 2, speaker, refresh toggle, OUT2).
 * Counters are not ticked: their value and OUT are computed from
 * CLOCK_MONOTONIC at 1.193182 MHz whenever the guest reads them. IRQ0 is
 * counter 0's OUT rising edge: the VM core arms a timer at
 * pit_next_event() and calls pit_advance(), which pulses IRQ0 once however
 * many periods went by (lost ticks are the guest's to count). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/legacy.h"

#define PIT_BASE     0x40
#define PIT_CTRL     3 /* offset of the control word register */
#define PIT_PORT61   0x61
#define PIT_HZ	     1193182ULL
#define PIT_CHANNELS 3

/* control word fields */
#define PIT_SC_SHIFT	 6
#define PIT_SC_READBACK	 3
#define PIT_RW_SHIFT	 4
#define PIT_RW_LATCH	 0
#define PIT_RW_LSB	 1
#define PIT_RW_MSB	 2
#define PIT_RW_LSB_MSB	 3
#define PIT_MODE_SHIFT	 1
#define PIT_BCD		 0x01
#define PIT_RB_NO_COUNT	 0x20
#define PIT_RB_NO_STATUS 0x10

/* status byte (read-back) */
#define PIT_STATUS_OUT	0x80
#define PIT_STATUS_NULL 0x40

/* port 0x61 */
#define PORT61_GATE2	  0x01
#define PORT61_SPEAKER	  0x02
#define PORT61_STORED	  0x0f
#define PORT61_REFRESH	  0x10
#define PORT61_OUT2	  0x20
#define PORT61_REFRESH_NS 15085 /* DRAM refresh request period on the PC/AT */

struct pit_channel {
	uint8_t mode, rw;
	bool bcd;
	uint32_t count; /* reload value, 1..65536 (1..10000 in BCD) */
	bool loaded;	/* a full count was written since the control word */
	bool triggered; /* modes 1 and 5: a gate rising edge started it */
	bool gate;
	bool paused; /* modes 0 and 4 with gate low */
	uint64_t paused_ticks;
	int64_t load_ns; /* when counting (re)started */
	bool null_count;
	bool write_msb; /* lo/hi write flip-flop: next byte is the MSB */
	uint8_t write_lsb;
	bool read_msb; /* lo/hi read flip-flop */
	bool latched;
	uint16_t latch;
	bool latch_msb;
	bool status_latched;
	uint8_t status;
	uint64_t irq_periods; /* counter 0: edges delivered since the load */
	bool irq_fired;	      /* counter 0, one-shot modes */
};

struct pit {
	pthread_mutex_t lock;
	struct pit_channel ch[PIT_CHANNELS];
	uint8_t port61;
	const struct vm_events *ev;
	int64_t (*now_fn)(void *ctx);
	void *now_ctx;
	void (*notify)(void *ctx);
	void *notify_ctx;
};

static int64_t pit_monotonic(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t pit_ns_to_ticks(int64_t ns)
{
	if (ns <= 0)
		return 0;
	return (uint64_t)((unsigned __int128)ns * PIT_HZ / 1000000000ULL);
}

/* Rounded up, so that pit_ns_to_ticks(pit_ticks_to_ns(t)) >= t. */
static int64_t pit_ticks_to_ns(uint64_t ticks)
{
	return (int64_t)(((unsigned __int128)ticks * 1000000000ULL + PIT_HZ - 1) / PIT_HZ);
}

static bool pit_running(const struct pit_channel *c)
{
	if (!c->loaded)
		return false;
	switch (c->mode) {
	case 1:
	case 5:
		return c->triggered;
	case 2:
	case 3:
		return c->gate;
	default:
		return true;
	}
}

static uint64_t pit_elapsed(const struct pit_channel *c, int64_t now)
{
	if (c->paused)
		return c->paused_ticks;
	return pit_ns_to_ticks(now - c->load_ns);
}

static uint32_t pit_modulus(const struct pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

static uint16_t pit_to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | (v % 10));
}

static uint16_t pit_from_bcd(uint16_t v)
{
	return (uint16_t)(((v >> 12) & 15) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 + (v & 15));
}

/* The counting element now, as the guest reads it. */
static uint16_t pit_counter(const struct pit_channel *c, int64_t now)
{
	uint32_t m = pit_modulus(c), n = c->count, v;
	uint64_t t;

	if (!c->loaded)
		return 0;
	if (!pit_running(c)) {
		v = n % m; /* holds the loaded count until triggered */
	} else {
		t = pit_elapsed(c, now);
		switch (c->mode) {
		case 2:
			v = n - (uint32_t)(t % n);
			break;
		case 3:
			v = n - (uint32_t)((2 * t) % n);
			break;
		default: /* 0, 1, 4, 5: down to 0, then wraps and keeps counting */
			v = (uint32_t)(((uint64_t)n + m - t % m) % m);
			break;
		}
		v %= m;
	}
	return c->bcd ? pit_to_bcd(v) : (uint16_t)v;
}

static bool pit_out(const struct pit_channel *c, int64_t now)
{
	uint64_t t;

	if (!c->loaded)
		return c->mode != 0; /* mode 0 drives OUT low from the control word */
	if (!pit_running(c))
		return c->mode == 0 ? false : true;
	t = pit_elapsed(c, now);
	switch (c->mode) {
	case 0:
		return t >= c->count;
	case 1:
		return t >= c->count;
	case 2:
		return t % c->count != c->count - 1u;
	case 3:
		return t % c->count < (c->count + 1u) / 2u;
	default: /* 4, 5: one tick low at terminal count */
		return t != c->count;
	}
}

static uint8_t pit_status(const struct pit_channel *c, int64_t now)
{
	return (uint8_t)((pit_out(c, now) ? PIT_STATUS_OUT : 0) | (c->null_count ? PIT_STATUS_NULL : 0) |
			 c->rw << PIT_RW_SHIFT | c->mode << PIT_MODE_SHIFT | (c->bcd ? PIT_BCD : 0));
}

static void pit_load(struct pit_channel *c, uint16_t raw, int64_t now)
{
	uint32_t v = c->bcd ? pit_from_bcd(raw) : raw;

	c->count = v ? v : pit_modulus(c);
	if (c->mode == 3 && c->count == 1)
		c->count = 2; /* mode 3 needs at least two ticks a period */
	if (c->mode == 2 && c->count == 1)
		c->count = 2; /* count 1 is illegal in mode 2 */
	c->loaded = true;
	c->null_count = false;
	c->triggered = false;
	c->load_ns = now;
	c->paused = (c->mode == 0 || c->mode == 4) && !c->gate;
	c->paused_ticks = 0;
	c->irq_periods = 0;
	c->irq_fired = false;
}

static void pit_set_gate(struct pit_channel *c, bool gate, int64_t now)
{
	bool rising = gate && !c->gate;

	if (gate == c->gate)
		return;
	if (c->mode == 0 || c->mode == 4) {
		if (!gate) {
			c->paused_ticks = pit_elapsed(c, now);
			c->paused = true;
		} else if (c->paused) {
			c->load_ns = now - pit_ticks_to_ns(c->paused_ticks);
			c->paused = false;
		}
	}
	c->gate = gate;
	if (rising && c->loaded) {
		/* modes 1 and 5 trigger, 2 and 3 restart from the count */
		if (c->mode == 1 || c->mode == 5)
			c->triggered = true;
		if (c->mode != 0 && c->mode != 4) {
			c->load_ns = now;
			c->irq_periods = 0;
			c->irq_fired = false;
		}
	}
}

static void pit_control(struct pit *p, uint8_t v, int64_t now)
{
	unsigned sc = v >> PIT_SC_SHIFT, rw = (v >> PIT_RW_SHIFT) & 3, i;
	struct pit_channel *c;

	if (sc == PIT_SC_READBACK) {
		for (i = 0; i < PIT_CHANNELS; i++) {
			if (!(v & (2u << i)))
				continue;
			c = &p->ch[i];
			if (!(v & PIT_RB_NO_COUNT) && !c->latched) {
				c->latched = true;
				c->latch_msb = false;
				c->latch = pit_counter(c, now);
			}
			if (!(v & PIT_RB_NO_STATUS) && !c->status_latched) {
				c->status_latched = true;
				c->status = pit_status(c, now);
			}
		}
		return;
	}
	c = &p->ch[sc];
	if (rw == PIT_RW_LATCH) {
		if (!c->latched) {
			c->latched = true;
			c->latch_msb = false;
			c->latch = pit_counter(c, now);
		}
		return;
	}
	c->rw = (uint8_t)rw;
	c->mode = (v >> PIT_MODE_SHIFT) & 7;
	if (c->mode > 5)
		c->mode -= 4; /* 6 and 7 are 2 and 3 */
	c->bcd = v & PIT_BCD;
	c->loaded = false;
	c->triggered = false;
	c->paused = false;
	c->null_count = true;
	c->write_msb = false;
	c->read_msb = false;
	c->latched = false;
	c->status_latched = false;
}

static void pit_data_write(struct pit_channel *c, uint8_t v, int64_t now)
{
	switch (c->rw) {
	case PIT_RW_LSB:
		pit_load(c, v, now);
		break;
	case PIT_RW_MSB:
		pit_load(c, (uint16_t)(v << 8), now);
		break;
	case PIT_RW_LSB_MSB:
		if (!c->write_msb) {
			c->write_lsb = v;
			c->write_msb = true;
			if (c->mode == 0)
				c->loaded = false; /* writing the LSB stops mode 0 counting */
		} else {
			c->write_msb = false;
			pit_load(c, (uint16_t)(c->write_lsb | v << 8), now);
		}
		break;
	default:
		break; /* no control word yet: ignored */
	}
}

static uint8_t pit_byte(uint16_t v, unsigned rw, bool *msb_next)
{
	switch (rw) {
	case PIT_RW_LSB:
		return (uint8_t)v;
	case PIT_RW_MSB:
		return (uint8_t)(v >> 8);
	default:
		*msb_next = !*msb_next;
		return *msb_next ? (uint8_t)v : (uint8_t)(v >> 8);
	}
}

static uint8_t pit_data_read(struct pit_channel *c, int64_t now)
{
	uint8_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		v = pit_byte(c->latch, c->rw, &c->latch_msb);
		if (c->rw != PIT_RW_LSB_MSB || !c->latch_msb)
			c->latched = false; /* the whole latched value was read */
		return v;
	}
	return pit_byte(pit_counter(c, now), c->rw, &c->read_msb);
}

static void pit_notify(struct pit *p)
{
	if (p->notify)
		p->notify(p->notify_ctx);
}

static void pit_io_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct pit *p = opaque;
	uint8_t *d = data;
	int64_t now = p->now_fn(p->now_ctx);
	unsigned i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < len; i++)
		d[i] = off + i < PIT_CTRL ? pit_data_read(&p->ch[off + i], now)
					  : 0xff; /* control is write-only */
	pthread_mutex_unlock(&p->lock);
}

static void pit_io_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	struct pit *p = opaque;
	const uint8_t *d = data;
	int64_t now = p->now_fn(p->now_ctx);
	bool ch0 = false;
	unsigned i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < len; i++) {
		if (off + i == PIT_CTRL) {
			pit_control(p, d[i], now);
			ch0 |= d[i] >> PIT_SC_SHIFT == 0;
		} else if (off + i < PIT_CTRL) {
			pit_data_write(&p->ch[off + i], d[i], now);
			ch0 |= off + i == 0;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (ch0)
		pit_notify(p); /* IRQ0's schedule may have changed */
}

static void pit_port61_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct pit *p = opaque;
	int64_t now = p->now_fn(p->now_ctx);
	uint8_t v;

	(void)off;
	pthread_mutex_lock(&p->lock);
	v = p->port61 & PORT61_STORED;
	if ((now / PORT61_REFRESH_NS) & 1)
		v |= PORT61_REFRESH;
	if (pit_out(&p->ch[2], now))
		v |= PORT61_OUT2;
	pthread_mutex_unlock(&p->lock);
	memset(data, v, len); /* the range is one port; len is 1 */
}

static void pit_port61_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	struct pit *p = opaque;
	int64_t now = p->now_fn(p->now_ctx);
	const uint8_t *d = data;

	(void)off;
	pthread_mutex_lock(&p->lock);
	p->port61 = d[len - 1] & PORT61_STORED;
	pit_set_gate(&p->ch[2], p->port61 & PORT61_GATE2, now);
	pthread_mutex_unlock(&p->lock);
}

static const struct bus_ops pit_ops = {pit_io_read, pit_io_write};
static const struct bus_ops pit_port61_ops = {pit_port61_read, pit_port61_write};

/* Counter 0's next OUT rising edge in ns, or -1. Lock held. */
static int64_t pit_next_locked(const struct pit *p)
{
	const struct pit_channel *c = &p->ch[0];

	if (!pit_running(c) || c->paused)
		return -1;
	switch (c->mode) {
	case 0:
	case 4:
		return c->irq_fired ? -1 : c->load_ns + pit_ticks_to_ns(c->count);
	case 2:
	case 3:
		return c->load_ns + pit_ticks_to_ns((c->irq_periods + 1) * c->count);
	default:
		return -1; /* mode 1/5 on counter 0: gate 0 is tied high, never triggers */
	}
}

int64_t pit_next_event(struct pit *p)
{
	int64_t t;

	pthread_mutex_lock(&p->lock);
	t = pit_next_locked(p);
	pthread_mutex_unlock(&p->lock);
	return t;
}

void pit_advance(struct pit *p, int64_t now_ns)
{
	struct pit_channel *c = &p->ch[0];
	int64_t next;
	bool edge = false;

	pthread_mutex_lock(&p->lock);
	next = pit_next_locked(p);
	if (next >= 0 && now_ns >= next) {
		edge = true;
		if (c->mode == 2 || c->mode == 3)
			c->irq_periods = pit_elapsed(c, now_ns) / c->count; /* coalesce missed periods */
		else
			c->irq_fired = true;
	}
	pthread_mutex_unlock(&p->lock);
	if (edge && p->ev && p->ev->set_irq) {
		p->ev->set_irq(p->ev->ctx, 0, true);
		p->ev->set_irq(p->ev->ctx, 0, false);
	}
}

void pit_set_clock(struct pit *p, int64_t (*now_ns)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&p->lock);
	p->now_fn = now_ns ? now_ns : pit_monotonic;
	p->now_ctx = ctx;
	pthread_mutex_unlock(&p->lock);
}

void pit_set_notify(struct pit *p, void (*fn)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&p->lock);
	p->notify = fn;
	p->notify_ctx = ctx;
	pthread_mutex_unlock(&p->lock);
}

struct pit *pit_new(struct bus *b, const struct vm_events *ev)
{
	struct bus_dev_info info = {"pit", "intel,i8254", "PNP0100", 0};
	struct bus_dev_info info61 = {"port61", NULL, NULL, -1};
	struct pit *p = calloc(1, sizeof(*p));
	unsigned i;
	int rc;

	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	p->ev = ev;
	p->now_fn = pit_monotonic;
	for (i = 0; i < PIT_CHANNELS; i++)
		p->ch[i].gate = i < 2; /* gates 0 and 1 are tied high; gate 2 is port 0x61 bit 0 */
	rc = bus_register(b, BUS_PIO, PIT_BASE, 4, &pit_ops, p, &info);
	if (rc == 0) {
		rc = bus_register(b, BUS_PIO, PIT_PORT61, 1, &pit_port61_ops, p, &info61);
		if (rc < 0)
			bus_unregister(b, BUS_PIO, PIT_BASE);
	}
	if (rc < 0) {
		pit_free(p);
		errno = -rc;
		return NULL;
	}
	return p;
}

void pit_free(struct pit *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p);
}
