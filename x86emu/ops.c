/* x86emu: the integer instruction set. Operand fetch and write-back
 * (op_execute), flags exactly as the SDM defines them, and one function per
 * instruction family; the opcode tables are in tables.c. */
#include <string.h>

#include "x86emu/internal.h"
#include "x86emu/ops.h"

/* ---- flags --------------------------------------------------------------- */

/* SF, ZF and PF of a result cut to size. */
static inline uint64_t szp(uint64_t res, unsigned size)
{
	res &= size_mask(size);
	return (uint64_t)(res == 0) << 6 | ((res >> (size * 8 - 1)) & 1) << 7 |
	       (uint64_t)!__builtin_parity((unsigned)res & 0xff) << 2;
}

/* Replace the flags in which with those of newf; fl is flags_get(e). */
static inline void merge_flags(struct x86emu *e, uint64_t fl, uint64_t newf, uint64_t which)
{
	e->rflags = (((fl & ~which) | (newf & which)) & 0x3f7fd7ull) | 2;
	e->fl_dirty = true;
}

static inline void set_arith(struct x86emu *e, uint64_t newf, uint64_t which)
{
	merge_flags(e, flags_get(e), newf, which);
}

static inline uint64_t add_flags(uint64_t a, uint64_t b, uint64_t c, unsigned size, uint64_t *out)
{
	uint64_t m = size_mask(size), sum = (a & m) + (b & m) + c, res = sum & m;
	unsigned msb = size * 8 - 1;
	uint64_t cf = size == 8 ? (res < a || (c && res == a)) : sum >> (msb + 1);
	*out = res;
	return szp(res, size) | cf | ((((a ^ res) & (b ^ res)) >> msb) & 1) << 11 | ((a ^ b ^ res) & FL_AF);
}

static inline uint64_t sub_flags(uint64_t a, uint64_t b, uint64_t c, unsigned size, uint64_t *out)
{
	uint64_t m = size_mask(size), res = (a - b - c) & m;
	unsigned msb = size * 8 - 1;
	a &= m, b &= m;
	uint64_t cf = a < b || (c && a == b);
	*out = res;
	return szp(res, size) | cf | ((((a ^ b) & (a ^ res)) >> msb) & 1) << 11 | ((a ^ b ^ res) & FL_AF);
}

uint64_t sub_flags_pub(uint64_t a, uint64_t b, unsigned size, uint64_t *res)
{
	return sub_flags(a, b, 0, size, res);
}

/* ---- operands ------------------------------------------------------------ */

static uint64_t atomic_load_sz(void *p, unsigned size)
{
	switch (size) {
	case 1: return __atomic_load_n((uint8_t *)p, __ATOMIC_SEQ_CST);
	case 2: return __atomic_load_n((uint16_t *)p, __ATOMIC_SEQ_CST);
	case 4: return __atomic_load_n((uint32_t *)p, __ATOMIC_SEQ_CST);
	default: return __atomic_load_n((uint64_t *)p, __ATOMIC_SEQ_CST);
	}
}

static bool atomic_cas_sz(void *p, unsigned size, uint64_t old, uint64_t val)
{
	switch (size) {
	case 1: { uint8_t o = (uint8_t)old; return __atomic_compare_exchange_n((uint8_t *)p, &o, (uint8_t)val, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
	case 2: { uint16_t o = (uint16_t)old; return __atomic_compare_exchange_n((uint16_t *)p, &o, (uint16_t)val, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
	case 4: { uint32_t o = (uint32_t)old; return __atomic_compare_exchange_n((uint32_t *)p, &o, (uint32_t)val, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
	default: { uint64_t o = old; return __atomic_compare_exchange_n((uint64_t *)p, &o, val, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
	}
}

/* The general path: rows that need privilege, LOCK, VEX or bit-offset
 * handling (in->checks). */
int op_execute_checked(struct x86emu *e, struct x86emu_insn *in)
{
	const struct opdesc *d = in->d;
	unsigned size = (d->flags & F_BYTE) ? 1 : in->opsize;
	int rc;

	if (!d->exec)
		return emu_unhandled(e, "instruction x86emu does not emulate");
	if ((d->flags & F_PRIV) && e->cpl)
		return RAISE_GP0(e);
	if (in->vex && !(d->flags & F_VEX))
		return emu_unhandled(e, "VEX-encoded instruction x86emu does not emulate");
	bool locked = in->lock || ((d->flags & F_LOCK) && d->exec == ex_xchg);
	if (in->lock && (!(d->flags & F_LOCK) || in->dst.type != OP_MEM))
		return RAISE_UD(e);
	if (d->flags & F_BITOFF && in->dst.type == OP_MEM && in->src.type == OP_REG) {
		/* bt* with a register offset reaches outside the operand. */
		int64_t off = (int64_t)sext(gpr_read(e, in->src.reg, in->src.size, false), in->src.size);
		int64_t bits = size * 8;
		int64_t idx = off >= 0 ? off / bits : -((-off + bits - 1) / bits);
		in->dst.ea = (in->dst.ea + (uint64_t)(idx * (int64_t)size)) & size_mask(in->adsize);
	}
	if ((rc = read_operand(e, &in->src)) || (rc = read_operand(e, &in->src2)))
		return rc;
	if (locked && in->dst.type == OP_MEM && !(d->flags & F_NOWRITE)) {
		void *p;
		if ((rc = mem_rmw_ptr(e, in->dst.seg, in->dst.ea, size, &p)))
			return rc;
		if (p) {
			uint64_t saved = flags_get(e);
			for (;;) {
				in->dst.val = in->dst.orig = atomic_load_sz(p, size);
				in->dst.hva = p;
				if ((rc = d->exec(e, in)))
					return rc;
				if (d->flags & F_NOWRITE)
					return RC_OK;
				if (atomic_cas_sz(p, size, in->dst.orig, in->dst.val))
					return RC_OK;
				flags_set(e, saved);
			}
		}
	}
	if (!(d->flags & F_MOV) && (rc = read_operand(e, &in->dst)))
		return rc;
	in->dst.orig = in->dst.val;
	if ((rc = d->exec(e, in)))
		return rc;
	if (d->flags & F_NOWRITE)
		return RC_OK;
	return write_operand(e, &in->dst);
}

/* ---- ALU ------------------------------------------------------------------ */

/* ALU and inc/dec are most of what code runs: each is compiled once per
 * operand size (the size is a constant in the inline body), so the flag
 * arithmetic has fixed widths. */
/* a op b, size-byte operands, with the flags set; op is the row index:
 * 0 add, 1 or, 2 adc, 3 sbb, 4 and, 5 sub, 6 xor, 7 cmp. RFLAGS is valid
 * (the callers check). */
static inline __attribute__((always_inline)) uint64_t alu_calc(struct x86emu *e, unsigned op, unsigned size,
							       uint64_t a, uint64_t b)
{
	uint64_t fl = e->rflags, cf = fl & FL_CF, res, f;

	b &= size_mask(size);
	switch (op) {
	case 0: f = add_flags(a, b, 0, size, &res); break;
	case 2: f = add_flags(a, b, cf, size, &res); break;
	case 3: f = sub_flags(a, b, cf, size, &res); break;
	case 5:
	case 7: f = sub_flags(a, b, 0, size, &res); break;
	case 1: res = a | b; f = szp(res, size); break;
	case 4: res = a & b; f = szp(res, size); break;
	default: res = a ^ b; f = szp(res, size); break;
	}
	merge_flags(e, fl, f, FL_ARITH);
	return res;
}

static inline __attribute__((always_inline)) int alu_op(struct x86emu *e, struct x86emu_insn *in, unsigned op,
							unsigned size)
{
	in->dst.val = alu_calc(e, op, size, in->dst.val, in->src.val);
	return RC_OK;
}

int ex_alu(struct x86emu *e, struct x86emu_insn *in)
{
	return ex_alu_sized[in->d->aux][size_index(in->dst.size)](e, in);
}

/* One function per ALU operation and size, chosen when the instruction is
 * decoded (decode_operands): the flag arithmetic has fixed widths and no
 * dispatch is left for the step. */
/* clang-format off */
#define ALU_FN(op, size)                                                        \
	static int ex_alu_##op##_##size(struct x86emu *e, struct x86emu_insn *in) \
	{                                                                       \
		if (__builtin_expect(!e->fl_valid, 0))                          \
			return emu_with_flags(e, in, ex_alu_##op##_##size);     \
		return alu_op(e, in, op, size);                                 \
	}
#define ALU_FNS(op) ALU_FN(op, 1) ALU_FN(op, 2) ALU_FN(op, 4) ALU_FN(op, 8)
ALU_FNS(0) ALU_FNS(1) ALU_FNS(2) ALU_FNS(3) ALU_FNS(4) ALU_FNS(5) ALU_FNS(6) ALU_FNS(7)
#define ALU_ROW(op) {ex_alu_##op##_1, ex_alu_##op##_2, ex_alu_##op##_4, ex_alu_##op##_8}
const exec_fn ex_alu_sized[8][4] = {
	ALU_ROW(0), ALU_ROW(1), ALU_ROW(2), ALU_ROW(3), ALU_ROW(4), ALU_ROW(5), ALU_ROW(6), ALU_ROW(7),
};
/* clang-format on */

int ex_test(struct x86emu *e, struct x86emu_insn *in)
{
	set_arith(e, szp(in->dst.val & in->src.val, in->dst.size), FL_ARITH);
	return RC_OK;
}

static inline __attribute__((always_inline)) int incdec_op(struct x86emu *e, struct x86emu_insn *in,
							   unsigned dec, unsigned size)
{
	uint64_t res, f;
	if (dec)
		f = sub_flags(in->dst.val, 1, 0, size, &res);
	else
		f = add_flags(in->dst.val, 1, 0, size, &res);
	merge_flags(e, e->rflags, f, FL_ARITH & ~FL_CF); /* valid: see ex_incdec */
	in->dst.val = res;
	return RC_OK;
}

int ex_incdec(struct x86emu *e, struct x86emu_insn *in)
{
	return ex_incdec_sized[in->d->aux][size_index(in->dst.size)](e, in);
}

/* clang-format off */
#define INCDEC_FN(dec, size)                                                        \
	static int ex_incdec_##dec##_##size(struct x86emu *e, struct x86emu_insn *in) \
	{                                                                           \
		if (__builtin_expect(!e->fl_valid, 0))                              \
			return emu_with_flags(e, in, ex_incdec_##dec##_##size);     \
		return incdec_op(e, in, dec, size);                                 \
	}
INCDEC_FN(0, 1) INCDEC_FN(0, 2) INCDEC_FN(0, 4) INCDEC_FN(0, 8)
INCDEC_FN(1, 1) INCDEC_FN(1, 2) INCDEC_FN(1, 4) INCDEC_FN(1, 8)
const exec_fn ex_incdec_sized[2][4] = {
	{ex_incdec_0_1, ex_incdec_0_2, ex_incdec_0_4, ex_incdec_0_8},
	{ex_incdec_1_1, ex_incdec_1_2, ex_incdec_1_4, ex_incdec_1_8},
};
/* clang-format on */

/* ---- register forms ----------------------------------------------------- */

/* The commonest instructions with a register destination and a register
 * or immediate source, and mov between a register and memory, done whole
 * (operands included) instead of through op_execute's operand plumbing:
 * decode_operands picks one as in->fast. The registers are those
 * insn_begin fetched; a register write is the instruction's last act, so
 * it needs no undo entry. */

static inline __attribute__((always_inline)) uint64_t reg_src(struct x86emu *e, struct x86emu_insn *in,
							      unsigned size, bool imm)
{
	struct operand s = {.hdr = in->ophdr[1]};
	return imm ? in->src_imm : gpr_extract(gpr_peek(e, s.reg), size, s.hi8);
}

static inline __attribute__((always_inline)) void reg_dst_write(struct x86emu *e, struct x86emu_insn *in,
								unsigned size, uint64_t v)
{
	struct operand d = {.hdr = in->ophdr[0]};
	gpr_dst_put(e, d.reg, size, d.hi8, v);
}

static inline __attribute__((always_inline)) uint64_t reg_dst_read(struct x86emu *e, struct x86emu_insn *in,
								   unsigned size)
{
	struct operand d = {.hdr = in->ophdr[0]};
	return gpr_extract(gpr_peek(e, d.reg), size, d.hi8);
}

/* ALU op (cmp: no write), and test (op 8: and, no write). */
static inline __attribute__((always_inline)) int alu_reg(struct x86emu *e, struct x86emu_insn *in,
							 unsigned op, unsigned size, bool imm)
{
	uint64_t res =
	    alu_calc(e, op == 8 ? 4 : op, size, reg_dst_read(e, in, size), reg_src(e, in, size, imm));
	if (op != 7 && op != 8)
		reg_dst_write(e, in, size, res);
	return RC_OK;
}

/* clang-format off */
#define ALU_REG_FN(op, size, imm)                                                         \
	static int ex_alu_reg_##op##_##size##_##imm(struct x86emu *e, struct x86emu_insn *in) \
	{                                                                                 \
		if (__builtin_expect(!e->fl_valid, 0))                                    \
			return emu_with_flags(e, in, ex_alu_reg_##op##_##size##_##imm);       \
		return alu_reg(e, in, op, size, imm);                                     \
	}
#define ALU_REG_FNS(op)                                                                           \
	ALU_REG_FN(op, 1, 0) ALU_REG_FN(op, 2, 0) ALU_REG_FN(op, 4, 0) ALU_REG_FN(op, 8, 0) \
	ALU_REG_FN(op, 1, 1) ALU_REG_FN(op, 2, 1) ALU_REG_FN(op, 4, 1) ALU_REG_FN(op, 8, 1)
ALU_REG_FNS(0) ALU_REG_FNS(1) ALU_REG_FNS(2) ALU_REG_FNS(3) ALU_REG_FNS(4) ALU_REG_FNS(5) ALU_REG_FNS(6)
ALU_REG_FNS(7) ALU_REG_FNS(8)
#define ALU_REG_ROW(op)                                                                                  \
	{{ex_alu_reg_##op##_1_0, ex_alu_reg_##op##_1_1}, {ex_alu_reg_##op##_2_0, ex_alu_reg_##op##_2_1}, \
	 {ex_alu_reg_##op##_4_0, ex_alu_reg_##op##_4_1}, {ex_alu_reg_##op##_8_0, ex_alu_reg_##op##_8_1}}
/* [op (8: test)][size index][immediate source] */
static const exec_fn ex_alu_reg[9][4][2] = {ALU_REG_ROW(0), ALU_REG_ROW(1), ALU_REG_ROW(2),
					    ALU_REG_ROW(3), ALU_REG_ROW(4), ALU_REG_ROW(5),
					    ALU_REG_ROW(6), ALU_REG_ROW(7), ALU_REG_ROW(8)};
/* clang-format on */

static inline __attribute__((always_inline)) int incdec_reg(struct x86emu *e, struct x86emu_insn *in,
							    unsigned dec, unsigned size)
{
	uint64_t res, f, a = reg_dst_read(e, in, size);
	if (dec)
		f = sub_flags(a, 1, 0, size, &res);
	else
		f = add_flags(a, 1, 0, size, &res);
	merge_flags(e, e->rflags, f, FL_ARITH & ~FL_CF);
	reg_dst_write(e, in, size, res);
	return RC_OK;
}

/* clang-format off */
#define INCDEC_REG_FN(dec, size)                                                         \
	static int ex_incdec_reg_##dec##_##size(struct x86emu *e, struct x86emu_insn *in) \
	{                                                                                \
		if (__builtin_expect(!e->fl_valid, 0))                                   \
			return emu_with_flags(e, in, ex_incdec_reg_##dec##_##size);           \
		return incdec_reg(e, in, dec, size);                                     \
	}
INCDEC_REG_FN(0, 1) INCDEC_REG_FN(0, 2) INCDEC_REG_FN(0, 4) INCDEC_REG_FN(0, 8)
INCDEC_REG_FN(1, 1) INCDEC_REG_FN(1, 2) INCDEC_REG_FN(1, 4) INCDEC_REG_FN(1, 8)
static const exec_fn ex_incdec_reg[2][4] = {
	{ex_incdec_reg_0_1, ex_incdec_reg_0_2, ex_incdec_reg_0_4, ex_incdec_reg_0_8},
	{ex_incdec_reg_1_1, ex_incdec_reg_1_2, ex_incdec_reg_1_4, ex_incdec_reg_1_8}};

#define MOV_REG_FN(size, imm)                                                         \
	static int ex_mov_reg_##size##_##imm(struct x86emu *e, struct x86emu_insn *in) \
	{                                                                             \
		reg_dst_write(e, in, size, reg_src(e, in, size, imm));                \
		return RC_OK;                                                         \
	}
MOV_REG_FN(1, 0) MOV_REG_FN(2, 0) MOV_REG_FN(4, 0) MOV_REG_FN(8, 0)
MOV_REG_FN(1, 1) MOV_REG_FN(2, 1) MOV_REG_FN(4, 1) MOV_REG_FN(8, 1)
static const exec_fn ex_mov_reg[4][2] = {{ex_mov_reg_1_0, ex_mov_reg_1_1}, {ex_mov_reg_2_0, ex_mov_reg_2_1},
					 {ex_mov_reg_4_0, ex_mov_reg_4_1}, {ex_mov_reg_8_0, ex_mov_reg_8_1}};
/* clang-format on */

/* mov between a register and memory: the memory operand's bytes straight
 * from a page already translated when data_fast() can, else the general
 * access; the register is written last (nothing to roll back). */
static inline __attribute__((always_inline)) int mov_load(struct x86emu *e, struct x86emu_insn *in,
							  unsigned size)
{
	struct operand s = {.hdr = in->ophdr[1]};
	uint64_t v = 0;
	uint8_t *p = data_fast(e, s.seg, in->ea, size, Q_READ);
	if (p) {
		mem_fast_read(e, p, size, &v);
	} else {
		int rc = mem_read_seg(e, s.seg, in->ea, size, &v);
		if (rc)
			return rc;
	}
	reg_dst_write(e, in, size, v);
	return RC_OK;
}

static inline __attribute__((always_inline)) int mov_store(struct x86emu *e, struct x86emu_insn *in,
							   unsigned size, bool imm)
{
	struct operand d = {.hdr = in->ophdr[0]};
	uint64_t v = reg_src(e, in, size, imm);
	uint8_t *p = data_fast(e, d.seg, in->ea, size, Q_WRITE);
	if (p) {
		mem_fast_write(e, p, size, &v);
		return RC_OK;
	}
	return mem_write_seg(e, d.seg, in->ea, size, &v);
}

/* clang-format off */
#define MOV_MEM_FNS(size)                                                          \
	static int ex_mov_load_##size(struct x86emu *e, struct x86emu_insn *in)    \
	{                                                                          \
		return mov_load(e, in, size);                                      \
	}                                                                          \
	static int ex_mov_store_##size##_0(struct x86emu *e, struct x86emu_insn *in) \
	{                                                                          \
		return mov_store(e, in, size, false);                              \
	}                                                                          \
	static int ex_mov_store_##size##_1(struct x86emu *e, struct x86emu_insn *in) \
	{                                                                          \
		return mov_store(e, in, size, true);                               \
	}
MOV_MEM_FNS(1) MOV_MEM_FNS(2) MOV_MEM_FNS(4) MOV_MEM_FNS(8)
static const exec_fn ex_mov_load[4] = {ex_mov_load_1, ex_mov_load_2, ex_mov_load_4, ex_mov_load_8};
static const exec_fn ex_mov_store[4][2] = {
	{ex_mov_store_1_0, ex_mov_store_1_1}, {ex_mov_store_2_0, ex_mov_store_2_1},
	{ex_mov_store_4_0, ex_mov_store_4_1}, {ex_mov_store_8_0, ex_mov_store_8_1},
};
/* clang-format on */

exec_fn ops_fast_form(const struct x86emu_insn *in)
{
	const struct opdesc *d = in->d;
	struct operand dst = {.hdr = in->ophdr[0]}, src = {.hdr = in->ophdr[1]}, src2 = {.hdr = in->ophdr[2]};
	unsigned size = dst.size, si = size_index(size);
	bool imm = src.type == OP_IMM;

	if (in->checks || src2.type != OP_NONE || (size & (size - 1)) || size > 8)
		return NULL;
	if (d->exec == ex_mov && src.size == size) {
		if (dst.type == OP_REG && src.type == OP_MEM)
			return ex_mov_load[si];
		if (dst.type == OP_MEM && (src.type == OP_REG || imm))
			return ex_mov_store[si][imm];
	}
	if (dst.type != OP_REG)
		return NULL;
	if (d->exec == ex_incdec && src.type == OP_NONE)
		return ex_incdec_reg[d->aux & 1][si];
	if ((src.type != OP_REG && !imm) || src.size != size)
		return NULL;
	if (d->exec == ex_alu)
		return ex_alu_reg[d->aux & 7][si][imm];
	if (d->exec == ex_test)
		return ex_alu_reg[8][si][imm];
	if (d->exec == ex_mov)
		return ex_mov_reg[si][imm];
	return NULL;
}

int ex_not(struct x86emu *e, struct x86emu_insn *in)
{
	(void)e;
	in->dst.val = ~in->dst.val & size_mask(in->dst.size);
	return RC_OK;
}

int ex_neg(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t res, f = sub_flags(0, in->dst.val, 0, in->dst.size, &res);
	set_arith(e, f, FL_ARITH);
	in->dst.val = res;
	return RC_OK;
}

/* Shifts and rotates (grp2): row in aux = ModRM.reg. */
int ex_shift(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->dst.size, bits = size * 8, msb = bits - 1;
	unsigned cnt = (unsigned)in->src.val & (size == 8 ? 63 : 31);
	uint64_t m = size_mask(size), v = in->dst.val & m, res = v;
	uint64_t fl = flags_get(e), f = 0, which = 0;
	unsigned cf = fl & FL_CF ? 1 : 0;

	if (!cnt)
		return RC_OK;
	switch (in->d->aux) {
	case 0: { /* rol */
		unsigned c = cnt % bits;
		res = c ? ((v << c) | (v >> (bits - c))) & m : v;
		f = (res & 1) ? FL_CF : 0;
		if (((res >> msb) ^ res) & 1)
			f |= FL_OF;
		which = FL_CF | FL_OF;
		break;
	}
	case 1: { /* ror */
		unsigned c = cnt % bits;
		res = c ? ((v >> c) | (v << (bits - c))) & m : v;
		f = (res >> msb) & 1 ? FL_CF : 0;
		if (((res >> msb) ^ (res >> (msb - 1))) & 1)
			f |= FL_OF;
		which = FL_CF | FL_OF;
		break;
	}
	case 2: { /* rcl */
		unsigned c = size < 4 ? cnt % (bits + 1) : cnt;
		for (unsigned i = 0; i < c; i++) {
			unsigned out = (res >> msb) & 1;
			res = ((res << 1) | cf) & m;
			cf = out;
		}
		f = cf ? FL_CF : 0;
		if (((res >> msb) ^ cf) & 1)
			f |= FL_OF;
		which = FL_CF | FL_OF;
		break;
	}
	case 3: { /* rcr */
		unsigned c = size < 4 ? cnt % (bits + 1) : cnt;
		f = (((v >> msb) ^ cf) & 1) ? FL_OF : 0;
		for (unsigned i = 0; i < c; i++) {
			unsigned out = res & 1;
			res = (res >> 1) | ((uint64_t)cf << msb);
			cf = out;
		}
		if (cf)
			f |= FL_CF;
		which = FL_CF | FL_OF;
		break;
	}
	case 4:
	case 6: /* shl/sal */
		res = cnt < 64 ? (v << cnt) & m : 0;
		f = szp(res, size);
		if (cnt <= bits && ((v >> (bits - cnt)) & 1))
			f |= FL_CF;
		if ((((res >> msb) & 1) ^ (f & FL_CF ? 1 : 0)))
			f |= FL_OF;
		which = FL_ARITH;
		break;
	case 5: /* shr */
		res = v >> cnt;
		f = szp(res, size);
		if ((v >> (cnt - 1)) & 1)
			f |= FL_CF;
		if ((v >> msb) & 1)
			f |= cnt == 1 ? FL_OF : 0;
		which = FL_ARITH;
		break;
	default: { /* sar */
		int64_t sv = (int64_t)sext(v, size);
		res = (uint64_t)(sv >> cnt) & m;
		f = szp(res, size);
		if (((uint64_t)(sv >> (cnt - 1))) & 1)
			f |= FL_CF;
		which = FL_ARITH;
		break;
	}
	}
	set_arith(e, f, which);
	in->dst.val = res;
	return RC_OK;
}

/* shld/shrd: aux 0 = shld, 1 = shrd; the count is src2 (imm8 or CL). */
int ex_shxd(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->dst.size, bits = size * 8, msb = bits - 1;
	unsigned cnt = (unsigned)in->src2.val & (size == 8 ? 63 : 31);
	uint64_t m = size_mask(size), d = in->dst.val & m, s = in->src.val & m, res, f;

	if (!cnt)
		return RC_OK;
	if (in->d->aux == 0) {
		if (size == 2) {
			/* 16-bit: a 32-bit concatenation, then truncation. */
			uint64_t cat = (d << 16) | s;
			cat = cnt < 32 ? (cat << cnt) | (cnt > 16 ? (s << (cnt - 16)) : 0) : 0;
			res = (cat >> 16) & m;
			f = szp(res, size) | (((((d << 16) | s) << (cnt - 1)) >> 31) & 1 ? FL_CF : 0);
			(void)msb;
		} else {
			res = ((d << cnt) | (s >> (bits - cnt))) & m;
			f = szp(res, size) | ((d >> (bits - cnt)) & 1 ? FL_CF : 0);
		}
		if ((((res >> msb) ^ (d >> msb)) & 1))
			f |= FL_OF;
	} else {
		if (size == 2) {
			uint64_t cat = (s << 16) | d;
			cat |= cat << 32;
			res = (cat >> cnt) & m;
			f = szp(res, size) | ((cat >> (cnt - 1)) & 1 ? FL_CF : 0);
		} else {
			res = ((d >> cnt) | (s << (bits - cnt))) & m;
			f = szp(res, size) | ((d >> (cnt - 1)) & 1 ? FL_CF : 0);
		}
		if ((((res >> msb) ^ (d >> msb)) & 1))
			f |= FL_OF;
	}
	set_arith(e, f, FL_ARITH);
	in->dst.val = res;
	return RC_OK;
}

/* grp3 mul/imul/div/idiv on rDX:rAX. aux = ModRM.reg (4..7). */
int ex_muldiv(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->dst.size, bits = size * 8;
	uint64_t m = size_mask(size), src = in->dst.val & m;
	uint64_t a, d;

	if (size == 1) {
		a = gpr_get(e, X86EMU_RAX) & 0xff;
		d = 0;
	} else {
		a = gpr_read(e, X86EMU_RAX, size, false);
		d = gpr_read(e, X86EMU_RDX, size, false);
	}
	switch (in->d->aux) {
	case 4:
	case 5: {
		unsigned __int128 p;
		bool of;
		if (in->d->aux == 4) {
			p = (unsigned __int128)a * src;
			of = (uint64_t)(p >> bits) != 0 || (size == 8 && (uint64_t)(p >> 64));
			if (size < 8)
				of = (p >> bits) != 0;
		} else {
			__int128 sp = (__int128)(int64_t)sext(a, size) * (int64_t)sext(src, size);
			p = (unsigned __int128)sp;
			uint64_t lo = (uint64_t)p & m;
			of = (__int128)(int64_t)sext(lo, size) != sp;
		}
		uint64_t lo = (uint64_t)p & m;
		uint64_t hi = size == 8 ? (uint64_t)(p >> 64) : (uint64_t)(p >> bits) & m;
		if (size == 1) {
			gpr_write(e, X86EMU_RAX, 2, false, lo | (hi << 8));
		} else {
			gpr_write(e, X86EMU_RAX, size, false, lo);
			gpr_write(e, X86EMU_RDX, size, false, hi);
		}
		/* SF/ZF/AF/PF are undefined; hardware derives SF/ZF/PF from the low half. */
		set_arith(e, (of ? FL_CF | FL_OF : 0) | szp(lo, size), FL_ARITH);
		return RC_OK;
	}
	case 6: {
		unsigned __int128 num;
		if (size == 1)
			num = gpr_get(e, X86EMU_RAX) & 0xffff;
		else
			num = ((unsigned __int128)d << bits) | a;
		if (!src)
			return emu_raise(e, X86EMU_EXC_DE, false, 0);
		unsigned __int128 q = num / src, r = num % src;
		if (q > m)
			return emu_raise(e, X86EMU_EXC_DE, false, 0);
		if (size == 1) {
			gpr_write(e, X86EMU_RAX, 2, false, (uint64_t)q | ((uint64_t)r << 8));
		} else {
			gpr_write(e, X86EMU_RAX, size, false, (uint64_t)q);
			gpr_write(e, X86EMU_RDX, size, false, (uint64_t)r);
		}
		return RC_OK;
	}
	default: {
		__int128 num;
		if (size == 1)
			num = (int16_t)(gpr_get(e, X86EMU_RAX) & 0xffff);
		else if (size == 8)
			num = (__int128)(((unsigned __int128)d << 64) | a);
		else
			num = (int64_t)((d << bits) | a);
		int64_t div = (int64_t)sext(src, size);
		if (!div)
			return emu_raise(e, X86EMU_EXC_DE, false, 0);
		if (size == 8 && div == -1 && (unsigned __int128)num == ((unsigned __int128)1 << 127))
			return emu_raise(e, X86EMU_EXC_DE, false, 0);
		__int128 q = num / div, r = num % div;
		__int128 qmax = (__int128)(m >> 1), qmin = -qmax - 1;
		if (q > qmax || q < qmin)
			return emu_raise(e, X86EMU_EXC_DE, false, 0);
		if (size == 1) {
			gpr_write(e, X86EMU_RAX, 2, false, ((uint64_t)q & 0xff) | (((uint64_t)r & 0xff) << 8));
		} else {
			gpr_write(e, X86EMU_RAX, size, false, (uint64_t)q);
			gpr_write(e, X86EMU_RDX, size, false, (uint64_t)r);
		}
		return RC_OK;
	}
	}
}

/* imul r, r/m[, imm]: 2- and 3-operand forms. */
int ex_imul2(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->dst.size;
	uint64_t b = in->src2.type == OP_IMM ? sext(in->imm2, in->d->src2 == K_IMMB ? 1 : (size > 4 ? 4 : size))
					    : in->dst.val;
	__int128 p = (__int128)(int64_t)sext(in->src.val, size) * (int64_t)sext(b, size);
	uint64_t lo = (uint64_t)p & size_mask(size);
	bool of = (__int128)(int64_t)sext(lo, size) != p;
	set_arith(e, (of ? FL_CF | FL_OF : 0) | szp(lo, size), FL_ARITH);
	in->dst.val = lo;
	return RC_OK;
}

/* ---- data movement ------------------------------------------------------- */

int ex_mov(struct x86emu *e, struct x86emu_insn *in)
{
	(void)e;
	in->dst.val = in->src.val;
	return RC_OK;
}

int ex_movzx(struct x86emu *e, struct x86emu_insn *in)
{
	(void)e;
	in->dst.val = in->src.val & size_mask(in->src.size);
	return RC_OK;
}

int ex_movsx(struct x86emu *e, struct x86emu_insn *in)
{
	(void)e;
	in->dst.val = sext(in->src.val, in->src.size) & size_mask(in->dst.size);
	return RC_OK;
}

int ex_movsxd(struct x86emu *e, struct x86emu_insn *in)
{
	if (e->mode == X86EMU_MODE_REAL || e->mode == X86EMU_MODE_VM86)
		return RAISE_UD(e); /* arpl: protected mode only */
	if (e->mode != X86EMU_MODE_LONG64)
		return emu_unhandled(e, "arpl is not emulated");
	in->dst.val = in->dst.size == 8 ? sext(in->src.val, 4) : in->src.val;
	return RC_OK;
}

int ex_lea(struct x86emu *e, struct x86emu_insn *in)
{
	(void)e;
	if (in->mod == 3)
		return RAISE_UD(e);
	in->dst.val = in->ea & size_mask(in->dst.size);
	return RC_OK;
}

int ex_xchg(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t t = in->dst.val;
	in->dst.val = in->src.val;
	if (in->dst.type == OP_MEM && in->dst.hva == NULL) {
		/* Memory first: a fault must leave the register alone. */
		int rc = write_operand(e, &in->dst);
		if (rc)
			return rc;
		in->dst.type = OP_NONE;
	}
	gpr_write(e, in->src.reg, in->src.size, in->src.hi8, t);
	return RC_OK;
}

/* 91-97 (and 90 with REX.B): xchg rAX, r. */
int ex_xchg_acc(struct x86emu *e, struct x86emu_insn *in)
{
	return ex_xchg(e, in);
}

/* 90: nop, which names no operand so that it fetches no register; with
 * REX.B it is xchg r8, rAX (and zero-extends as any 32-bit write). */
int ex_nop90(struct x86emu *e, struct x86emu_insn *in)
{
	if (!(in->rex & 1))
		return RC_OK;
	unsigned size = in->opsize;
	uint64_t a = gpr_read(e, X86EMU_RAX, size, false), b = gpr_read(e, 8, size, false);
	gpr_write(e, X86EMU_RAX, size, false, b);
	gpr_write(e, 8, size, false, a);
	return RC_OK;
}

int ex_xadd(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t res, f = add_flags(in->dst.val, in->src.val, 0, in->dst.size, &res);
	uint64_t old = in->dst.val;
	in->dst.val = res;
	if (in->dst.type == OP_MEM && !in->dst.hva) {
		int rc = write_operand(e, &in->dst);
		if (rc)
			return rc;
		in->dst.type = OP_NONE;
	}
	set_arith(e, f, FL_ARITH);
	gpr_write(e, in->src.reg, in->src.size, in->src.hi8, old);
	return RC_OK;
}

int ex_cmpxchg(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->dst.size;
	uint64_t acc = gpr_read(e, X86EMU_RAX, size, false), res;
	uint64_t f = sub_flags(acc, in->dst.val, 0, size, &res);
	set_arith(e, f, FL_ARITH);
	if (f & FL_ZF) {
		in->dst.val = in->src.val;
	} else {
		/* The destination is written back unchanged, then rAX loaded. */
		if (in->dst.type == OP_MEM && !in->dst.hva) {
			int rc = write_operand(e, &in->dst);
			if (rc)
				return rc;
		}
		/* A register destination is not written (its upper half stays). */
		if (!in->dst.hva)
			in->dst.type = OP_NONE;
		gpr_write(e, X86EMU_RAX, size, false, in->dst.val);
	}
	return RC_OK;
}

static int cas128(void *p, uint64_t *lo, uint64_t *hi, uint64_t nlo, uint64_t nhi)
{
	unsigned char ok;
	__asm__ volatile("lock cmpxchg16b %1\n\tsete %0"
			 : "=q"(ok), "+m"(*(volatile unsigned __int128 *)p), "+a"(*lo), "+d"(*hi)
			 : "b"(nlo), "c"(nhi)
			 : "memory", "cc");
	return ok;
}

/* cmpxchg8b / cmpxchg16b m (0F C7 /1). */
int ex_cmpxchg8b(struct x86emu *e, struct x86emu_insn *in)
{
	bool wide = in->rex & 8;
	unsigned half = wide ? 8 : 4, size = half * 2;
	uint64_t m = size_mask(half);
	uint64_t alo = gpr_get(e, X86EMU_RAX) & m, ahi = gpr_get(e, X86EMU_RDX) & m;
	uint64_t nlo = gpr_get(e, X86EMU_RBX) & m, nhi = gpr_get(e, X86EMU_RCX) & m;
	uint64_t cur[2] = {0, 0};
	bool eq;
	void *p = NULL;
	int rc;

	if (in->mod == 3)
		return RAISE_UD(e);
	if (wide && (in->ea & 15))
		return RAISE_GP0(e);
	if ((rc = mem_rmw_ptr(e, in->eseg, in->ea, size, &p)))
		return rc;
	if (p && wide) {
		uint64_t lo = alo, hi = ahi;
		eq = cas128(p, &lo, &hi, nlo, nhi);
		cur[0] = lo, cur[1] = hi;
	} else if (p) {
		uint64_t old = alo | (ahi << 32);
		eq = __atomic_compare_exchange_n((uint64_t *)p, &old, nlo | (nhi << 32), false,
						 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		cur[0] = old & m, cur[1] = old >> 32;
	} else {
		uint8_t buf[16];
		if ((rc = mem_read_seg(e, in->eseg, in->ea, size, buf)))
			return rc;
		memcpy(&cur[0], buf, half);
		memcpy(&cur[1], buf + half, half);
		eq = cur[0] == alo && cur[1] == ahi;
		if (eq) {
			memcpy(buf, &nlo, half);
			memcpy(buf + half, &nhi, half);
		}
		if ((rc = mem_write_seg(e, in->eseg, in->ea, size, buf)))
			return rc;
	}
	flags_set(e, (flags_get(e) & ~(uint64_t)FL_ZF) | (eq ? FL_ZF : 0));
	if (!eq) {
		gpr_write(e, X86EMU_RAX, half, false, cur[0]);
		gpr_write(e, X86EMU_RDX, half, false, cur[1]);
	}
	return RC_OK;
}

int ex_bswap(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned r = (in->op & 7) | ((in->rex & 1) << 3);
	uint64_t v = gpr_get(e, r);
	if (in->opsize == 8)
		gpr_write(e, r, 8, false, __builtin_bswap64(v));
	else if (in->opsize == 4)
		gpr_write(e, r, 4, false, __builtin_bswap32((uint32_t)v));
	else
		gpr_write(e, r, 2, false, 0); /* undefined; hardware gives 0 */
	return RC_OK;
}

int ex_cbw(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned s = in->opsize;
	gpr_write(e, X86EMU_RAX, s, false, sext(gpr_get(e, X86EMU_RAX), s / 2));
	return RC_OK;
}

int ex_cwd(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned s = in->opsize;
	uint64_t a = gpr_read(e, X86EMU_RAX, s, false);
	gpr_write(e, X86EMU_RDX, s, false, (a >> (s * 8 - 1)) & 1 ? ~0ull : 0);
	return RC_OK;
}

int ex_setcc(struct x86emu *e, struct x86emu_insn *in)
{
	in->dst.val = cond_true(e, in->op & 15);
	return RC_OK;
}

int ex_cmov(struct x86emu *e, struct x86emu_insn *in)
{
	if (cond_true(e, in->op & 15))
		in->dst.val = in->src.val;
	else
		in->dst.val = gpr_read(e, in->dst.reg, in->dst.size, false);
	return RC_OK;
}

int ex_lahf(struct x86emu *e, struct x86emu_insn *in)
{
	(void)in;
	gpr_write(e, X86EMU_RAX, 1, true, (flags_get(e) & 0xd5) | 2);
	return RC_OK;
}

int ex_sahf(struct x86emu *e, struct x86emu_insn *in)
{
	(void)in;
	uint64_t ah = (gpr_get(e, X86EMU_RAX) >> 8) & 0xd5;
	flags_set(e, (flags_get(e) & ~0xd5ull) | ah);
	return RC_OK;
}

int ex_xlat(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t ea = (gpr_get(e, X86EMU_RBX) + (gpr_get(e, X86EMU_RAX) & 0xff)) & size_mask(in->adsize);
	uint8_t v;
	int rc = mem_read_seg(e, in->seg >= 0 ? in->seg : X86EMU_DS, ea, 1, &v);
	if (rc)
		return rc;
	gpr_write(e, X86EMU_RAX, 1, false, v);
	return RC_OK;
}

int ex_nop(struct x86emu *e, struct x86emu_insn *in)
{
	(void)e, (void)in;
	return RC_OK;
}

int ex_flagop(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t f = flags_get(e);
	switch (in->op) {
	case 0xf5: f ^= FL_CF; break;
	case 0xf8: f &= ~(uint64_t)FL_CF; break;
	case 0xf9: f |= FL_CF; break;
	case 0xfc: f &= ~(uint64_t)FL_DF; break;
	case 0xfd: f |= FL_DF; break;
	case 0xfa:
	case 0xfb:
		if (e->mode != X86EMU_MODE_REAL && ((f & FL_IOPL) >> 12) < e->cpl)
			return RAISE_GP0(e);
		if (in->op == 0xfa) {
			f &= ~(uint64_t)FL_IF;
		} else {
			if (!(f & FL_IF))
				e->next_shadow = true;
			f |= FL_IF;
		}
		break;
	}
	flags_set(e, f);
	return RC_OK;
}

/* ---- BCD ------------------------------------------------------------------ */

int ex_bcd(struct x86emu *e, struct x86emu_insn *in)
{
	uint64_t fl = flags_get(e), ax = gpr_get(e, X86EMU_RAX) & 0xffff;
	uint8_t al = ax & 0xff, old_al = al;
	bool cf = fl & FL_CF, af = fl & FL_AF, ncf = false, naf = false;
	uint64_t f;

	switch (in->op) {
	case 0x27: /* daa */
		if ((al & 0xf) > 9 || af) {
			ncf = cf || al > 0xf9;
			al += 6;
			naf = true;
		}
		if (old_al > 0x99 || cf) {
			al += 0x60;
			ncf = true;
		} else {
			ncf = false;
		}
		f = szp(al, 1) | (ncf ? FL_CF : 0) | (naf ? FL_AF : 0);
		set_arith(e, f, FL_ARITH & ~FL_OF);
		gpr_write(e, X86EMU_RAX, 1, false, al);
		break;
	case 0x2f: /* das */
		if ((al & 0xf) > 9 || af) {
			ncf = cf || al < 6;
			al -= 6;
			naf = true;
		}
		if (old_al > 0x99 || cf) {
			al -= 0x60;
			ncf = true;
		}
		f = szp(al, 1) | (ncf ? FL_CF : 0) | (naf ? FL_AF : 0);
		set_arith(e, f, FL_ARITH & ~FL_OF);
		gpr_write(e, X86EMU_RAX, 1, false, al);
		break;
	case 0x37: /* aaa */
	case 0x3f: /* aas */
		if ((al & 0xf) > 9 || af) {
			if (in->op == 0x37)
				ax = (ax + 0x106) & 0xffff;
			else
				ax = ((ax - 6) & 0xff) | ((((ax >> 8) - 1) & 0xff) << 8);
			naf = ncf = true;
		}
		ax &= 0xff0f;
		set_arith(e, (ncf ? FL_CF | FL_AF : 0) | szp(ax & 0xff, 1), FL_ARITH);
		gpr_write(e, X86EMU_RAX, 2, false, ax);
		break;
	case 0xd4: { /* aam */
		uint8_t base = (uint8_t)in->imm;
		if (!base)
			return emu_raise(e, X86EMU_EXC_DE, false, 0);
		uint8_t ah = al / base;
		al = al % base;
		/* Measured on the CPU: SF/ZF/PF follow all of AX, not AL. */
		set_arith(e, szp(al | (ah << 8), 2), FL_ARITH);
		gpr_write(e, X86EMU_RAX, 2, false, al | (ah << 8));
		break;
	}
	default: { /* aad */
		uint8_t base = (uint8_t)in->imm, ah = (ax >> 8) & 0xff;
		uint64_t res;
		f = add_flags(al, (uint8_t)(ah * base), 0, 1, &res);
		/* SF/ZF/PF come from the whole of AX (AH is now 0), as the
		 * CPU does it: SF is always clear. */
		f = (f & (FL_CF | FL_AF | FL_OF)) | szp(res & 0xff, 2);
		set_arith(e, f, FL_ARITH);
		gpr_write(e, X86EMU_RAX, 2, false, res & 0xff);
		break;
	}
	}
	return RC_OK;
}

/* ---- bits ----------------------------------------------------------------- */

/* bt/bts/btr/btc: aux 0 bt, 1 bts, 2 btr, 3 btc. */
int ex_bt(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned bits = in->dst.size * 8;
	unsigned bit = (unsigned)(in->src.val & (bits - 1));
	uint64_t mask = 1ull << bit;
	bool cf = in->dst.val & mask;

	set_arith(e, cf ? FL_CF : 0, FL_CF);
	switch (in->d->aux) {
	case 1: in->dst.val |= mask; break;
	case 2: in->dst.val &= ~mask; break;
	case 3: in->dst.val ^= mask; break;
	}
	return RC_OK;
}

/* bsf/bsr, and tzcnt/lzcnt with F3. aux 0 forward, 1 reverse. */
int ex_bsf(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->dst.size, bits = size * 8;
	uint64_t v = in->src.val & size_mask(size);
	bool rev = in->d->aux & 1;

	if (in->rep == 0xf3) {
		uint64_t n;
		if (!v)
			n = bits;
		else
			n = rev ? (uint64_t)(__builtin_clzll(v) - (64 - bits)) : (uint64_t)__builtin_ctzll(v);
		in->dst.val = n;
		set_arith(e, (v ? 0 : FL_CF) | (n ? 0 : FL_ZF), FL_CF | FL_ZF);
		return RC_OK;
	}
	if (!v) {
		/* The destination is left untouched, upper half included. */
		set_arith(e, FL_ZF, FL_ZF);
		in->dst.type = OP_NONE;
		return RC_OK;
	}
	in->dst.val = rev ? (uint64_t)(63 - __builtin_clzll(v)) : (uint64_t)__builtin_ctzll(v);
	set_arith(e, 0, FL_ZF);
	return RC_OK;
}

/* popcnt (F3 0F B8); without F3 the opcode is JMPE, which x86-64 lacks. */
int ex_popcnt(struct x86emu *e, struct x86emu_insn *in)
{
	if (in->rep != 0xf3)
		return RAISE_UD(e);
	uint64_t v = in->src.val & size_mask(in->dst.size);
	in->dst.val = (uint64_t)__builtin_popcountll(v);
	set_arith(e, v ? 0 : FL_ZF, FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF);
	return RC_OK;
}
