/* libFuzzer target over x86emu's decoder and executor.
 *
 * Input: a 160-byte start state (mode, 16 GPRs, RFLAGS, a few segment and
 * control bits), then code bytes. Guest memory is a fixed 256 KiB array;
 * mem_ptr answers only inside it, everything else is MMIO that reads as
 * zeros, so any access outside the array that reached the host would be
 * caught by ASan. Up to 64 instructions per input; exceptions are reported
 * by x86emu and the run stops (or, in real mode, continues through the IVT).
 *
 * Built by tests/fuzz/run.sh with clang -fsanitize=fuzzer,address,undefined.
 * Built with -DFUZZ_REPLAY it is a plain program that runs each file given
 * on the command line once (the regression check replays tests/fuzz/regress/). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86emu/x86emu.h"

#define FZ_MEM (256u * 1024)
#define FZ_CODE 0x1000u
#define FZ_STATE 160u
#define FZ_STEPS 64

struct fz {
	uint8_t mem[FZ_MEM];
	uint64_t gpr[16], rip, rflags;
	struct x86emu_segment seg[X86EMU_NR_SREGS];
	struct x86emu_dtable dt[2];
	uint64_t cr[X86EMU_NR_CREGS];
	uint8_t xsave[X86EMU_XSAVE_AREA_SIZE];
};

static struct fz fzs;

static uint64_t g_gpr(void *c, enum x86emu_gpr r) { return ((struct fz *)c)->gpr[r & 15]; }
static void s_gpr(void *c, enum x86emu_gpr r, uint64_t v) { ((struct fz *)c)->gpr[r & 15] = v; }
static uint64_t g_rip(void *c) { return ((struct fz *)c)->rip; }
static void s_rip(void *c, uint64_t v) { ((struct fz *)c)->rip = v; }
static void s_gpr_bits(void *c, enum x86emu_gpr r, uint64_t v, uint64_t m)
{
	s_gpr(c, r, (g_gpr(c, r) & ~m) | (v & m));
}
static uint64_t g_fl(void *c) { return ((struct fz *)c)->rflags; }
static void s_fl(void *c, uint64_t v) { ((struct fz *)c)->rflags = v; }
static void g_seg(void *c, enum x86emu_sreg s, struct x86emu_segment *o) { *o = ((struct fz *)c)->seg[s % X86EMU_NR_SREGS]; }
static void s_seg(void *c, enum x86emu_sreg s, const struct x86emu_segment *o) { ((struct fz *)c)->seg[s % X86EMU_NR_SREGS] = *o; }
static void g_dt(void *c, enum x86emu_dtreg d, struct x86emu_dtable *t) { *t = ((struct fz *)c)->dt[d & 1]; }
static void s_dt(void *c, enum x86emu_dtreg d, const struct x86emu_dtable *t) { ((struct fz *)c)->dt[d & 1] = *t; }
static uint64_t g_cr(void *c, enum x86emu_creg r) { return ((struct fz *)c)->cr[r % X86EMU_NR_CREGS]; }
static void s_cr(void *c, enum x86emu_creg r, uint64_t v) { ((struct fz *)c)->cr[r % X86EMU_NR_CREGS] = v; }
static uint64_t g_dr(void *c, unsigned d) { (void)c; return d == 7 ? 0x400 : 0; }
static void s_dr(void *c, unsigned d, uint64_t v) { (void)c, (void)d, (void)v; }
static void g_xs(void *c, void *a) { memcpy(a, ((struct fz *)c)->xsave, X86EMU_XSAVE_AREA_SIZE); }
static void s_xs(void *c, const void *a) { memcpy(((struct fz *)c)->xsave, a, X86EMU_XSAVE_AREA_SIZE); }

static void *m_ptr(void *c, uint64_t gpa, size_t len, bool w)
{
	(void)w;
	if (gpa >= FZ_MEM || len > FZ_MEM - gpa)
		return NULL;
	return ((struct fz *)c)->mem + gpa;
}
static int m_rd(void *c, uint64_t a, unsigned n, void *d) { (void)c, (void)a; memset(d, 0, n); return X86EMU_IO_OK; }
static int m_wr(void *c, uint64_t a, unsigned n, const void *d) { (void)c, (void)a, (void)n, (void)d; return X86EMU_IO_OK; }
static int p_in(void *c, uint16_t p, unsigned n, uint32_t *v) { (void)c, (void)p, (void)n; *v = 0xffffffff; return X86EMU_IO_OK; }
static int p_out(void *c, uint16_t p, unsigned n, uint32_t v) { (void)c, (void)p, (void)n, (void)v; return X86EMU_IO_OK; }
static int msr_r(void *c, uint32_t m, uint64_t *v) { (void)c; *v = 0; return m == 0x10 ? 0 : -1; }
static int msr_w(void *c, uint32_t m, uint64_t v) { (void)c, (void)m, (void)v; return -1; }
static void cpu_id(void *c, uint32_t l, uint32_t s, uint32_t o[4]) { (void)c, (void)s; o[0] = l, o[1] = o[2] = o[3] = 0; }
static uint64_t tsc(void *c) { (void)c; return 1; }

static const struct x86emu_ops fz_ops = {
	g_gpr, s_gpr, s_gpr_bits, g_rip, s_rip, g_fl, s_fl, g_seg, s_seg, g_dt, s_dt, g_cr, s_cr,
	g_dr, s_dr, g_xs, s_xs, m_ptr, m_rd, m_wr, p_in, p_out, msr_r, msr_w, cpu_id, tsc,
};

static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Start state from the input's first FZ_STATE bytes. */
static void state_from(struct fz *f, const uint8_t *st)
{
	unsigned mode = st[0] % 5; /* real, prot32, prot16, long64, compat32 */
	memset(f->seg, 0, sizeof(f->seg));
	for (unsigned i = 0; i < 16; i++)
		f->gpr[i] = rd64(st + 8 + 8 * i);
	f->rflags = (rd64(st + 136) & 0x3f7fd5) | 2;
	f->rip = FZ_CODE + (st[1] & 0xf);
	for (unsigned s = 0; s < X86EMU_NR_SREGS; s++) {
		struct x86emu_segment *g = &f->seg[s];
		g->limit = mode == 0 ? 0xffff : 0xffffffff;
		g->type = s == X86EMU_CS ? 0xb : 0x3;
		g->s = s < X86EMU_TR;
		g->present = 1;
		g->db = mode == 1 || mode == 4 || (mode == 3 && s != X86EMU_CS);
		g->g = mode != 0;
		g->dpl = (st[2] >> s & 1) ? 3 : 0;
		g->selector = (uint16_t)(st[3 + s % 4] & ~3u) | g->dpl;
		g->base = mode == 0 ? (uint64_t)(st[144 + s] & 0x3f) << 4 : 0;
	}
	f->seg[X86EMU_CS].l = mode == 3;
	f->seg[X86EMU_SS].dpl = f->seg[X86EMU_CS].dpl;
	f->seg[X86EMU_TR].type = 0xb;
	f->seg[X86EMU_LDTR].type = 0x2;
	f->dt[X86EMU_GDTR].base = 0x100, f->dt[X86EMU_GDTR].limit = 0xff;
	f->dt[X86EMU_IDTR].base = 0, f->dt[X86EMU_IDTR].limit = mode == 0 ? 0x3ff : 0xfff;
	memset(f->cr, 0, sizeof(f->cr));
	f->cr[X86EMU_CR0] = mode == 0 ? 0x10 : 0x11 | (mode >= 3 || (st[7] & 1) ? 0x80000000u : 0);
	f->cr[X86EMU_CR3] = 0x20000;
	f->cr[X86EMU_CR4] = (mode >= 3 ? 0x20 : 0) | 0x600 | (st[7] & 0x10);
	f->cr[X86EMU_EFER] = mode >= 3 ? 0x500 : 0;
	f->cr[X86EMU_XCR0] = 3;
	memset(f->xsave, 0, sizeof(f->xsave));
	/* page tables at 0x20000: identity 4 KiB pages over the array, with
	 * flags from the input so walks meet not-present and read-only entries */
	uint64_t *pt = (uint64_t *)(f->mem + 0x20000);
	pt[0] = 0x21007, pt[512] = 0x22007, pt[1024] = 0x23007; /* PML4, PDPT, PD */
	for (unsigned i = 0; i < FZ_MEM / 4096; i++)
		pt[1536 + i] = (uint64_t)i << 12 | ((st[152 + (i & 7)] >> (i & 3)) & 7) | 1;
	pt[1536 + 1] |= 7; /* the code page */
}

static int fz_run(const uint8_t *data, size_t size)
{
	static struct x86emu *e;
	struct fz *f = &fzs;
	if (size < FZ_STATE)
		return 0;
	if (!e && !(e = x86emu_new(&fz_ops, f)))
		abort();
	memset(f->mem, 0, 0x20000);
	state_from(f, data);
	size_t n = size - FZ_STATE;
	if (n > 0x1000)
		n = 0x1000;
	memcpy(f->mem + FZ_CODE, data + FZ_STATE, n);
	/* data the code reads: the input again, so loads see fuzzed values */
	memcpy(f->mem + 0x8000, data, size < 0x8000 ? size : 0x8000);
	x86emu_reset(e);
	x86emu_set_rep_limit(e, 256);
	if (data[1] & 0x80)
		x86emu_set_tlb_policy(e, X86EMU_TLB_FIFO);
	for (unsigned i = 0; i < FZ_STEPS; i++) {
		enum x86emu_result r = x86emu_step(e);
		if (r == X86EMU_PENDING) {
			const struct x86emu_pending *p = x86emu_pending(e);
			uint8_t zero[8] = {0};
			if (!p || x86emu_complete(e, zero, p->size))
				abort(); /* PENDING must come with a pending access of its size */
			continue;
		}
		if (r == X86EMU_EXCEPTION && x86emu_exception(e)->delivered)
			continue;
		if (r != X86EMU_OK)
			break;
	}
	x86emu_flush_state(e);
	return 0;
}

#ifdef FUZZ_REPLAY
int main(int argc, char **argv)
{
	static uint8_t buf[1 << 16];
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		if (!fp) {
			fprintf(stderr, "fuzz_x86emu: cannot open %s\n", argv[i]);
			bad = 1;
			continue;
		}
		size_t n = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
		fz_run(buf, n);
	}
	printf("fuzz_x86emu: replayed %d inputs\n", argc - 1);
	return bad;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fz_run(data, size); }
#endif
