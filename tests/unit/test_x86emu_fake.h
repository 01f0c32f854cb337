/* A small fake machine: the caller's side of the x86emu API for unit tests.
 * 16 MiB of RAM, an MMIO window at FAKE_MMIO that answers reads with a
 * pattern (or PENDING when asked to), a port log, and per-callback counters
 * for the lazy-state tests. x86emu has no KVM by design, so this is the
 * real interface, not a mock of one. */
#ifndef TEST_X86EMU_FAKE_H
#define TEST_X86EMU_FAKE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x86emu/x86emu.h"

/* Guest memory is byte-addressed: these let tests poke unaligned values. */
typedef uint16_t u16u __attribute__((aligned(1)));
typedef uint32_t u32u __attribute__((aligned(1)));
typedef uint64_t u64u __attribute__((aligned(1)));

#define FAKE_RAM (16u << 20)
#define FAKE_MMIO 0xfe000000ull
#define FAKE_MMIO_SIZE 0x10000ull

struct fake {
	uint8_t *ram;
	uint64_t gpr[16], rip, rflags;
	struct x86emu_segment seg[X86EMU_NR_SREGS];
	struct x86emu_dtable dt[2];
	uint64_t cr[X86EMU_NR_CREGS], dr[8];
	uint8_t xsave[X86EMU_XSAVE_AREA_SIZE];
	uint8_t mmio[FAKE_MMIO_SIZE];
	/* counters */
	unsigned get_gpr[16], get_sreg[X86EMU_NR_SREGS], get_cr[X86EMU_NR_CREGS];
	unsigned get_rflags, get_xsave, set_xsave, set_gpr_calls, set_gpr_bits_calls;
	unsigned mmio_reads, mmio_writes, pio_ins, pio_outs;
	/* MMIO and port behaviour */
	bool mmio_pending, mmio_write_pending, pio_pending;
	uint64_t mmio_log_addr[64];
	unsigned mmio_log_size[64];
	unsigned mmio_log_n;
	uint16_t out_port[64];
	uint32_t out_val[64];
	unsigned nout;
	uint32_t in_val;
	struct x86emu *e;
};

static inline uint64_t fk_get_gpr(void *c, enum x86emu_gpr r) { struct fake *f = c; f->get_gpr[r]++; return f->gpr[r]; }
static inline void fk_set_gpr(void *c, enum x86emu_gpr r, uint64_t v) { struct fake *f = c; f->set_gpr_calls++; f->gpr[r] = v; }
static inline void fk_set_gpr_bits(void *c, enum x86emu_gpr r, uint64_t v, uint64_t m)
{
	struct fake *f = c;
	f->set_gpr_bits_calls++;
	f->gpr[r] = (f->gpr[r] & ~m) | (v & m);
}
static inline uint64_t fk_get_rip(void *c) { return ((struct fake *)c)->rip; }
static inline void fk_set_rip(void *c, uint64_t v) { ((struct fake *)c)->rip = v; }
static inline uint64_t fk_get_rflags(void *c) { struct fake *f = c; f->get_rflags++; return f->rflags; }
static inline void fk_set_rflags(void *c, uint64_t v) { ((struct fake *)c)->rflags = v; }
static inline void fk_get_sreg(void *c, enum x86emu_sreg s, struct x86emu_segment *v) { struct fake *f = c; f->get_sreg[s]++; *v = f->seg[s]; }
static inline void fk_set_sreg(void *c, enum x86emu_sreg s, const struct x86emu_segment *v) { ((struct fake *)c)->seg[s] = *v; }
static inline void fk_get_dt(void *c, enum x86emu_dtreg t, struct x86emu_dtable *v) { *v = ((struct fake *)c)->dt[t]; }
static inline void fk_set_dt(void *c, enum x86emu_dtreg t, const struct x86emu_dtable *v) { ((struct fake *)c)->dt[t] = *v; }
static inline uint64_t fk_get_cr(void *c, enum x86emu_creg r) { struct fake *f = c; f->get_cr[r]++; return f->cr[r]; }
static inline void fk_set_cr(void *c, enum x86emu_creg r, uint64_t v) { ((struct fake *)c)->cr[r] = v; }
static inline uint64_t fk_get_dr(void *c, unsigned d) { return ((struct fake *)c)->dr[d]; }
static inline void fk_set_dr(void *c, unsigned d, uint64_t v) { ((struct fake *)c)->dr[d] = v; }
static inline void fk_get_xsave(void *c, void *a) { struct fake *f = c; f->get_xsave++; memcpy(a, f->xsave, sizeof(f->xsave)); }
static inline void fk_set_xsave(void *c, const void *a) { struct fake *f = c; f->set_xsave++; memcpy(f->xsave, a, sizeof(f->xsave)); }

static inline void *fk_mem_ptr(void *c, uint64_t gpa, size_t len, bool write)
{
	struct fake *f = c;
	(void)write;
	if (gpa >= FAKE_RAM || len > FAKE_RAM - gpa)
		return NULL;
	return f->ram + gpa;
}

static inline int fk_mmio_read(void *c, uint64_t gpa, unsigned size, void *data)
{
	struct fake *f = c;
	f->mmio_reads++;
	if (f->mmio_log_n < 64) {
		f->mmio_log_addr[f->mmio_log_n] = gpa;
		f->mmio_log_size[f->mmio_log_n++] = size;
	}
	if (f->mmio_pending)
		return X86EMU_IO_PENDING;
	if (gpa >= FAKE_MMIO && gpa + size <= FAKE_MMIO + FAKE_MMIO_SIZE)
		memcpy(data, f->mmio + (gpa - FAKE_MMIO), size);
	else
		memset(data, 0xff, size);
	return X86EMU_IO_OK;
}

static inline int fk_mmio_write(void *c, uint64_t gpa, unsigned size, const void *data)
{
	struct fake *f = c;
	f->mmio_writes++;
	if (gpa >= FAKE_MMIO && gpa + size <= FAKE_MMIO + FAKE_MMIO_SIZE)
		memcpy(f->mmio + (gpa - FAKE_MMIO), data, size);
	return f->mmio_write_pending ? X86EMU_IO_PENDING : X86EMU_IO_OK;
}

static inline int fk_pio_in(void *c, uint16_t port, unsigned size, uint32_t *v)
{
	struct fake *f = c;
	(void)port, (void)size;
	f->pio_ins++;
	if (f->pio_pending)
		return X86EMU_IO_PENDING;
	*v = f->in_val;
	return X86EMU_IO_OK;
}

static inline int fk_pio_out(void *c, uint16_t port, unsigned size, uint32_t v)
{
	struct fake *f = c;
	(void)size;
	f->pio_outs++;
	if (f->nout < 64) {
		f->out_port[f->nout] = port;
		f->out_val[f->nout++] = v;
	}
	return X86EMU_IO_OK;
}

static inline int fk_rdmsr(void *c, uint32_t msr, uint64_t *v)
{
	(void)c;
	if (msr == 0x1b) {
		*v = 0xfee00900;
		return 0;
	}
	return -1;
}

static inline int fk_wrmsr(void *c, uint32_t msr, uint64_t v)
{
	(void)c, (void)v;
	return msr == 0x1b ? 0 : -1;
}

static inline void fk_cpuid(void *c, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	(void)c;
	out[0] = leaf * 3 + 1;
	out[1] = 0x756e6547;
	out[2] = sub;
	out[3] = 0x49656e69;
}

static inline uint64_t fk_rdtsc(void *c)
{
	(void)c;
	return 0x123456789abcull;
}

static const struct x86emu_ops fake_ops = {
	.get_gpr = fk_get_gpr, .set_gpr = fk_set_gpr, .set_gpr_bits = fk_set_gpr_bits, .get_rip = fk_get_rip, .set_rip = fk_set_rip,
	.get_rflags = fk_get_rflags, .set_rflags = fk_set_rflags, .get_sreg = fk_get_sreg,
	.set_sreg = fk_set_sreg, .get_dtable = fk_get_dt, .set_dtable = fk_set_dt,
	.get_creg = fk_get_cr, .set_creg = fk_set_cr, .get_dreg = fk_get_dr, .set_dreg = fk_set_dr,
	.get_xsave = fk_get_xsave, .set_xsave = fk_set_xsave, .mem_ptr = fk_mem_ptr,
	.mmio_read = fk_mmio_read, .mmio_write = fk_mmio_write, .pio_in = fk_pio_in,
	.pio_out = fk_pio_out, .rdmsr = fk_rdmsr, .wrmsr = fk_wrmsr, .cpuid = fk_cpuid,
	.rdtsc = fk_rdtsc,
};

static inline struct x86emu_segment fake_seg(uint16_t sel, uint64_t base, uint32_t limit, uint8_t type, uint8_t db, uint8_t l)
{
	struct x86emu_segment s = {
		.base = base, .limit = limit, .selector = sel, .type = type, .s = 1,
		.present = 1, .db = db, .l = l, .g = limit > 0xfffff,
	};
	return s;
}

static inline struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	f->ram = calloc(1, FAKE_RAM);
	f->e = x86emu_new(&fake_ops, f);
	f->rflags = 2;
	f->cr[X86EMU_CR0] = 0x10;
	f->dt[X86EMU_IDTR].limit = 0x3ff;
	for (unsigned s = 0; s < 6; s++)
		f->seg[s] = fake_seg(0, 0, 0xffff, s == X86EMU_CS ? 0xb : 3, 0, 0);
	f->seg[X86EMU_TR] = fake_seg(0, 0, 0xffff, 0xb, 0, 0);
	f->seg[X86EMU_TR].s = 0;
	f->seg[X86EMU_LDTR] = fake_seg(0, 0, 0xffff, 2, 0, 0);
	f->seg[X86EMU_LDTR].s = 0;
	return f;
}

static inline void fake_free(struct fake *f)
{
	x86emu_free(f->e);
	free(f->ram);
	free(f);
}

/* Real mode with CS:IP = cs:ip and code copied to cs*16+ip. */
static inline void fake_real(struct fake *f, uint16_t cs, uint16_t ip, const void *code, size_t len)
{
	f->seg[X86EMU_CS] = fake_seg(cs, (uint64_t)cs << 4, 0xffff, 0xb, 0, 0);
	f->rip = ip;
	memcpy(f->ram + ((uint64_t)cs << 4) + ip, code, len);
	x86emu_invalidate(f->e);
}

/* Flat 32-bit protected mode, paging off, CPL0. */
static inline void fake_prot32(struct fake *f, uint32_t eip, const void *code, size_t len)
{
	f->cr[X86EMU_CR0] = 0x11;
	f->seg[X86EMU_CS] = fake_seg(0x8, 0, 0xffffffff, 0xb, 1, 0);
	for (unsigned s = 0; s < 6; s++)
		if (s != X86EMU_CS)
			f->seg[s] = fake_seg(0x10, 0, 0xffffffff, 3, 1, 0);
	f->rip = eip;
	memcpy(f->ram + eip, code, len);
	x86emu_invalidate(f->e);
}

/* Builds 4-level tables at 0x100000 mapping the first 16 MiB with 4 KiB
 * pages (identity, user, writable) and enters 64-bit mode at CPL0. */
static inline void fake_long64(struct fake *f, uint64_t rip, const void *code, size_t len)
{
	uint64_t pml4 = 0x100000, pdpt = 0x101000, pd = 0x102000, pt = 0x103000;
	memset(f->ram + pml4, 0, 0x3000);
	((uint64_t *)(f->ram + pml4))[0] = pdpt | 7;
	((uint64_t *)(f->ram + pdpt))[0] = pd | 7;
	for (unsigned i = 0; i < 8; i++) {
		((uint64_t *)(f->ram + pd))[i] = (pt + i * 0x1000) | 7;
		for (unsigned j = 0; j < 512; j++)
			((uint64_t *)(f->ram + pt + i * 0x1000))[j] = ((uint64_t)(i * 512 + j) << 12) | 7;
	}
	f->cr[X86EMU_CR0] = 0x80010011;
	f->cr[X86EMU_CR3] = pml4;
	f->cr[X86EMU_CR4] = 0x20 | (1u << 9) | (1u << 18);
	f->cr[X86EMU_EFER] = 0x500 | 0x800;
	f->cr[X86EMU_XCR0] = 7;
	f->seg[X86EMU_CS] = fake_seg(0x8, 0, 0xffffffff, 0xb, 0, 1);
	for (unsigned s = 0; s < 6; s++)
		if (s != X86EMU_CS)
			f->seg[s] = fake_seg(0x10, 0, 0xffffffff, 3, 1, 0);
	f->rip = rip;
	memcpy(f->ram + rip, code, len);
	x86emu_invalidate(f->e);
	x86emu_tlb_flush(f->e);
}

/* Step until n instructions ran or a result other than OK; flushes. */
static inline enum x86emu_result fake_run(struct fake *f, unsigned n)
{
	enum x86emu_result r = X86EMU_OK;
	for (unsigned i = 0; i < n && r == X86EMU_OK; i++)
		r = x86emu_step(f->e);
	x86emu_flush_state(f->e);
	return r;
}

#endif
