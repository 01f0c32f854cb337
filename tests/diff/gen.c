/* x86diff: random instruction sequences. A sequence is a list of chunks; a
 * chunk is zero or more set-up moves (pointers into the scratch buffer, shift
 * counts, values for registers whose content is undefined) and one
 * instruction under test. Jumps land only on chunk boundaries.
 *
 * The generator tracks which flags and registers hold values the SDM leaves
 * undefined ("poisoned"): they are masked in the comparison, and an
 * instruction that would read one gets a defining instruction in front. A
 * forward conditional jump makes a region that may or may not run: at its
 * end the poison of both paths is united. */
#include <string.h>

#include "tests/diff/xd.h"

enum {
	FAM_ALU, FAM_INCDEC, FAM_SHIFT, FAM_SHXD, FAM_MULDIV, FAM_BIT, FAM_BSF, FAM_SETCC,
	FAM_CMOV, FAM_BSWAP, FAM_XCHG, FAM_CMPXCHG, FAM_LEA, FAM_MOV, FAM_MOVX, FAM_STACK,
	FAM_STRING, FAM_BCD, FAM_CONV, FAM_FLAGS, FAM_JCC, FAM_SSE, FAM_CALL, FAM_ENTER,
	FAM_PUSHA, FAM_XLAT, FAM_FAR, FAM_INT, FAM_SREG, FAM_SYS, FAM_DESC, FAM_NR
};
/* Families that exist only in real mode here (invalid in 64-bit mode, or
 * they change CS, SS or the segment registers 64-bit code relies on). */
#define FAM_REAL_ONLY (1ull << FAM_BCD | 1ull << FAM_PUSHA | 1ull << FAM_FAR | \
		       1ull << FAM_INT | 1ull << FAM_SREG | 1ull << FAM_SYS)
/* Families that exist only in 64-bit mode here (#UD in real mode). */
#define FAM_LONG_ONLY (1ull << FAM_DESC)
/* Families run only when named: desc (lar, lsl, verr, verw) needs a host
 * whose native CPL3 run sees the guest's GDT. Under kvm_pvm it does not:
 * guest user code runs against the host's own descriptor tables, so the
 * native side answers for the host's descriptors (seen here: lsl of the
 * harness's DPL0 TSS selector gave limit 0xffffffff at CPL3). x86emu's
 * lar/lsl/verr/verw are checked by tests/unit/test_x86emu_segments.c. */
#define FAM_OPT_IN (1ull << FAM_DESC)
static const char *const fam_names[FAM_NR] = {
	"alu", "incdec", "shift", "shxd", "muldiv", "bit", "bsf", "setcc",
	"cmov", "bswap", "xchg", "cmpxchg", "lea", "mov", "movx", "stack",
	"string", "bcd", "conv", "flags", "jcc", "sse", "call", "enter",
	"pusha", "xlat", "far", "int", "sreg", "sys", "desc",
};

uint64_t xd_rand(struct xd_rng *g)
{
	/* splitmix64: tiny, fast, and the seed fully determines a run */
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned rnd(struct xd_rng *r, unsigned n) { return (unsigned)(xd_rand(r) % n); }

uint64_t xd_family_mask(const char *names)
{
	uint64_t m = 0;
	const char *p = names;
	while (*p) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		unsigned i;
		for (i = 0; i < FAM_NR; i++)
			if (strlen(fam_names[i]) == len && !strncmp(fam_names[i], p, len))
				break;
		if (i == FAM_NR)
			return 0;
		m |= 1ull << i;
		p += len;
		if (*p == ',')
			p++;
	}
	return m;
}

const char *xd_family_list(void)
{
	return "alu,incdec,shift,shxd,muldiv,bit,bsf,setcc,cmov,bswap,xchg,cmpxchg,lea,mov,"
	       "movx,stack,string,bcd,conv,flags,jcc,sse,call,enter,pusha,xlat,far,int,sreg,sys,"
	       "desc (only when named: needs a VMX/SVM host)";
}

#define MAX_CHUNKS 256
#define MAX_JUMPS 64
#define MAX_REGIONS 64

struct region {
	unsigned end_chunk;
	uint32_t fpoison, rpoison;
};

struct jump {
	size_t patch;       /* offset of the displacement */
	unsigned size;      /* 1 or 4 */
	size_t from;        /* offset after the instruction */
	unsigned target;    /* chunk index, or nchunks for the terminator */
};

struct gen {
	struct xd_rng *r;
	struct xd_seq *s;
	bool m64;
	uint32_t fpoison, rpoison;
	int sp;             /* stack offset from XD_STACK_TOP on this path */
	unsigned cond;      /* open regions: stack depth is path dependent */
	unsigned chunk;
	size_t chunk_at[MAX_CHUNKS + 1];
	struct region reg[MAX_REGIONS];
	unsigned nreg;
	struct jump jmp[MAX_JUMPS];
	unsigned njmp;
	/* the instruction being built */
	uint8_t pfx[6];
	unsigned npfx;
	bool rexw, rex_force, rex_forbid;
	uint8_t rex;        /* R X B bits */
	uint8_t op[3];
	unsigned nop;
	bool has_modrm, has_sib, riprel;
	uint8_t mod, regf, rmf, sib;
	int64_t disp;
	unsigned dsize;
	uint64_t imm;
	unsigned isize;
	uint64_t target;    /* riprel: the address meant */
	uint32_t avoid;     /* registers an address must not use */
};

static void put(struct gen *g, uint8_t b)
{
	if (g->s->len < XD_CODE_MAX - XD_TERM_MAX - 16)
		g->s->code[g->s->len++] = b;
}

static void putn(struct gen *g, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put(g, (uint8_t)(v >> (8 * i)));
}

static void ib_start(struct gen *g)
{
	g->npfx = 0;
	g->rexw = g->rex_force = g->rex_forbid = false;
	g->rex = 0;
	g->nop = 0;
	g->has_modrm = g->has_sib = g->riprel = false;
	g->dsize = g->isize = 0;
	g->disp = 0;
	g->avoid = 0;
}

static void ib_pfx(struct gen *g, uint8_t p) { g->pfx[g->npfx++] = p; }

static void ib_op(struct gen *g, uint8_t a) { g->op[g->nop++] = a; }

/* Operand size prefixes for size 2/4/8 in the current mode. */
static void ib_size(struct gen *g, unsigned size)
{
	if (g->m64) {
		if (size == 2)
			ib_pfx(g, 0x66);
		if (size == 8)
			g->rexw = true;
	} else if (size == 4) {
		ib_pfx(g, 0x66);
	}
}

static void ib_emit(struct gen *g)
{
	for (unsigned i = 0; i < g->npfx; i++)
		put(g, g->pfx[i]);
	if (g->m64 && (g->rexw || g->rex || g->rex_force))
		put(g, (uint8_t)(0x40 | (g->rexw ? 8 : 0) | g->rex));
	for (unsigned i = 0; i < g->nop; i++)
		put(g, g->op[i]);
	if (g->has_modrm)
		put(g, (uint8_t)(g->mod << 6 | (g->regf & 7) << 3 | (g->rmf & 7)));
	if (g->has_sib)
		put(g, g->sib);
	size_t disp_at = g->s->len;
	putn(g, (uint64_t)g->disp, g->dsize);
	putn(g, g->imm, g->isize);
	if (g->riprel) {
		uint64_t next = XD_CODE + g->s->len;
		int32_t d = (int32_t)(g->target - next);
		memcpy(g->s->code + disp_at, &d, 4);
	}
}

/* ---- registers ---- */

static unsigned nregs(struct gen *g) { return g->m64 ? 16 : 8; }

/* Any register but the stack pointer. */
static unsigned pick_reg(struct gen *g)
{
	unsigned r;
	do
		r = rnd(g->r, nregs(g));
	while (r == 4);
	return r;
}

static uint64_t rand_value(struct gen *g)
{
	static const uint64_t special[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
					   0x7fffffff, 0x80000000, 0xffffffff,
					   0x7fffffffffffffffull, 0x8000000000000000ull,
					   0xffffffffffffffffull, 0x100000000ull};
	switch (rnd(g->r, 4)) {
	case 0: return special[rnd(g->r, 16)];
	case 1: return rnd(g->r, 64);
	case 2: return (uint64_t)-(int64_t)rnd(g->r, 64);
	default: return xd_rand(g->r);
	}
}

/* Full-width move of an immediate into r (a set-up move; defines r). */
static void set_reg(struct gen *g, unsigned r, uint64_t v)
{
	if (g->m64) {
		if (v >> 32) {
			put(g, (uint8_t)(0x48 | (r >> 3)));
			put(g, (uint8_t)(0xb8 + (r & 7)));
			putn(g, v, 8);
		} else {
			if (r >= 8)
				put(g, 0x41);
			put(g, (uint8_t)(0xb8 + (r & 7)));
			putn(g, v, 4);
		}
	} else {
		put(g, 0x66);
		put(g, (uint8_t)(0xb8 + r));
		putn(g, (uint32_t)v, 4);
	}
	g->rpoison &= ~(1u << r);
}

/* r is about to be read: give it a defined value if it has none. */
static void need_reg(struct gen *g, unsigned r)
{
	if (g->rpoison & (1u << r))
		set_reg(g, r, rand_value(g));
}

static void need_all_regs(struct gen *g)
{
	for (unsigned r = 0; r < nregs(g); r++)
		if (r != 4)
			need_reg(g, r);
}

/* Flags f are about to be read: define them if any is poisoned. */
static void need_flags(struct gen *g, uint32_t f)
{
	if (!(g->fpoison & f))
		return;
	unsigned a = pick_reg(g), b = pick_reg(g);
	need_reg(g, a);
	need_reg(g, b);
	/* cmp r32, r32: all six arithmetic flags from real values, and no
	 * register written (a shift count or pointer set up before stays) */
	if (g->m64 && (a >= 8 || b >= 8))
		put(g, (uint8_t)(0x40 | (b >> 3) << 2 | (a >> 3)));
	if (!g->m64 && rnd(g->r, 2))
		put(g, 0x66);
	put(g, 0x39);
	put(g, (uint8_t)(0xc0 | (b & 7) << 3 | (a & 7)));
	g->fpoison &= ~(uint32_t)XD_ARITH;
}

static void flags_result(struct gen *g, uint32_t defined, uint32_t undefined)
{
	g->fpoison = (g->fpoison & ~defined) | undefined;
}

/* A register operand of size for the ModRM reg or rm field. Byte registers
 * 4-7 without REX are AH CH DH BH (index 16-19 here); with REX SPL..DIL. */
static unsigned pick_opreg(struct gen *g, unsigned size, bool dest)
{
	if (size == 1) {
		if (g->m64 && !g->rex_forbid && rnd(g->r, 2)) {
			unsigned r;
			do
				r = rnd(g->r, 16);
			while (r == 4 && dest);
			if (r >= 4 && r < 8)
				g->rex_force = true;
			return r;
		}
		if (!g->rex_force && !(g->rex & 5) && rnd(g->r, 3) == 0) {
			g->rex_forbid = true;
			return 16 + rnd(g->r, 4);
		}
		unsigned r = rnd(g->r, 4);
		if (g->m64 && !g->rex_forbid && rnd(g->r, 4) == 0)
			r += 8;
		return r;
	}
	unsigned r = pick_reg(g);
	if (g->rex_forbid)
		r &= 7;
	if (r == 4)
		r = 5;
	return r;
}

static unsigned gpr_of(unsigned opreg) { return opreg >= 16 ? opreg - 16 : opreg; }
static unsigned code_of(unsigned opreg) { return opreg >= 16 ? opreg - 12 : opreg; }

static void set_regf(struct gen *g, unsigned opreg)
{
	unsigned c = code_of(opreg);
	g->has_modrm = true;
	g->regf = c & 7;
	if (c >= 8)
		g->rex |= 4;
}

static void set_rm_reg(struct gen *g, unsigned opreg)
{
	unsigned c = code_of(opreg);
	g->has_modrm = true;
	g->mod = 3;
	g->rmf = c & 7;
	if (c >= 8)
		g->rex |= 1;
}

/* ---- memory operands ---- */

/* A base register for addressing that does not clash with the REX choice. */
static unsigned pick_areg(struct gen *g)
{
	unsigned r;
	do {
		r = pick_reg(g);
		if (g->rex_forbid || !g->m64)
			r &= 7;
	} while (r == 4 || r == 12 || (g->avoid & (1u << r)));
	return r;
}

static void addr_set(struct gen *g, unsigned r, uint64_t v, bool a32)
{
	if (!g->m64 && !a32) {
		put(g, (uint8_t)(0xb8 + r)); /* mov r16, imm16: defines only the low word */
		putn(g, v & 0xffff, 2);
		return;
	}
	set_reg(g, r, a32 ? (uint32_t)v : v);
}

/* Points the ModRM rm field at an address in the data area aligned to align
 * with room for size bytes, with set-up moves for the registers it uses. */
static void mem_operand(struct gen *g, unsigned size, unsigned align)
{
	uint64_t t = XD_DATA + 64 + rnd(g->r, 0x1000 - 128 - size); /* bt* reaches 32 bytes either side */
	if (align > 1)
		t &= ~(uint64_t)(align - 1);
	else if (rnd(g->r, 2))
		t &= ~(uint64_t)(size - 1);
	g->has_modrm = true;

	/* segment overrides whose base is 0 in both modes */
	if (rnd(g->r, 8) == 0) {
		static const uint8_t segs[] = {0x26, 0x36, 0x3e, 0x64, 0x65};
		ib_pfx(g, segs[rnd(g->r, 5)]);
	}
	bool a32 = false;
	if (rnd(g->r, 6) == 0) {
		ib_pfx(g, 0x67); /* 64-bit: 32-bit addresses; real mode: 32-bit forms */
		a32 = true;
	}
	bool a16 = !g->m64 && !a32;

	if (a16) {
		static const int8_t b16[8] = {3, 3, 5, 5, 6, 7, 5, 3};
		static const int8_t i16[8] = {6, 7, 6, 7, -1, -1, -1, -1};
		unsigned rm;
		do
			rm = rnd(g->r, 8);
		while ((g->avoid >> b16[rm] & 1) || (i16[rm] >= 0 && (g->avoid >> i16[rm] & 1)));
		unsigned mod = rnd(g->r, 3);
		if (mod == 0 && rm == 6) {
			g->mod = 0, g->rmf = 6, g->disp = (int64_t)t, g->dsize = 2;
			return;
		}
		int64_t disp = mod == 0 ? 0 : mod == 1 ? (int8_t)rnd(g->r, 256) : (int64_t)rnd(g->r, 0x4000) - 0x2000;
		uint64_t idx = 0;
		if (i16[rm] >= 0) {
			idx = rnd(g->r, 0x400);
			addr_set(g, (unsigned)i16[rm], idx, false);
		}
		addr_set(g, (unsigned)b16[rm], t - (uint64_t)disp - idx, false);
		g->mod = (uint8_t)mod, g->rmf = (uint8_t)rm;
		g->disp = disp & 0xffff, g->dsize = mod == 1 ? 1 : mod == 2 ? 2 : 0;
		if (mod == 1)
			g->disp = disp & 0xff;
		return;
	}

	unsigned form = rnd(g->r, 8);
	if (form == 5 && (g->cond || !g->m64 || a32))
		form = 0; /* [rsp]: only where the stack depth is known and a 64-bit address */
	if (form == 6 && !g->m64)
		form = 7;
	switch (form) {
	case 0: case 1: case 2: { /* [base + disp0/8/32] */
		unsigned b = pick_areg(g);
		unsigned mod = form == 0 ? 1 : form == 1 ? 2 : (b & 7) == 5 ? 1 : 0;
		int64_t disp = mod == 0 ? 0 : mod == 1 ? (int8_t)rnd(g->r, 256) : (int64_t)rnd(g->r, 0x10000) - 0x8000;
		addr_set(g, b, t - (uint64_t)disp, a32);
		g->mod = (uint8_t)mod, g->rmf = b & 7;
		if (b >= 8)
			g->rex |= 1;
		g->disp = disp, g->dsize = mod == 1 ? 1 : mod == 2 ? 4 : 0;
		return;
	}
	case 3: case 4: { /* SIB [base + idx*scale + disp8], or no base + disp32 */
		unsigned b = pick_areg(g), x;
		do
			x = pick_areg(g);
		while (x == b);
		unsigned sc = rnd(g->r, 4);
		uint64_t iv = rnd(g->r, 0x100);
		int64_t disp = (int8_t)rnd(g->r, 256);
		addr_set(g, x, iv, a32);
		g->rmf = 4;
		g->has_sib = true;
		if (x >= 8)
			g->rex |= 2;
		if (form == 3) {
			addr_set(g, b, t - (uint64_t)disp - (iv << sc), a32);
			g->mod = 1;
			g->sib = (uint8_t)(sc << 6 | (x & 7) << 3 | (b & 7));
			if (b >= 8)
				g->rex |= 1;
			g->disp = disp, g->dsize = 1;
		} else {
			g->mod = 0;
			g->sib = (uint8_t)(sc << 6 | (x & 7) << 3 | 5);
			g->disp = (int64_t)(t - (iv << sc)), g->dsize = 4;
		}
		return;
	}
	case 5: { /* [rsp + disp8] in the stack area */
		uint64_t sp = XD_STACK_TOP + (int64_t)g->sp;
		int64_t disp = (int8_t)rnd(g->r, 256);
		if (sp + (uint64_t)disp + size > XD_SCRATCH + XD_SCRATCH_SIZE)
			disp = -64;
		g->mod = 1, g->rmf = 4, g->has_sib = true, g->sib = 0x24;
		g->disp = disp, g->dsize = 1;
		return;
	}
	case 6: /* rip-relative */
		g->mod = 0, g->rmf = 5, g->riprel = true, g->target = t, g->dsize = 4;
		return;
	default: /* [disp32] through a SIB without base or index */
		g->mod = 0, g->rmf = 4, g->has_sib = true, g->sib = 0x25;
		g->disp = (int64_t)t, g->dsize = 4;
		return;
	}
}

/* ---- helpers for common shapes ---- */

static unsigned size_pick(struct gen *g, bool bytes)
{
	/* real mode: 1, 2, 4; 64-bit: 1, 2, 4, 8 */
	unsigned choices = g->m64 ? 4 : 3;
	unsigned s = 1u << rnd(g->r, choices);
	if (!bytes && s == 1)
		s = g->m64 ? 4 : 2;
	return s;
}

/* ModRM rm operand: a register (needs its value) or a data-area location. */
static void rm_operand(struct gen *g, unsigned size, bool dest, bool allow_mem, unsigned *rreg)
{
	if (allow_mem && rnd(g->r, 2)) {
		mem_operand(g, size, 1);
		*rreg = ~0u;
		return;
	}
	unsigned r = pick_opreg(g, size, dest);
	need_reg(g, gpr_of(r));
	set_rm_reg(g, r);
	*rreg = r;
}

static void reg_operand(struct gen *g, unsigned size, bool dest, unsigned *rreg)
{
	unsigned r = pick_opreg(g, size, dest);
	need_reg(g, gpr_of(r));
	set_regf(g, r);
	*rreg = r;
}

static uint64_t imm_of(struct gen *g, unsigned n)
{
	return rand_value(g) & (n == 8 ? ~0ull : ((1ull << (8 * n)) - 1));
}

/* ---- families ---- */

static void gen_alu(struct gen *g)
{
	unsigned op = rnd(g->r, 9), size = size_pick(g, true), rr;
	ib_size(g, size);
	if (op == 8) { /* test */
		need_flags(g, 0);
		switch (rnd(g->r, 3)) {
		case 0:
			ib_op(g, size == 1 ? 0x84 : 0x85);
			reg_operand(g, size, false, &rr);
			rm_operand(g, size, false, true, &rr);
			break;
		case 1:
			need_reg(g, 0);
			ib_op(g, size == 1 ? 0xa8 : 0xa9);
			g->imm = imm_of(g, size > 4 ? 4 : size), g->isize = size > 4 ? 4 : size;
			break;
		default:
			ib_op(g, size == 1 ? 0xf6 : 0xf7);
			rm_operand(g, size, false, true, &rr);
			g->regf = 0;
			g->imm = imm_of(g, size > 4 ? 4 : size), g->isize = size > 4 ? 4 : size;
		}
		ib_emit(g);
		flags_result(g, XD_ARITH & ~XD_AF, XD_AF);
		return;
	}
	bool logic = op == 1 || op == 4 || op == 6;
	if (op == 2 || op == 3)
		need_flags(g, XD_CF);
	bool lock = false;
	switch (rnd(g->r, 4)) {
	case 0: /* r/m, reg */
		ib_op(g, (uint8_t)(op * 8 + (size == 1 ? 0 : 1)));
		reg_operand(g, size, false, &rr);
		rm_operand(g, size, true, true, &rr);
		lock = rr == ~0u && op != 7;
		break;
	case 1: /* reg, r/m */
		ib_op(g, (uint8_t)(op * 8 + (size == 1 ? 2 : 3)));
		reg_operand(g, size, true, &rr);
		{
			unsigned r2;
			rm_operand(g, size, false, true, &r2);
		}
		break;
	case 2: /* accumulator, imm */
		need_reg(g, 0);
		ib_op(g, (uint8_t)(op * 8 + (size == 1 ? 4 : 5)));
		g->imm = imm_of(g, size > 4 ? 4 : size), g->isize = size > 4 ? 4 : size;
		break;
	default: { /* group 1: 80 / 81 / 83 */
		bool s8 = size != 1 && rnd(g->r, 2);
		ib_op(g, size == 1 ? 0x80 : s8 ? 0x83 : 0x81);
		rm_operand(g, size, true, true, &rr);
		g->regf = (uint8_t)op;
		lock = rr == ~0u && op != 7;
		unsigned is = size == 1 || s8 ? 1 : size > 4 ? 4 : size;
		g->imm = imm_of(g, is), g->isize = is;
	}
	}
	if (lock && rnd(g->r, 3) == 0)
		ib_pfx(g, 0xf0);
	ib_emit(g);
	if (logic)
		flags_result(g, XD_ARITH & ~XD_AF, XD_AF);
	else
		flags_result(g, XD_ARITH, 0);
}

static void gen_incdec(struct gen *g)
{
	unsigned size = size_pick(g, true), rr, k = rnd(g->r, 4);
	if (!g->m64 && size != 1 && k < 2 && rnd(g->r, 2)) {
		/* 40+r / 48+r short forms (REX prefixes in 64-bit mode) */
		ib_size(g, size);
		unsigned r = pick_reg(g) & 7;
		if (r == 4)
			r = 5;
		need_reg(g, r);
		ib_op(g, (uint8_t)(0x40 + k * 8 + r));
		ib_emit(g);
		flags_result(g, XD_ARITH & ~XD_CF, 0);
		return;
	}
	ib_size(g, size);
	ib_op(g, k < 2 ? (size == 1 ? 0xfe : 0xff) : (size == 1 ? 0xf6 : 0xf7));
	rm_operand(g, size, true, true, &rr);
	g->regf = (uint8_t)(k < 2 ? k : k + 0); /* 0 inc, 1 dec, 2 not, 3 neg */
	if (rr == ~0u && rnd(g->r, 4) == 0)
		ib_pfx(g, 0xf0);
	ib_emit(g);
	if (k < 2)
		flags_result(g, XD_ARITH & ~XD_CF, 0);
	else if (k == 3)
		flags_result(g, XD_ARITH, 0);
}

static void gen_shift(struct gen *g)
{
	static const uint8_t ops[] = {0, 1, 2, 3, 4, 5, 7};
	unsigned op = ops[rnd(g->r, 7)], size = size_pick(g, true), rr, form = rnd(g->r, 3);
	unsigned count;
	unsigned bits = size * 8;
	if (form == 0)
		count = 1;
	else
		count = rnd(g->r, 4) == 0 ? rnd(g->r, 256) : rnd(g->r, bits + 2);
	if (form == 2) {
		need_all_regs(g); /* so no later definition overwrites cl */
		put(g, 0xb1); /* mov cl, count */
		put(g, (uint8_t)count);
		g->avoid |= 1u << 1; /* an address must not reuse rcx */
	}
	unsigned c = count & (size == 8 ? 63 : 31);
	if (c && (op == 2 || op == 3))
		need_flags(g, XD_CF);
	ib_size(g, size);
	ib_op(g, (uint8_t)((form == 0 ? 0xd0 : form == 1 ? 0xc0 : 0xd2) + (size == 1 ? 0 : 1)));
	rm_operand(g, size, true, true, &rr);
	g->regf = (uint8_t)op;
	if (form == 1)
		g->imm = count, g->isize = 1;
	ib_emit(g);
	if (!c)
		return;
	if (op <= 3) { /* rotates: CF, OF (count 1 only) */
		flags_result(g, XD_CF | (c == 1 ? XD_OF : 0), c == 1 ? 0 : XD_OF);
		return;
	}
	uint32_t undef = XD_AF | (c == 1 ? 0 : XD_OF);
	if (c >= bits && op != 7)
		undef |= XD_CF;
	flags_result(g, XD_ARITH & ~undef, undef);
}

static void gen_shxd(struct gen *g)
{
	unsigned size = g->m64 ? (rnd(g->r, 3) == 0 ? 2 : rnd(g->r, 2) ? 4 : 8) : (rnd(g->r, 2) ? 2 : 4);
	unsigned bits = size * 8, rr, count;
	bool right = rnd(g->r, 2), cl = rnd(g->r, 2);
	/* counts above the operand size (16-bit only) leave the result undefined */
	count = rnd(g->r, 4) == 0 ? rnd(g->r, 256) : rnd(g->r, bits + 1);
	unsigned c = count & (size == 8 ? 63 : 31);
	if (size == 2 && c > 16) {
		count = 16;
		c = 16;
	}
	if (cl) {
		need_all_regs(g);
		put(g, 0xb1);
		put(g, (uint8_t)count);
		g->avoid |= 1u << 1;
	}
	ib_size(g, size);
	ib_op(g, 0x0f);
	ib_op(g, (uint8_t)((right ? 0xac : 0xa4) + (cl ? 1 : 0)));
	reg_operand(g, size, false, &rr);
	rm_operand(g, size, true, true, &rr);
	if (!cl)
		g->imm = count, g->isize = 1;
	ib_emit(g);
	if (!c)
		return;
	uint32_t undef = XD_AF | (c == 1 ? 0 : XD_OF);
	if (c >= bits) /* 16-bit count of exactly 16: CF undefined too */
		undef |= XD_CF | XD_OF;
	flags_result(g, XD_ARITH & ~undef, undef);
}

static void gen_muldiv(struct gen *g)
{
	unsigned k = rnd(g->r, 7), size = size_pick(g, k < 4), rr;
	need_reg(g, 0);
	need_reg(g, 2);
	if (k >= 6 && rnd(g->r, 2) && size > 1) {
		/* make #DE rarer: a small dividend high half */
		set_reg(g, 2, rnd(g->r, 3));
	}
	ib_size(g, size);
	if (k == 4) { /* imul r, r/m */
		ib_op(g, 0x0f), ib_op(g, 0xaf);
		reg_operand(g, size, true, &rr);
		rm_operand(g, size, false, true, &rr);
	} else if (k == 5) { /* imul r, r/m, imm8/imm */
		bool s8 = rnd(g->r, 2);
		ib_op(g, s8 ? 0x6b : 0x69);
		reg_operand(g, size, true, &rr);
		rm_operand(g, size, false, true, &rr);
		unsigned is = s8 ? 1 : size > 4 ? 4 : size;
		g->imm = imm_of(g, is), g->isize = is;
	} else {
		/* f6/f7 /4 mul /5 imul /6 div /7 idiv */
		unsigned f = k < 4 ? 4 + (k & 1) : 6 + (k & 1);
		ib_op(g, size == 1 ? 0xf6 : 0xf7);
		rm_operand(g, size, false, true, &rr);
		g->regf = (uint8_t)f;
		if (f >= 6) {
			ib_emit(g);
			flags_result(g, 0, XD_ARITH);
			return;
		}
	}
	ib_emit(g);
	flags_result(g, XD_CF | XD_OF, XD_SF | XD_ZF | XD_AF | XD_PF);
}

static void gen_bit(struct gen *g)
{
	unsigned size = g->m64 ? (2u << rnd(g->r, 3)) : (2u << rnd(g->r, 2)), rr;
	unsigned op = rnd(g->r, 4); /* bt bts btr btc */
	bool imm = rnd(g->r, 2);
	ib_size(g, size);
	ib_op(g, 0x0f);
	if (imm) {
		ib_op(g, 0xba);
		rm_operand(g, size, op != 0, true, &rr);
		g->regf = (uint8_t)(4 + op);
		g->imm = rnd(g->r, 256), g->isize = 1;
	} else {
		ib_op(g, (uint8_t)(0xa3 + 8 * op));
		/* with a memory operand the register is a signed bit offset: keep it
		 * small so the access stays in the data area (the area's start is
		 * at least 64 bytes in, so -256..255 bits is fine) */
		unsigned r = pick_opreg(g, size, false);
		bool mem = rnd(g->r, 2);
		if (mem) {
			int64_t off = (int64_t)rnd(g->r, 512) - 256;
			set_reg(g, gpr_of(r), (uint64_t)off & (size == 2 ? 0xffff : size == 4 ? 0xffffffffull : ~0ull));
			set_regf(g, r);
			g->avoid |= 1u << gpr_of(r);
			mem_operand(g, size, 1);
		} else {
			set_regf(g, r);
			need_reg(g, gpr_of(r));
			unsigned r2;
			rm_operand(g, size, op != 0, false, &r2);
		}
	}
	if (op && g->mod != 3 && rnd(g->r, 3) == 0)
		ib_pfx(g, 0xf0);
	ib_emit(g);
	flags_result(g, XD_CF, XD_OF | XD_SF | XD_AF | XD_PF);
}

static void gen_bsf(struct gen *g)
{
	unsigned size = g->m64 ? (2u << rnd(g->r, 3)) : (2u << rnd(g->r, 2)), rr, rd;
	ib_size(g, size);
	ib_op(g, 0x0f), ib_op(g, rnd(g->r, 2) ? 0xbc : 0xbd);
	reg_operand(g, size, true, &rd);
	rm_operand(g, size, false, true, &rr);
	ib_emit(g);
	/* a zero source leaves the destination undefined */
	g->rpoison |= 1u << gpr_of(rd);
	flags_result(g, XD_ZF, XD_CF | XD_OF | XD_SF | XD_AF | XD_PF);
}

static uint32_t cc_reads(unsigned cc)
{
	static const uint32_t f[8] = {XD_OF, XD_CF, XD_ZF, XD_CF | XD_ZF, XD_SF, XD_PF,
				      XD_SF | XD_OF, XD_SF | XD_OF | XD_ZF};
	return f[(cc >> 1) & 7];
}

static void gen_setcc(struct gen *g)
{
	unsigned cc = rnd(g->r, 16), rr;
	need_flags(g, cc_reads(cc));
	ib_op(g, 0x0f), ib_op(g, (uint8_t)(0x90 + cc));
	rm_operand(g, 1, true, true, &rr);
	g->regf = (uint8_t)rnd(g->r, 8); /* reg field is ignored */
	ib_emit(g);
}

static void gen_cmov(struct gen *g)
{
	unsigned cc = rnd(g->r, 16), size = g->m64 ? (2u << rnd(g->r, 3)) : (2u << rnd(g->r, 2)), rr;
	need_flags(g, cc_reads(cc));
	ib_size(g, size);
	ib_op(g, 0x0f), ib_op(g, (uint8_t)(0x40 + cc));
	reg_operand(g, size, true, &rr);
	rm_operand(g, size, false, true, &rr);
	ib_emit(g);
}

static void gen_bswap(struct gen *g)
{
	unsigned r = pick_reg(g), size = g->m64 && rnd(g->r, 2) ? 8 : 4;
	need_reg(g, r);
	ib_size(g, size);
	if (r >= 8)
		g->rex |= 1;
	ib_op(g, 0x0f), ib_op(g, (uint8_t)(0xc8 + (r & 7)));
	ib_emit(g);
}

static void gen_xchg(struct gen *g)
{
	unsigned size = size_pick(g, true), rr, k = rnd(g->r, 3);
	if (k == 0 && size != 1) { /* 90+r: xchg with the accumulator */
		unsigned r = pick_reg(g);
		if (r == 0)
			r = 1;
		need_reg(g, 0);
		need_reg(g, r);
		ib_size(g, size);
		if (r >= 8)
			g->rex |= 1;
		ib_op(g, (uint8_t)(0x90 + (r & 7)));
		ib_emit(g);
		return;
	}
	ib_size(g, size);
	if (k == 1) {
		ib_op(g, size == 1 ? 0x86 : 0x87);
	} else {
		ib_op(g, 0x0f), ib_op(g, size == 1 ? 0xc0 : 0xc1); /* xadd */
	}
	reg_operand(g, size, true, &rr);
	rm_operand(g, size, true, true, &rr);
	if (k == 2 && rr == ~0u && rnd(g->r, 2))
		ib_pfx(g, 0xf0);
	ib_emit(g);
	if (k == 2)
		flags_result(g, XD_ARITH, 0);
}

static void gen_cmpxchg(struct gen *g)
{
	unsigned rr;
	if (rnd(g->r, 4) == 0) { /* cmpxchg8b / cmpxchg16b m */
		bool w = g->m64 && rnd(g->r, 2);
		need_reg(g, 0), need_reg(g, 1), need_reg(g, 2), need_reg(g, 3);
		/* the compare value often matches the memory: load it */
		g->avoid = 0xf;
		ib_start(g);
		g->avoid = 0xf;
		if (w)
			g->rexw = true;
		ib_op(g, 0x0f), ib_op(g, 0xc7);
		mem_operand(g, w ? 16 : 8, w ? 16 : 1);
		g->regf = 1;
		if (rnd(g->r, 2))
			ib_pfx(g, 0xf0);
		ib_emit(g);
		flags_result(g, XD_ZF, 0);
		return;
	}
	unsigned size = size_pick(g, true);
	need_reg(g, 0);
	ib_size(g, size);
	ib_op(g, 0x0f), ib_op(g, size == 1 ? 0xb0 : 0xb1);
	reg_operand(g, size, false, &rr);
	rm_operand(g, size, true, true, &rr);
	if (rr == ~0u && rnd(g->r, 2))
		ib_pfx(g, 0xf0);
	ib_emit(g);
	flags_result(g, XD_ARITH, 0);
}

static void gen_lea(struct gen *g)
{
	unsigned size = g->m64 ? (2u << rnd(g->r, 3)) : (2u << rnd(g->r, 2)), rr;
	ib_size(g, size);
	ib_op(g, 0x8d);
	reg_operand(g, size, true, &rr);
	if (rnd(g->r, 2)) {
		mem_operand(g, 1, 1);
	} else {
		/* lea never touches memory: any registers, any displacement */
		g->has_modrm = true;
		bool a16 = !g->m64;
		if (rnd(g->r, 4) == 0) {
			ib_pfx(g, 0x67); /* real mode: 32-bit forms; 64-bit: still 32-bit forms */
			a16 = false;
		}
		g->mod = (uint8_t)rnd(g->r, 3);
		g->rmf = (uint8_t)rnd(g->r, 8);
		if (!a16 && g->m64)
			g->rex |= (uint8_t)rnd(g->r, 4) & 3;
		if (a16) {
			need_all_regs(g);
			if (g->mod == 0 && g->rmf == 6)
				g->dsize = 2;
			else
				g->dsize = g->mod == 1 ? 1 : g->mod == 2 ? 2 : 0;
		} else {
			need_all_regs(g);
			if (g->rmf == 4) {
				g->has_sib = true;
				g->sib = (uint8_t)rnd(g->r, 256);
				if ((g->sib & 7) == 5 && g->mod == 0)
					g->dsize = 4;
			}
			if (g->mod == 0 && g->rmf == 5)
				g->dsize = 4, g->riprel = g->m64, g->target = xd_rand(g->r) & 0xffffff;
			if (g->mod)
				g->dsize = g->mod == 1 ? 1 : 4;
		}
		g->disp = (int64_t)xd_rand(g->r);
		if (g->dsize < 8)
			g->disp &= (1ll << (8 * g->dsize)) - 1;
	}
	ib_emit(g);
}

static void gen_mov(struct gen *g)
{
	unsigned size = size_pick(g, true), rr, k = rnd(g->r, 5);
	ib_size(g, size);
	switch (k) {
	case 0: case 1:
		ib_op(g, (uint8_t)((k ? 0x8a : 0x88) + (size == 1 ? 0 : 1)));
		reg_operand(g, size, k == 1, &rr);
		rm_operand(g, size, k == 0, true, &rr);
		break;
	case 2: { /* c6/c7 /0 imm */
		ib_op(g, size == 1 ? 0xc6 : 0xc7);
		rm_operand(g, size, true, true, &rr);
		g->regf = 0;
		unsigned is = size > 4 ? 4 : size;
		g->imm = imm_of(g, is), g->isize = is;
		break;
	}
	case 3: { /* b0+r / b8+r, imm64 with REX.W */
		unsigned r = pick_opreg(g, size, true);
		unsigned c = code_of(r);
		if (c >= 8)
			g->rex |= 1;
		ib_op(g, (uint8_t)((size == 1 ? 0xb0 : 0xb8) + (c & 7)));
		g->imm = imm_of(g, size), g->isize = size;
		break;
	}
	default: { /* a0-a3: accumulator and a direct offset */
		bool store = rnd(g->r, 2);
		need_reg(g, 0);
		ib_op(g, (uint8_t)(0xa0 + (store ? 2 : 0) + (size == 1 ? 0 : 1)));
		uint64_t t = XD_DATA + rnd(g->r, 0x1000 - 8);
		if (rnd(g->r, 5) == 0 && g->m64) {
			ib_pfx(g, 0x67);
			g->imm = t, g->isize = 4;
		} else {
			g->imm = t, g->isize = g->m64 ? 8 : 2;
		}
	}
	}
	ib_emit(g);
}

static void gen_movx(struct gen *g)
{
	unsigned k = rnd(g->r, g->m64 ? 5 : 4), rr;
	if (k == 4) { /* movsxd r64, r/m32 */
		g->rexw = true;
		ib_op(g, 0x63);
		reg_operand(g, 8, true, &rr);
		rm_operand(g, 4, false, true, &rr);
		ib_emit(g);
		return;
	}
	bool word = k & 1; /* source 16-bit */
	unsigned size = word ? (g->m64 ? (4u << rnd(g->r, 2)) : 4) : (g->m64 ? (2u << rnd(g->r, 3)) : (2u << rnd(g->r, 2)));
	ib_size(g, size);
	ib_op(g, 0x0f), ib_op(g, (uint8_t)((k & 2 ? 0xbe : 0xb6) + (word ? 1 : 0)));
	reg_operand(g, size, true, &rr);
	rm_operand(g, word ? 2 : 1, false, true, &rr);
	ib_emit(g);
}

static void gen_stack(struct gen *g)
{
	unsigned k = rnd(g->r, 6), rr;
	unsigned w = g->m64 ? 8 : 2;
	bool o16 = rnd(g->r, 5) == 0;
	if (!g->m64 && rnd(g->r, 3) == 0)
		w = 4, o16 = false;
	if (o16 && g->m64)
		w = 2;
	if (g->cond || g->sp < -0x600 || g->sp > 0x600)
		return;
	if (w == 4 || (g->m64 && w == 2))
		ib_pfx(g, 0x66);
	switch (k) {
	case 0: { /* push r / pop r */
		unsigned r = pick_reg(g);
		bool pop = rnd(g->r, 2);
		if (pop && g->sp >= 0)
			pop = false;
		if (!pop)
			need_reg(g, r);
		if (r >= 8)
			g->rex |= 1;
		ib_op(g, (uint8_t)((pop ? 0x58 : 0x50) + (r & 7)));
		g->sp += pop ? (int)w : -(int)w;
		break;
	}
	case 1: /* push imm8 / imm */
		if (rnd(g->r, 2))
			ib_op(g, 0x6a), g->imm = rnd(g->r, 256), g->isize = 1;
		else
			ib_op(g, 0x68), g->imm = imm_of(g, w == 2 ? 2 : 4), g->isize = w == 2 ? 2 : 4;
		g->sp -= (int)w;
		break;
	case 2: /* push r/m */
		ib_op(g, 0xff);
		rm_operand(g, w, false, true, &rr);
		g->regf = 6;
		g->sp -= (int)w;
		break;
	case 3: /* pop r/m (memory): address computed after the pop */
		if (g->sp >= 0)
			return;
		ib_op(g, 0x8f);
		rm_operand(g, w, true, true, &rr);
		g->regf = 0;
		g->sp += (int)w;
		break;
	case 4: /* pushf */
		need_flags(g, XD_ARITH);
		ib_op(g, 0x9c);
		g->sp -= (int)w;
		break;
	default: /* push imm; popf with chosen arithmetic flags and DF */
		g->npfx = 0;
		if (g->m64) {
			put(g, 0x68);
			putn(g, (uint32_t)(xd_rand(g->r) & (XD_ARITH | XD_DF)) | 2, 4);
		} else {
			put(g, 0x68);
			putn(g, (uint16_t)((xd_rand(g->r) & (XD_ARITH | XD_DF)) | 2), 2);
		}
		ib_op(g, 0x9d);
		flags_result(g, XD_ARITH, 0);
		break;
	}
	ib_emit(g);
}

static void gen_string(struct gen *g)
{
	/* a4 movs, a6 cmps, aa stos, ac lods, ae scas; +1 for word sizes */
	static const uint8_t ops[] = {0xa4, 0xa6, 0xaa, 0xac, 0xae};
	unsigned k = rnd(g->r, 5), size = size_pick(g, true);
	bool a32 = rnd(g->r, 4) == 0; /* 67: the other address size */
	unsigned rep = rnd(g->r, 3); /* 0 none, 1 f3, 2 f2 */
	unsigned count = rnd(g->r, 9);
	bool down = rnd(g->r, 2);

	/* defined values first: the moves below must not be overwritten */
	need_reg(g, 0), need_reg(g, 1), need_reg(g, 6), need_reg(g, 7);
	put(g, down ? 0xfd : 0xfc); /* std / cld: a defined DF */
	g->fpoison &= ~(uint32_t)XD_DF;
	/* pointers: source and destination blocks, apart, with room either way */
	uint64_t src = XD_DATA + 0x100 + rnd(g->r, 0x600), dst = XD_DATA + 0x900 + rnd(g->r, 0x500);
	unsigned mode_a = g->m64 ? (a32 ? 4 : 8) : (a32 ? 4 : 2);
	if (mode_a == 2) {
		put(g, 0xbe), putn(g, src, 2); /* mov si, src */
		put(g, 0xbf), putn(g, dst, 2); /* mov di, dst */
		if (rep)
			put(g, 0xb9), putn(g, count, 2);
	} else {
		set_reg(g, 6, src);
		set_reg(g, 7, dst);
		if (rep)
			set_reg(g, 1, mode_a == 4 ? (xd_rand(g->r) << 32 | count) & (g->m64 ? ~0ull : 0xffffffff) : count);
	}
	if (rep && (k == 1 || k == 4))
		need_flags(g, 0);
	ib_size(g, size);
	if (a32)
		ib_pfx(g, 0x67);
	if (rep)
		ib_pfx(g, rep == 1 ? 0xf3 : 0xf2);
	if ((k == 0 || k == 1 || k == 3) && rnd(g->r, 6) == 0) {
		static const uint8_t segs[] = {0x26, 0x36, 0x3e, 0x64, 0x65};
		ib_pfx(g, segs[rnd(g->r, 5)]);
	}
	ib_op(g, (uint8_t)(ops[k] + (size == 1 ? 0 : 1)));
	ib_emit(g);
	if (k == 1 || k == 4) {
		if (!rep || count)
			flags_result(g, XD_ARITH, 0);
	}
}

static void gen_bcd(struct gen *g)
{
	unsigned k = rnd(g->r, 6);
	need_reg(g, 0);
	switch (k) {
	case 0: case 1: /* daa das */
		need_flags(g, XD_CF | XD_AF);
		put(g, k ? 0x2f : 0x27);
		flags_result(g, XD_ARITH & ~XD_OF, XD_OF);
		break;
	case 2: case 3: /* aaa aas */
		need_flags(g, XD_AF);
		put(g, k == 3 ? 0x3f : 0x37);
		flags_result(g, XD_CF | XD_AF, XD_OF | XD_SF | XD_ZF | XD_PF);
		break;
	default: /* aam / aad with a base (0 faults: #DE for aam) */
		put(g, k == 4 ? 0xd4 : 0xd5);
		put(g, rnd(g->r, 8) == 0 ? (uint8_t)rnd(g->r, 3) : rnd(g->r, 2) ? 10 : (uint8_t)rnd(g->r, 256));
		flags_result(g, XD_SF | XD_ZF | XD_PF, XD_OF | XD_AF | XD_CF);
	}
}

static void gen_conv(struct gen *g)
{
	unsigned size = g->m64 ? (2u << rnd(g->r, 3)) : (2u << rnd(g->r, 2));
	need_reg(g, 0);
	need_reg(g, 2);
	ib_size(g, size);
	ib_op(g, rnd(g->r, 2) ? 0x98 : 0x99);
	ib_emit(g);
}

static void gen_flags(struct gen *g)
{
	switch (rnd(g->r, 6)) {
	case 0: put(g, 0xf8); flags_result(g, XD_CF, 0); break; /* clc */
	case 1: put(g, 0xf9); flags_result(g, XD_CF, 0); break; /* stc */
	case 2: need_flags(g, XD_CF); put(g, 0xf5); break;     /* cmc */
	case 3: put(g, rnd(g->r, 2) ? 0xfc : 0xfd); break;      /* cld std */
	case 4: /* lahf */
		need_flags(g, XD_SF | XD_ZF | XD_AF | XD_PF | XD_CF);
		need_reg(g, 0);
		put(g, 0x9f);
		break;
	default: /* sahf */
		need_reg(g, 0);
		put(g, 0x9e);
		flags_result(g, XD_SF | XD_ZF | XD_AF | XD_PF | XD_CF, 0);
	}
}

/* A forward jump over the next 0-3 chunks: jcc rel8/rel32, jmp, loop,
 * jcxz. The skipped chunks become a region whose poison is united with the
 * path that jumps. */
static void gen_jcc(struct gen *g)
{
	unsigned k = rnd(g->r, 5), skip = rnd(g->r, 3);
	bool near = rnd(g->r, 2);
	if (g->njmp == MAX_JUMPS || g->nreg == MAX_REGIONS)
		return;
	struct jump *j = &g->jmp[g->njmp];
	if (k == 3 || k == 4) { /* loop/loope/loopne, jcxz: rel8 only */
		need_reg(g, 1);
		if (k == 3) {
			unsigned v = rnd(g->r, 3);
			if (v)
				need_flags(g, XD_ZF);
			put(g, (uint8_t)(0xe2 - v));
		} else {
			put(g, 0xe3);
		}
		near = false;
	} else if (k == 2) {
		put(g, near ? 0xe9 : 0xeb);
	} else {
		unsigned cc = rnd(g->r, 16);
		need_flags(g, cc_reads(cc));
		if (near)
			put(g, 0x0f), put(g, (uint8_t)(0x80 + cc));
		else
			put(g, (uint8_t)(0x70 + cc));
	}
	unsigned dsz = near ? (g->m64 ? 4 : 2) : 1;
	j->patch = g->s->len;
	j->size = dsz;
	putn(g, 0, dsz);
	j->from = g->s->len;
	j->target = g->chunk + 1 + skip;
	g->njmp++;
	/* the chunks in between may not run */
	struct region *rg = &g->reg[g->nreg++];
	rg->end_chunk = j->target;
	rg->fpoison = g->fpoison;
	rg->rpoison = g->rpoison;
	g->cond++;
}

static void gen_sse(struct gen *g)
{
	/* moves between XMM registers and memory: movaps/movups (0f 28/29,
	 * 0f 10/11), movdqa/movdqu (66/f3 0f 6f/7f), movd/movq, movss/movsd */
	unsigned k = rnd(g->r, 7), x = rnd(g->r, g->m64 ? 16 : 8), rr;
	bool store = rnd(g->r, 2);
	g->s->uses_sse = true;
	switch (k) {
	case 0: ib_op(g, 0x0f), ib_op(g, store ? 0x29 : 0x28); break;
	case 1: ib_op(g, 0x0f), ib_op(g, store ? 0x11 : 0x10); break;
	case 2: ib_pfx(g, 0x66), ib_op(g, 0x0f), ib_op(g, store ? 0x7f : 0x6f); break;
	case 3: ib_pfx(g, 0xf3), ib_op(g, 0x0f), ib_op(g, store ? 0x7f : 0x6f); break;
	case 4: ib_pfx(g, 0x66), ib_op(g, 0x0f), ib_op(g, store ? 0x7e : 0x6e); /* movd/movq r/m */
		if (g->m64 && rnd(g->r, 2))
			g->rexw = true;
		break;
	case 5: ib_pfx(g, 0xf3), ib_op(g, 0x0f), ib_op(g, store ? 0x11 : 0x10); break;
	default: ib_pfx(g, 0xf2), ib_op(g, 0x0f), ib_op(g, store ? 0x11 : 0x10); break;
	}
	if (x >= 8)
		g->rex |= 4;
	g->has_modrm = true;
	g->regf = x & 7;
	unsigned size = k == 4 ? (g->rexw ? 8 : 4) : k == 5 ? 4 : k == 6 ? 8 : 16;
	if (k == 4 && rnd(g->r, 2)) {
		unsigned r = pick_opreg(g, 4, !store);
		r = gpr_of(r) == 4 ? 5 : gpr_of(r);
		need_reg(g, r);
		set_rm_reg(g, r);
	} else if (rnd(g->r, 3) == 0 && k != 4) {
		unsigned y = rnd(g->r, g->m64 ? 16 : 8);
		g->mod = 3, g->rmf = y & 7;
		if (y >= 8)
			g->rex |= 1;
	} else {
		mem_operand(g, size, (k == 0 || k == 2) ? 16 : 1);
	}
	(void)rr;
	ib_emit(g);
}

/* ---- control transfers and segments ---- */

/* jmp rel8 over the code emitted until jmp_over_end. */
static size_t jmp_over_begin(struct gen *g)
{
	put(g, 0xeb);
	put(g, 0);
	return g->s->len;
}

static void jmp_over_end(struct gen *g, size_t from)
{
	g->s->code[from - 1] = (uint8_t)(g->s->len - from);
}

/* Code that must not run: a wrong jump target changes AX. */
static void dead_code(struct gen *g)
{
	for (unsigned i = rnd(g->r, 3); i-- > 0;)
		put(g, 0x40); /* inc ax (real mode; REX in 64-bit mode, then the next one) */
	if (g->m64)
		put(g, 0x90);
}

/* The address code offset off is called or jumped to at. */
static uint64_t code_addr(struct gen *g, size_t off) { return g->m64 ? XD_CODE + off : off; }

/* Stores register r (size bytes) to a data location and leaves the ModRM
 * fields pointing there, so the next instruction can use the same operand. */
static void store_then(struct gen *g, unsigned r, unsigned size)
{
	ib_start(g);
	g->avoid = 1u << r;
	if (size == 8)
		g->rexw = true;
	else if (size == 4)
		ib_pfx(g, 0x66);
	ib_op(g, 0x89);
	mem_operand(g, size, 1);
	g->regf = r & 7;
	if (r >= 8)
		g->rex |= 4;
	ib_emit(g);
	g->rex &= (uint8_t)~4u;
	g->rexw = false;
	g->nop = 0;
	unsigned j = 0; /* keep the segment and address size prefixes only */
	for (unsigned i = 0; i < g->npfx; i++)
		if (g->pfx[i] != 0x66)
			g->pfx[j++] = g->pfx[i];
	g->npfx = j;
}

/* Pushes n words of w bytes (ret imm16 drops them again). */
static void push_words(struct gen *g, unsigned n, unsigned w)
{
	for (unsigned i = 0; i < n; i++) {
		if ((w == 4 && !g->m64) || (w == 2 && g->m64))
			put(g, 0x66);
		put(g, 0x6a), put(g, (uint8_t)rnd(g->r, 256));
	}
}

/* A subroutine that is jumped over: maybe a body (it runs once, by the
 * call), then its return, ret_op (c3 near, cb far), or with drop words of
 * w bytes the imm16 form before it (c2, ca), which drops them; then the
 * pushes of those words. Returns the subroutine's offset. */
static size_t gen_subroutine(struct gen *g, bool o32, uint8_t ret_op, unsigned drop, unsigned w)
{
	size_t j = jmp_over_begin(g);
	size_t sub = g->s->len;
	if (rnd(g->r, 2))
		set_reg(g, pick_reg(g), rand_value(g));
	if (o32)
		put(g, 0x66);
	if (drop)
		put(g, (uint8_t)(ret_op - 1)), putn(g, drop * w, 2);
	else
		put(g, ret_op);
	jmp_over_end(g, j);
	push_words(g, drop, w);
	return sub;
}

/* Near call and ret: a subroutine that is jumped over, then called through
 * rel, a register or memory; `ret imm16` drops words pushed before the
 * call. Real mode sometimes with o32 on both (4-byte return address). */
static void gen_call(struct gen *g)
{
	bool o32 = !g->m64 && rnd(g->r, 4) == 0;
	unsigned w = g->m64 ? 8 : o32 ? 4 : 2, form = rnd(g->r, 3);
	unsigned drop = rnd(g->r, 2) ? 0 : 1 + rnd(g->r, 3);
	if (g->sp < -0x600)
		return;
	size_t sub = gen_subroutine(g, o32, 0xc3, drop, w);
	uint64_t target = code_addr(g, sub);
	if (form == 0) {
		if (o32)
			put(g, 0x66);
		put(g, 0xe8);
		unsigned dsz = g->m64 || o32 ? 4 : 2;
		putn(g, (uint64_t)((int64_t)sub - (int64_t)(g->s->len + dsz)), dsz);
		return;
	}
	unsigned r = pick_reg(g);
	set_reg(g, r, target);
	if (form == 1) {
		if (o32)
			put(g, 0x66);
		if (r >= 8)
			put(g, 0x41);
		put(g, 0xff), put(g, (uint8_t)(0xd0 | (r & 7)));
		return;
	}
	g->sp -= (int)(drop * w); /* a [rsp] operand sees the pushed words */
	store_then(g, r, w);
	g->sp += (int)(drop * w);
	if (o32)
		ib_pfx(g, 0x66);
	ib_op(g, 0xff);
	g->regf = 2;
	ib_emit(g);
}

/* enter size, level then leave: a frame built and torn down; levels above
 * 1 copy frame pointers from below the old BP, which points at data. */
static void gen_enter(struct gen *g)
{
	/* 64-bit: sometimes a 16-bit frame. Real mode has no o32 form here:
	 * this host's KVM runs real-mode enter in its emulator, which pushes
	 * (E)BP with the stack size instead of the operand size. */
	bool o = g->m64 && rnd(g->r, 4) == 0;
	unsigned w = g->m64 ? (o ? 2 : 8) : (o ? 4 : 2);
	unsigned size = rnd(g->r, 4) == 0 ? rnd(g->r, 0x100) : rnd(g->r, 4) * w;
	unsigned level = rnd(g->r, 8) == 0 ? rnd(g->r, 256) : rnd(g->r, 4);
	/* real mode on this host: KVM emulates enter and gives up on a
	 * nesting level (the run is skipped), so mostly level 0 there */
	if (!g->m64 && rnd(g->r, 8))
		level = 0;
	if (g->sp < -0x600)
		return;
	if ((level & 31) > 1 || (g->m64 && o))
		set_reg(g, 5, (XD_DATA + 0x200 + rnd(g->r, 0xc00)) & ~(uint64_t)(w - 1));
	else
		need_reg(g, 5);
	if (o)
		put(g, 0x66);
	put(g, 0xc8), putn(g, size, 2), put(g, (uint8_t)level);
	if (o)
		put(g, 0x66);
	put(g, 0xc9);
}

/* pusha/popa (real mode; 60/61 are invalid in 64-bit mode): a pair around
 * clobbered registers, or one alone. */
static void gen_pusha(struct gen *g)
{
	bool o = rnd(g->r, 3) == 0;
	unsigned w = o ? 4 : 2, k = rnd(g->r, 3);
	if (k && (g->cond || g->sp < -0x500 || (k == 2 && g->sp > -8 * (int)w)))
		k = 0;
	if (k != 2) {
		need_all_regs(g); /* their values go to memory */
		if (o)
			put(g, 0x66);
		put(g, 0x60);
		g->sp -= (int)(k ? 8 * w : 0);
		if (k)
			return;
		for (unsigned i = rnd(g->r, 3); i-- > 0;)
			set_reg(g, pick_reg(g), rand_value(g));
	} else {
		g->sp += (int)(8 * w);
	}
	if (o)
		put(g, 0x66);
	put(g, 0x61);
	if (o || k == 0)
		g->rpoison &= ~0xefu; /* every register but SP from the stack */
}

/* xlat: AL = [seg:(E/R)BX + AL]. */
static void gen_xlat(struct gen *g)
{
	bool a32 = rnd(g->r, 4) == 0;
	uint64_t bx = XD_DATA + rnd(g->r, 0x1000 - 256);
	need_reg(g, 0);
	addr_set(g, 3, bx, a32 || g->m64);
	if (rnd(g->r, 4) == 0) {
		static const uint8_t segs[] = {0x26, 0x36, 0x3e, 0x64, 0x65};
		put(g, segs[rnd(g->r, 5)]);
	}
	if (a32)
		put(g, 0x67);
	if (g->m64 && rnd(g->r, 4) == 0)
		put(g, 0x48);
	put(g, 0xd7);
}

/* Zeroes the 4 bytes below SP: an o32 push of a segment register may
 * write only its low 16 bits of the slot (SDM: PUSH). */
static void zero_below_sp(struct gen *g)
{
	put(g, 0x66), put(g, 0x6a), put(g, 0);                     /* push dword 0 */
	put(g, 0x67), put(g, 0x66), put(g, 0x8d), put(g, 0x64), put(g, 0x24), put(g, 4); /* lea esp,[esp+4] */
}

/* Real mode far call, far ret and far jmp, all into CS = XD_REAL_CS. */
static void gen_far(struct gen *g)
{
	unsigned form = rnd(g->r, 5);
	bool o32 = form <= 2 && rnd(g->r, 4) == 0 && form != 1;
	unsigned w = o32 ? 4 : 2;
	if (g->sp < -0x600)
		return;
	if (form <= 1) { /* call far ptr16:16 / m16:16 to a retf (imm16) */
		unsigned drop = rnd(g->r, 2) ? 0 : 1 + rnd(g->r, 3);
		size_t sub = gen_subroutine(g, o32, 0xcb, drop, w);
		if (o32)
			zero_below_sp(g);
		if (form == 0) {
			if (o32)
				put(g, 0x66);
			put(g, 0x9a), putn(g, sub, w), putn(g, XD_REAL_CS, 2);
			return;
		}
		unsigned r = pick_reg(g);
		set_reg(g, r, sub | (uint64_t)XD_REAL_CS << 16);
		store_then(g, r, 4);
		ib_op(g, 0xff);
		g->regf = 3;
		ib_emit(g);
		return;
	}
	if (form == 2 || form == 3) { /* jmp far ptr16:16 / m16:16, forward */
		size_t at = 0;
		unsigned r = 0;
		if (form == 2) {
			if (o32)
				put(g, 0x66);
			put(g, 0xea);
			at = g->s->len;
			putn(g, 0, w), putn(g, XD_REAL_CS, 2);
		} else {
			/* the target is known once the jump is emitted: set it after */
			r = pick_reg(g);
			set_reg(g, r, 0);
			at = g->s->len - 4;
			store_then(g, r, 4);
			ib_op(g, 0xff);
			g->regf = 5;
			ib_emit(g);
		}
		dead_code(g);
		uint64_t t = g->s->len;
		if (form == 3)
			t |= (uint64_t)XD_REAL_CS << 16;
		for (unsigned b = 0; b < (form == 2 ? w : 4); b++)
			g->s->code[at + b] = (uint8_t)(t >> (8 * b));
		return;
	}
	/* retf as a jump: push cs, push a forward offset, retf */
	put(g, 0x0e);
	put(g, 0x68);
	size_t at = g->s->len;
	putn(g, 0, 2);
	put(g, 0xcb);
	dead_code(g);
	g->s->code[at] = (uint8_t)g->s->len, g->s->code[at + 1] = (uint8_t)(g->s->len >> 8);
}

/* Real mode int n into the handlers of the layout, and iret as a jump
 * with a pushed flags image (the flags are then the popped ones). */
static void gen_int(struct gen *g)
{
	if (g->sp < -0x600)
		return;
	if (rnd(g->r, 3)) {
		unsigned h = rnd(g->r, XD_INT_NR);
		need_flags(g, XD_ARITH); /* the image goes to the stack */
		if (h == 1)
			need_reg(g, 0);
		/* no o32 form: the real-mode frame is 16-bit either way, but this
		 * host's KVM takes `66 cd n` elsewhere (odd SP, #GP, runs that do
		 * not repeat themselves): no reference to compare with */
		put(g, 0xcd), put(g, (uint8_t)(XD_INT_VEC + h));
		if (h == 2 || h == 3)
			flags_result(g, XD_CF, 0);
		return;
	}
	bool o32 = rnd(g->r, 4) == 0;
	uint32_t fl = 2 | ((uint32_t)xd_rand(g->r) & (XD_ARITH | XD_DF));
	if (rnd(g->r, 4) == 0)
		fl |= (uint32_t)xd_rand(g->r) & 0x7000; /* IOPL, NT */
	if (o32 && rnd(g->r, 2))
		fl |= (uint32_t)xd_rand(g->r) & 0x240000; /* AC, ID */
	if (o32) {
		put(g, 0x66), put(g, 0x68), putn(g, fl, 4);
		put(g, 0x66), put(g, 0x68), putn(g, XD_REAL_CS, 4);
		put(g, 0x66), put(g, 0x68);
	} else {
		put(g, 0x68), putn(g, fl, 2);
		put(g, 0x0e);
		put(g, 0x68);
	}
	size_t at = g->s->len;
	putn(g, 0, o32 ? 4 : 2);
	if (o32)
		put(g, 0x66);
	put(g, 0xcf);
	dead_code(g);
	g->s->code[at] = (uint8_t)g->s->len, g->s->code[at + 1] = (uint8_t)(g->s->len >> 8);
	flags_result(g, XD_ARITH, 0);
}

/* A segment override prefix for sreg encoding s (es cs ss ds fs gs). */
static const uint8_t seg_prefix[6] = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65};

/* Real mode segment loads: mov sreg, push/pop sreg, lds/les/lfs/lgs/lss.
 * The loaded value is used for an access when it reaches the data, read
 * back into a register, and the register set to 0 again: the rest of the
 * sequence (and the next one, on the KVM side) assumes bases of 0. */
static void gen_sreg(struct gen *g)
{
	static const uint8_t loadable[] = {0, 2, 3, 4, 5};
	unsigned sr = loadable[rnd(g->r, 5)], form = rnd(g->r, 5), rr;
	uint16_t v = rnd(g->r, 2) ? (uint16_t)rnd(g->r, 0x8f0) : (uint16_t)xd_rand(g->r);
	bool known = true; /* v is the loaded value */
	if (g->sp < -0x600)
		return;
	switch (form) {
	case 0: { /* mov sreg, r16 (sometimes mov cs, r16: #UD) */
		unsigned r = pick_reg(g);
		addr_set(g, r, v, false);
		if (rnd(g->r, 64) == 0)
			sr = 1;
		put(g, 0x8e), put(g, (uint8_t)(0xc0 | sr << 3 | r));
		break;
	}
	case 1: { /* mov sreg, m16 */
		unsigned r = pick_reg(g);
		addr_set(g, r, v, false);
		store_then(g, r, 2);
		ib_op(g, 0x8e);
		g->regf = (uint8_t)sr;
		ib_emit(g);
		break;
	}
	case 2: { /* push v; pop sreg */
		bool o = rnd(g->r, 4) == 0;
		if (o)
			put(g, 0x66), put(g, 0x68), putn(g, v | (uint32_t)xd_rand(g->r) << 16, 4), put(g, 0x66);
		else
			put(g, 0x68), putn(g, v, 2);
		static const uint8_t pop[6][2] = {{0x07}, {0}, {0x17}, {0x1f}, {0x0f, 0xa1}, {0x0f, 0xa9}};
		put(g, pop[sr][0]);
		if (pop[sr][1])
			put(g, pop[sr][1]);
		break;
	}
	case 3: { /* lds/les/lfs/lgs/lss r, m16:16 (o32: m16:32, as found) */
		bool o = sr != 2 && rnd(g->r, 4) == 0;
		unsigned r = sr == 2 ? 4 : pick_reg(g);
		uint64_t off = sr == 2 ? (uint64_t)(XD_STACK_TOP + g->sp) : rnd(g->r, 0x10000);
		if (o || (sr != 2 && rnd(g->r, 4) == 0)) {
			known = false; /* whatever the scratch data holds */
			ib_start(g);
			if (o)
				ib_pfx(g, 0x66);
			mem_operand(g, o ? 6 : 4, 1);
		} else {
			unsigned t = pick_reg(g);
			set_reg(g, t, off | (uint64_t)v << 16);
			store_then(g, t, 4);
		}
		if (sr == 0 || sr == 3)
			ib_op(g, sr ? 0xc5 : 0xc4);
		else
			ib_op(g, 0x0f), ib_op(g, sr == 2 ? 0xb2 : sr == 4 ? 0xb4 : 0xb5);
		g->regf = (uint8_t)r;
		ib_emit(g);
		if (o)
			g->rpoison &= ~(1u << r);
		break;
	}
	default: { /* mov r/m, sreg; push sreg; pop r: reads only */
		unsigned s = rnd(g->r, 6);
		if (rnd(g->r, 2)) {
			static const uint8_t push[6][2] = {{0x06}, {0x0e}, {0x16}, {0x1e}, {0x0f, 0xa0}, {0x0f, 0xa8}};
			unsigned r = pick_reg(g);
			bool o = rnd(g->r, 4) == 0;
			if (o)
				zero_below_sp(g), put(g, 0x66);
			put(g, push[s][0]);
			if (push[s][1])
				put(g, push[s][1]);
			if (o)
				put(g, 0x66), g->rpoison &= ~(1u << r);
			else
				need_reg(g, r);
			put(g, (uint8_t)(0x58 + r));
			return;
		}
		ib_start(g);
		bool o = rnd(g->r, 4) == 0;
		ib_op(g, 0x8c);
		if (o) { /* mov r32, sreg: zero-extended */
			ib_pfx(g, 0x66);
			unsigned r = pick_reg(g);
			set_rm_reg(g, r);
			g->rpoison &= ~(1u << r);
		} else {
			rm_operand(g, 2, true, true, &rr);
		}
		g->regf = (uint8_t)s;
		ib_emit(g);
		return;
	}
	}
	if (sr == 1)
		return; /* #UD */
	if (known && v <= 0x8f0 && rnd(g->r, 2)) { /* o32 mov r32, sreg:[disp16] */
		unsigned r = pick_reg(g);
		uint64_t t = XD_DATA + 64 + rnd(g->r, 0x1000 - 128);
		put(g, seg_prefix[sr]), put(g, 0x66), put(g, 0x8b), put(g, (uint8_t)(6 | r << 3));
		putn(g, t - (uint64_t)v * 16, 2);
		g->rpoison &= ~(1u << r);
	}
	unsigned r = pick_reg(g);
	need_reg(g, r);
	put(g, 0x8c), put(g, (uint8_t)(0xc0 | sr << 3 | r)); /* mov r16, sreg */
	if (sr != 2 && rnd(g->r, 2)) {
		put(g, 0x6a), put(g, 0);
		static const uint8_t pop[6][2] = {{0x07}, {0}, {0}, {0x1f}, {0x0f, 0xa1}, {0x0f, 0xa9}};
		put(g, pop[sr][0]);
		if (pop[sr][1])
			put(g, pop[sr][1]);
		return;
	}
	unsigned z = pick_reg(g);
	put(g, (uint8_t)(0xb8 + z)), putn(g, 0, 2); /* mov z16, 0 */
	put(g, 0x8e), put(g, (uint8_t)(0xc0 | sr << 3 | z));
}

/* Real mode smsw, sgdt, sidt: CR0's low word, GDTR and IDTR into a
 * register or memory. */
static void gen_sys(struct gen *g)
{
	unsigned k = rnd(g->r, 3), rr;
	ib_start(g);
	if (rnd(g->r, 4) == 0)
		ib_pfx(g, 0x66);
	ib_op(g, 0x0f), ib_op(g, 0x01);
	if (k == 2 && rnd(g->r, 2)) { /* smsw r */
		unsigned r = pick_reg(g);
		need_reg(g, r);
		set_rm_reg(g, r);
		(void)rr;
	} else {
		mem_operand(g, k == 2 ? 2 : 6, 1);
	}
	g->regf = (uint8_t)(k == 2 ? 4 : k);
	ib_emit(g);
}

/* 64-bit, CPL3: lar, lsl, verr, verw on a selector of the harness's GDT
 * (null, DPL0 and DPL3 code and data, the busy 64-bit TSS and its upper
 * half), past its limit, in the LDT (there is none) or any 16-bit value,
 * with any RPL; from a register or memory, lar and lsl at each operand
 * size. Only ZF and, when it is set, lar's and lsl's destination change. */
static void gen_desc(struct gen *g)
{
	static const unsigned sizes[3] = {2, 4, 8};
	unsigned k = rnd(g->r, 4), s = pick_reg(g), d = pick_reg(g);
	uint16_t sel = rnd(g->r, 4) ? (uint16_t)rnd(g->r, 0x48) : (uint16_t)xd_rand(g->r);
	bool mem = rnd(g->r, 2);

	if (k < 2)
		need_reg(g, d);
	set_reg(g, s, (xd_rand(g->r) & ~0xffffull) | sel);
	if (mem)
		store_then(g, s, 2);
	else
		ib_start(g);
	if (k < 2) {
		ib_size(g, sizes[rnd(g->r, 3)]);
		ib_op(g, 0x0f), ib_op(g, k ? 0x03 : 0x02);
		set_regf(g, d);
	} else {
		ib_op(g, 0x0f), ib_op(g, 0x00);
		g->has_modrm = true;
		g->regf = (uint8_t)(k == 2 ? 4 : 5);
	}
	if (!mem)
		set_rm_reg(g, s);
	ib_emit(g);
}

typedef void (*gen_fn)(struct gen *g);
static const gen_fn fam_fn[FAM_NR] = {
	gen_alu, gen_incdec, gen_shift, gen_shxd, gen_muldiv, gen_bit, gen_bsf, gen_setcc,
	gen_cmov, gen_bswap, gen_xchg, gen_cmpxchg, gen_lea, gen_mov, gen_movx, gen_stack,
	gen_string, gen_bcd, gen_conv, gen_flags, gen_jcc, gen_sse, gen_call, gen_enter,
	gen_pusha, gen_xlat, gen_far, gen_int, gen_sreg, gen_sys, gen_desc,
};

static void chunk_begin(struct gen *g, bool last)
{
	/* regions that end here (at the terminator: all that are left) unite
	 * with the path that jumped */
	for (unsigned i = 0; i < g->nreg;) {
		if (g->reg[i].end_chunk == g->chunk || last) {
			g->fpoison |= g->reg[i].fpoison;
			g->rpoison |= g->reg[i].rpoison;
			g->cond--;
			g->reg[i] = g->reg[--g->nreg];
		} else {
			i++;
		}
	}
	g->chunk_at[g->chunk] = g->s->len;
	g->s->poison_at[g->chunk].flags = g->fpoison;
	g->s->poison_at[g->chunk].gprs = g->rpoison;
	g->s->chunk_at[g->chunk] = (uint16_t)g->s->len;
}

void xd_gen(struct xd_rng *r, enum xd_mode mode, unsigned maxinsns, uint64_t families,
	    struct xd_seq *s)
{
	static struct gen gs;
	struct gen *g = &gs;
	uint64_t fam = families ? families : ~FAM_OPT_IN;

	memset(g, 0, sizeof(*g));
	memset(s, 0, sizeof(*s));
	g->r = r;
	g->s = s;
	g->m64 = mode == XD_LONG;
	s->mode = mode;
	if (!g->m64)
		fam &= ~(1ull << FAM_SSE | FAM_LONG_ONLY); /* real mode: CR4.OSFXSR is clear */
	else
		fam &= ~FAM_REAL_ONLY;
	fam &= (1ull << FAM_NR) - 1;
	if (!fam)
		fam = 1;

	/* start state: random registers, random arithmetic flags and DF */
	for (unsigned i = 0; i < 16; i++) {
		uint64_t v = rand_value(g);
		s->start.gpr[i] = g->m64 ? v : (uint32_t)v;
		if (!g->m64 && i >= 8)
			s->start.gpr[i] = 0;
	}
	s->start.gpr[4] = XD_STACK_TOP;
	s->start.rip = g->m64 ? XD_CODE : 0;
	s->start.rflags = 2 | (xd_rand(r) & (XD_ARITH | XD_DF));
	if (g->m64)
		s->start.rflags |= 0x200; /* this host runs CPL3 with IF forced on */
	for (unsigned i = 0; i < 16; i++)
		for (unsigned b = 0; b < 16; b++)
			s->start.xmm[i][b] = (uint8_t)xd_rand(r);
	s->start.mxcsr = 0x1f80;
	for (unsigned i = 0; i < XD_SCRATCH_SIZE; i += 8) {
		uint64_t v = rnd(r, 4) == 0 ? 0 : xd_rand(r);
		memcpy(s->scratch + i, &v, 8);
	}

	unsigned n = 1 + rnd(r, maxinsns ? maxinsns : 1);
	if (n > MAX_CHUNKS - 1)
		n = MAX_CHUNKS - 1;
	for (g->chunk = 0; g->chunk < n; g->chunk++) {
		chunk_begin(g, false);
		unsigned f;
		do
			f = rnd(r, FAM_NR);
		while (!(fam >> f & 1));
		ib_start(g);
		size_t before = s->len;
		fam_fn[f](g);
		if (s->len == before)
			put(g, 0x90); /* a family that declined: nop keeps the chunk */
	}
	chunk_begin(g, true); /* the terminator's boundary */
	s->nchunks = g->chunk;
	s->ninsns = n;

	/* patch the jumps now that every chunk's offset is known */
	for (unsigned i = 0; i < g->njmp; i++) {
		struct jump *j = &g->jmp[i];
		unsigned t = j->target > n ? n : j->target;
		int64_t rel = (int64_t)g->chunk_at[t] - (int64_t)j->from;
		if (j->size == 1 && rel > 127)
			rel = 0; /* too far for rel8: fall through (still a valid jump) */
		for (unsigned b = 0; b < j->size; b++)
			s->code[j->patch + b] = (uint8_t)((uint64_t)rel >> (8 * b));
	}
	s->flags_undef = g->fpoison;
	s->gpr_undef = g->rpoison;
}
