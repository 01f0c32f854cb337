/* x86emu: system instructions. Control and debug registers, descriptor
 * tables, MSRs, CPUID, TSC, TLB control (SDM vol. 2 and vol. 3A 2.5). */
#include <string.h>

#include "x86emu/internal.h"
#include "x86emu/ops.h"

#define MSR_EFER 0xc0000080u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX 0xc0000103u

static void cr_write(struct x86emu *e, unsigned c, uint64_t v)
{
	e->cr[c] = v;
	e->cr_valid |= 1u << c;
	e->cr_dirty |= 1u << c;
	e->mode_ok = false; /* CR0.PE or EFER.LMA may have changed */
}

static const struct x86emu_dtable *dt_get(struct x86emu *e, unsigned t)
{
	if (!(e->dt_valid & (1u << t))) {
		e->ops->get_dtable(e->ctx, (enum x86emu_dtreg)t, &e->dt[t]);
		e->dt_valid |= 1u << t;
	}
	return &e->dt[t];
}

/* Reserved-bit and consistency checks of MOV to CR0/CR4 (#GP(0)). */
static int set_cr0(struct x86emu *e, uint64_t v)
{
	uint64_t old = cr_get(e, X86EMU_CR0);
	if (v >> 32)
		return RAISE_GP0(e);
	v |= CR0_ET;
	if ((v & CR0_PG) && !(v & CR0_PE))
		return RAISE_GP0(e);
	if ((v & CR0_NW) && !(v & CR0_CD))
		return RAISE_GP0(e);
	uint64_t efer = cr_get(e, X86EMU_EFER);
	if ((v & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
		if (!(cr_get(e, X86EMU_CR4) & CR4_PAE))
			return RAISE_GP0(e);
		cr_write(e, X86EMU_EFER, efer | EFER_LMA);
	}
	if (!(v & CR0_PG) && (old & CR0_PG) && (efer & EFER_LMA)) {
		if (e->mode == X86EMU_MODE_LONG64)
			return RAISE_GP0(e);
		cr_write(e, X86EMU_EFER, efer & ~(uint64_t)EFER_LMA);
	}
	if ((v ^ old) & (CR0_PG | CR0_WP | CR0_PE))
		mmu_flush(e);
	cr_write(e, X86EMU_CR0, v);
	return RC_OK;
}

static int set_cr4(struct x86emu *e, uint64_t v)
{
	uint64_t old = cr_get(e, X86EMU_CR4);
	if (v & ~0x3777fffull)
		return RAISE_GP0(e);
	if ((cr_get(e, X86EMU_EFER) & EFER_LMA) && !(v & CR4_PAE))
		return RAISE_GP0(e);
	if ((v ^ old) & (CR4_PSE | CR4_PAE | CR4_PGE | CR4_SMEP))
		mmu_flush(e);
	cr_write(e, X86EMU_CR4, v);
	return RC_OK;
}

int ex_mov_cr(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned cr = in->reg;
	unsigned idx;
	bool to_cr = in->op == 0x22;
	unsigned size = e->mode == X86EMU_MODE_LONG64 ? 8 : 4;

	if (in->lock && cr == 0)
		cr = 8; /* AMD's alternative encoding of CR8 */
	switch (cr) {
	case 0: idx = X86EMU_CR0; break;
	case 2: idx = X86EMU_CR2; break;
	case 3: idx = X86EMU_CR3; break;
	case 4: idx = X86EMU_CR4; break;
	case 8: idx = X86EMU_CR8; break;
	default: return RAISE_UD(e);
	}
	if (!to_cr) {
		gpr_write(e, in->rm, size, false, cr_get(e, idx));
		return RC_OK;
	}
	uint64_t v = gpr_read(e, in->rm, size, false);
	emu_serialize(e);
	switch (idx) {
	case X86EMU_CR0: return set_cr0(e, v);
	case X86EMU_CR4: return set_cr4(e, v);
	case X86EMU_CR3:
		if (size == 8 && (v >> 52))
			return RAISE_GP0(e);
		cr_write(e, X86EMU_CR3, v);
		mmu_flush(e);
		return RC_OK;
	case X86EMU_CR8:
		if (v >> 4)
			return RAISE_GP0(e);
		cr_write(e, X86EMU_CR8, v);
		return RC_OK;
	default: cr_write(e, idx, v); return RC_OK;
	}
}

int ex_mov_dr(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned dr = in->reg, size = e->mode == X86EMU_MODE_LONG64 ? 8 : 4;
	if (dr > 7)
		return RAISE_UD(e);
	if ((dr == 4 || dr == 5) && (cr_get(e, X86EMU_CR4) & (1u << 3)))
		return RAISE_UD(e); /* CR4.DE */
	if (dr == 4 || dr == 5)
		dr += 2;
	if (!(e->dr_valid & (1u << dr))) {
		e->dr[dr] = e->ops->get_dreg ? e->ops->get_dreg(e->ctx, dr) : (dr == 6 ? 0xffff0ff0 : dr == 7 ? 0x400 : 0);
		e->dr_valid |= 1u << dr;
	}
	if (in->op == 0x21) {
		gpr_write(e, in->rm, size, false, e->dr[dr]);
		return RC_OK;
	}
	uint64_t v = gpr_read(e, in->rm, size, false);
	emu_serialize(e);
	if ((dr == 6 || dr == 7) && (v >> 32))
		return RAISE_GP0(e);
	e->dr[dr] = v;
	e->dr_dirty |= 1u << dr;
	return RC_OK;
}

int ex_clts(struct x86emu *e, struct x86emu_insn *in)
{
	(void)in;
	cr_write(e, X86EMU_CR0, cr_get(e, X86EMU_CR0) & ~(uint64_t)CR0_TS);
	return RC_OK;
}

/* Group 7 memory forms: sgdt sidt lgdt lidt smsw - lmsw invlpg (aux). */
int ex_grp7(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned t = in->d->aux & 1 ? X86EMU_IDTR : X86EMU_GDTR;
	uint8_t buf[10];
	unsigned n = e->mode == X86EMU_MODE_LONG64 ? 10 : 6;
	int rc;

	switch (in->d->aux) {
	case 0:
	case 1: {
		const struct x86emu_dtable *dt = dt_get(e, t);
		uint64_t base = dt->base;
		if (e->mode != X86EMU_MODE_LONG64)
			base &= 0xffffffffull;
		memcpy(buf, &dt->limit, 2);
		memcpy(buf + 2, &base, 8);
		return mem_write_seg(e, in->eseg, in->ea, n, buf);
	}
	case 2:
	case 3: {
		struct x86emu_dtable dt = {0};
		if (e->cpl)
			return RAISE_GP0(e);
		emu_serialize(e);
		memset(buf, 0, sizeof(buf));
		if ((rc = mem_read_seg(e, in->eseg, in->ea, n, buf)))
			return rc;
		memcpy(&dt.limit, buf, 2);
		memcpy(&dt.base, buf + 2, n - 2);
		if (e->mode != X86EMU_MODE_LONG64 && in->opsize == 2)
			dt.base &= 0xffffff;
		dt_get(e, t);
		e->dt[t] = dt;
		e->dt_dirty |= 1u << t;
		return RC_OK;
	}
	case 4:
		in->dst.val = cr_get(e, X86EMU_CR0) & size_mask(in->dst.type == OP_MEM ? 2 : in->opsize);
		if (in->dst.type == OP_MEM)
			in->dst.size = 2;
		return RC_OK;
	case 6: {
		uint64_t v;
		if (e->cpl)
			return RAISE_GP0(e);
		if (in->dst.type == OP_MEM) {
			uint16_t w = 0;
			if ((rc = mem_read_seg(e, in->eseg, in->ea, 2, &w)))
				return rc;
			v = w;
		} else {
			v = gpr_get(e, in->rm) & 0xffff;
		}
		uint64_t cr0 = cr_get(e, X86EMU_CR0);
		/* LMSW sets PE but cannot clear it; it touches PE/MP/EM/TS only. */
		uint64_t nv = (cr0 & ~0xeull) | (v & 0xf) | (cr0 & CR0_PE);
		return set_cr0(e, nv);
	}
	case 7:
		if (e->cpl)
			return RAISE_GP0(e);
		emu_serialize(e);
		{
			/* invlpg of an address that cannot be formed is a no-op. */
			uint64_t la;
			if (!mem_linear(e, in->eseg, in->ea, 1, ACC_READ, &la))
				mmu_invlpg(e, la);
		}
		return RC_OK;
	default: return RAISE_UD(e);
	}
}

/* Group 7 register forms (0F 01 C0-FF): by the whole ModRM byte. */
int ex_grp7_reg(struct x86emu *e, struct x86emu_insn *in)
{
	uint32_t regs[4];
	switch (in->modrm) {
	case 0xd0: { /* xgetbv */
		uint32_t c = (uint32_t)gpr_get(e, X86EMU_RCX);
		if (!(cr_get(e, X86EMU_CR4) & CR4_OSXSAVE))
			return RAISE_UD(e);
		if (c != 0)
			return RAISE_GP0(e);
		uint64_t x = cr_get(e, X86EMU_XCR0);
		gpr_write(e, X86EMU_RAX, 4, false, x & 0xffffffff);
		gpr_write(e, X86EMU_RDX, 4, false, x >> 32);
		return RC_OK;
	}
	case 0xd1: { /* xsetbv */
		uint32_t c = (uint32_t)gpr_get(e, X86EMU_RCX);
		uint64_t x = (gpr_get(e, X86EMU_RAX) & 0xffffffff) | (gpr_get(e, X86EMU_RDX) << 32);
		if (!(cr_get(e, X86EMU_CR4) & CR4_OSXSAVE))
			return RAISE_UD(e);
		if (e->cpl || c != 0 || !(x & 1) || ((x & 4) && !(x & 2)) || (x & ~7ull))
			return RAISE_GP0(e);
		cr_write(e, X86EMU_XCR0, x);
		return RC_OK;
	}
	case 0xca: /* clac */
	case 0xcb: /* stac */
		/* SMAP's AC toggles: CPL0 only. */
		if (e->cpl)
			return RAISE_UD(e);
		flags_set(e, in->modrm == 0xcb ? flags_get(e) | FL_AC : flags_get(e) & ~(uint64_t)FL_AC);
		return RC_OK;
	case 0xf8: { /* swapgs */
		if (e->mode != X86EMU_MODE_LONG64)
			return RAISE_UD(e);
		if (e->cpl)
			return RAISE_GP0(e);
		uint64_t k;
		if (!e->ops->rdmsr || e->ops->rdmsr(e->ctx, MSR_KERNEL_GS_BASE, &k))
			return emu_unhandled(e, "swapgs: KERNEL_GS_BASE unreadable");
		struct x86emu_segment gs = *seg_get(e, X86EMU_GS);
		if (!e->ops->wrmsr || e->ops->wrmsr(e->ctx, MSR_KERNEL_GS_BASE, gs.base))
			return emu_unhandled(e, "swapgs: KERNEL_GS_BASE unwritable");
		gs.base = k;
		e->seg[X86EMU_GS] = gs;
		e->seg_dirty |= 1u << X86EMU_GS;
		return RC_OK;
	}
	case 0xf9: { /* rdtscp */
		uint64_t t = e->ops->rdtsc ? e->ops->rdtsc(e->ctx) : 0, aux = 0;
		if (e->ops->rdmsr)
			e->ops->rdmsr(e->ctx, MSR_TSC_AUX, &aux);
		gpr_write(e, X86EMU_RAX, 4, false, t & 0xffffffff);
		gpr_write(e, X86EMU_RDX, 4, false, t >> 32);
		gpr_write(e, X86EMU_RCX, 4, false, aux & 0xffffffff);
		return RC_OK;
	}
	default:
		(void)regs;
		if ((in->modrm & 0xf8) == 0xe0) { /* smsw r */
			gpr_write(e, in->rm, in->opsize, false, cr_get(e, X86EMU_CR0) & size_mask(in->opsize));
			return RC_OK;
		}
		if ((in->modrm & 0xf8) == 0xf0) { /* lmsw r: ex_grp7 reads ModRM.rm */
			struct opdesc d = *in->d;
			d.aux = 6;
			const struct opdesc *saved = in->d;
			in->d = &d;
			int rc = ex_grp7(e, in);
			in->d = saved;
			return rc;
		}
		return emu_unhandled(e, "0F 01 register form x86emu does not emulate");
	}
}

int ex_cpuid(struct x86emu *e, struct x86emu_insn *in)
{
	uint32_t out[4] = {0, 0, 0, 0};
	(void)in;
	emu_serialize(e);
	uint32_t leaf = (uint32_t)gpr_get(e, X86EMU_RAX), sub = (uint32_t)gpr_get(e, X86EMU_RCX);
	if (e->ops->cpuid)
		e->ops->cpuid(e->ctx, leaf, sub, out);
	gpr_write(e, X86EMU_RAX, 4, false, out[0]);
	gpr_write(e, X86EMU_RBX, 4, false, out[1]);
	gpr_write(e, X86EMU_RCX, 4, false, out[2]);
	gpr_write(e, X86EMU_RDX, 4, false, out[3]);
	return RC_OK;
}

int ex_rdtsc(struct x86emu *e, struct x86emu_insn *in)
{
	(void)in;
	if ((cr_get(e, X86EMU_CR4) & (1u << 2)) && e->cpl && e->mode != X86EMU_MODE_REAL)
		return RAISE_GP0(e); /* CR4.TSD */
	uint64_t t = e->ops->rdtsc ? e->ops->rdtsc(e->ctx) : 0;
	gpr_write(e, X86EMU_RAX, 4, false, t & 0xffffffff);
	gpr_write(e, X86EMU_RDX, 4, false, t >> 32);
	return RC_OK;
}

int ex_rdmsr(struct x86emu *e, struct x86emu_insn *in)
{
	uint32_t msr = (uint32_t)gpr_get(e, X86EMU_RCX);
	uint64_t v = 0;
	(void)in;
	switch (msr) {
	case MSR_EFER: v = cr_get(e, X86EMU_EFER); break;
	case MSR_FS_BASE: v = seg_get(e, X86EMU_FS)->base; break;
	case MSR_GS_BASE: v = seg_get(e, X86EMU_GS)->base; break;
	default:
		if (!e->ops->rdmsr || e->ops->rdmsr(e->ctx, msr, &v))
			return RAISE_GP0(e);
	}
	gpr_write(e, X86EMU_RAX, 4, false, v & 0xffffffff);
	gpr_write(e, X86EMU_RDX, 4, false, v >> 32);
	return RC_OK;
}

int ex_wrmsr(struct x86emu *e, struct x86emu_insn *in)
{
	uint32_t msr = (uint32_t)gpr_get(e, X86EMU_RCX);
	uint64_t v = (gpr_get(e, X86EMU_RAX) & 0xffffffff) | (gpr_get(e, X86EMU_RDX) << 32);
	(void)in;
	emu_serialize(e);
	switch (msr) {
	case MSR_EFER: {
		uint64_t old = cr_get(e, X86EMU_EFER);
		if (v & ~0xd01ull)
			return RAISE_GP0(e);
		if ((cr_get(e, X86EMU_CR0) & CR0_PG) && ((v ^ old) & EFER_LME))
			return RAISE_GP0(e);
		v = (v & ~(uint64_t)EFER_LMA) | (old & EFER_LMA);
		if ((v ^ old) & EFER_NXE)
			mmu_flush(e);
		cr_write(e, X86EMU_EFER, v);
		return RC_OK;
	}
	case MSR_FS_BASE:
	case MSR_GS_BASE: {
		unsigned s = msr == MSR_FS_BASE ? X86EMU_FS : X86EMU_GS;
		if ((uint64_t)((int64_t)(v << 16) >> 16) != v)
			return RAISE_GP0(e);
		seg_get(e, s);
		e->seg[s].base = v;
		e->seg_dirty |= 1u << s;
		return RC_OK;
	}
	default:
		if (!e->ops->wrmsr || e->ops->wrmsr(e->ctx, msr, v))
			return RAISE_GP0(e);
		return RC_OK;
	}
}

/* Group 6: sldt str lldt ltr verr verw (aux). */
int ex_grp6(struct x86emu *e, struct x86emu_insn *in)
{
	if (e->mode == X86EMU_MODE_REAL || e->mode == X86EMU_MODE_VM86)
		return RAISE_UD(e);
	switch (in->d->aux) {
	case 0:
	case 1:
		in->dst.val = seg_get(e, in->d->aux ? X86EMU_TR : X86EMU_LDTR)->selector;
		if (in->dst.type == OP_MEM)
			in->dst.size = 2;
		return RC_OK;
	case 4:
	case 5: {
		bool ok;
		return seg_probe(e, (uint16_t)in->src.val, in->d->aux == 4 ? SEG_PROBE_VERR : SEG_PROBE_VERW, NULL,
				 &ok);
	}
	default:
		return emu_unhandled(e, "lldt/ltr are not emulated");
	}
}

int ex_wbinvd(struct x86emu *e, struct x86emu_insn *in)
{
	(void)in;
	emu_serialize(e);
	return RC_OK;
}

int ex_ud(struct x86emu *e, struct x86emu_insn *in)
{
	(void)in;
	return RAISE_UD(e);
}

/* lar, lsl: protected mode only (#UD in real and virtual-8086 mode). ZF
 * says whether the selector passed; only then is the destination written
 * (at the operand size: 16 bits keep the rest of the register). */
int ex_lar_lsl(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t v = 0;
	bool ok;
	int rc;

	if (e->mode == X86EMU_MODE_REAL || e->mode == X86EMU_MODE_VM86)
		return RAISE_UD(e);
	rc = seg_probe(e, (uint16_t)in->src.val, in->d->aux ? SEG_PROBE_LSL : SEG_PROBE_LAR, &v, &ok);
	if (rc || !ok)
		return rc;
	in->dst.val = v & size_mask(in->dst.size);
	return write_operand(e, &in->dst);
}
