/* x86emu: stack, control transfer, string and port instructions, segment
 * loads (SDM vol. 3A 5.8 for far transfers, vol. 2 for each instruction). */
#include <string.h>

#include "x86emu/internal.h"
#include "x86emu/ops.h"

static uint64_t ip_mask(unsigned opsize)
{
	return size_mask(opsize);
}

/* ---- segments ------------------------------------------------------------- */

static void seg_write(struct x86emu *e, unsigned s, const struct x86emu_segment *v)
{
	e->seg[s] = *v;
	e->seg_valid |= 1u << s;
	e->seg_dirty |= 1u << s;
	if (s == X86EMU_CS)
		e->mode_ok = false;
}

static void desc_decode(const uint8_t *b, uint16_t sel, struct x86emu_segment *s)
{
	uint32_t lo, hi;
	memcpy(&lo, b, 4);
	memcpy(&hi, b + 4, 4);
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = (lo & 0xffff) | (hi & 0xf0000);
	s->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
	s->type = (hi >> 8) & 15;
	s->s = (hi >> 12) & 1;
	s->dpl = (hi >> 13) & 3;
	s->present = (hi >> 15) & 1;
	s->avl = (hi >> 20) & 1;
	s->l = (hi >> 21) & 1;
	s->db = (hi >> 22) & 1;
	s->g = (hi >> 23) & 1;
	if (s->g)
		s->limit = (s->limit << 12) | 0xfff;
}

/* The table sel's descriptor is in (its base and limit), or false when
 * that is the LDT and there is none. */
static bool desc_table(struct x86emu *e, uint16_t sel, uint64_t *base, uint64_t *limit)
{
	if (sel & 4) {
		const struct x86emu_segment *ldt = seg_get(e, X86EMU_LDTR);
		if (ldt->unusable || !ldt->present)
			return false;
		*base = ldt->base;
		*limit = ldt->limit;
		return true;
	}
	if (!(e->dt_valid & 1)) {
		e->ops->get_dtable(e->ctx, X86EMU_GDTR, &e->dt[X86EMU_GDTR]);
		e->dt_valid |= 1;
	}
	*base = e->dt[X86EMU_GDTR].base;
	*limit = e->dt[X86EMU_GDTR].limit;
	return true;
}

static int desc_read(struct x86emu *e, uint16_t sel, uint8_t *b, uint64_t *addr)
{
	uint64_t base, limit;
	if (!desc_table(e, sel, &base, &limit) || (uint64_t)(sel & ~7u) + 7 > limit)
		return emu_raise(e, X86EMU_EXC_GP, true, sel & 0xfffc);
	*addr = base + (sel & ~7u);
	return mem_read_lin(e, *addr, 8, b, true);
}

/* Load a segment register as mov/pop/lds/far jmp do in the current mode.
 * is_cs: far transfer target (privilege checks for code). */
static int seg_load_cpl(struct x86emu *e, unsigned s, uint16_t sel, bool is_cs, unsigned cpl)
{
	struct x86emu_segment v;
	uint8_t b[8];
	uint64_t addr = 0;
	int rc;

	(void)is_cs;
	if (e->mode == X86EMU_MODE_REAL || e->mode == X86EMU_MODE_VM86) {
		v = *seg_get(e, s);
		v.selector = sel;
		v.base = (uint64_t)sel << 4;
		if (e->mode == X86EMU_MODE_VM86) {
			v.limit = 0xffff;
			v.type = s == X86EMU_CS ? 0xb : 3;
			v.s = v.present = 1;
			v.dpl = 3;
			v.db = v.g = v.l = 0;
			v.unusable = 0;
		}
		seg_write(e, s, &v);
		return RC_OK;
	}
	unsigned rpl = sel & 3;
	if (!(sel & ~3u)) {
		if (s == X86EMU_CS || (s == X86EMU_SS && (e->mode != X86EMU_MODE_LONG64 || cpl == 3)))
			return RAISE_GP0(e);
		memset(&v, 0, sizeof(v));
		v.selector = sel;
		v.unusable = 1;
		seg_write(e, s, &v);
		return RC_OK;
	}
	if ((rc = desc_read(e, sel, b, &addr)))
		return rc;
	desc_decode(b, sel, &v);
	uint16_t ec = sel & 0xfffc;
	if (!v.s)
		return emu_unhandled(e, "system descriptor (gate or TSS) in a segment load");
	bool code = v.type & 8;
	if (s == X86EMU_CS) {
		if (!code)
			return emu_raise(e, X86EMU_EXC_GP, true, ec);
		if (v.type & 4) {
			if (v.dpl > cpl)
				return emu_raise(e, X86EMU_EXC_GP, true, ec);
		} else if (rpl > cpl || v.dpl != cpl) {
			return emu_raise(e, X86EMU_EXC_GP, true, ec);
		}
		if (!v.present)
			return emu_raise(e, X86EMU_EXC_NP, true, ec);
		v.selector = (uint16_t)((sel & ~3u) | cpl);
	} else if (s == X86EMU_SS) {
		if (code || !(v.type & 2) || rpl != cpl || v.dpl != cpl)
			return emu_raise(e, X86EMU_EXC_GP, true, ec);
		if (!v.present)
			return emu_raise(e, X86EMU_EXC_SS, true, ec);
	} else {
		if (code && !(v.type & 2))
			return emu_raise(e, X86EMU_EXC_GP, true, ec);
		if ((!code || !(v.type & 4)) && (rpl > v.dpl || cpl > v.dpl))
			return emu_raise(e, X86EMU_EXC_GP, true, ec);
		if (!v.present)
			return emu_raise(e, X86EMU_EXC_NP, true, ec);
	}
	if (!(v.type & 1)) {
		/* The CPU marks the descriptor accessed. */
		v.type |= 1;
		b[5] |= 1;
		if ((rc = mem_write_lin(e, addr + 5, 1, &b[5], true)))
			return rc;
	}
	if (e->mode == X86EMU_MODE_LONG64 && (s == X86EMU_FS || s == X86EMU_GS))
		v.base &= 0xffffffffull;
	seg_write(e, s, &v);
	return RC_OK;
}

int seg_load(struct x86emu *e, unsigned s, uint16_t sel, bool is_far_cs)
{
	return seg_load_cpl(e, s, sel, is_far_cs, e->cpl);
}

/* lar, lsl, verr, verw (SDM Vol. 2: LAR, LSL, VERR/VERW): look a selector
 * up as a segment load would, but where the load would fault they clear
 * ZF instead; only reading the descriptor itself can fault (#PF). They
 * never set the accessed bit, and the present bit is not checked. */
static bool seg_probe_type_ok(bool ia32e, unsigned type, unsigned what)
{
	if (what == SEG_PROBE_LAR)
		return ia32e ? type == 9 || type == 0xb || type == 0xc
			     : type != 0 && type != 6 && type != 7 && type != 8 && type != 0xa && type < 0xd;
	if (what == SEG_PROBE_LSL)
		return ia32e ? type == 2 || type == 9 || type == 0xb
			     : type == 1 || type == 2 || type == 3 || type == 9 || type == 0xb;
	return false; /* verr, verw: no system descriptor */
}

static int seg_probe_check(struct x86emu *e, uint16_t sel, unsigned what, uint64_t *out, bool *ok)
{
	uint64_t base, limit, addr = sel & ~7u;
	uint8_t b[8];
	int rc;

	*ok = false;
	if (!(sel & ~3u) || !desc_table(e, sel, &base, &limit) || addr + 7 > limit)
		return RC_OK; /* null, no LDT, past the table */
	if ((rc = mem_read_lin(e, base + addr, 8, b, true)))
		return rc;
	struct x86emu_segment v;
	desc_decode(b, sel, &v);
	unsigned rpl = sel & 3, cpl = e->cpl;
	if (!v.s) {
		bool ia32e = cr_get(e, X86EMU_EFER) & EFER_LMA;
		if (!seg_probe_type_ok(ia32e, v.type, what))
			return RC_OK;
		if (ia32e) {
			/* A 16-byte descriptor: its upper half must fit in the
			 * table, with 0 where a type would be. */
			uint8_t up[8];
			if (addr + 15 > limit)
				return RC_OK;
			if ((rc = mem_read_lin(e, base + addr + 8, 8, up, true)))
				return rc;
			if (up[5] & 0x1f)
				return RC_OK;
		}
		if (rpl > v.dpl || cpl > v.dpl)
			return RC_OK;
	} else {
		bool code = v.type & 8, conforming = code && (v.type & 4);
		if (what == SEG_PROBE_VERR && code && !(v.type & 2))
			return RC_OK; /* execute-only */
		if (what == SEG_PROBE_VERW && (code || !(v.type & 2)))
			return RC_OK;
		if (!conforming && (rpl > v.dpl || cpl > v.dpl))
			return RC_OK;
	}
	*ok = true;
	if (what == SEG_PROBE_LAR)
		*out = (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16; /* the high dword's bits 23:8 */
	else if (what == SEG_PROBE_LSL)
		*out = v.limit;
	return RC_OK;
}

int seg_probe(struct x86emu *e, uint16_t sel, unsigned what, uint64_t *out, bool *ok)
{
	int rc = seg_probe_check(e, sel, what, out, ok);
	if (rc == RC_OK)
		flags_set(e, (flags_get(e) & ~(uint64_t)FL_ZF) | (*ok ? FL_ZF : 0));
	return rc;
}

int ex_mov_from_sreg(struct x86emu *e, struct x86emu_insn *in)
{
	if ((in->reg & 7) > 5)
		return RAISE_UD(e);
	in->dst.val = seg_get(e, in->reg & 7)->selector;
	if (in->dst.type == OP_MEM)
		in->dst.size = 2;
	return RC_OK;
}

int ex_mov_to_sreg(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned s = in->reg & 7;
	if (s == X86EMU_CS || s > 5)
		return RAISE_UD(e);
	int rc = seg_load(e, s, (uint16_t)in->src.val, false);
	if (!rc && s == X86EMU_SS)
		e->next_shadow = true;
	return rc;
}

/* lds/les/lss/lfs/lgs: aux = segment. */
int ex_lseg(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->opsize;
	uint8_t buf[10] = {0};
	uint64_t off = 0;
	uint16_t sel;
	int rc;

	if (in->mod == 3)
		return RAISE_UD(e);
	if ((rc = mem_read_seg(e, in->eseg, in->ea, size + 2, buf)))
		return rc;
	memcpy(&off, buf, size);
	memcpy(&sel, buf + size, 2);
	if ((rc = seg_load(e, in->d->aux, sel, false)))
		return rc;
	gpr_write(e, in->reg, size, false, off);
	return RC_OK;
}

/* ---- stack ---------------------------------------------------------------- */

int ex_push(struct x86emu *e, struct x86emu_insn *in)
{
	return stack_push(e, in->opsize, in->src.val);
}

int ex_pop(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t v;
	int rc;
	if (in->dst.type == OP_MEM) {
		/* pop m: rSP is incremented before the address is used. */
		uint64_t mask = stack_mask(e), sp = gpr_get(e, X86EMU_RSP) & mask;
		v = 0;
		if ((rc = mem_read_seg(e, X86EMU_SS, sp, in->opsize, &v)))
			return rc;
		uint64_t old = gpr_get(e, X86EMU_RSP);
		gpr_write(e, X86EMU_RSP, mask == ~0ull ? 8 : mask == 0xffff ? 2 : 4, false, (sp + in->opsize) & mask);
		in->dst.val = v;
		/* An rSP-based destination is addressed after the increment. */
		if (in->base_reg == X86EMU_RSP)
			in->dst.ea = (in->dst.ea + in->opsize) & size_mask(in->adsize);
		if ((rc = mem_write_seg(e, in->dst.seg, in->dst.ea, in->opsize, &v))) {
			(void)old;
			return rc;
		}
		in->dst.type = OP_NONE;
		return RC_OK;
	}
	if ((rc = stack_pop(e, in->opsize, &v)))
		return rc;
	in->dst.val = v;
	return RC_OK;
}

int ex_push_sreg(struct x86emu *e, struct x86emu_insn *in)
{
	return stack_push(e, in->opsize, seg_get(e, in->d->aux)->selector);
}

int ex_pop_sreg(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t mask = stack_mask(e), sp = gpr_get(e, X86EMU_RSP) & mask, v = 0;
	int rc;
	if ((rc = mem_read_seg(e, X86EMU_SS, sp, in->opsize, &v)))
		return rc;
	if ((rc = seg_load(e, in->d->aux, (uint16_t)v, false)))
		return rc;
	gpr_write(e, X86EMU_RSP, mask == ~0ull ? 8 : mask == 0xffff ? 2 : 4, false, (sp + in->opsize) & mask);
	if (in->d->aux == X86EMU_SS)
		e->next_shadow = true;
	return RC_OK;
}

int ex_pusha(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->opsize;
	uint64_t sp = gpr_get(e, X86EMU_RSP);
	int rc;
	for (unsigned r = 0; r < 8; r++) {
		uint64_t v = r == X86EMU_RSP ? sp : gpr_get(e, r);
		if ((rc = stack_push(e, size, v & size_mask(size))))
			return rc;
	}
	return RC_OK;
}

int ex_popa(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->opsize;
	uint64_t v[8];
	int rc;
	for (int r = 7; r >= 0; r--)
		if ((rc = stack_pop(e, size, &v[r])))
			return rc;
	for (unsigned r = 0; r < 8; r++)
		if (r != X86EMU_RSP)
			gpr_write(e, r, size, false, v[r]);
	return RC_OK;
}

int ex_pushf(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t f = flags_get(e) & ~(uint64_t)(FL_VM | FL_RF);
	if (e->mode == X86EMU_MODE_VM86 && ((f & FL_IOPL) >> 12) < 3)
		return RAISE_GP0(e);
	return stack_push(e, in->opsize, f & size_mask(in->opsize));
}

/* The rules of POPF/IRET for which flags may change (SDM POPF). */
static uint64_t popf_merge(struct x86emu *e, uint64_t old, uint64_t v, unsigned size)
{
	uint64_t change = FL_ARITH | FL_TF | FL_DF | FL_NT | FL_AC | FL_ID | FL_IF | FL_IOPL;
	if (e->mode != X86EMU_MODE_REAL) {
		if (e->cpl > 0)
			change &= ~(uint64_t)FL_IOPL;
		if (e->cpl > ((old & FL_IOPL) >> 12))
			change &= ~(uint64_t)FL_IF;
	}
	if (size == 2)
		change &= 0xffff;
	return (old & ~change) | (v & change);
}

int ex_popf(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t v;
	int rc;
	if (e->mode == X86EMU_MODE_VM86 && ((flags_get(e) & FL_IOPL) >> 12) < 3)
		return RAISE_GP0(e);
	if ((rc = stack_pop(e, in->opsize, &v)))
		return rc;
	uint64_t old = flags_get(e);
	flags_set(e, popf_merge(e, old, v, in->opsize) & ~(uint64_t)FL_RF);
	return RC_OK;
}

int ex_enter(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->opsize;
	uint64_t alloc = in->imm & 0xffff;
	unsigned level = in->imm2 & 31;
	uint64_t mask = stack_mask(e);
	int rc;

	if ((rc = stack_push(e, size, gpr_read(e, X86EMU_RBP, size, false))))
		return rc;
	uint64_t frame = gpr_get(e, X86EMU_RSP) & mask;
	if (level) {
		uint64_t bp = gpr_get(e, X86EMU_RBP);
		for (unsigned i = 1; i < level; i++) {
			uint64_t v = 0;
			bp = (bp - size) & mask;
			if ((rc = mem_read_seg(e, X86EMU_SS, bp, size, &v)) || (rc = stack_push(e, size, v)))
				return rc;
		}
		if ((rc = stack_push(e, size, frame)))
			return rc;
	}
	uint64_t sp = (gpr_get(e, X86EMU_RSP) - alloc) & mask;
	/* The new stack top must be writable (the CPU checks it). */
	uint8_t probe;
	if (alloc && (rc = mem_read_seg(e, X86EMU_SS, sp, 1, &probe)))
		return rc;
	gpr_write(e, X86EMU_RBP, size, false, frame);
	gpr_write(e, X86EMU_RSP, mask == ~0ull ? 8 : mask == 0xffff ? 2 : 4, false, sp);
	return RC_OK;
}

int ex_leave(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t mask = stack_mask(e), bp = gpr_get(e, X86EMU_RBP) & mask, v = 0;
	int rc;
	if ((rc = mem_read_seg(e, X86EMU_SS, bp, in->opsize, &v)))
		return rc;
	gpr_write(e, X86EMU_RSP, mask == ~0ull ? 8 : mask == 0xffff ? 2 : 4, false, (bp + in->opsize) & mask);
	gpr_write(e, X86EMU_RBP, in->opsize, false, v);
	return RC_OK;
}

/* ---- near control transfer ------------------------------------------------ */

static inline int jump_to(struct x86emu *e, struct x86emu_insn *in, uint64_t target)
{
	target &= ip_mask(in->opsize);
	if (e->mode == X86EMU_MODE_LONG64) {
		if ((uint64_t)((int64_t)(target << 16) >> 16) != target)
			return RAISE_GP0(e);
	} else if (target > seg_cs(e)->limit) {
		return RAISE_GP0(e);
	}
	insn_jump(e, in, target);
	return RC_OK;
}

int ex_jcc(struct x86emu *e, struct x86emu_insn *in)
{
	if (__builtin_expect(!e->fl_valid, 0))
		return emu_with_flags(e, in, ex_jcc);
	if (!cond_eval(e->rflags, in->op & 15))
		return RC_OK;
	return jump_to(e, in, in->next_rip + in->imm);
}

int ex_jmp_rel(struct x86emu *e, struct x86emu_insn *in)
{
	return jump_to(e, in, in->next_rip + in->imm);
}

int ex_call_rel(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t ret = in->next_rip;
	int rc = jump_to(e, in, in->next_rip + in->imm);
	if (rc)
		return rc;
	return stack_push(e, in->opsize, ret & ip_mask(in->opsize));
}

int ex_jmp_ind(struct x86emu *e, struct x86emu_insn *in)
{
	return jump_to(e, in, in->src.val);
}

int ex_call_ind(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t ret = in->next_rip;
	int rc = jump_to(e, in, in->src.val);
	if (rc)
		return rc;
	return stack_push(e, in->opsize, ret & ip_mask(in->opsize));
}

int ex_ret(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t v;
	int rc = stack_pop(e, in->opsize, &v);
	if (rc)
		return rc;
	if (in->op == 0xc2) {
		uint64_t mask = stack_mask(e);
		gpr_write(e, X86EMU_RSP, mask == ~0ull ? 8 : mask == 0xffff ? 2 : 4, false,
			  (gpr_get(e, X86EMU_RSP) + (in->imm & 0xffff)) & mask);
	}
	return jump_to(e, in, v);
}

int ex_loop(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned as = in->adsize;
	uint64_t c = gpr_read(e, X86EMU_RCX, as, false);
	bool take;
	if (in->op == 0xe3) {
		take = c == 0;
	} else {
		c = (c - 1) & size_mask(as);
		gpr_write(e, X86EMU_RCX, as, false, c);
		bool zf = flags_get(e) & FL_ZF;
		take = c != 0 && (in->op == 0xe2 || (in->op == 0xe1 ? zf : !zf));
	}
	return take ? jump_to(e, in, in->next_rip + in->imm) : RC_OK;
}

/* ---- far control transfer ------------------------------------------------- */

static int far_jump(struct x86emu *e, struct x86emu_insn *in, uint16_t sel, uint64_t off)
{
	int rc = seg_load(e, X86EMU_CS, sel, true);
	if (rc)
		return rc;
	emu_derive_mode(e);
	insn_jump(e, in, off & ip_mask(in->opsize));
	return RC_OK;
}

static int read_farptr(struct x86emu *e, struct x86emu_insn *in, uint16_t *sel, uint64_t *off)
{
	uint8_t buf[10] = {0};
	unsigned size = in->opsize;
	int rc;
	if (in->mod == 3)
		return RAISE_UD(e);
	if ((rc = mem_read_seg(e, in->eseg, in->ea, size + 2, buf)))
		return rc;
	*off = 0;
	memcpy(off, buf, size);
	memcpy(sel, buf + size, 2);
	return RC_OK;
}

int ex_jmp_far(struct x86emu *e, struct x86emu_insn *in)
{
	uint16_t sel;
	uint64_t off;
	int rc;
	if (in->op == 0xea) {
		sel = (uint16_t)in->imm2;
		off = in->imm & ip_mask(in->opsize);
	} else if ((rc = read_farptr(e, in, &sel, &off))) {
		return rc;
	}
	return far_jump(e, in, sel, off);
}

int ex_call_far(struct x86emu *e, struct x86emu_insn *in)
{
	uint16_t sel;
	uint64_t off;
	int rc;
	if (in->op == 0x9a) {
		sel = (uint16_t)in->imm2;
		off = in->imm & ip_mask(in->opsize);
	} else if ((rc = read_farptr(e, in, &sel, &off))) {
		return rc;
	}
	uint16_t cs = seg_get(e, X86EMU_CS)->selector;
	uint64_t ret = in->next_rip;
	if ((rc = stack_push(e, in->opsize, cs)) || (rc = stack_push(e, in->opsize, ret)))
		return rc;
	return far_jump(e, in, sel, off);
}

/* retf and iret: pop IP, CS (and FLAGS), then SS:SP on a return outward. */
static int far_return(struct x86emu *e, struct x86emu_insn *in, bool iret, uint64_t extra)
{
	unsigned size = in->opsize;
	uint64_t ip, cs, fl = 0, sp = 0, ss = 0;
	int rc;

	if ((rc = stack_pop(e, size, &ip)) || (rc = stack_pop(e, size, &cs)))
		return rc;
	if (iret && (rc = stack_pop(e, size, &fl)))
		return rc;
	if (e->mode == X86EMU_MODE_REAL || e->mode == X86EMU_MODE_VM86) {
		if ((rc = seg_load(e, X86EMU_CS, (uint16_t)cs, true)))
			return rc;
		if (iret)
			flags_set(e, popf_merge(e, flags_get(e), fl, size));
		insn_jump(e, in, ip & size_mask(size));
		if (!iret)
			goto pop_extra;
		return RC_OK;
	}
	if (iret && (flags_get(e) & FL_NT))
		return emu_unhandled(e, "iret with NT set (task switch)");
	if (iret && (fl & FL_VM) && e->cpl == 0 && e->mode != X86EMU_MODE_LONG64)
		return emu_unhandled(e, "iret to virtual-8086 mode");
	unsigned rpl = cs & 3, old_cpl = e->cpl;
	if (rpl < old_cpl)
		return emu_raise(e, X86EMU_EXC_GP, true, (uint32_t)cs & 0xfffc);
	bool outer = rpl > old_cpl || (iret && e->mode == X86EMU_MODE_LONG64);
	if (!iret && extra) {
		uint64_t mask = stack_mask(e);
		gpr_write(e, X86EMU_RSP, mask == ~0ull ? 8 : mask == 0xffff ? 2 : 4, false,
			  (gpr_get(e, X86EMU_RSP) + extra) & mask);
	}
	if (outer && ((rc = stack_pop(e, size, &sp)) || (rc = stack_pop(e, size, &ss))))
		return rc;
	if ((rc = seg_load_cpl(e, X86EMU_CS, (uint16_t)cs, true, rpl)))
		return rc;
	/* seg_load_cpl made the selector's RPL the new CPL. */
	if (iret) {
		uint64_t old = flags_get(e);
		flags_set(e, popf_merge(e, old, fl, size));
	}
	if (outer) {
		if ((rc = seg_load_cpl(e, X86EMU_SS, (uint16_t)ss, false, rpl)))
			return rc;
		gpr_write(e, X86EMU_RSP, size, false, sp);
	}
	emu_derive_mode(e);
	insn_jump(e, in, ip & size_mask(size));
	if (rpl > old_cpl) {
		/* Data segments the outer level may not use become null. */
		static const unsigned ds[4] = {X86EMU_ES, X86EMU_DS, X86EMU_FS, X86EMU_GS};
		for (unsigned i = 0; i < 4; i++) {
			const struct x86emu_segment *s = seg_get(e, ds[i]);
			bool conforming_code = (s->type & 0xc) == 0xc;
			if (!s->unusable && !conforming_code && s->dpl < rpl) {
				struct x86emu_segment z = *s;
				z.unusable = 1;
				z.selector = 0;
				e->seg[ds[i]] = z;
				e->seg_dirty |= 1u << ds[i];
			}
		}
	}
	return RC_OK;
pop_extra:
	if (extra) {
		uint64_t mask = stack_mask(e);
		gpr_write(e, X86EMU_RSP, mask == ~0ull ? 8 : mask == 0xffff ? 2 : 4, false,
			  (gpr_get(e, X86EMU_RSP) + extra) & mask);
	}
	return RC_OK;
}

int ex_retf(struct x86emu *e, struct x86emu_insn *in)
{
	return far_return(e, in, false, in->op == 0xca ? (in->imm & 0xffff) : 0);
}

int ex_iret(struct x86emu *e, struct x86emu_insn *in)
{
	emu_serialize(e);
	return far_return(e, in, true, 0);
}

int ex_int(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned vec;
	switch (in->op) {
	case 0xcc: vec = 3; break;
	case 0xf1: vec = 1; break;
	case 0xce:
		if (!(flags_get(e) & FL_OF))
			return RC_OK;
		vec = 4;
		break;
	default: vec = in->imm & 0xff; break;
	}
	if (e->mode == X86EMU_MODE_REAL)
		return emu_deliver_real(e, vec, in->next_rip);
	if (e->mode == X86EMU_MODE_VM86 && in->op == 0xcd && ((flags_get(e) & FL_IOPL) >> 12) < 3)
		return RAISE_GP0(e);
	emu_raise(e, vec, false, 0);
	e->exc.soft = true;
	return X86EMU_EXCEPTION;
}

int ex_hlt(struct x86emu *e, struct x86emu_insn *in)
{
	(void)e, (void)in;
	return X86EMU_HLT;
}

/* ---- ports ---------------------------------------------------------------- */

static int io_allowed(struct x86emu *e, uint16_t port, unsigned size)
{
	(void)port, (void)size;
	if (e->mode == X86EMU_MODE_REAL)
		return RC_OK;
	if (e->mode == X86EMU_MODE_VM86 || e->cpl > ((flags_get(e) & FL_IOPL) >> 12))
		return RAISE_GP0(e); /* the TSS I/O bitmap is not consulted */
	return RC_OK;
}

int ex_in(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = (in->d->flags & F_BYTE) ? 1 : in->opsize > 4 ? 4 : in->opsize;
	uint16_t port = in->d->src == K_DX ? (uint16_t)gpr_get(e, X86EMU_RDX) : (uint16_t)(in->imm & 0xff);
	uint32_t v;
	int rc = io_allowed(e, port, size);
	if (rc || (rc = io_in(e, port, size, &v)))
		return rc;
	gpr_write(e, X86EMU_RAX, size, false, v);
	return RC_OK;
}

int ex_out(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = (in->d->flags & F_BYTE) ? 1 : in->opsize > 4 ? 4 : in->opsize;
	uint16_t port = in->d->src == K_DX ? (uint16_t)gpr_get(e, X86EMU_RDX) : (uint16_t)(in->imm & 0xff);
	int rc = io_allowed(e, port, size);
	if (rc)
		return rc;
	return io_out(e, port, size, (uint32_t)gpr_read(e, X86EMU_RAX, size, false));
}

/* ---- strings -------------------------------------------------------------- */

/* movs/cmps/stos/lods/scas/ins/outs, with REP/REPE/REPNE. Each iteration
 * is committed on its own, so a fault or a pending access in iteration n
 * leaves iterations before n done, as on the CPU. */
int ex_string(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = (in->d->flags & F_BYTE) ? 1 : in->opsize;
	unsigned as = in->adsize;
	uint64_t am = size_mask(as);
	int sseg = in->seg >= 0 ? in->seg : X86EMU_DS;
	unsigned kind = in->d->aux; /* 0 movs 1 cmps 2 stos 3 lods 4 scas 5 ins 6 outs */
	bool rep = in->rep != 0;
	uint64_t n = 0;
	int rc;

	if (kind >= 5) {
		if (size > 4)
			size = 4;
		if ((rc = io_allowed(e, (uint16_t)gpr_get(e, X86EMU_RDX), size)))
			return rc;
	}
	for (;;) {
		if (rep && !gpr_read(e, X86EMU_RCX, as, false))
			return RC_OK;
		if (rep && n >= e->rep_limit) {
			insn_jump(e, in, e->rip); /* yield; the next step goes on */
			return RC_OK;
		}
		int64_t delta = (flags_get(e) & FL_DF) ? -(int64_t)size : (int64_t)size;
		uint64_t si = gpr_get(e, X86EMU_RSI) & am, di = gpr_get(e, X86EMU_RDI) & am;
		uint64_t a = 0, b = 0, res;
		if (rep && (kind == 0 || kind == 2) && delta > 0) {
			/* Runs of elements in RAM pages already translated. */
			uint64_t cx = gpr_read(e, X86EMU_RCX, as, false), max = e->rep_limit - n, k;
			if (kind == 2)
				a = gpr_read(e, X86EMU_RAX, size, false);
			k = mem_rep_bulk(e, sseg, si, di, size, cx < max ? cx : max, as,
					 kind == 2 ? &a : NULL);
			if (k) {
				if (kind == 0)
					gpr_write(e, X86EMU_RSI, as, false, si + k * size);
				gpr_write(e, X86EMU_RDI, as, false, di + k * size);
				gpr_write(e, X86EMU_RCX, as, false, cx - k);
				emu_iter_commit(e);
				n += k;
				continue;
			}
		}
		uint32_t pv;
		bool stop = false;
		switch (kind) {
		case 0:
			if ((rc = mem_read_seg(e, sseg, si, size, &a)) || (rc = mem_write_seg(e, X86EMU_ES, di, size, &a)))
				return rc;
			gpr_write(e, X86EMU_RSI, as, false, si + (uint64_t)delta);
			gpr_write(e, X86EMU_RDI, as, false, di + (uint64_t)delta);
			break;
		case 1:
			if ((rc = mem_read_seg(e, sseg, si, size, &a)) || (rc = mem_read_seg(e, X86EMU_ES, di, size, &b)))
				return rc;
			flags_set(e, (flags_get(e) & ~(uint64_t)FL_ARITH) | sub_flags_pub(a, b, size, &res));
			gpr_write(e, X86EMU_RSI, as, false, si + (uint64_t)delta);
			gpr_write(e, X86EMU_RDI, as, false, di + (uint64_t)delta);
			stop = true;
			break;
		case 2:
			a = gpr_read(e, X86EMU_RAX, size, false);
			if ((rc = mem_write_seg(e, X86EMU_ES, di, size, &a)))
				return rc;
			gpr_write(e, X86EMU_RDI, as, false, di + (uint64_t)delta);
			break;
		case 3:
			if ((rc = mem_read_seg(e, sseg, si, size, &a)))
				return rc;
			gpr_write(e, X86EMU_RAX, size, false, a);
			gpr_write(e, X86EMU_RSI, as, false, si + (uint64_t)delta);
			break;
		case 4:
			if ((rc = mem_read_seg(e, X86EMU_ES, di, size, &b)))
				return rc;
			a = gpr_read(e, X86EMU_RAX, size, false);
			flags_set(e, (flags_get(e) & ~(uint64_t)FL_ARITH) | sub_flags_pub(a, b, size, &res));
			gpr_write(e, X86EMU_RDI, as, false, di + (uint64_t)delta);
			stop = true;
			break;
		case 5:
			if ((rc = io_in(e, (uint16_t)gpr_get(e, X86EMU_RDX), size, &pv)))
				return rc;
			a = pv;
			if ((rc = mem_write_seg(e, X86EMU_ES, di, size, &a)))
				return rc;
			gpr_write(e, X86EMU_RDI, as, false, di + (uint64_t)delta);
			break;
		default:
			if ((rc = mem_read_seg(e, sseg, si, size, &a)))
				return rc;
			if ((rc = io_out(e, (uint16_t)gpr_get(e, X86EMU_RDX), size, (uint32_t)a)))
				return rc;
			gpr_write(e, X86EMU_RSI, as, false, si + (uint64_t)delta);
			break;
		}
		if (!rep)
			return RC_OK;
		gpr_write(e, X86EMU_RCX, as, false, gpr_read(e, X86EMU_RCX, as, false) - 1);
		emu_iter_commit(e);
		n++;
		if (stop) {
			bool zf = flags_get(e) & FL_ZF;
			if ((in->rep == 0xf3 && !zf) || (in->rep == 0xf2 && zf))
				return RC_OK;
		}
	}
}
