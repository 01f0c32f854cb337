/* x86diff, emulator side: x86emu on a flat guest memory array with the same
 * image and start state as the KVM guest. The run ends where the native one
 * does: at the terminator (an MMIO write or `out XD_PORT_END`), at an
 * exception (64-bit: reported, not delivered; real mode: delivered through
 * the IVT to the stub, whose `out` ends it), or after a step budget. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/diff/xd.h"
#include "x86emu/x86emu.h"

#define XD_STEP_BUDGET 4096

struct xd_emu {
	struct x86emu *e;
	uint8_t *mem;
	uint8_t *pristine;   /* the layout, to catch and undo stray writes */
	struct xd_state st;
	struct xd_sys sys;
	bool sse;
	/* set by the callbacks when the run ends */
	bool stop;
	enum xd_end end;
	unsigned vector;
	char reason[96];
};

static uint64_t cb_get_gpr(void *c, enum x86emu_gpr r) { return ((struct xd_emu *)c)->st.gpr[r & 15]; }
static void cb_set_gpr(void *c, enum x86emu_gpr r, uint64_t v) { ((struct xd_emu *)c)->st.gpr[r & 15] = v; }
static void cb_set_gpr_bits(void *c, enum x86emu_gpr r, uint64_t v, uint64_t m)
{
	uint64_t *g = &((struct xd_emu *)c)->st.gpr[r & 15];
	*g = (*g & ~m) | (v & m);
}
static uint64_t cb_get_rip(void *c) { return ((struct xd_emu *)c)->st.rip; }
static void cb_set_rip(void *c, uint64_t v) { ((struct xd_emu *)c)->st.rip = v; }
static uint64_t cb_get_rflags(void *c) { return ((struct xd_emu *)c)->st.rflags; }
static void cb_set_rflags(void *c, uint64_t v) { ((struct xd_emu *)c)->st.rflags = v; }

static void cb_get_sreg(void *c, enum x86emu_sreg s, struct x86emu_segment *seg)
{
	const struct xd_seg *x = &((struct xd_emu *)c)->sys.seg[s % XD_NSEGS];
	memset(seg, 0, sizeof(*seg));
	seg->base = x->base;
	seg->limit = x->limit;
	seg->selector = x->selector;
	seg->type = x->type;
	seg->s = x->s;
	seg->dpl = x->dpl;
	seg->present = x->present;
	seg->l = x->l;
	seg->db = x->db;
	seg->g = x->g;
	seg->unusable = x->unusable;
}

static void cb_set_sreg(void *c, enum x86emu_sreg s, const struct x86emu_segment *seg)
{
	struct xd_seg *x = &((struct xd_emu *)c)->sys.seg[s % XD_NSEGS];
	x->base = seg->base;
	x->limit = seg->limit;
	x->selector = seg->selector;
	x->type = seg->type;
	x->s = seg->s;
	x->dpl = seg->dpl;
	x->present = seg->present;
	x->l = seg->l;
	x->db = seg->db;
	x->g = seg->g;
	x->unusable = seg->unusable;
}

static void cb_get_dtable(void *c, enum x86emu_dtreg dt, struct x86emu_dtable *t)
{
	struct xd_emu *x = c;
	t->base = dt == X86EMU_GDTR ? x->sys.gdt_base : x->sys.idt_base;
	t->limit = dt == X86EMU_GDTR ? x->sys.gdt_limit : x->sys.idt_limit;
}

static void cb_set_dtable(void *c, enum x86emu_dtreg dt, const struct x86emu_dtable *t)
{
	struct xd_emu *x = c;
	if (dt == X86EMU_GDTR)
		x->sys.gdt_base = t->base, x->sys.gdt_limit = t->limit;
	else
		x->sys.idt_base = t->base, x->sys.idt_limit = t->limit;
}

static uint64_t cb_get_creg(void *c, enum x86emu_creg cr)
{
	struct xd_emu *x = c;
	switch (cr) {
	case X86EMU_CR0: return x->sys.cr0;
	case X86EMU_CR3: return x->sys.cr3;
	case X86EMU_CR4: return x->sys.cr4;
	case X86EMU_EFER: return x->sys.efer;
	case X86EMU_XCR0: return 3;
	default: return 0;
	}
}

static void cb_set_creg(void *c, enum x86emu_creg cr, uint64_t v)
{
	struct xd_emu *x = c;
	switch (cr) {
	case X86EMU_CR0: x->sys.cr0 = v; break;
	case X86EMU_CR3: x->sys.cr3 = v; break;
	case X86EMU_CR4: x->sys.cr4 = v; break;
	case X86EMU_EFER: x->sys.efer = v; break;
	default: break;
	}
}

static uint64_t cb_get_dreg(void *c, unsigned dr)
{
	(void)c;
	return dr == 6 ? 0xffff0ff0 : dr == 7 ? 0x400 : 0;
}

static void cb_set_dreg(void *c, unsigned dr, uint64_t v) { (void)c, (void)dr, (void)v; }

/* XSAVE legacy region: FCW at 0, MXCSR at 24, XMM0-15 at 160 (SDM 13.4.1). */
static void cb_get_xsave(void *c, void *area)
{
	struct xd_emu *x = c;
	uint8_t *a = area;
	uint16_t fcw = 0x37f;
	uint32_t mask = 0xffff;
	uint64_t bv = 3;
	memset(a, 0, X86EMU_XSAVE_AREA_SIZE);
	memcpy(a, &fcw, 2);
	memcpy(a + 24, &x->st.mxcsr, 4);
	memcpy(a + 28, &mask, 4);
	memcpy(a + 160, x->st.xmm, sizeof(x->st.xmm));
	memcpy(a + 512, &bv, 8);
}

static void cb_set_xsave(void *c, const void *area)
{
	struct xd_emu *x = c;
	const uint8_t *a = area;
	memcpy(&x->st.mxcsr, a + 24, 4);
	memcpy(x->st.xmm, a + 160, sizeof(x->st.xmm));
}

static void *cb_mem_ptr(void *c, uint64_t gpa, size_t len, bool write)
{
	struct xd_emu *x = c;
	(void)write;
	if (gpa >= XD_MEM_SIZE || len > XD_MEM_SIZE - gpa)
		return NULL;
	return x->mem + gpa;
}

static void stop_other(struct xd_emu *x, const char *what, uint64_t where)
{
	if (x->stop)
		return;
	x->stop = true;
	x->end = XD_END_OTHER;
	snprintf(x->reason, sizeof(x->reason), "%s %#llx", what, (unsigned long long)where);
}

static int cb_mmio_read(void *c, uint64_t gpa, unsigned size, void *data)
{
	memset(data, 0, size);
	stop_other(c, "mmio read at", gpa);
	return X86EMU_IO_OK;
}

static int cb_mmio_write(void *c, uint64_t gpa, unsigned size, const void *data)
{
	struct xd_emu *x = c;
	(void)data;
	if (gpa == XD_MMIO_END && size == 1 && !x->stop) {
		x->stop = true;
		x->end = XD_END_OK;
		return X86EMU_IO_OK;
	}
	stop_other(x, "mmio write at", gpa);
	return X86EMU_IO_OK;
}

static int cb_pio_in(void *c, uint16_t port, unsigned size, uint32_t *val)
{
	(void)size;
	*val = 0;
	stop_other(c, "in from port", port);
	return X86EMU_IO_OK;
}

static int cb_pio_out(void *c, uint16_t port, unsigned size, uint32_t val)
{
	struct xd_emu *x = c;
	(void)val;
	if (x->stop)
		return X86EMU_IO_OK;
	if (size == 1 && port == XD_PORT_END) {
		x->stop = true;
		x->end = XD_END_OK;
	} else if (size == 1 && port >= XD_PORT_EXC && port < XD_PORT_EXC + 32) {
		x->stop = true;
		x->end = XD_END_EXC;
		x->vector = port - XD_PORT_EXC;
	} else {
		stop_other(x, "out to port", port);
	}
	return X86EMU_IO_OK;
}

static int cb_rdmsr(void *c, uint32_t msr, uint64_t *v) { (void)c, (void)msr, *v = 0; return -1; }
static int cb_wrmsr(void *c, uint32_t msr, uint64_t v) { (void)c, (void)msr, (void)v; return -1; }

static void cb_cpuid(void *c, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	(void)c;
	__asm__ volatile("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
			 : "a"(leaf), "c"(sub));
}

static uint64_t cb_rdtsc(void *c) { (void)c; return 0; }

static const struct x86emu_ops xd_ops = {
	.get_gpr = cb_get_gpr, .set_gpr = cb_set_gpr, .set_gpr_bits = cb_set_gpr_bits,
	.get_rip = cb_get_rip, .set_rip = cb_set_rip,
	.get_rflags = cb_get_rflags, .set_rflags = cb_set_rflags,
	.get_sreg = cb_get_sreg, .set_sreg = cb_set_sreg,
	.get_dtable = cb_get_dtable, .set_dtable = cb_set_dtable,
	.get_creg = cb_get_creg, .set_creg = cb_set_creg,
	.get_dreg = cb_get_dreg, .set_dreg = cb_set_dreg,
	.get_xsave = cb_get_xsave, .set_xsave = cb_set_xsave,
	.mem_ptr = cb_mem_ptr,
	.mmio_read = cb_mmio_read, .mmio_write = cb_mmio_write,
	.pio_in = cb_pio_in, .pio_out = cb_pio_out,
	.rdmsr = cb_rdmsr, .wrmsr = cb_wrmsr,
	.cpuid = cb_cpuid, .rdtsc = cb_rdtsc,
};

int xd_emu_open(struct xd_emu **out)
{
	struct xd_emu *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->mem = calloc(1, XD_MEM_SIZE);
	x->pristine = calloc(1, XD_SCRATCH);
	x->e = x86emu_new(&xd_ops, x);
	if (!x->mem || !x->pristine || !x->e) {
		xd_emu_close(x);
		return -ENOMEM;
	}
	xd_layout_build(x->mem, XD_MEM_SIZE);
	memcpy(x->pristine, x->mem, XD_SCRATCH);
	*out = x;
	return 0;
}

void xd_emu_close(struct xd_emu *x)
{
	if (!x)
		return;
	x86emu_free(x->e);
	free(x->mem);
	free(x->pristine);
	free(x);
}

/* Memory outside the scratch buffer (and the CPL0 stack, which only the
 * native side's exception delivery writes) must not change. */
static bool stray_write(struct xd_emu *x, const struct xd_seq *s, size_t term, uint64_t *where)
{
	static const struct { uint32_t lo, hi; } ranges[] = {{0, 0x6000}, {0x7000, XD_SCRATCH}};
	for (unsigned i = 0; i < 2; i++) {
		if (memcmp(x->mem + ranges[i].lo, x->pristine + ranges[i].lo,
			   ranges[i].hi - ranges[i].lo)) {
			for (uint32_t a = ranges[i].lo; a < ranges[i].hi; a++)
				if (x->mem[a] != x->pristine[a]) {
					*where = a;
					break;
				}
			memcpy(x->mem, x->pristine, XD_SCRATCH);
			return true;
		}
	}
	if (memcmp(x->mem + XD_CODE, s->code, s->len)) {
		*where = XD_CODE;
		return true;
	}
	(void)term;
	return false;
}

int xd_emu_run(struct xd_emu *x, const struct xd_seq *s, struct xd_result *r)
{
	struct x86emu *e = x->e;
	enum x86emu_result res = X86EMU_OK;
	unsigned steps;

	memset(r, 0, sizeof(*r));
	if (s->len + XD_TERM_MAX > XD_CODE_MAX)
		return -EINVAL;
	memcpy(x->mem + XD_CODE, s->code, s->len);
	size_t term = xd_terminator(s->mode, x->mem + XD_CODE + s->len);
	memcpy(x->mem + XD_SCRATCH, s->scratch, XD_SCRATCH_SIZE);
	x->st = s->start;
	xd_sys_state(s->mode, &x->sys);
	x->stop = false;
	x->end = XD_END_OK;
	x->vector = 0;
	x->reason[0] = 0;
	x86emu_invalidate(e);
	x86emu_cancel(e);
	x86emu_tlb_flush(e);

	for (steps = 0; steps < XD_STEP_BUDGET && !x->stop; steps++) {
		res = x86emu_step(e);
		if (res == X86EMU_OK)
			continue;
		if (res == X86EMU_EXCEPTION) {
			const struct x86emu_exception *ex = x86emu_exception(e);
			if (ex->delivered)
				continue; /* real mode: on to the IVT stub */
			r->end = XD_END_EXC;
			r->vector = ex->vector;
			r->has_error_code = ex->has_error_code;
			r->error_code = ex->error_code;
			break;
		}
		if (res == X86EMU_UNHANDLED) {
			const struct x86emu_unhandled *u = x86emu_unhandled(e);
			r->end = XD_END_UNHANDLED;
			int n = snprintf(r->reason, sizeof(r->reason), "unhandled at %#llx (%s):",
					 (unsigned long long)u->rip, u->reason ? u->reason : "?");
			for (unsigned i = 0; i < u->len && i < 15 && n > 0 &&
					     (size_t)n + 4 < sizeof(r->reason); i++)
				n += snprintf(r->reason + n, sizeof(r->reason) - (size_t)n, " %02x",
					      u->bytes[i]);
			break;
		}
		r->end = XD_END_OTHER;
		snprintf(r->reason, sizeof(r->reason), "x86emu_step returned %d", (int)res);
		x86emu_cancel(e);
		break;
	}
	x86emu_flush_state(e);
	r->st = x->st;
	if (res == X86EMU_OK || (res == X86EMU_EXCEPTION && x->stop)) {
		if (!x->stop) {
			r->end = XD_END_OTHER;
			snprintf(r->reason, sizeof(r->reason), "no end after %u steps",
				 XD_STEP_BUDGET);
		} else {
			r->end = x->end;
			r->vector = x->vector;
			memcpy(r->reason, x->reason, sizeof(r->reason));
			if (r->end == XD_END_OK)
				r->st.rip = s->mode == XD_REAL ? s->len : XD_CODE + s->len;
			else if (r->end == XD_END_EXC)
				r->st.rip = XD_STUB_REAL + 4 * r->vector; /* at the stub's out */
		}
	}
	memcpy(r->scratch, x->mem + XD_SCRATCH, XD_SCRATCH_SIZE);
	uint64_t where = 0;
	if (stray_write(x, s, term, &where) && r->end != XD_END_OTHER) {
		r->end = XD_END_OTHER;
		snprintf(r->reason, sizeof(r->reason), "wrote outside scratch at %#llx",
			 (unsigned long long)where);
	}
	return 0;
}
