/* devices: the I/O bus.
 *
 * Each space (PIO, MMIO) has an immutable array of ranges sorted by base,
 * published through an atomic pointer. vCPU threads load it with acquire
 * order and binary-search it without a lock. bus_register/bus_unregister
 * take the mutex, build a new array, and publish it with release order.
 * A vCPU may still be searching an old array after the swap, and there is no
 * cheap way to know when every vCPU has moved on, so replaced arrays go on a
 * retired list and are freed only in bus_free(), when no vCPU runs. Changes
 * are rare (boot, hotplug), so the retired list stays short. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "devices/bus.h"

#define BUS_SPACES 2

struct bus_table {
	struct bus_table *retired_next;
	unsigned n;
	struct bus_entry e[];
};

struct bus_owned {
	struct bus_owned *next;
	void *p;
	void (*free_fn)(void *p);
};

struct bus {
	_Atomic(struct bus_table *) table[BUS_SPACES];
	atomic_uint_fast64_t unknown[BUS_SPACES];
	pthread_mutex_t lock; /* serialises writers; readers never take it */
	struct bus_table *retired;
	struct bus_owned *owned; /* device state freed with the bus */
};

static struct bus_table *bus_table_new(unsigned n)
{
	struct bus_table *t = calloc(1, sizeof(*t) + (size_t)n * sizeof(t->e[0]));

	if (t)
		t->n = n;
	return t;
}

struct bus *bus_new(void)
{
	struct bus *b = calloc(1, sizeof(*b));
	unsigned i;

	if (!b)
		return NULL;
	pthread_mutex_init(&b->lock, NULL);
	for (i = 0; i < BUS_SPACES; i++) {
		struct bus_table *t = bus_table_new(0);

		if (!t) {
			bus_free(b);
			return NULL;
		}
		atomic_init(&b->table[i], t);
		atomic_init(&b->unknown[i], 0);
	}
	return b;
}

void bus_free(struct bus *b)
{
	unsigned i;

	if (!b)
		return;
	for (i = 0; i < BUS_SPACES; i++)
		free(atomic_load_explicit(&b->table[i], memory_order_relaxed)); /* NULL if bus_new failed */
	while (b->retired) {
		struct bus_table *t = b->retired;

		b->retired = t->retired_next;
		free(t);
	}
	while (b->owned) {
		struct bus_owned *o = b->owned;

		b->owned = o->next;
		o->free_fn(o->p);
		free(o);
	}
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static bool bus_space_ok(enum bus_space sp)
{
	return (unsigned)sp < BUS_SPACES;
}

/* Publishes t for space sp; the old table is retired. Called with the lock. */
static void bus_publish(struct bus *b, enum bus_space sp, struct bus_table *t)
{
	struct bus_table *old = atomic_exchange_explicit(&b->table[sp], t, memory_order_acq_rel);

	old->retired_next = b->retired;
	b->retired = old;
}

int bus_register(struct bus *b, enum bus_space sp, uint64_t base, uint64_t len, const struct bus_ops *ops,
		 void *opaque, const struct bus_dev_info *info)
{
	struct bus_table *old, *t;
	unsigned i, at;

	if (!bus_space_ok(sp) || len == 0 || base + len - 1 < base || !ops)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	old = atomic_load_explicit(&b->table[sp], memory_order_relaxed);
	for (at = 0; at < old->n && old->e[at].base < base; at++)
		;
	/* Sorted and disjoint: only the neighbours can overlap. */
	if ((at > 0 && old->e[at - 1].base + (old->e[at - 1].len - 1) >= base) ||
	    (at < old->n && base + (len - 1) >= old->e[at].base)) {
		pthread_mutex_unlock(&b->lock);
		return -EEXIST;
	}
	t = bus_table_new(old->n + 1);
	if (!t) {
		pthread_mutex_unlock(&b->lock);
		return -ENOMEM;
	}
	for (i = 0; i < at; i++)
		t->e[i] = old->e[i];
	t->e[at] = (struct bus_entry){
	    .base = base,
	    .len = len,
	    .space = sp,
	    .ops = ops,
	    .opaque = opaque,
	    .info = info ? *info : (struct bus_dev_info){.irq = -1},
	};
	for (i = at; i < old->n; i++)
		t->e[i + 1] = old->e[i];
	bus_publish(b, sp, t);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* A vCPU that looked the range up before the swap may still be inside its
 * handler when this returns: free the device's state only once no vCPU
 * runs, or keep it alive (bus_adopt). */
int bus_unregister(struct bus *b, enum bus_space sp, uint64_t base)
{
	struct bus_table *old, *t;
	unsigned i, j, at;

	if (!bus_space_ok(sp))
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	old = atomic_load_explicit(&b->table[sp], memory_order_relaxed);
	for (at = 0; at < old->n && old->e[at].base != base; at++)
		;
	if (at == old->n) {
		pthread_mutex_unlock(&b->lock);
		return -ENOENT;
	}
	t = bus_table_new(old->n - 1);
	if (!t) {
		pthread_mutex_unlock(&b->lock);
		return -ENOMEM;
	}
	for (i = 0, j = 0; i < old->n; i++)
		if (i != at)
			t->e[j++] = old->e[i];
	bus_publish(b, sp, t);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* The entry that holds all of [addr, addr + len), or NULL. */
static const struct bus_entry *bus_lookup(struct bus *b, enum bus_space sp, uint64_t addr, unsigned len)
{
	const struct bus_table *t = atomic_load_explicit(&b->table[sp], memory_order_acquire);
	unsigned lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct bus_entry *e = &t->e[mid];

		if (addr < e->base) {
			hi = mid;
		} else if (addr - e->base >= e->len) {
			lo = mid + 1;
		} else {
			/* A straddling access is nobody's: partial delivery
			 * would confuse the device more than a miss does. */
			if (len > e->len - (addr - e->base))
				return NULL;
			return e;
		}
	}
	return NULL;
}

static bool bus_len_ok(unsigned len)
{
	return len >= 1 && len <= 8;
}

int bus_read(struct bus *b, enum bus_space sp, uint64_t addr, void *data, unsigned len)
{
	const struct bus_entry *e = NULL;

	if (bus_space_ok(sp) && bus_len_ok(len))
		e = bus_lookup(b, sp, addr, len);
	if (!e || !e->ops->read) {
		if (len <= 8)
			memset(data, 0xff, len);
		if (bus_space_ok(sp))
			atomic_fetch_add_explicit(&b->unknown[sp], 1, memory_order_relaxed);
		return -ENOENT;
	}
	e->ops->read(e->opaque, addr - e->base, data, len);
	return 0;
}

int bus_write(struct bus *b, enum bus_space sp, uint64_t addr, const void *data, unsigned len)
{
	const struct bus_entry *e = NULL;

	if (bus_space_ok(sp) && bus_len_ok(len))
		e = bus_lookup(b, sp, addr, len);
	if (!e || !e->ops->write) {
		if (bus_space_ok(sp))
			atomic_fetch_add_explicit(&b->unknown[sp], 1, memory_order_relaxed);
		return -ENOENT;
	}
	e->ops->write(e->opaque, addr - e->base, data, len);
	return 0;
}

uint64_t bus_unknown_count(const struct bus *b, enum bus_space sp)
{
	if (!bus_space_ok(sp))
		return 0;
	return atomic_load_explicit(&((struct bus *)b)->unknown[sp], memory_order_relaxed);
}

void bus_foreach(struct bus *b, void (*fn)(const struct bus_entry *e, void *arg), void *arg)
{
	unsigned sp, i;

	for (sp = 0; sp < BUS_SPACES; sp++) {
		/* A snapshot: retired tables live until bus_free, so fn may
		 * even register or unregister ranges. */
		const struct bus_table *t = atomic_load_explicit(&b->table[sp], memory_order_acquire);

		for (i = 0; i < t->n; i++)
			fn(&t->e[i], arg);
	}
}

int bus_adopt(struct bus *b, void *p, void (*free_fn)(void *p))
{
	struct bus_owned *o = malloc(sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->p = p;
	o->free_fn = free_fn;
	pthread_mutex_lock(&b->lock);
	o->next = b->owned;
	b->owned = o;
	pthread_mutex_unlock(&b->lock);
	return 0;
}
