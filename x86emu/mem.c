/* x86emu: memory. Late segmentation (linear address formed at the access
 * with the current mode's checks), the soft-MMU (32-bit, PAE and 4-level
 * walks, A/D bits, a generation-flushed TLB with CLOCK or FIFO eviction,
 * page-table write tracking), the A20 gate, and the operation queue through
 * which every physical and port access passes (SDM vol. 3A ch. 3-4). */
#include <stdlib.h>
#include <string.h>

#include "x86emu/internal.h"

/* ---- TLB ---------------------------------------------------------------- */

static inline unsigned tlb_bucket(uint64_t vpn)
{
	return (unsigned)((vpn * 0x9e3779b97f4a7c15ull) >> 51) & (TLB_HASH - 1);
}

/* ---- decode cache: code pages --------------------------------------------- */

void dcache_flush(struct x86emu *e)
{
	e->dc_gen++; /* 64 bits: does not come round again */
	e->mmu_epoch++;
}

unsigned code_track(struct x86emu *e, uint64_t gpa, unsigned len, uint64_t *gen)
{
	uint64_t ppn = gpa >> 12;
	unsigned slot = code_slot(ppn);
	struct code_page *c = &e->code[slot];

	if (c->ppn != ppn) {
		c->chunks = 0;
		c->gen++; /* drops the decodes of the page that had the slot */
		e->mmu_epoch++;
		c->ppn = ppn;
	}
	c->chunks |= code_chunks((unsigned)(gpa & 0xfff), len);
	*gen = e->dc_gen + c->gen;
	if (e->pc_write.gpage == ppn << 12)
		e->pc_write.watch = true;
	return slot;
}

/* A write to physical page ppn needs pt_write() / code_write_check(). */
static bool page_watched(struct x86emu *e, uint64_t ppn)
{
	if (e->code[code_slot(ppn)].ppn == ppn)
		return true;
	for (unsigned i = 0; i < e->npt_track; i++)
		if (e->pt_track[i] == ppn)
			return true;
	return false;
}

/* ---- soft-MMU ----------------------------------------------------------- */

void mmu_init(struct x86emu *e)
{
	memset(e->tlb, 0, sizeof(*e->tlb) * X86EMU_TLB_MAX_ENTRIES);
	memset(e->hash_gen, 0, sizeof(*e->hash_gen) * TLB_HASH);
	e->tlb_gen = 1;
	e->tlb_hand = 0;
	e->npt_track = 0;
	memset(e->pt_bloom, 0, sizeof(e->pt_bloom));
	memset(e->hcache, 0, sizeof(e->hcache));
	e->hgen = 1;
	e->tlb_used = 0;
	e->mmu_epoch++;
	for (unsigned i = 0; i < CODE_PAGES; i++) {
		e->code[i].ppn = ~0ull;
		e->code[i].chunks = 0;
	}
	/* A reset forgets every decode. */
	for (unsigned i = 0; i < DC_ENTRIES; i++)
		e->dcache[i].key = DC_EMPTY, e->dcache[i].gen = 0;
}

void mmu_flush(struct x86emu *e)
{
	e->mmu_epoch++;
	e->tlb_gen++;
	if (e->tlb_gen == 0)
		mmu_init(e);
	e->tlb_used = 0;
	e->npt_track = 0;
	memset(e->pt_bloom, 0, sizeof(e->pt_bloom));
	e->st.tlb.flushes++;
}

void x86emu_tlb_flush(struct x86emu *e)
{
	mmu_flush(e);
	/* The caller may have changed its memory map or guest memory. */
	dcache_flush(e);
	e->hgen++;
	if (e->hgen == 0) {
		memset(e->hcache, 0, sizeof(e->hcache));
		e->hgen = 1;
	}
}

void x86emu_set_tlb_policy(struct x86emu *e, enum x86emu_tlb_policy policy)
{
	e->tlb_policy = policy == X86EMU_TLB_FIFO ? X86EMU_TLB_FIFO : X86EMU_TLB_CLOCK;
	mmu_flush(e);
}

int x86emu_set_tlb_size(struct x86emu *e, unsigned entries)
{
	if (entries < 1 || entries > X86EMU_TLB_MAX_ENTRIES)
		return -22;
	e->tlb_size = entries;
	e->tlb_hand = 0;
	mmu_flush(e);
	return 0;
}

static void tlb_unlink(struct x86emu *e, unsigned idx)
{
	struct tlb_ent *t = &e->tlb[idx];
	unsigned h = tlb_bucket(t->vpn);
	int32_t *link = &e->tlb_hash[h];

	if (t->gen != e->tlb_gen || e->hash_gen[h] != e->tlb_gen)
		return;
	e->mmu_epoch++;
	while (*link >= 0) {
		if (*link == (int32_t)idx) {
			*link = t->next;
			break;
		}
		link = &e->tlb[*link].next;
	}
	t->gen = 0;
}

static struct tlb_ent *tlb_lookup(struct x86emu *e, uint64_t vpn)
{
	unsigned h = tlb_bucket(vpn);
	if (e->hash_gen[h] != e->tlb_gen)
		return NULL;
	for (int32_t i = e->tlb_hash[h]; i >= 0; i = e->tlb[i].next) {
		struct tlb_ent *t = &e->tlb[i];
		if (t->vpn == vpn && t->gen == e->tlb_gen)
			return t;
	}
	return NULL;
}

static struct tlb_ent *tlb_alloc(struct x86emu *e, uint64_t vpn)
{
	unsigned idx;
	struct tlb_ent *t;

	if (e->tlb_used < e->tlb_size) {
		idx = e->tlb_used++;
	} else if (e->tlb_policy == X86EMU_TLB_FIFO) {
		idx = e->tlb_hand;
		e->tlb_hand = (e->tlb_hand + 1) % e->tlb_size;
	} else {
		/* CLOCK: a referenced entry gets a second chance. */
		while (e->tlb[e->tlb_hand].ref && e->tlb[e->tlb_hand].gen == e->tlb_gen) {
			e->tlb[e->tlb_hand].ref = 0;
			e->tlb_hand = (e->tlb_hand + 1) % e->tlb_size;
		}
		idx = e->tlb_hand;
		e->tlb_hand = (e->tlb_hand + 1) % e->tlb_size;
	}
	t = &e->tlb[idx];
	if (t->gen == e->tlb_gen) {
		e->st.tlb.evictions++;
		tlb_unlink(e, idx);
	}
	unsigned h = tlb_bucket(vpn);
	if (e->hash_gen[h] != e->tlb_gen) {
		e->hash_gen[h] = e->tlb_gen;
		e->tlb_hash[h] = -1;
	}
	memset(t, 0, sizeof(*t));
	t->vpn = vpn;
	t->gen = e->tlb_gen;
	t->next = e->tlb_hash[h];
	e->tlb_hash[h] = (int32_t)idx;
	return t;
}

void mmu_invlpg(struct x86emu *e, uint64_t la)
{
	struct tlb_ent *t = tlb_lookup(e, la >> 12);
	if (!t)
		return;
	if (t->large) {
		/* One of many 4 KiB pieces of a large page: drop them all. */
		mmu_flush(e);
		return;
	}
	tlb_unlink(e, (unsigned)(t - e->tlb));
}

/* ---- page-table tracking ------------------------------------------------- */

static void pt_track(struct x86emu *e, uint64_t ppn)
{
	unsigned b = bloom_bit(ppn);
	if (e->pt_bloom[b >> 6] & (1ull << (b & 63))) {
		for (unsigned i = 0; i < e->npt_track; i++)
			if (e->pt_track[i] == ppn)
				return;
	}
	if (e->npt_track == PT_TRACK) {
		/* Too many tables to follow: start over from an empty TLB. */
		mmu_flush(e);
	}
	e->pt_track[e->npt_track++] = ppn;
	e->pt_bloom[b >> 6] |= 1ull << (b & 63);
	if (e->pc_write.gpage == ppn << 12)
		e->pc_write.watch = true;
}

static void pt_rebuild_bloom(struct x86emu *e)
{
	memset(e->pt_bloom, 0, sizeof(e->pt_bloom));
	for (unsigned i = 0; i < e->npt_track; i++) {
		unsigned b = bloom_bit(e->pt_track[i]);
		e->pt_bloom[b >> 6] |= 1ull << (b & 63);
	}
}

/* A guest write to physical page ppn, which the bloom filter says may be a
 * tracked page table. */
void pt_write_slow(struct x86emu *e, uint64_t ppn)
{
	unsigned i;
	for (i = 0; i < e->npt_track; i++)
		if (e->pt_track[i] == ppn)
			break;
	if (i == e->npt_track)
		return;
	e->st.tlb.pt_writes++;
	/* Translations cached from this table may be stale now. */
	for (unsigned k = 0; k < e->tlb_used && k < e->tlb_size; k++) {
		struct tlb_ent *t = &e->tlb[k];
		if (t->gen != e->tlb_gen)
			continue;
		for (unsigned l = 0; l < t->npt; l++) {
			if (t->pt[l] == ppn) {
				tlb_unlink(e, k);
				break;
			}
		}
	}
	const struct opdesc *d = e->cur->d;
	if (d && (d->flags & F_NONPT)) {
		/* add/sub/call/... do not edit page tables: the page was
		 * reused for data, stop watching it. */
		e->pt_track[i] = e->pt_track[--e->npt_track];
		pt_rebuild_bloom(e);
		e->st.tlb.pt_untracked++;
	}
}

/* ---- physical memory ----------------------------------------------------- */

static inline uint64_t a20_mask(struct x86emu *e, uint64_t gpa)
{
	return e->a20 ? gpa : gpa & ~(1ull << 20);
}

/* Host pointer for [gpa, gpa+len) within one page, or NULL. */
static uint8_t *phys_ptr(struct x86emu *e, uint64_t gpa, unsigned len, bool write)
{
	uint64_t ppn = gpa >> 12;
	struct hcache_ent *h = &e->hcache[ppn & (HCACHE - 1)];

	if (h->gen == e->hgen && h->ppn == ppn && (!write || h->writable))
		return h->hva + (gpa & 0xfff);
	uint8_t *p = e->ops->mem_ptr(e->ctx, ppn << 12, 4096, write);
	if (p) {
		h->ppn = ppn;
		h->hva = p;
		h->gen = e->hgen;
		h->writable = write;
		return p + (gpa & 0xfff);
	}
	return e->ops->mem_ptr(e->ctx, gpa, len, write);
}

static int q_record(struct x86emu *e, int kind, uint64_t addr, unsigned size, struct qent **out)
{
	if (e->qlen >= QMAX || e->qdlen + size > QDATA)
		return emu_unhandled(e, "instruction makes too many memory accesses");
	struct qent *q = &e->q[e->qlen++];
	q->kind = (uint8_t)kind;
	q->done = 1;
	q->size = (uint16_t)size;
	q->doff = (uint16_t)e->qdlen;
	q->addr = addr;
	e->qdlen += size;
	e->qpos = e->qlen;
	*out = q;
	return RC_OK;
}

/* Replay: the next recorded access must be this one. 1 if replayed. */
static int q_replay(struct x86emu *e, int kind, uint64_t addr, unsigned size, void *buf, int *rc)
{
	if (e->qpos >= e->qlen)
		return 0;
	struct qent *q = &e->q[e->qpos];
	if (q->kind != kind || q->addr != addr || q->size != size) {
		*rc = emu_unhandled(e, "replayed instruction made a different access");
		return 1;
	}
	if (!q->done) {
		*rc = X86EMU_PENDING;
		return 1;
	}
	if (kind == Q_READ || kind == Q_IN)
		copy_small(buf, e->qdata + q->doff, size);
	e->qpos++;
	*rc = RC_OK;
	return 1;
}

static int set_pending(struct x86emu *e, struct qent *q, int kind, const void *wdata)
{
	q->done = 0;
	e->pend.kind = kind == Q_READ	 ? X86EMU_PEND_MMIO_READ
		       : kind == Q_WRITE ? X86EMU_PEND_MMIO_WRITE
		       : kind == Q_IN	 ? X86EMU_PEND_PIO_IN
					 : X86EMU_PEND_PIO_OUT;
	e->pend.addr = q->addr;
	e->pend.size = q->size;
	memset(e->pend.data, 0, sizeof(e->pend.data));
	if (wdata)
		memcpy(e->pend.data, wdata, q->size);
	return X86EMU_PENDING;
}

/* One MMIO piece: size 1/2/4/8, naturally aligned. */
static int mmio_piece(struct x86emu *e, uint64_t gpa, unsigned size, void *buf, bool write)
{
	int kind = write ? Q_WRITE : Q_READ, rc;
	struct qent *q = NULL;

	if (q_replay(e, kind, gpa, size, buf, &rc))
		return rc;
	if ((rc = q_record(e, kind, gpa, size, &q)))
		return rc;
	if (write) {
		memcpy(e->qdata + q->doff, buf, size);
		rc = e->ops->mmio_write ? e->ops->mmio_write(e->ctx, gpa, size, buf) : X86EMU_IO_OK;
	} else {
		memset(buf, 0xff, size);
		rc = e->ops->mmio_read ? e->ops->mmio_read(e->ctx, gpa, size, buf) : X86EMU_IO_OK;
		memcpy(e->qdata + q->doff, buf, size);
	}
	if (rc == X86EMU_IO_OK)
		return RC_OK;
	if (rc == X86EMU_IO_PENDING)
		return set_pending(e, q, kind, write ? buf : NULL);
	return emu_unhandled(e, "MMIO access failed");
}

/* [gpa, gpa+size) within one page. */
static int phys_access(struct x86emu *e, uint64_t gpa, unsigned size, void *buf, bool write)
{
	int kind = write ? Q_WRITE : Q_READ, rc;
	struct qent *q = NULL;

	gpa = a20_mask(e, gpa);
	uint8_t *p = phys_ptr(e, gpa, size, write);
	if (p) {
		if (q_replay(e, kind, gpa, size, buf, &rc))
			return rc;
		if ((rc = q_record(e, kind, gpa, size, &q)))
			return rc;
		if (write) {
			if (e->npt_track)
				pt_write(e, gpa >> 12);
			code_write_check(e, gpa, size);
			copy_small(p, buf, size);
		} else {
			copy_small(buf, p, size);
			copy_small(e->qdata + q->doff, buf, size);
		}
		return RC_OK;
	}
	/* MMIO, or ROM on a write: naturally aligned pieces of up to 8. */
	uint8_t *b = buf;
	while (size) {
		unsigned n = 8;
		while (n > size || (gpa & (n - 1)))
			n >>= 1;
		if ((rc = mmio_piece(e, gpa, n, b, write)))
			return rc;
		gpa += n;
		b += n;
		size -= n;
	}
	return RC_OK;
}

/* ---- paging -------------------------------------------------------------- */

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

static void *pte_ptr(struct x86emu *e, uint64_t gpa, unsigned size)
{
	return e->ops->mem_ptr(e->ctx, a20_mask(e, gpa), size, true);
}

struct walk {
	uint64_t ptes_gpa[5];
	unsigned sizes[5];
	unsigned n;
	uint64_t ppn;
	bool user, writable, nx, large;
	uint64_t ptpages[4];
	unsigned npt;
};

/* Walk the tables for la. Returns 0, or a #PF error code with bit 31 set
 * for "not present/reserved" faults, or -1 for tables outside RAM. */
static int64_t page_walk(struct x86emu *e, uint64_t la, struct walk *w)
{
	uint64_t cr3 = cr_get(e, X86EMU_CR3);
	uint64_t cr4 = cr_get(e, X86EMU_CR4);
	uint64_t efer = cr_get(e, X86EMU_EFER);
	bool nxe = efer & EFER_NXE;
	uint64_t rsvd_nx = nxe ? 0 : PTE_NX;

	memset(w, 0, sizeof(*w));
	w->user = w->writable = true;
	e->st.tlb.walks++;

	if (!(cr4 & CR4_PAE)) {
		uint64_t pdg = (cr3 & 0xfffff000ull) + ((la >> 22) & 0x3ff) * 4;
		uint32_t *pd = pte_ptr(e, pdg, 4);
		if (!pd)
			return -1;
		uint32_t pde = __atomic_load_n(pd, __ATOMIC_RELAXED);
		w->ptpages[w->npt++] = pdg >> 12;
		w->ptes_gpa[w->n] = pdg, w->sizes[w->n++] = 4;
		if (!(pde & PTE_P))
			return 1ll << 32;
		w->user &= !!(pde & PTE_U);
		w->writable &= !!(pde & PTE_W);
		if ((pde & PTE_PS) && (cr4 & CR4_PSE)) {
			if (pde & (1u << 21))
				return (1ll << 32) | X86EMU_PF_RSVD | X86EMU_PF_P;
			uint64_t base = (pde & 0xffc00000ull) | ((uint64_t)(pde >> 13) & 0xff) << 32;
			w->ppn = (base | (la & 0x3ff000)) >> 12;
			w->large = true;
			return 0;
		}
		uint64_t ptg = (pde & 0xfffff000ull) + ((la >> 12) & 0x3ff) * 4;
		uint32_t *pt = pte_ptr(e, ptg, 4);
		if (!pt)
			return -1;
		uint32_t pte = __atomic_load_n(pt, __ATOMIC_RELAXED);
		w->ptpages[w->npt++] = ptg >> 12;
		w->ptes_gpa[w->n] = ptg, w->sizes[w->n++] = 4;
		if (!(pte & PTE_P))
			return 1ll << 32;
		w->user &= !!(pte & PTE_U);
		w->writable &= !!(pte & PTE_W);
		w->ppn = (pte & 0xfffff000ull) >> 12;
		return 0;
	}

	int levels, level;
	uint64_t table;
	if (efer & EFER_LMA) {
		levels = 4;
		table = cr3 & PTE_ADDR;
	} else {
		levels = 3;
		uint64_t pdptg = (cr3 & 0xffffffe0ull) + ((la >> 30) & 3) * 8;
		uint64_t *pp = pte_ptr(e, pdptg, 8);
		if (!pp)
			return -1;
		uint64_t pdpte = __atomic_load_n(pp, __ATOMIC_RELAXED);
		if (!(pdpte & PTE_P))
			return 1ll << 32;
		if (pdpte & 0x1e6)
			return (1ll << 32) | X86EMU_PF_RSVD | X86EMU_PF_P;
		table = pdpte & PTE_ADDR;
		levels = 2;
	}
	for (level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t g = table + ((la >> shift) & 0x1ff) * 8;
		uint64_t *p = pte_ptr(e, g, 8);
		if (!p)
			return -1;
		uint64_t pte = __atomic_load_n(p, __ATOMIC_RELAXED);
		if (w->npt < 4)
			w->ptpages[w->npt++] = g >> 12;
		w->ptes_gpa[w->n] = g, w->sizes[w->n++] = 8;
		if (!(pte & PTE_P))
			return 1ll << 32;
		if ((pte & rsvd_nx) || (level == 4 && (pte & PTE_PS)))
			return (1ll << 32) | X86EMU_PF_RSVD | X86EMU_PF_P;
		w->user &= !!(pte & PTE_U);
		w->writable &= !!(pte & PTE_W);
		if (nxe && (pte & PTE_NX))
			w->nx = true;
		if (level == 1 || ((level == 2 || level == 3) && (pte & PTE_PS))) {
			uint64_t psize = 1ull << shift;
			uint64_t base = pte & PTE_ADDR & ~(psize - 1);
			if (level > 1 && (pte & PTE_ADDR & (psize - 1) & ~0x1000ull))
				return (1ll << 32) | X86EMU_PF_RSVD | X86EMU_PF_P;
			w->ppn = (base | (la & (psize - 1))) >> 12;
			w->large = level > 1;
			return 0;
		}
		table = pte & PTE_ADDR;
	}
	return 1ll << 32;
}

static void set_ad_bits(struct x86emu *e, struct walk *w, bool write)
{
	for (unsigned i = 0; i < w->n; i++) {
		bool last = i == w->n - 1;
		uint64_t bits = PTE_A | (last && write ? PTE_D : 0);
		void *p = pte_ptr(e, w->ptes_gpa[i], w->sizes[i]);
		if (!p)
			continue;
		code_write_check(e, a20_mask(e, w->ptes_gpa[i]), w->sizes[i]);
		if (w->sizes[i] == 4)
			__atomic_fetch_or((uint32_t *)p, (uint32_t)bits, __ATOMIC_SEQ_CST);
		else
			__atomic_fetch_or((uint64_t *)p, bits, __ATOMIC_SEQ_CST);
	}
}

/* Permission check of a translation; 0 or a #PF error code (P set). */
static uint32_t perm_check(struct x86emu *e, bool tuser, bool twrite, bool tnx, int acc, bool user)
{
	uint32_t ec = X86EMU_PF_P | (acc == ACC_WRITE ? X86EMU_PF_W : 0) | (user ? X86EMU_PF_U : 0);
	uint64_t cr4 = cr_get(e, X86EMU_CR4);
	bool nxe = cr_get(e, X86EMU_EFER) & EFER_NXE;

	if (acc == ACC_EXEC && (nxe || (cr4 & CR4_SMEP)))
		ec |= X86EMU_PF_I;
	if (user && !tuser)
		return ec;
	if (acc == ACC_WRITE && !twrite && (user || (cr_get(e, X86EMU_CR0) & CR0_WP)))
		return ec;
	if (acc == ACC_EXEC && tnx)
		return ec;
	if (acc == ACC_EXEC && !user && tuser && (cr4 & CR4_SMEP))
		return ec;
	return 0;
}

int mem_translate(struct x86emu *e, uint64_t la, int acc, bool user, bool set_ad, uint64_t *gpa)
{
	if (!(cr_get(e, X86EMU_CR0) & CR0_PG)) {
		*gpa = a20_mask(e, la & 0xffffffffull);
		return RC_OK;
	}
	uint64_t vpn = la >> 12;
	struct tlb_ent *t = tlb_lookup(e, vpn);
	if (t) {
		uint32_t ec = perm_check(e, t->user, t->writable, t->nx, acc, user);
		if (!ec && (acc != ACC_WRITE || t->dirty || !set_ad)) {
			t->ref = 1;
			e->st.tlb.hits++;
			*gpa = a20_mask(e, (t->ppn << 12) | (la & 0xfff));
			return RC_OK;
		}
		/* A fault or a first write (D bit): walk again, as the CPU does. */
	} else {
		e->st.tlb.misses++;
	}
	struct walk w;
	int64_t r = page_walk(e, la, &w);
	if (r < 0)
		return emu_unhandled(e, "page table is not in RAM");
	uint32_t ec = (uint32_t)r;
	if (r > 0) {
		ec |= (acc == ACC_WRITE ? X86EMU_PF_W : 0) | (user ? X86EMU_PF_U : 0);
		uint64_t cr4 = cr_get(e, X86EMU_CR4);
		if (acc == ACC_EXEC && ((cr_get(e, X86EMU_EFER) & EFER_NXE) || (cr4 & CR4_SMEP)))
			ec |= X86EMU_PF_I;
		if (t)
			tlb_unlink(e, (unsigned)(t - e->tlb));
		return emu_raise_pf(e, la, ec);
	}
	ec = perm_check(e, w.user, w.writable, w.nx, acc, user);
	if (ec) {
		if (t)
			tlb_unlink(e, (unsigned)(t - e->tlb));
		return emu_raise_pf(e, la, ec);
	}
	if (set_ad)
		set_ad_bits(e, &w, acc == ACC_WRITE);
	if (!t)
		t = tlb_alloc(e, vpn);
	t->ppn = w.ppn;
	t->user = w.user;
	t->writable = w.writable;
	t->nx = w.nx;
	t->large = w.large;
	t->dirty = set_ad && acc == ACC_WRITE;
	t->ref = 1;
	t->npt = (uint8_t)w.npt;
	memcpy(t->pt, w.ptpages, sizeof(t->pt));
	for (unsigned i = 0; i < w.npt; i++)
		pt_track(e, w.ptpages[i]);
	*gpa = a20_mask(e, (w.ppn << 12) | (la & 0xfff));
	return RC_OK;
}

int x86emu_translate(struct x86emu *e, uint64_t la, bool write, uint64_t *gpa)
{
	emu_derive_mode(e);
	int rc = mem_translate(e, la, write ? ACC_WRITE : ACC_READ, e->cpl == 3, false, gpa);
	return rc ? -14 : 0;
}

/* ---- linear accesses ----------------------------------------------------- */

static int lin_access(struct x86emu *e, uint64_t la, unsigned size, void *buf, int acc, bool sys)
{
	bool user = !sys && e->cpl == 3;
	uint64_t gpa1, gpa2 = 0;
	unsigned n1 = size, n2 = 0;
	int rc;

	if (e->mode != X86EMU_MODE_LONG64)
		la &= 0xffffffffull;
	if ((la & 0xfff) + size > 4096) {
		n1 = 4096 - (unsigned)(la & 0xfff);
		n2 = size - n1;
	}
	struct pcache *c = acc == ACC_WRITE ? &e->pc_write : &e->pc_read;
	if (!n2 && c->epoch == e->mmu_epoch && c->tag == pc_tag(la, user))
		return phys_access(e, c->gpage | (la & 0xfff), size, buf, acc == ACC_WRITE);
	/* Translate every page first: a fault leaves memory untouched. */
	if ((rc = mem_translate(e, la, acc, user, true, &gpa1)))
		return rc;
	c->tag = pc_tag(la, user);
	c->gpage = gpa1 & ~0xfffull;
	c->hva = phys_ptr(e, c->gpage, 4096, acc == ACC_WRITE);
	c->watch = page_watched(e, c->gpage >> 12);
	c->epoch = e->mmu_epoch;
	if (n2) {
		uint64_t la2 = la + n1;
		if (e->mode != X86EMU_MODE_LONG64)
			la2 &= 0xffffffffull;
		if ((rc = mem_translate(e, la2, acc, user, true, &gpa2)))
			return rc;
	}
	if ((rc = phys_access(e, gpa1, n1, buf, acc == ACC_WRITE)))
		return rc;
	if (n2)
		rc = phys_access(e, gpa2, n2, (uint8_t *)buf + n1, acc == ACC_WRITE);
	return rc;
}

int mem_read_lin(struct x86emu *e, uint64_t la, unsigned size, void *buf, bool sys)
{
	return lin_access(e, la, size, buf, ACC_READ, sys);
}

int mem_write_lin(struct x86emu *e, uint64_t la, unsigned size, const void *buf, bool sys)
{
	return lin_access(e, la, size, (void *)buf, ACC_WRITE, sys);
}

static inline bool canonical(uint64_t la)
{
	return (uint64_t)((int64_t)(la << 16) >> 16) == la;
}

static int seg_fault(int seg, struct x86emu *e)
{
	return emu_raise(e, seg == X86EMU_SS ? X86EMU_EXC_SS : X86EMU_EXC_GP, true, 0);
}

/* Inline everywhere: the data access path runs it on every operand. */
static inline __attribute__((always_inline)) int seg_linear(struct x86emu *e, int seg, uint64_t off,
							    unsigned size, int acc, uint64_t *la)
{
	if (e->mode == X86EMU_MODE_LONG64) {
		uint64_t base = (seg == X86EMU_FS || seg == X86EMU_GS) ? seg_get(e, seg)->base : 0;
		*la = base + off;
		if (!canonical(*la) || !canonical(*la + size - 1))
			return seg_fault(seg, e);
		return RC_OK;
	}
	const struct x86emu_segment *s = seg_get(e, seg);
	uint64_t last = off + size - 1;
	if (e->mode == X86EMU_MODE_REAL || e->mode == X86EMU_MODE_VM86) {
		if (last > s->limit)
			return seg_fault(seg, e);
		*la = (s->base + off) & 0xffffffffull;
		return RC_OK;
	}
	/* Protected mode (and compatibility mode, where limits apply). */
	if (s->unusable || !s->present)
		return seg_fault(seg, e);
	bool code = s->type & 8;
	if (acc == ACC_WRITE && (code || !(s->type & 2)))
		return seg_fault(seg, e);
	if (acc == ACC_READ && code && !(s->type & 2))
		return seg_fault(seg, e);
	if (!code && (s->type & 4)) {
		uint64_t top = s->db ? 0xffffffffull : 0xffffull;
		if (off <= s->limit || last > top)
			return seg_fault(seg, e);
	} else if (last > s->limit) {
		return seg_fault(seg, e);
	}
	*la = (s->base + off) & 0xffffffffull;
	return RC_OK;
}

int mem_linear(struct x86emu *e, int seg, uint64_t off, unsigned size, int acc, uint64_t *la)
{
	return seg_linear(e, seg, off, size, acc, la);
}

static int align_check(struct x86emu *e, uint64_t la, unsigned size)
{
	if (e->cpl != 3 || size < 2 || !(la & (size - 1)))
		return RC_OK;
	if (!(cr_get(e, X86EMU_CR0) & CR0_AM) || !(flags_get(e) & FL_AC))
		return RC_OK;
	return emu_raise(e, X86EMU_EXC_AC, true, 0);
}

int mem_read_seg(struct x86emu *e, int seg, uint64_t off, unsigned size, void *buf)
{
	uint64_t la = 0;
	int rc = seg_linear(e, seg, off, size, ACC_READ, &la);
	if (rc || (e->cpl == 3 && (rc = align_check(e, la, size > 8 ? 8 : size))))
		return rc;
	uint8_t *p = mem_fast(e, &e->pc_read, la, size, Q_READ);
	if (p) {
		mem_fast_read(e, p, size, buf);
		return RC_OK;
	}
	return lin_access(e, la, size, buf, ACC_READ, false);
}

int mem_write_seg(struct x86emu *e, int seg, uint64_t off, unsigned size, const void *buf)
{
	uint64_t la = 0;
	int rc = seg_linear(e, seg, off, size, ACC_WRITE, &la);
	if (rc || (e->cpl == 3 && (rc = align_check(e, la, size > 8 ? 8 : size))))
		return rc;
	uint8_t *p = mem_fast(e, &e->pc_write, la, size, Q_WRITE);
	if (p) {
		mem_fast_write(e, p, size, buf);
		return RC_OK;
	}
	return lin_access(e, la, size, (void *)buf, ACC_WRITE, false);
}

int mem_rmw_ptr(struct x86emu *e, int seg, uint64_t off, unsigned size, void **hva)
{
	uint64_t la, gpa;
	int rc;

	*hva = NULL;
	if ((rc = mem_linear(e, seg, off, size, ACC_WRITE, &la)))
		return rc;
	if ((rc = align_check(e, la, size > 8 ? 8 : size)))
		return rc;
	if (e->mode != X86EMU_MODE_LONG64)
		la &= 0xffffffffull;
	if ((la & 0xfff) + size > 4096 || (la & (size - 1)))
		return RC_OK; /* split or misaligned: no host atomic for it */
	if ((rc = mem_translate(e, la, ACC_WRITE, e->cpl == 3, true, &gpa)))
		return rc;
	gpa = a20_mask(e, gpa);
	uint8_t *p = phys_ptr(e, gpa, size, true);
	if (p && e->npt_track)
		pt_write(e, gpa >> 12);
	if (p)
		code_write_check(e, gpa, size);
	*hva = p;
	return RC_OK;
}

int mem_fetch_page(struct x86emu *e, uint64_t la, uint64_t *gpa, uint8_t **hva)
{
	struct pcache *c = &e->pc_fetch;
	bool user = e->cpl == 3;
	int rc;

	if (c->epoch == e->mmu_epoch && c->tag == la >> 12) {
		*gpa = c->gpage | (la & 0xfff);
		*hva = c->hva;
		return RC_OK;
	}
	if ((rc = mem_translate(e, la, ACC_EXEC, user, true, gpa)))
		return rc;
	*hva = phys_ptr(e, *gpa & ~0xfffull, 4096, false);
	if (*hva) {
		c->tag = la >> 12;
		c->gpage = *gpa & ~0xfffull;
		c->hva = *hva;
		c->epoch = e->mmu_epoch;
	}
	return RC_OK;
}

int mem_fetch(struct x86emu *e, uint64_t la, unsigned size, void *buf)
{
	uint64_t gpa;
	uint8_t *pg;
	int rc;

	if ((rc = mem_fetch_page(e, la, &gpa, &pg)))
		return rc;
	if (pg) {
		memcpy(buf, pg + (gpa & 0xfff), size);
		return RC_OK;
	}
	uint8_t *p = phys_ptr(e, gpa, size, false);
	if (p) {
		memcpy(buf, p, size);
		return RC_OK;
	}
	for (unsigned i = 0; i < size; i++) {
		rc = e->ops->mmio_read ? e->ops->mmio_read(e->ctx, gpa + i, 1, (uint8_t *)buf + i)
				       : X86EMU_IO_ERROR;
		if (rc != X86EMU_IO_OK)
			return emu_unhandled(e, "instruction fetch from memory that is not RAM");
	}
	return RC_OK;
}

/* ---- ports --------------------------------------------------------------- */

int io_in(struct x86emu *e, uint16_t port, unsigned size, uint32_t *val)
{
	struct qent *q = NULL;
	int rc;

	*val = 0;
	if (q_replay(e, Q_IN, port, size, val, &rc))
		return rc;
	if ((rc = q_record(e, Q_IN, port, size, &q)))
		return rc;
	uint32_t v = 0xffffffffu;
	rc = e->ops->pio_in ? e->ops->pio_in(e->ctx, port, size, &v) : X86EMU_IO_OK;
	v &= (uint32_t)size_mask(size);
	memcpy(e->qdata + q->doff, &v, size);
	*val = v;
	if (rc == X86EMU_IO_OK)
		return RC_OK;
	if (rc == X86EMU_IO_PENDING)
		return set_pending(e, q, Q_IN, NULL);
	return emu_unhandled(e, "port read failed");
}

int io_out(struct x86emu *e, uint16_t port, unsigned size, uint32_t val)
{
	struct qent *q = NULL;
	int rc;
	uint32_t dummy;

	if (q_replay(e, Q_OUT, port, size, &dummy, &rc))
		return rc;
	if ((rc = q_record(e, Q_OUT, port, size, &q)))
		return rc;
	memcpy(e->qdata + q->doff, &val, size);
	rc = e->ops->pio_out ? e->ops->pio_out(e->ctx, port, size, val) : X86EMU_IO_OK;
	if (rc == X86EMU_IO_OK)
		return RC_OK;
	if (rc == X86EMU_IO_PENDING)
		return set_pending(e, q, Q_OUT, &val);
	return emu_unhandled(e, "port write failed");
}

/* ---- stack --------------------------------------------------------------- */

uint64_t stack_mask(struct x86emu *e)
{
	if (e->mode == X86EMU_MODE_LONG64)
		return ~0ull;
	return seg_get(e, X86EMU_SS)->db ? 0xffffffffull : 0xffffull;
}

static unsigned stack_width(uint64_t mask)
{
	return mask == ~0ull ? 8 : mask == 0xffffffffull ? 4 : 2;
}

int stack_push(struct x86emu *e, unsigned size, uint64_t v)
{
	uint64_t mask = stack_mask(e);
	uint64_t sp = (gpr_get(e, X86EMU_RSP) - size) & mask;
	int rc = mem_write_seg(e, X86EMU_SS, sp, size, &v);
	if (rc)
		return rc;
	gpr_write(e, X86EMU_RSP, stack_width(mask), false, sp);
	return RC_OK;
}

int stack_pop(struct x86emu *e, unsigned size, uint64_t *v)
{
	uint64_t mask = stack_mask(e);
	uint64_t sp = gpr_get(e, X86EMU_RSP) & mask;
	*v = 0;
	int rc = mem_read_seg(e, X86EMU_SS, sp, size, v);
	if (rc)
		return rc;
	gpr_write(e, X86EMU_RSP, stack_width(mask), false, (sp + size) & mask);
	return RC_OK;
}

/* ---- REP MOVS / STOS in bulk ---------------------------------------------- */

/* Elements of size bytes from off (forward) that stay in one page from
 * linear address la and below the address-size wrap (mask am). */
static uint64_t rep_room(uint64_t la, uint64_t off, uint64_t am, unsigned size)
{
	uint64_t page = (4096 - (la & 0xfff)) / size;
	uint64_t wrap = am == ~0ull ? ~0ull : (am - off + 1) / size;
	return page < wrap ? page : wrap;
}

/* A RAM page the last access of this kind used, for la: its host pointer. */
static uint8_t *rep_page(struct x86emu *e, struct pcache *c, uint64_t la)
{
	if (c->epoch != e->mmu_epoch || c->tag != pc_tag(la, e->cpl == 3) || !c->hva)
		return NULL;
	return c->hva + (la & 0xfff);
}

uint64_t mem_rep_bulk(struct x86emu *e, int sseg, uint64_t si, uint64_t di, unsigned size, uint64_t max,
		      unsigned as, const uint64_t *fill)
{
	uint64_t am = size_mask(as), la_s = 0, la_d = 0, n;
	uint8_t *s = NULL, *d;

	if (e->qlen || (e->cpl == 3 && (cr_get(e, X86EMU_CR0) & CR0_AM) && (flags_get(e) & FL_AC)))
		return 0;
	/* Where the first elements are; the segment check of the whole run
	 * comes once its length is known. */
	if (seg_linear(e, X86EMU_ES, di, size, ACC_WRITE, &la_d))
		return 0;
	if (e->mode != X86EMU_MODE_LONG64)
		la_d &= 0xffffffffull;
	n = rep_room(la_d, di, am, size);
	if (!fill) {
		if (seg_linear(e, sseg, si, size, ACC_READ, &la_s))
			return 0;
		if (e->mode != X86EMU_MODE_LONG64)
			la_s &= 0xffffffffull;
		uint64_t ns = rep_room(la_s, si, am, size);
		n = ns < n ? ns : n;
	}
	n = n < max ? n : max;
	if (!n || !(d = rep_page(e, &e->pc_write, la_d)) || (!fill && !(s = rep_page(e, &e->pc_read, la_s))))
		return 0;
	uint64_t bytes = n * size, la;
	if (seg_linear(e, X86EMU_ES, di, (unsigned)bytes, ACC_WRITE, &la) ||
	    (!fill && seg_linear(e, sseg, si, (unsigned)bytes, ACC_READ, &la)))
		return 0; /* a limit inside the run: element by element to it */
	if (e->pc_write.watch) {
		uint64_t gpa = e->pc_write.gpage | (la_d & 0xfff);
		pt_write(e, gpa >> 12);
		code_write_check(e, gpa, (unsigned)bytes);
	}
	if (fill) {
		for (uint64_t i = 0; i < n; i++)
			copy_small(d + i * size, fill, size);
	} else if (d >= s + bytes || s >= d + bytes) {
		memcpy(d, s, bytes);
	} else {
		/* Overlapping: element by element, as the CPU does it. */
		for (uint64_t i = 0; i < n; i++) {
			uint64_t v;
			copy_small(&v, s + i * size, size);
			copy_small(d + i * size, &v, size);
		}
	}
	return n;
}
