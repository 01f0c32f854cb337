/* mem: guest RAM and the guest physical map.
 *
 * All RAM is one anonymous host mapping, 2 MiB aligned so THP can back it
 * (all of it but the first 2 MiB, see mem_init).
 * RAM below MEM_HOLE_START sits at gpa 0, the rest at 4 GiB. The map is a
 * small array of disjoint regions kept sorted by gpa; lookups are a binary
 * search. Each RAM/ROM/FB region is one KVM memslot once mem_register() has
 * run. A20 gating (mem_set_a20) splits the low RAM region so that
 * [1 MiB, 1 MiB + 64 KiB) is its own slot backed by the host pages of
 * [0, 64 KiB), which is what the guest sees with A20 masked. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
/* musl's <sys/ioctl.h> defines the _IO* macros without a guard; let the
 * kernel's definitions (the same encoding) replace them. */
#ifndef __GLIBC__
#undef _IOC
#undef _IO
#undef _IOR
#undef _IOW
#undef _IOWR
#endif
#include <linux/kvm.h>

#include "mem/mem.h"

#define MEM_ALIGN      (2ULL << 20)
#define A20_ALIAS_GPA  0x100000ULL
#define A20_ALIAS_SIZE 0x10000ULL
#define NO_SLOT	       UINT32_MAX

static void mem_write_begin(struct mem_map *m)
{
	while (__atomic_exchange_n(&m->wlock, 1, __ATOMIC_ACQUIRE))
		;
	__atomic_store_n(&m->seq, m->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void mem_write_end(struct mem_map *m)
{
	__atomic_store_n(&m->seq, m->seq + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&m->wlock, 0, __ATOMIC_RELEASE);
}

static unsigned mem_read_begin(const struct mem_map *m)
{
	unsigned s;

	while ((s = __atomic_load_n(&m->seq, __ATOMIC_ACQUIRE)) & 1)
		;
	return s;
}

static bool mem_read_retry(const struct mem_map *m, unsigned s)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&m->seq, __ATOMIC_RELAXED) != s;
}

static bool mem_backed(enum mem_kind k)
{
	return k != MEM_MMIO;
}

/* Index of the region holding gpa, or -1. */
static int mem_index(const struct mem_map *m, uint64_t gpa)
{
	unsigned lo = 0, hi = m->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct mem_region *r = &m->r[mid];

		if (gpa < r->gpa)
			hi = mid;
		else if (gpa - r->gpa >= r->size)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}

const struct mem_region *mem_find(const struct mem_map *m, uint64_t gpa)
{
	int i = mem_index(m, gpa);

	return i < 0 ? NULL : &m->r[i];
}

static void *mem_translate(const struct mem_map *m, uint64_t gpa, uint64_t len, bool want_write)
{
	const struct mem_region *r;
	uint64_t off;

	if (len > 0 && gpa + len - 1 < gpa)
		return NULL; /* wraps past 2^64 */
	r = mem_find(m, gpa);
	if (!r || !r->hva)
		return NULL;
	if (r->kind == MEM_MMIO || (want_write && r->kind == MEM_ROM))
		return NULL;
	off = gpa - r->gpa;
	if (len > r->size - off)
		return NULL;
	return r->hva + off;
}

void *mem_gpa_to_hva(const struct mem_map *m, uint64_t gpa, uint64_t len, bool want_write)
{
	unsigned s;
	void *p;

	do {
		s = mem_read_begin(m);
		p = mem_translate(m, gpa, len, want_write);
	} while (mem_read_retry(m, s));
	return p;
}

int mem_read(const struct mem_map *m, uint64_t gpa, void *buf, size_t len)
{
	void *p = mem_gpa_to_hva(m, gpa, len, false);

	if (!p)
		return -EFAULT;
	if (len)
		memcpy(buf, p, len);
	return 0;
}

int mem_write(const struct mem_map *m, uint64_t gpa, const void *buf, size_t len)
{
	void *p = mem_gpa_to_hva(m, gpa, len, true);

	if (!p)
		return -EFAULT;
	if (len)
		memcpy(p, buf, len);
	return 0;
}

static uint32_t mem_free_slot(const struct mem_map *m)
{
	uint32_t s = 0;

	/* Slots in use are at most MEM_MAX_REGIONS, so one is free below that + 1. */
	for (;;) {
		unsigned i;

		for (i = 0; i < m->n; i++)
			if (m->r[i].slot == s)
				break;
		if (i == m->n)
			return s;
		s++;
	}
}

static int mem_kvm_set(const struct mem_map *m, uint32_t slot, uint64_t gpa, uint64_t size, void *hva,
		       uint32_t flags)
{
	struct kvm_userspace_memory_region kr = {
	    .slot = slot,
	    .flags = flags,
	    .guest_phys_addr = gpa,
	    .memory_size = size,
	    .userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	if (ioctl(m->vmfd, KVM_SET_USER_MEMORY_REGION, &kr) < 0)
		return -errno;
	return 0;
}

/* Gives region i a memslot when the map is registered. */
static int mem_slot_add(struct mem_map *m, unsigned i)
{
	struct mem_region *r = &m->r[i];
	uint32_t slot;
	int rc;

	if (m->vmfd < 0 || !mem_backed(r->kind) || r->size == 0)
		return 0;
	slot = mem_free_slot(m);
	/* ROM is read-only to the guest; a framebuffer logs dirty pages so
	 * its consumer copies only what changed. */
	rc = mem_kvm_set(m, slot, r->gpa, r->size, r->hva,
			 r->kind == MEM_ROM  ? KVM_MEM_READONLY
			 : r->kind == MEM_FB ? KVM_MEM_LOG_DIRTY_PAGES
					     : 0);
	if (rc == 0)
		r->slot = slot;
	return rc;
}

static int mem_slot_del(struct mem_map *m, unsigned i)
{
	struct mem_region *r = &m->r[i];
	int rc;

	if (m->vmfd < 0 || r->slot == NO_SLOT)
		return 0;
	rc = mem_kvm_set(m, r->slot, r->gpa, 0, r->hva, 0);
	if (rc == 0)
		r->slot = NO_SLOT;
	return rc;
}

/* Inserts a region in gpa order without touching KVM; index or -errno. */
static int mem_insert(struct mem_map *m, uint64_t gpa, uint64_t size, enum mem_kind kind, void *hva)
{
	unsigned i;

	if (size == 0 || gpa + size - 1 < gpa)
		return -EINVAL;
	if (mem_backed(kind) && !hva)
		return -EINVAL;
	for (i = 0; i < m->n; i++) {
		const struct mem_region *r = &m->r[i];

		if (gpa < r->gpa + r->size && r->gpa < gpa + size)
			return -EEXIST;
	}
	if (m->n == MEM_MAX_REGIONS)
		return -ENOSPC;
	for (i = m->n; i > 0 && m->r[i - 1].gpa > gpa; i--)
		m->r[i] = m->r[i - 1];
	m->r[i] = (struct mem_region){
	    .gpa = gpa,
	    .size = size,
	    .hva = mem_backed(kind) ? hva : NULL,
	    .kind = kind,
	    .slot = NO_SLOT,
	};
	m->n++;
	return (int)i;
}

static void mem_erase(struct mem_map *m, unsigned i)
{
	memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof(m->r[0]));
	m->n--;
}

static int mem_add_locked(struct mem_map *m, uint64_t gpa, uint64_t size, enum mem_kind kind, void *hva)
{
	int i = mem_insert(m, gpa, size, kind, hva);
	int rc;

	if (i < 0)
		return i;
	rc = mem_slot_add(m, (unsigned)i);
	if (rc < 0) {
		mem_erase(m, (unsigned)i);
		return rc;
	}
	return 0;
}

static int mem_carve_locked(struct mem_map *m, uint64_t gpa, uint64_t size)
{
	uint64_t end = gpa + size;
	unsigned i;
	int rc;

	if (size == 0 || end - 1 < gpa)
		return -EINVAL;
	for (i = 0; i < m->n; i++) {
		const struct mem_region *r = &m->r[i];

		if (gpa < r->gpa + r->size && r->gpa < end && r->kind != MEM_RAM)
			return -EEXIST;
		/* The A20 alias is restored as a whole; a hole in it could not be. */
		if (gpa < r->gpa + r->size && r->gpa < end && r->gpa == A20_ALIAS_GPA && r->hva == m->ram)
			return -EBUSY;
		/* Cutting out the middle needs one more entry: refuse before
		 * touching anything rather than leave half a map. */
		if (r->gpa < gpa && end < r->gpa + r->size && m->n == MEM_MAX_REGIONS)
			return -ENOSPC;
	}
	i = 0;
	while (i < m->n) {
		struct mem_region r = m->r[i];
		uint64_t rend = r.gpa + r.size;
		int j;

		if (!(gpa < rend && r.gpa < end)) {
			i++;
			continue;
		}
		rc = mem_slot_del(m, i);
		if (rc < 0)
			return rc;
		mem_erase(m, i);
		/* Removing one region frees a slot for each piece but one:
		 * a split in the middle needs one more entry. */
		if (r.gpa < gpa) {
			j = mem_insert(m, r.gpa, gpa - r.gpa, MEM_RAM, r.hva);
			if (j < 0 || (rc = mem_slot_add(m, (unsigned)j)) < 0)
				return j < 0 ? j : rc;
		}
		if (end < rend) {
			j = mem_insert(m, end, rend - end, MEM_RAM, r.hva + (end - r.gpa));
			if (j < 0 || (rc = mem_slot_add(m, (unsigned)j)) < 0)
				return j < 0 ? j : rc;
		}
		i = 0; /* indexes moved; the array is tiny */
	}
	return 0;
}

int mem_add(struct mem_map *m, uint64_t gpa, uint64_t size, enum mem_kind kind, void *hva)
{
	int rc;

	mem_write_begin(m);
	rc = mem_add_locked(m, gpa, size, kind, hva);
	mem_write_end(m);
	return rc;
}

int mem_carve(struct mem_map *m, uint64_t gpa, uint64_t size)
{
	int rc;

	mem_write_begin(m);
	rc = mem_carve_locked(m, gpa, size);
	mem_write_end(m);
	return rc;
}

int mem_init(struct mem_map *m, uint64_t ram_size)
{
	uint64_t below, above, map_len;
	uint8_t *p, *aligned;
	int rc;

	memset(m, 0, sizeof(*m));
	m->vmfd = -1;
	/* RAM above the hole lives at 4 GiB; the top must fit in 64 bits and
	 * in what the host can map at all. */
	if (ram_size > MEM_MAX_RAM)
		return -E2BIG;
	if (ram_size == 0 || ram_size % MEM_PAGE_SIZE)
		return -EINVAL; /* memslots and munmap work in whole pages */
	/* The kernel places a large anonymous mapping 2 MiB aligned by itself
	 * (THP alignment); only when it did not, over-map by 2 MiB and trim
	 * both ends. */
	p = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	aligned = p;
	if ((uintptr_t)p & (MEM_ALIGN - 1)) {
		munmap(p, ram_size);
		map_len = ram_size + MEM_ALIGN;
		p = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		aligned = (uint8_t *)(((uintptr_t)p + MEM_ALIGN - 1) & ~(uintptr_t)(MEM_ALIGN - 1));
		if (aligned > p)
			munmap(p, (size_t)(aligned - p));
		if ((uint64_t)(aligned - p) < MEM_ALIGN)
			munmap(aligned + ram_size, (size_t)(MEM_ALIGN - (uint64_t)(aligned - p)));
	}
	/* Huge pages for all but the first 2 MiB. A small guest lives in a few
	 * pages there (IVT, boot info, an image at 1 MiB), and a huge page is
	 * zeroed whole at its first touch: 0.2 ms of a 1 ms start here, and
	 * 2 MiB of RSS. A big guest's memory is above it and keeps huge pages.
	 * Advice only: a host without THP is fine. */
	if (ram_size > MEM_ALIGN) {
		madvise(aligned, MEM_ALIGN, MADV_NOHUGEPAGE);
		madvise(aligned + MEM_ALIGN, ram_size - MEM_ALIGN, MADV_HUGEPAGE);
	} else {
		madvise(aligned, ram_size, MADV_NOHUGEPAGE);
	}
	m->ram = aligned;
	m->ram_size = ram_size;

	below = ram_size < MEM_HOLE_START ? ram_size : MEM_HOLE_START;
	above = ram_size - below;
	rc = mem_insert(m, 0, below, MEM_RAM, aligned);
	if (rc >= 0 && above)
		rc = mem_insert(m, MEM_HOLE_END, above, MEM_RAM, aligned + below);
	if (rc < 0) {
		mem_destroy(m);
		return rc;
	}
	return 0;
}

int mem_register(struct mem_map *m, int vmfd)
{
	unsigned i;
	int rc;

	if (m->vmfd >= 0)
		return -EBUSY;
	m->vmfd = vmfd;
	for (i = 0; i < m->n; i++) {
		rc = mem_slot_add(m, i);
		if (rc < 0) {
			while (i-- > 0)
				mem_slot_del(m, i);
			m->vmfd = -1;
			return rc;
		}
	}
	return 0;
}

void mem_destroy(struct mem_map *m)
{
	/* The memslots go with the VM fd; only the host mapping is ours. */
	if (m->ram)
		munmap(m->ram, m->ram_size);
	m->ram = NULL;
	m->ram_size = 0;
	m->n = 0;
	m->vmfd = -1;
}

uint64_t mem_ram_below_4g(const struct mem_map *m)
{
	return m->ram_size < MEM_HOLE_START ? m->ram_size : MEM_HOLE_START;
}

uint64_t mem_ram_above_4g(const struct mem_map *m)
{
	return m->ram_size - mem_ram_below_4g(m);
}

static bool mem_joinable(const struct mem_region *a, const struct mem_region *b)
{
	return a->kind == MEM_RAM && b->kind == MEM_RAM && a->gpa + a->size == b->gpa &&
	       a->hva + a->size == b->hva;
}

/* Region i has no slot yet: joins it with the RAM regions before and after
 * it when they continue it in both guest and host addresses, then gives the
 * result one memslot. */
static int mem_merge_at(struct mem_map *m, unsigned i)
{
	int rc;

	if (i + 1 < m->n && mem_joinable(&m->r[i], &m->r[i + 1])) {
		rc = mem_slot_del(m, i + 1);
		if (rc < 0)
			return rc;
		m->r[i].size += m->r[i + 1].size;
		mem_erase(m, i + 1);
	}
	if (i > 0 && mem_joinable(&m->r[i - 1], &m->r[i])) {
		rc = mem_slot_del(m, i - 1);
		if (rc < 0)
			return rc;
		m->r[i - 1].size += m->r[i].size;
		mem_erase(m, i);
		i--;
	}
	return mem_slot_add(m, i);
}

/* The A20 alias is the region at A20_ALIAS_GPA backed by the host pages of
 * gpa 0, which no unaliased map ever has. */
static int mem_a20_alias(const struct mem_map *m)
{
	int i = mem_index(m, A20_ALIAS_GPA);

	if (i < 0 || m->r[i].gpa != A20_ALIAS_GPA || m->r[i].kind != MEM_RAM || m->r[i].hva != m->ram)
		return -1;
	return i;
}

bool mem_a20_enabled(const struct mem_map *m)
{
	unsigned s;
	bool on;

	do {
		s = mem_read_begin(m);
		on = mem_a20_alias(m) < 0;
	} while (mem_read_retry(m, s));
	return on;
}

/* A20 off may only replace what A20 on restores exactly: the window holds
 * nothing but low RAM at its own host pages, with no hole below the RAM
 * top. And the map must have room for the alias (and a split). */
static int mem_a20_window_plain(const struct mem_map *m)
{
	uint64_t wend = A20_ALIAS_GPA + A20_ALIAS_SIZE, top = mem_ram_below_4g(m), covered = 0;
	unsigned i, need = 1;

	if (top > wend)
		top = wend;
	for (i = 0; i < m->n; i++) {
		const struct mem_region *r = &m->r[i];
		uint64_t lo = r->gpa > A20_ALIAS_GPA ? r->gpa : A20_ALIAS_GPA;
		uint64_t hi = r->gpa + r->size < wend ? r->gpa + r->size : wend;

		if (lo >= hi)
			continue;
		if (r->kind != MEM_RAM || r->hva != m->ram + r->gpa)
			return -EBUSY;
		covered += hi - lo;
		if (r->gpa < A20_ALIAS_GPA && r->gpa + r->size > wend)
			need++; /* carving the middle out splits it */
	}
	if (covered != (top > A20_ALIAS_GPA ? top - A20_ALIAS_GPA : 0))
		return -EBUSY;
	if (m->n + need > MEM_MAX_REGIONS)
		return -ENOSPC;
	return 0;
}

static int mem_set_a20_locked(struct mem_map *m, bool enabled)
{
	int a = mem_a20_alias(m);
	int i, rc;

	if (!m->ram || mem_ram_below_4g(m) < A20_ALIAS_SIZE)
		return -EINVAL;
	if (enabled) {
		if (a < 0)
			return 0;
		rc = mem_slot_del(m, (unsigned)a);
		if (rc < 0)
			return rc;
		mem_erase(m, (unsigned)a);
		/* Give the 64 KiB back to low RAM when RAM was there; merge
		 * it with its neighbours so loaders see one region again. */
		if (mem_ram_below_4g(m) > A20_ALIAS_GPA) {
			uint64_t end = A20_ALIAS_GPA + A20_ALIAS_SIZE;
			uint64_t top = mem_ram_below_4g(m);

			if (top > end)
				top = end;
			i = mem_insert(m, A20_ALIAS_GPA, top - A20_ALIAS_GPA, MEM_RAM,
				       m->ram + A20_ALIAS_GPA);
			if (i < 0)
				return i;
			return mem_merge_at(m, (unsigned)i);
		}
		return 0;
	}
	if (a >= 0)
		return 0;
	rc = mem_a20_window_plain(m);
	if (rc < 0)
		return rc;
	rc = mem_carve_locked(m, A20_ALIAS_GPA, A20_ALIAS_SIZE);
	if (rc < 0)
		return rc;
	return mem_add_locked(m, A20_ALIAS_GPA, A20_ALIAS_SIZE, MEM_RAM, m->ram);
}

int mem_set_a20(struct mem_map *m, bool enabled)
{
	int rc;

	mem_write_begin(m);
	rc = mem_set_a20_locked(m, enabled);
	mem_write_end(m);
	return rc;
}

int mem_dirty_log(struct mem_map *m, uint64_t gpa, void *bitmap, size_t bitmap_bytes)
{
	struct kvm_dirty_log log;
	uint64_t pages = 0;
	uint32_t slot = NO_SLOT;
	enum mem_kind kind = MEM_MMIO;
	unsigned s;
	int i;

	do {
		s = mem_read_begin(m);
		i = mem_index(m, gpa);
		if (i >= 0 && m->r[i].gpa == gpa) {
			slot = m->r[i].slot;
			kind = m->r[i].kind;
			pages = (m->r[i].size + 4095) / 4096;
		}
	} while (mem_read_retry(m, s));
	if (slot == NO_SLOT || kind != MEM_FB)
		return -EINVAL;
	/* KVM writes whole 64-bit words of the bitmap */
	if (bitmap_bytes < (pages + 63) / 64 * 8)
		return -ENOSPC;
	memset(&log, 0, sizeof(log));
	log.slot = slot;
	log.dirty_bitmap = bitmap;
	if (ioctl(m->vmfd, KVM_GET_DIRTY_LOG, &log) < 0)
		return -errno;
	return 0;
}
