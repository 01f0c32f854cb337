/* devices/bus: registration, dispatch, unknown accesses, and lock-free
 * lookup while another thread changes the table. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "devices/bus.h"

struct rec {
	uint64_t last_off;
	unsigned last_len;
	uint64_t last_val;
	unsigned reads, writes;
	uint8_t fill;
};

static void rec_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct rec *r = opaque;
	r->last_off = off;
	r->last_len = len;
	r->reads++;
	memset(data, r->fill, len);
}

static void rec_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	struct rec *r = opaque;
	r->last_off = off;
	r->last_len = len;
	r->last_val = 0;
	memcpy(&r->last_val, data, len);
	r->writes++;
}

static const struct bus_ops rec_ops = {rec_read, rec_write};

Test(bus, dispatch_gives_offset_relative_to_base)
{
	struct bus *b = bus_new();
	struct rec r = {.fill = 0x42};
	cr_assert_eq(bus_register(b, BUS_PIO, 0x3f8, 8, &rec_ops, &r, NULL), 0);
	uint8_t v = 0;
	cr_assert_eq(bus_read(b, BUS_PIO, 0x3fd, &v, 1), 0);
	cr_assert_eq(v, 0x42);
	cr_assert_eq(r.last_off, 5);
	uint32_t w = 0xdeadbeef;
	cr_assert_eq(bus_write(b, BUS_PIO, 0x3f8, &w, 4), 0);
	cr_assert_eq(r.last_off, 0);
	cr_assert_eq(r.last_len, 4);
	cr_assert_eq(r.last_val, 0xdeadbeef);
	cr_assert_eq(bus_unknown_count(b, BUS_PIO), 0);
	bus_free(b);
}

Test(bus, spaces_are_separate)
{
	struct bus *b = bus_new();
	struct rec r = {.fill = 1};
	cr_assert_eq(bus_register(b, BUS_MMIO, 0x3f8, 8, &rec_ops, &r, NULL), 0);
	uint8_t v = 0;
	cr_assert_eq(bus_read(b, BUS_PIO, 0x3f8, &v, 1), -ENOENT);
	cr_assert_eq(bus_unknown_count(b, BUS_PIO), 1);
	cr_assert_eq(bus_unknown_count(b, BUS_MMIO), 0);
	cr_assert_eq(bus_read(b, BUS_MMIO, 0x3f8, &v, 1), 0);
	bus_free(b);
}

Test(bus, unknown_read_is_all_ones_and_counted)
{
	struct bus *b = bus_new();
	uint64_t v = 0;
	cr_assert_eq(bus_read(b, BUS_MMIO, 0xfee00000, &v, 8), -ENOENT);
	cr_assert_eq(v, UINT64_MAX);
	uint16_t h = 0;
	cr_assert_eq(bus_read(b, BUS_PIO, 0x80, &h, 2), -ENOENT);
	cr_assert_eq(h, 0xffff);
	cr_assert_eq(bus_write(b, BUS_PIO, 0x80, &h, 2), -ENOENT);
	cr_assert_eq(bus_unknown_count(b, BUS_PIO), 2);
	cr_assert_eq(bus_unknown_count(b, BUS_MMIO), 1);
	bus_free(b);
}

Test(bus, straddling_access_is_unknown)
{
	struct bus *b = bus_new();
	struct rec r = {.fill = 0};
	cr_assert_eq(bus_register(b, BUS_PIO, 0x60, 1, &rec_ops, &r, NULL), 0);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x61, 1, &rec_ops, &r, NULL), 0);
	uint16_t v = 0;
	cr_assert_eq(bus_read(b, BUS_PIO, 0x60, &v, 2), -ENOENT, "a 2-byte read over two 1-byte ranges");
	cr_assert_eq(v, 0xffff);
	uint32_t w = 0;
	cr_assert_eq(bus_write(b, BUS_PIO, 0x5f, &w, 4), -ENOENT, "starts before the range");
	cr_assert_eq(r.reads + r.writes, 0, "no device saw a partial access");
	cr_assert_eq(bus_read(b, BUS_PIO, 0x61, &v, 1), 0);
	bus_free(b);
}

Test(bus, exact_range_ends)
{
	struct bus *b = bus_new();
	struct rec r = {0};
	cr_assert_eq(bus_register(b, BUS_MMIO, 0x1000, 0x100, &rec_ops, &r, NULL), 0);
	uint32_t v;
	cr_assert_eq(bus_read(b, BUS_MMIO, 0x10fc, &v, 4), 0, "last 4 bytes in");
	cr_assert_eq(bus_read(b, BUS_MMIO, 0x10fd, &v, 4), -ENOENT, "one byte past");
	cr_assert_eq(bus_read(b, BUS_MMIO, 0x1100, &v, 1), -ENOENT);
	cr_assert_eq(bus_read(b, BUS_MMIO, 0xfff, &v, 1), -ENOENT);
	cr_assert_eq(bus_read(b, BUS_MMIO, 0x1000, &v, 1), 0);
	bus_free(b);
}

Test(bus, top_of_address_space)
{
	struct bus *b = bus_new();
	struct rec r = {0};
	cr_assert_eq(bus_register(b, BUS_MMIO, UINT64_MAX - 0xfff, 0x1000, &rec_ops, &r, NULL), 0);
	uint64_t v;
	cr_assert_eq(bus_read(b, BUS_MMIO, UINT64_MAX - 7, &v, 8), 0);
	cr_assert_eq(bus_read(b, BUS_MMIO, UINT64_MAX - 3, &v, 8), -ENOENT, "would wrap");
	cr_assert_eq(bus_register(b, BUS_MMIO, UINT64_MAX, 2, &rec_ops, &r, NULL), -EINVAL);
	bus_free(b);
}

Test(bus, register_refuses_overlap_zero_len_and_wrap)
{
	struct bus *b = bus_new();
	struct rec r = {0};
	cr_assert_eq(bus_register(b, BUS_PIO, 0x70, 2, &rec_ops, &r, NULL), 0);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x71, 1, &rec_ops, &r, NULL), -EEXIST);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x6f, 2, &rec_ops, &r, NULL), -EEXIST);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x60, 0x100, &rec_ops, &r, NULL), -EEXIST);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x6f, 1, &rec_ops, &r, NULL), 0);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x72, 1, &rec_ops, &r, NULL), 0);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x80, 0, &rec_ops, &r, NULL), -EINVAL);
	cr_assert_eq(bus_register(b, BUS_PIO, UINT64_MAX - 1, 3, &rec_ops, &r, NULL), -EINVAL);
	cr_assert_eq(bus_register(b, 7, 0x80, 1, &rec_ops, &r, NULL), -EINVAL);
	bus_free(b);
}

Test(bus, unregister_removes_only_that_range)
{
	struct bus *b = bus_new();
	struct rec r1 = {.fill = 1}, r2 = {.fill = 2};
	cr_assert_eq(bus_register(b, BUS_PIO, 0x20, 2, &rec_ops, &r1, NULL), 0);
	cr_assert_eq(bus_register(b, BUS_PIO, 0xa0, 2, &rec_ops, &r2, NULL), 0);
	cr_assert_eq(bus_unregister(b, BUS_PIO, 0x21), -ENOENT, "by base only");
	cr_assert_eq(bus_unregister(b, BUS_PIO, 0x20), 0);
	uint8_t v;
	cr_assert_eq(bus_read(b, BUS_PIO, 0x20, &v, 1), -ENOENT);
	cr_assert_eq(bus_read(b, BUS_PIO, 0xa1, &v, 1), 0);
	cr_assert_eq(v, 2);
	cr_assert_eq(bus_unregister(b, BUS_PIO, 0x20), -ENOENT);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x20, 2, &rec_ops, &r1, NULL), 0, "the range is free again");
	bus_free(b);
}

Test(bus, bad_lengths_do_not_reach_devices)
{
	struct bus *b = bus_new();
	struct rec r = {0};
	cr_assert_eq(bus_register(b, BUS_MMIO, 0, 0x100, &rec_ops, &r, NULL), 0);
	uint8_t buf[16];
	cr_assert_eq(bus_read(b, BUS_MMIO, 0, buf, 0), -ENOENT);
	cr_assert_eq(bus_write(b, BUS_MMIO, 0, buf, 16), -ENOENT);
	cr_assert_eq(r.reads + r.writes, 0);
	bus_free(b);
}

struct seen {
	uint64_t bases[8];
	enum bus_space sp[8];
	const char *names[8];
	int irqs[8];
	unsigned n;
};

static void collect(const struct bus_entry *e, void *arg)
{
	struct seen *s = arg;
	cr_assert_lt(s->n, 8);
	s->bases[s->n] = e->base;
	s->sp[s->n] = e->space;
	s->names[s->n] = e->info.name;
	s->irqs[s->n] = e->info.irq;
	s->n++;
}

Test(bus, foreach_visits_pio_then_mmio_in_order_with_info)
{
	struct bus *b = bus_new();
	struct rec r = {0};
	struct bus_dev_info uart = {"serial", "ns16550a", "PNP0501", 4};
	cr_assert_eq(bus_register(b, BUS_MMIO, 0xd0000000, 0x1000, &rec_ops, &r, NULL), 0);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x3f8, 8, &rec_ops, &r, &uart), 0);
	cr_assert_eq(bus_register(b, BUS_MMIO, 0xc0000000, 0x1000, &rec_ops, &r, NULL), 0);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x70, 2, &rec_ops, &r, NULL), 0);
	struct seen s = {0};
	bus_foreach(b, collect, &s);
	cr_assert_eq(s.n, 4);
	cr_assert_eq(s.bases[0], 0x70);
	cr_assert_eq(s.bases[1], 0x3f8);
	cr_assert_str_eq(s.names[1], "serial");
	cr_assert_eq(s.irqs[1], 4);
	cr_assert_eq(s.irqs[0], -1, "no info means no IRQ");
	cr_assert_eq(s.sp[2], BUS_MMIO);
	cr_assert_eq(s.bases[2], 0xc0000000);
	cr_assert_eq(s.bases[3], 0xd0000000);
	bus_free(b);
}

Test(bus, many_ranges_binary_search)
{
	struct bus *b = bus_new();
	static struct rec r[64];
	for (unsigned i = 0; i < 64; i++) {
		r[i].fill = (uint8_t)i;
		/* insert in a scrambled order */
		unsigned k = (i * 37) % 64;
		r[k].fill = (uint8_t)k;
		cr_assert_eq(bus_register(b, BUS_MMIO, 0x10000 + k * 0x100, 0x80, &rec_ops, &r[k], NULL), 0);
	}
	for (unsigned k = 0; k < 64; k++) {
		uint8_t v;
		cr_assert_eq(bus_read(b, BUS_MMIO, 0x10000 + k * 0x100 + 0x7f, &v, 1), 0);
		cr_assert_eq(v, k);
		cr_assert_eq(bus_read(b, BUS_MMIO, 0x10000 + k * 0x100 + 0x80, &v, 1), -ENOENT,
			     "gap after %u", k);
	}
	bus_free(b);
}

/* Readers dispatch on a stable device while a writer keeps registering and
 * unregistering others around it. The stable device must answer every
 * single read; the churned one answers or misses, never anything else. */
struct mt {
	struct bus *b;
	atomic_bool stop;
	atomic_ulong bad;
};

static void stable_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	(void)opaque;
	(void)len;
	*(uint32_t *)data = 0xc0ffee00u | (uint32_t)off;
}

static void churn_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	(void)opaque;
	(void)off;
	(void)len;
	*(uint32_t *)data = 0x11111111u;
}

static const struct bus_ops stable_ops = {stable_read, NULL};
static const struct bus_ops churn_ops = {churn_read, NULL};

static void *reader(void *arg)
{
	struct mt *t = arg;
	while (!atomic_load(&t->stop)) {
		uint32_t v = 0;
		if (bus_read(t->b, BUS_MMIO, 0x5004, &v, 4) != 0 || v != 0xc0ffee04u)
			atomic_fetch_add(&t->bad, 1);
		v = 0;
		int rc = bus_read(t->b, BUS_MMIO, 0x3000, &v, 4);
		if (!((rc == 0 && v == 0x11111111u) || (rc == -ENOENT && v == 0xffffffffu)))
			atomic_fetch_add(&t->bad, 1);
	}
	return NULL;
}

Test(bus, readers_never_miss_while_a_writer_changes_the_table, .timeout = 60)
{
	struct mt t = {.b = bus_new()};
	cr_assert_eq(bus_register(t.b, BUS_MMIO, 0x5000, 0x10, &stable_ops, NULL, NULL), 0);
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, reader, &t), 0);
	for (unsigned i = 0; i < 2000; i++) {
		cr_assert_eq(bus_register(t.b, BUS_MMIO, 0x3000, 0x10, &churn_ops, NULL, NULL), 0);
		cr_assert_eq(
		    bus_register(t.b, BUS_MMIO, 0x7000 + (i % 4) * 0x10, 0x10, &churn_ops, NULL, NULL), 0);
		cr_assert_eq(bus_unregister(t.b, BUS_MMIO, 0x3000), 0);
		cr_assert_eq(bus_unregister(t.b, BUS_MMIO, 0x7000 + (i % 4) * 0x10), 0);
	}
	atomic_store(&t.stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(atomic_load(&t.bad), 0, "%lu reads saw a torn or missing table", atomic_load(&t.bad));
	bus_free(t.b);
}
