/* x86emu: instruction decoder. Prefixes, REX, VEX, ModRM/SIB/displacement
 * and immediates (SDM vol. 2 ch. 2); the opcode rows are in the tables of
 * ops.c, resolved here through groups (ModRM.reg), mandatory prefixes and
 * register/memory splits. */
#include <stdlib.h>
#include <string.h>

#include "x86emu/internal.h"
#include "x86emu/ops.h"

extern const struct opdesc op_table_1b[256], op_table_0f[256], op_table_0f38[256], op_table_0f3a[256];

struct fetcher {
	uint64_t la;       /* linear address of byte 0 */
	uint64_t limit;    /* bytes allowed by the CS limit */
	unsigned avail;
	int rc;
};

static int fetch_more(struct x86emu *e, struct x86emu_insn *in, struct fetcher *f)
{
	uint64_t la = f->la + f->avail;
	unsigned n;

	if (f->avail >= 15 || f->avail >= f->limit) {
		if (f->avail >= 15)
			return emu_raise(e, X86EMU_EXC_GP, true, 0);
		return emu_raise(e, X86EMU_EXC_GP, true, 0);
	}
	if (e->mode != X86EMU_MODE_LONG64)
		la &= 0xffffffffull;
	n = 4096 - (unsigned)(la & 0xfff);
	if (n > 15 - f->avail)
		n = 15 - f->avail;
	if (n > f->limit - f->avail)
		n = (unsigned)(f->limit - f->avail);
	int rc = mem_fetch(e, la, n, in->bytes + f->avail);
	if (rc)
		return rc;
	f->avail += n;
	return RC_OK;
}

#define NEXT(var)                                                      \
	do {                                                           \
		if (in->len >= f.avail && (rc = fetch_more(e, in, &f))) \
			return rc;                                     \
		(var) = in->bytes[in->len++];                          \
	} while (0)

static int fetch_imm(struct x86emu *e, struct x86emu_insn *in, struct fetcher *fp, unsigned size, uint64_t *out)
{
	struct fetcher f = *fp;
	uint64_t v = 0;
	int rc;
	for (unsigned i = 0; i < size; i++) {
		uint8_t b;
		NEXT(b);
		v |= (uint64_t)b << (8 * i);
	}
	*fp = f;
	*out = v;
	return RC_OK;
}

/* ModRM, SIB and displacement. Only the form of the address is decoded
 * (base, index, scale, displacement): the registers are read when the
 * instruction executes (insn_ea), so a cached decode stays valid. */
static int decode_modrm(struct x86emu *e, struct x86emu_insn *in, struct fetcher *fp)
{
	struct fetcher f = *fp;
	int rc;
	uint8_t m;
	uint64_t disp = 0;

	NEXT(m);
	in->modrm = m;
	in->mod = m >> 6;
	in->reg = ((m >> 3) & 7) | ((in->rex & 4) << 1);
	in->rm = (m & 7) | ((in->rex & 1) << 3);
	in->eseg = X86EMU_DS;
	in->base_reg = in->index_reg = -1;
	in->scale = 0;
	in->disp = 0;
	if (in->mod == 3) {
		*fp = f;
		return RC_OK;
	}
	in->has_ea = true;
	if (in->adsize == 2) {
		static const int8_t base_reg[8] = {3, 3, 5, 5, 6, 7, 5, 3};
		static const int8_t idx_reg[8] = {6, 7, 6, 7, -1, -1, -1, -1};
		unsigned rm = m & 7;
		*fp = f;
		if (in->mod == 0 && rm == 6) {
			if ((rc = fetch_imm(e, in, fp, 2, &disp)))
				return rc;
			in->disp = disp;
			return RC_OK;
		}
		in->base_reg = base_reg[rm];
		in->index_reg = idx_reg[rm];
		if (rm == 2 || rm == 3 || rm == 6)
			in->eseg = X86EMU_SS;
		if (in->mod == 1) {
			if ((rc = fetch_imm(e, in, fp, 1, &disp)))
				return rc;
			disp = sext(disp, 1);
		} else if (in->mod == 2) {
			if ((rc = fetch_imm(e, in, fp, 2, &disp)))
				return rc;
		}
		in->disp = disp;
		return RC_OK;
	}
	unsigned rm = m & 7;
	if (rm == 4) {
		uint8_t sib;
		NEXT(sib);
		unsigned idx = ((sib >> 3) & 7) | ((in->rex & 2) << 2);
		unsigned base = (sib & 7) | ((in->rex & 1) << 3);
		if (idx != 4) {
			in->index_reg = (int8_t)idx;
			in->scale = sib >> 6;
		}
		if ((sib & 7) == 5 && in->mod == 0) {
			*fp = f;
			if ((rc = fetch_imm(e, in, fp, 4, &disp)))
				return rc;
			f = *fp;
			in->disp = sext(disp, 4);
		} else {
			in->base_reg = (int8_t)base;
			if ((base & 7) == 4 || (base & 7) == 5)
				in->eseg = X86EMU_SS;
		}
	} else if (rm == 5 && in->mod == 0) {
		*fp = f;
		if ((rc = fetch_imm(e, in, fp, 4, &disp)))
			return rc;
		f = *fp;
		in->disp = sext(disp, 4);
		if (e->mode == X86EMU_MODE_LONG64)
			in->rip_rel = true;
	} else {
		in->base_reg = (int8_t)in->rm;
		if (rm == 5)
			in->eseg = X86EMU_SS;
	}
	*fp = f;
	if (in->mod == 1) {
		if ((rc = fetch_imm(e, in, fp, 1, &disp)))
			return rc;
		in->disp += sext(disp, 1);
	} else if (in->mod == 2) {
		if ((rc = fetch_imm(e, in, fp, 4, &disp)))
			return rc;
		in->disp += sext(disp, 4);
	}
	return RC_OK;
}

static unsigned imm_size(struct x86emu_insn *in, unsigned kind)
{
	switch (kind) {
	case K_IMM: return in->opsize > 4 ? 4 : in->opsize;
	case K_IMMB:
	case K_IMM8: return 1;
	case K_IMM16: return 2;
	case K_IMMV: return in->opsize;
	case K_MOFFS: return in->adsize;
	default: return 0;
	}
}

static const struct opdesc *resolve(const struct opdesc *d, struct x86emu_insn *in, struct opdesc *tmp)
{
	for (int depth = 0; depth < 4 && d->kind != OPD_PLAIN; depth++) {
		const struct opdesc *sub;
		switch (d->kind) {
		case OPD_GROUP: sub = &d->sub[(in->modrm >> 3) & 7]; break;
		case OPD_PREFIX:
			sub = &d->sub[in->mprefix == 0x66 ? 1 : in->mprefix == 0xf3 ? 2 : in->mprefix == 0xf2 ? 3 : 0];
			break;
		default: sub = &d->sub[in->mod == 3 ? 1 : 0]; break;
		}
		*tmp = *sub;
		tmp->flags |= d->flags & ~F_IMPLEMENTED;
		if (tmp->dst == K_NONE)
			tmp->dst = d->dst;
		if (tmp->src == K_NONE)
			tmp->src = d->src;
		if (tmp->src2 == K_NONE)
			tmp->src2 = d->src2;
		if (!tmp->name)
			tmp->name = d->name;
		d = tmp;
	}
	return d;
}

static bool table_needs_modrm(const struct opdesc *d)
{
	return (d->flags & F_MODRM) || d->kind == OPD_GROUP || d->kind == OPD_MODSPLIT;
}

static int decode_bytes(struct x86emu *e, struct x86emu_insn *in, struct opdesc *desc)
{
	struct fetcher f;
	const struct x86emu_segment *cs = seg_get(e, X86EMU_CS);
	bool mode64 = e->mode == X86EMU_MODE_LONG64;
	unsigned def = 4;
	int rc;
	uint8_t b;

	/* Every decoded byte, padding included, is set here: what the cache
	 * keeps depends on the instruction's bytes and the mode alone. */
	memset(in, 0, INSN_DECODED_SIZE);
	in->seg = -1;
	in->base_reg = in->index_reg = -1;
	in->mod = 3;
	in->eseg = X86EMU_DS;

	switch (e->mode) {
	case X86EMU_MODE_REAL:
	case X86EMU_MODE_VM86:
	case X86EMU_MODE_PROT16:
	case X86EMU_MODE_COMPAT16: def = 2; break;
	default: def = 4;
	}
	f.la = mode64 ? e->rip : cs->base + (e->rip & 0xffffffffull);
	f.limit = 15;
	f.avail = 0;
	if (!mode64) {
		uint64_t ip = e->rip & 0xffffffffull;
		if (ip > cs->limit)
			return emu_raise(e, X86EMU_EXC_GP, true, 0);
		if (cs->limit - ip + 1 < 15)
			f.limit = cs->limit - ip + 1;
	}
	unsigned opsize = def, adsize = mode64 ? 8 : def;
	for (;;) {
		NEXT(b);
		switch (b) {
		case 0x66: in->opsize_prefix = true; if (in->mprefix != 0xf2 && in->mprefix != 0xf3) in->mprefix = 0x66; in->rex = 0; continue;
		case 0x67: adsize = mode64 ? 4 : (def == 2 ? 4 : 2); in->rex = 0; continue;
		case 0xf0: in->lock = true; in->rex = 0; continue;
		case 0xf2:
		case 0xf3: in->rep = b; in->mprefix = b; in->rex = 0; continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			if (!mode64)
				in->seg = (int8_t)((b >> 3) & 3);
			in->rex = 0;
			continue;
		case 0x64: in->seg = X86EMU_FS; in->rex = 0; continue;
		case 0x65: in->seg = X86EMU_GS; in->rex = 0; continue;
		}
		if (mode64 && (b & 0xf0) == 0x40) {
			in->rex = b;
			continue;
		}
		break;
	}
	if (in->opsize_prefix)
		opsize = def == 2 ? 4 : 2;
	if (in->rex & 8)
		opsize = 8;
	in->map = X86EMU_MAP_1BYTE;
	const struct opdesc *d;
	if ((b == 0xc4 || b == 0xc5) && !in->rex) {
		uint8_t v1, v2 = 0;
		bool is_vex = mode64;
		if (!is_vex) {
			if (in->len >= f.avail && (rc = fetch_more(e, in, &f)))
				return rc;
			is_vex = (in->bytes[in->len] >> 6) == 3;
		}
		if (is_vex) {
			if (in->opsize_prefix || in->rep || in->lock)
				return RAISE_UD(e);
			NEXT(v1);
			unsigned map = 1, w = 0, rexbits, pp;
			if (b == 0xc5) {
				rexbits = (v1 & 0x80) ? 0 : 4;
				in->vex_vvvv = (~v1 >> 3) & 15;
				in->vex_l = (v1 >> 2) & 1;
				pp = v1 & 3;
			} else {
				NEXT(v2);
				rexbits = ((~v1 >> 5) & 7);
				rexbits = ((rexbits & 4) ? 4 : 0) | ((rexbits & 2) ? 2 : 0) | ((rexbits & 1) ? 1 : 0);
				map = v1 & 31;
				w = v2 >> 7;
				in->vex_vvvv = (~v2 >> 3) & 15;
				in->vex_l = (v2 >> 2) & 1;
				pp = v2 & 3;
			}
			if (!mode64)
				rexbits &= 0, in->vex_vvvv &= 7;
			in->rex = (uint8_t)(0x40 | rexbits | (w ? 8 : 0));
			in->vex = true;
			in->mprefix = pp == 1 ? 0x66 : pp == 2 ? 0xf3 : pp == 3 ? 0xf2 : 0;
			if (map != 1)
				return emu_unhandled(e, "VEX opcode map other than 0F");
			NEXT(b);
			in->map = X86EMU_MAP_0F;
			d = &op_table_0f[b];
			goto have_op;
		}
	}
	if (b == 0x0f) {
		NEXT(b);
		if (b == 0x38) {
			NEXT(b);
			in->map = X86EMU_MAP_0F38;
			d = &op_table_0f38[b];
		} else if (b == 0x3a) {
			NEXT(b);
			in->map = X86EMU_MAP_0F3A;
			d = &op_table_0f3a[b];
		} else {
			in->map = X86EMU_MAP_0F;
			d = &op_table_0f[b];
		}
	} else {
		d = &op_table_1b[b];
	}
have_op:
	in->op = b;
	in->opidx = (uint16_t)(in->map << 8 | b);
	if (in->map == X86EMU_MAP_0F && (b & 0xfc) == 0x20) {
		/* mov to/from CR/DR: ModRM.mod is ignored, always registers. */
		uint8_t m;
		NEXT(m);
		in->modrm = m;
		in->mod = 3;
		in->reg = ((m >> 3) & 7) | ((in->rex & 4) << 1);
		in->rm = (m & 7) | ((in->rex & 1) << 3);
		d = resolve(d, in, desc);
		in->d = d;
		in->adsize = (uint8_t)adsize;
		in->opsize = (uint8_t)opsize;
		return RC_OK;
	}
	in->adsize = (uint8_t)adsize;
	in->opsize = (uint8_t)opsize;
	if (table_needs_modrm(d) || (d->kind == OPD_PREFIX && table_needs_modrm(&d->sub[0]))) {
		if ((rc = decode_modrm(e, in, &f)))
			return rc;
	}
	d = resolve(d, in, desc);
	in->d = d;
	if (!(d->flags & F_IMPLEMENTED)) {
		/* Finish the byte count for the report, then decide. */
		return d->exec ? RC_OK : (in->vex ? RAISE_UD(e) : emu_unhandled(e, "instruction x86emu does not emulate"));
	}
	if ((d->flags & F_NO64) && mode64)
		return RAISE_UD(e);
	if ((d->flags & F_MEMONLY) && in->mod == 3)
		return RAISE_UD(e);
	if (mode64 && (d->flags & F_STACK))
		in->opsize = in->opsize_prefix && !(in->rex & 8) ? 2 : 8;
	if (mode64 && (d->flags & F_OP64))
		in->opsize = 8;
	if (in->seg >= 0)
		in->eseg = in->seg;
	unsigned n = imm_size(in, d->src);
	if ((d->flags & F_BYTE) && d->src == K_IMM)
		n = 1;
	if (n) {
		if ((rc = fetch_imm(e, in, &f, n, &in->imm)))
			return rc;
		if (d->src == K_IMM || d->src == K_IMMB)
			in->imm = sext(in->imm, n);
	}
	n = imm_size(in, d->dst);
	if (n && d->dst == K_MOFFS) {
		if ((rc = fetch_imm(e, in, &f, n, &in->imm)))
			return rc;
	}
	n = imm_size(in, d->src2);
	if (n) {
		if ((rc = fetch_imm(e, in, &f, n, &in->imm2)))
			return rc;
	}
	if (d->src == K_MOFFS || d->dst == K_MOFFS) {
		/* The offset is the whole address: no base, no index. */
		in->has_ea = true;
		in->disp = in->imm;
	}
	return RC_OK;
}

static uint64_t reg_operand(struct x86emu_insn *in, unsigned reg, unsigned size)
{
	struct operand op = {.type = OP_REG, .size = (uint8_t)size};
	if (size == 1 && !in->rex && reg >= 4 && reg < 8) {
		op.hi8 = true;
		reg -= 4;
	}
	op.reg = (uint8_t)reg;
	return op.hdr;
}

/* What an operand kind of the row means for this instruction: the header
 * op_execute starts the operand from, and its value if an immediate. */
static uint64_t decode_operand(struct x86emu_insn *in, unsigned kind, unsigned size, uint64_t imm,
			       uint64_t *val)
{
	struct operand op = {.type = OP_NONE, .size = (uint8_t)size};

	switch (kind) {
	case K_E:
	case K_EW:
	case K_EB:
	case K_ED:
		if (kind == K_ED)
			size = 4;
		if (kind == K_EW)
			size = 2;
		if (kind == K_EB)
			size = 1;
		if (in->mod == 3)
			return reg_operand(in, in->rm, size);
		op.type = OP_MEM;
		op.size = (uint8_t)size;
		op.seg = (int8_t)in->eseg;
		break;
	case K_G:
		return reg_operand(in, in->reg, size);
	case K_ACC:
		return reg_operand(in, 0, size);
	case K_OREG:
		return reg_operand(in, (in->op & 7) | ((in->rex & 1) << 3), size);
	case K_DX:
		return reg_operand(in, X86EMU_RDX, 2);
	case K_CL:
		return reg_operand(in, X86EMU_RCX, 1);
	case K_ONE:
		op.type = OP_IMM;
		*val = 1;
		break;
	case K_IMM:
	case K_IMMB:
	case K_IMM8:
	case K_IMM16:
	case K_IMMV:
		op.type = OP_IMM;
		*val = imm & size_mask(size);
		break;
	case K_MOFFS:
		op.type = OP_MEM;
		op.seg = (int8_t)in->eseg;
		break;
	case K_SREG:
		op.type = OP_IMM;
		op.reg = in->reg & 7;
		break;
	}
	return op.hdr;
}

static void decode_operands(struct x86emu_insn *in, bool part_writes)
{
	const struct opdesc *d = in->d;
	unsigned size = (d->flags & F_BYTE) ? 1 : in->opsize;
	uint64_t unused;

	in->src_imm = in->src2_imm = 0;
	in->ophdr[0] = decode_operand(in, d->dst, size, in->imm, &unused);
	in->ophdr[1] = decode_operand(in, d->src, size, in->imm, &in->src_imm);
	in->ophdr[2] = decode_operand(in, d->src2, size, in->imm2, &in->src2_imm);
	in->exec = d->exec;
	if (d->exec == ex_alu)
		in->exec = ex_alu_sized[d->aux & 7][size_index(size)];
	else if (d->exec == ex_incdec)
		in->exec = ex_incdec_sized[d->aux & 1][size_index(size)];
	in->gpr_need = 0;
	for (unsigned i = 1; i < 3; i++) {
		struct operand op = {.hdr = in->ophdr[i]};
		if (op.type == OP_REG)
			in->gpr_need |= (uint16_t)(1u << op.reg);
	}
	if (in->base_reg >= 0)
		in->gpr_need |= (uint16_t)(1u << in->base_reg);
	if (in->index_reg >= 0)
		in->gpr_need |= (uint16_t)(1u << in->index_reg);
	struct operand dst = {.hdr = in->ophdr[0]};
	if (dst.type == OP_REG) {
		uint16_t bit = (uint16_t)(1u << dst.reg);
		/* A mov only writes its destination: a whole register needs no
		 * fetch, a part only when the caller cannot take a part. */
		if (d->exec != ex_mov || (in->gpr_need & bit) || (dst.size < 4 && !part_writes))
			in->gpr_need |= bit;
	}
	in->checks = !d->exec || (d->flags & (F_PRIV | F_BITOFF)) || (in->vex && !(d->flags & F_VEX)) ||
		     in->lock || ((d->flags & F_LOCK) && d->exec == ex_xchg);
	in->fast = ops_fast_form(in); /* after checks: it needs none */
}

/* Decode the instruction at CS:RIP into in. A row resolved through a group
 * or prefix table is copied to *desc and in->d points there. Reads no
 * general register: whatever depends on one is done by insn_begin(). */
int decode_insn(struct x86emu *e, struct x86emu_insn *in, struct opdesc *desc)
{
	int rc = decode_bytes(e, in, desc);
	if (rc == RC_OK) {
		/* Bytes fetched past the instruction are not part of it. */
		memset(in->bytes + in->len, 0, sizeof(in->bytes) - in->len);
		decode_operands(in, e->ops->set_gpr_bits != NULL);
	}
	return rc;
}

#ifdef COVE_SANITIZE
/* Sanitizer builds check every cache hit against a fresh decode of the
 * bytes in memory now: a stale decode aborts the test that ran it. */
int decode_check(struct x86emu *e, const struct x86emu_insn *in)
{
	struct x86emu_insn fresh;
	struct opdesc desc;

	if (decode_insn(e, &fresh, &desc) != RC_OK)
		abort();
	const struct opdesc *a = in->d, *b = fresh.d;
	fresh.d = in->d;
	if (memcmp(in, &fresh, INSN_DECODED_SIZE) || a->flags != b->flags || a->exec != b->exec ||
	    a->dst != b->dst || a->src != b->src || a->src2 != b->src2 || a->aux != b->aux)
		abort();
	return RC_OK;
}
#endif

int decode_cached(struct x86emu *e, struct x86emu_insn **inp)
{
	const struct x86emu_segment *cs = seg_get(e, X86EMU_CS);
	bool mode64 = e->mode == X86EMU_MODE_LONG64;
	uint64_t ip = e->rip, la, gpa;
	uint8_t *page;
	int rc;

	*inp = &e->in;
	if (mode64) {
		la = ip;
	} else {
		ip &= 0xffffffffull;
		if (ip > cs->limit)
			return decode_insn(e, &e->in, &e->in_desc); /* raises #GP */
		la = (cs->base + ip) & 0xffffffffull;
	}
	if ((rc = mem_fetch_page(e, la, &gpa, &page)))
		return rc;
	if (!page)
		return decode_insn(e, &e->in, &e->in_desc); /* not RAM: not cached */

	struct dc_ent *d = &e->dcache[dc_index(la)];
	*inp = &d->in;
	if (d->key == la && d->gpa == gpa && d->mode == e->mode &&
	    d->gen == e->dc_gen + e->code[d->page].gen && (mode64 || ip + d->in.len - 1 <= cs->limit)) {
		d->epoch = e->mmu_epoch; /* the translation still holds */
		e->st.decode_hits++;
		return decode_check(e, &d->in);
	}
	e->st.decode_misses++;
	d->key = DC_EMPTY;
	d->gen = 0;
	if ((rc = decode_insn(e, &d->in, &d->desc)))
		return rc;
	if ((gpa & 0xfff) + d->in.len > 4096)
		return RC_OK; /* crosses a page: each step translates both */
	d->key = la;
	d->gpa = gpa;
	d->mode = e->mode;
	d->page = (uint16_t)code_track(e, gpa, d->in.len, &d->gen);
	d->epoch = e->mmu_epoch; /* after code_track, which may bump it */
	return RC_OK;
}
