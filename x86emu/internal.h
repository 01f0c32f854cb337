/* x86emu internals shared by its files; not part of the public API. */
#ifndef COVE_X86EMU_INTERNAL_H
#define COVE_X86EMU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x86emu/x86emu.h"

/* RFLAGS bits. */
#define FL_CF (1u << 0)
#define FL_PF (1u << 2)
#define FL_AF (1u << 4)
#define FL_ZF (1u << 6)
#define FL_SF (1u << 7)
#define FL_TF (1u << 8)
#define FL_IF (1u << 9)
#define FL_DF (1u << 10)
#define FL_OF (1u << 11)
#define FL_IOPL (3u << 12)
#define FL_NT (1u << 14)
#define FL_RF (1u << 16)
#define FL_VM (1u << 17)
#define FL_AC (1u << 18)
#define FL_VIF (1u << 19)
#define FL_VIP (1u << 20)
#define FL_ID (1u << 21)
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_PGE (1u << 7)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMEP (1u << 20)
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* Table entry flags. */
enum {
	F_MODRM = 1u << 0,
	F_BYTE = 1u << 1,     /* 8-bit operands */
	F_NONPT = 1u << 2,    /* never writes a page-table entry */
	F_MOV = 1u << 3,      /* destination is not read first */
	F_NOWRITE = 1u << 4,  /* destination is not written (cmp, test) */
	F_LOCK = 1u << 5,     /* LOCK allowed with a memory destination */
	F_STACK = 1u << 6,    /* 64-bit default operand size in long mode */
	F_NO64 = 1u << 7,     /* #UD in 64-bit mode */
	F_MEMONLY = 1u << 8,  /* #UD when ModRM.mod = 3 */
	F_SSE = 1u << 9,      /* XMM operands: #UD/#NM rules of SSE */
	F_ALIGN = 1u << 10,   /* memory operand must be aligned to its size */
	F_PRIV = 1u << 11,    /* CPL 0 only */
	F_STRING = 1u << 12,  /* REP-able string instruction */
	F_OP64 = 1u << 13,    /* operand size forced to 64 in long mode */
	F_MMX = 1u << 14,     /* MMX operands (no 66 prefix variant) */
	F_IMPLEMENTED = 1u << 15,
	F_BITOFF = 1u << 16,  /* bt* r/m, r: the bit offset may leave the operand */
	F_VEX = 1u << 17,     /* valid only VEX-encoded */
	F_NOVEX = 1u << 18,   /* #UD when VEX-encoded */
};

/* Operand kinds (dst, src, src2). */
enum opk {
	K_NONE,
	K_E,    /* ModRM r/m */
	K_G,    /* ModRM reg */
	K_ACC,  /* AL/AX/EAX/RAX */
	K_IMM,  /* Iz: opsize, 32 max, sign-extended to 64 */
	K_IMMB, /* Ib sign-extended */
	K_IMM8, /* Ib zero-extended */
	K_IMM16,
	K_IMMV, /* Iv: full operand size (mov r, imm64) */
	K_ONE,
	K_CL,
	K_DX,
	K_OREG, /* register in the low 3 opcode bits */
	K_MOFFS,
	K_EW,   /* r/m, 16 bits */
	K_EB,   /* r/m, 8 bits (movzx source) */
	K_SREG, /* ModRM reg as segment register */
	K_ED,   /* r/m, 32 bits (movsxd source) */
};

struct x86emu_insn;
typedef int (*exec_fn)(struct x86emu *e, struct x86emu_insn *in);

struct opdesc {
	uint32_t flags;
	uint8_t dst, src, src2;
	uint8_t aux;    /* row number within a family (ALU op, shift kind, ...) */
	uint8_t kind;   /* 0 plain, 1 group (ModRM.reg), 2 prefix (none/66/F3/F2), 3 mod split */
	exec_fn exec;
	const struct opdesc *sub;
	const char *name;
};

enum { OPD_PLAIN, OPD_GROUP, OPD_PREFIX, OPD_MODSPLIT };

enum opt { OP_NONE, OP_REG, OP_MEM, OP_IMM, OP_XMM, OP_MMX };

struct operand {
	union {
		struct {
			uint8_t type;
			uint8_t size;
			uint8_t reg; /* register number; with hi8: AH/CH/DH/BH */
			bool hi8;
			int8_t seg;
		};
		uint64_t hdr; /* the fields above in one word, as decoded */
	};
	uint64_t ea;   /* offset within seg */
	uint64_t val;
	uint64_t orig;
	void *hva;     /* locked RMW: host pointer of the whole operand */
};

/* One instruction. Everything up to `ea` is decoded from the bytes and the
 * mode alone, so the decode cache keeps it (INSN_DECODED_SIZE bytes); the
 * rest is worked out each time it executes (insn_begin). */
struct x86emu_insn {
	uint8_t bytes[15];
	uint8_t len;
	uint8_t opsize, adsize;
	uint8_t rep;        /* 0, 0xf2 or 0xf3 */
	bool lock;
	bool opsize_prefix;
	int8_t seg;         /* segment override or -1 */
	uint8_t rex;
	uint8_t map, op;
	uint8_t modrm, mod, reg, rm;
	uint8_t mprefix;    /* SSE prefix: 0, 0x66, 0xf3, 0xf2 */
	uint16_t opidx;	    /* map << 8 | op: the opcode counter to bump */
	uint16_t gpr_need;  /* registers the operands and address name */
	bool vex;
	uint8_t vex_l, vex_vvvv;
	/* The memory operand's address: disp + base + (index << scale)
	 * (+ next_rip when rip_rel), cut to adsize. */
	bool has_ea;
	bool rip_rel;
	int8_t base_reg;  /* -1: none */
	int8_t index_reg; /* -1: none */
	uint8_t scale;
	int eseg;           /* default or overridden segment of the memory operand */
	/* op_execute: operand headers (struct operand.hdr of dst, src, src2),
	 * immediate operand values, and whether the row needs the checks of
	 * the general path (privilege, LOCK, VEX, bit offsets). */
	bool checks;
	uint64_t ophdr[3];
	uint64_t src_imm, src2_imm;
	uint64_t disp;
	uint64_t imm, imm2;
	const struct opdesc *d;
	exec_fn exec; /* d->exec, or its version for this operand size */
	exec_fn fast; /* the whole instruction, operands included, or NULL */
	/* Per execution. */
	uint64_t ea;
	uint64_t next_rip;
	struct operand dst, src, src2;
};

#define INSN_DECODED_SIZE offsetof(struct x86emu_insn, ea)

#define QMAX 192
#define QDATA 8192

enum qkind { Q_READ, Q_WRITE, Q_IN, Q_OUT };

struct qent {
	uint8_t kind;
	uint8_t done;
	uint16_t size;
	uint16_t doff;
	uint64_t addr;
};

struct tlb_ent {
	uint64_t vpn;      /* linear page number */
	uint64_t ppn;      /* physical page number (4 KiB) */
	uint64_t pt[4];    /* physical pages of the tables walked */
	uint32_t gen;
	uint8_t npt;
	uint8_t user, writable, nx, dirty, large;
	uint8_t ref;
	int32_t next;      /* hash chain */
};

#define TLB_HASH 8192
#define PT_TRACK 64
#define HCACHE 64

struct hcache_ent {
	uint64_t ppn;
	uint8_t *hva;
	uint32_t gen;
	bool writable;
};

/* One linear page -> physical page, remembered for the next access of the
 * same kind; dropped whenever mmu_epoch moves. */
struct pcache {
	/* pc_read, pc_write: pc_tag() of the linear page and user/supervisor;
	 * pc_fetch: the linear page (CPL changes bump mmu_epoch). */
	uint64_t tag;
	uint64_t gpage;
	uint8_t *hva; /* host pointer of the page, or NULL if not RAM (the
		       * fetch one is only ever filled for RAM) */
	uint64_t epoch;
	/* pc_write: the page holds tracked page tables or cached code, so
	 * a write to it needs pt_write() and code_write_check(). */
	bool watch;
};

static inline uint64_t pc_tag(uint64_t la, bool user)
{
	return (la >> 12) << 1 | user;
}

/* Decode cache: instructions decoded before, each for the linear address
 * of its first byte, the physical address that had and the mode (which
 * decides how bytes decode). A step finds its instruction by the linear
 * address; the entry holds while mmu_epoch has not moved since it was
 * last checked (a TLB change, CPL or mode change, dropped decodes bump
 * it), then the fetch is translated again and the physical address, the
 * mode and the decode's generation compared. Decodes are dropped when
 * their code is written (struct code_page), by x86emu_invalidate() and
 * x86emu_tlb_flush() (the caller may have changed guest memory) and by
 * serializing instructions (another vCPU may have). */
#define DC_BITS	   10
#define DC_ENTRIES (1u << DC_BITS)
#define DC_EMPTY   ~0ull

/* Cheap: the lookup is on the chain from one instruction to the next. */
static inline unsigned dc_index(uint64_t la)
{
	return (unsigned)(la ^ (la >> DC_BITS)) & (DC_ENTRIES - 1);
}

/* The instruction runs in place in its entry: what it decoded stays, the
 * per-execution part is set afresh by every step (insn_begin, op_execute).
 * Execution never writes a decoded field (sanitizer builds check). */
struct dc_ent {
	uint64_t key; /* linear address, or DC_EMPTY */
	/* e->dc_gen + its code page's gen when decoded: both only grow, so
	 * the sum moves when either does. 0: empty. */
	uint64_t gen;
	uint64_t gpa;
	uint64_t epoch; /* mmu_epoch when the entry was last checked */
	uint16_t page;	/* index in e->code[] */
	uint8_t mode;
	struct opdesc desc; /* the resolved row, when in.d points here */
	struct x86emu_insn in;
};

/* A physical page holding cached decodes, with the 64-byte chunks they
 * came from. A write to one of those chunks bumps gen, which drops every
 * decode of the page; so does reusing the slot for another page. */
#define CODE_PAGES 256

struct code_page {
	uint64_t ppn;	 /* ~0: none */
	uint64_t chunks; /* bit i: bytes [64i, 64i + 64) hold cached code */
	uint64_t gen;
};

struct x86emu {
	const struct x86emu_ops *ops;
	void *ctx;

	/* Register cache: fetched on first use, written back when dirty. */
	uint64_t gpr[16];
	uint32_t gpr_valid, gpr_dirty;
	/* Registers written in part without being fetched (a mov to AL, AH or
	 * AX): only the bits of gpr_pmask[r] in gpr[r] are known. */
	uint32_t gpr_partial;
	uint64_t gpr_pmask[16];
	uint64_t rip, rflags;
	bool rip_valid, rip_dirty, fl_valid, fl_dirty;
	struct x86emu_segment seg[X86EMU_NR_SREGS];
	uint32_t seg_valid, seg_dirty;
	uint64_t cr[X86EMU_NR_CREGS];
	uint32_t cr_valid, cr_dirty;
	uint64_t dr[8];
	uint32_t dr_valid, dr_dirty;
	struct x86emu_dtable dt[2];
	uint32_t dt_valid, dt_dirty;
	bool xs_valid, xs_dirty;
	_Alignas(64) uint8_t xsave[X86EMU_XSAVE_AREA_SIZE];

	/* Undo log for one instruction (or one REP iteration). */
	struct {
		uint8_t reg;
		uint64_t val;
	} undo[48];
	uint64_t saved_rflags;
	bool saved_fl_valid;

	/* Emptied by every step, side by side so that takes few stores:
	 * lengths of the operation queue and undo log, and flags. */
	unsigned qlen, qpos, qdlen, nundo;
	bool undo_overflow, next_shadow, jumped; /* jumped: see insn_jump */

	/* Operation queue of the current instruction. */
	struct qent q[QMAX];
	uint8_t qdata[QDATA];
	bool pending, pending_done;
	struct x86emu_pending pend;

	struct x86emu_exception exc;
	struct x86emu_unhandled unh;

	bool a20;
	bool shadow;
	uint64_t rep_limit;
	/* Derived from CR0, EFER, CS and RFLAGS.VM when mode_ok is false;
	 * whatever writes one of those clears it. */
	bool mode_ok;
	uint8_t mode;
	uint8_t cpl;

	/* Soft-MMU. */
	struct tlb_ent *tlb;
	int32_t *tlb_hash;
	uint32_t *hash_gen;
	unsigned tlb_size;
	unsigned tlb_hand;
	unsigned tlb_used;   /* entries handed out since the last flush */
	uint8_t tlb_policy;
	uint32_t tlb_gen;
	uint64_t pt_track[PT_TRACK];
	unsigned npt_track;
	uint64_t pt_bloom[4];
	struct hcache_ent hcache[HCACHE];
	uint32_t hgen;
	/* Bumped by any TLB or mapping change, CPL or mode change, dropped
	 * decodes: whatever remembers a lookup checks it. 64 bits: it does
	 * not come round again. */
	uint64_t mmu_epoch;
	struct pcache pc_fetch, pc_read, pc_write;

	/* Decode cache. */
	struct dc_ent *dcache;
	uint64_t dc_gen;
	struct code_page code[CODE_PAGES];

	struct x86emu_stats st;
	uint64_t opcount[X86EMU_NR_MAPS * 256]; /* by map << 8 | opcode */

	struct x86emu_insn in;	 /* an instruction that is not cached */
	struct opdesc in_desc;	 /* ... and its resolved row */
	struct x86emu_insn *cur; /* the instruction of this step: e->in or in the cache */
};

/* Internal result codes are enum x86emu_result values; 0 is OK. */
#define RC_OK X86EMU_OK

/* emu.c: state cache */
uint64_t emu_fetch_gpr(struct x86emu *e, unsigned r);
void emu_fetch_seg(struct x86emu *e, unsigned s);
uint64_t emu_fetch_cr(struct x86emu *e, unsigned c);
void emu_fetch_rflags(struct x86emu *e);
/* f(e, in) once RFLAGS is fetched. The hottest row functions call this
 * instead of fetching themselves: with no call of their own they need no
 * saved registers. */
int emu_with_flags(struct x86emu *e, struct x86emu_insn *in, exec_fn f);
void emu_xsave_load(struct x86emu *e);
void emu_undo_push(struct x86emu *e, unsigned r, uint64_t old);
void emu_derive_mode(struct x86emu *e);
/* A REP iteration is done: its changes stay even if a later one faults. */
static inline void emu_iter_commit(struct x86emu *e)
{
	e->nundo = 0;
	e->qlen = e->qpos = e->qdlen = 0;
	e->saved_rflags = e->rflags;
	e->saved_fl_valid = e->fl_valid;
}

static inline uint64_t gpr_get(struct x86emu *e, unsigned r)
{
	if (__builtin_expect(!(e->gpr_valid & (1u << r)), 0))
		return emu_fetch_gpr(e, r);
	return e->gpr[r];
}

/* Set a register, remembering the old value for a rollback. */
static inline void gpr_put(struct x86emu *e, unsigned r, uint64_t old, uint64_t v)
{
	if (__builtin_expect(e->nundo < 48, 1)) {
		e->undo[e->nundo].reg = (uint8_t)r;
		e->undo[e->nundo++].val = old;
	} else {
		e->undo_overflow = true;
	}
	e->gpr[r] = v;
	e->gpr_dirty |= 1u << r;
}

static inline void gpr_set64(struct x86emu *e, unsigned r, uint64_t v)
{
	gpr_put(e, r, gpr_get(e, r), v);
}

/* old with a size-byte value written by x86 partial-register rules:
 * 8/16-bit keep the rest, 32-bit zero-extends. */
static inline uint64_t gpr_merge(uint64_t old, unsigned size, bool hi8, uint64_t v)
{
	switch (size) {
	case 1:
		return hi8 ? (old & ~0xff00ull) | ((v & 0xff) << 8) : (old & ~0xffull) | (v & 0xff);
	case 2:
		return (old & ~0xffffull) | (v & 0xffff);
	case 4:
		return v & 0xffffffffull;
	default:
		return v;
	}
}

/* The bits a size-byte register write changes (32-bit: all, it zero-extends). */
static inline uint64_t gpr_wmask(unsigned size, bool hi8)
{
	return size == 1 ? (hi8 ? 0xff00ull : 0xffull) : size == 2 ? 0xffffull : ~0ull;
}

/* An instruction's last act on its destination register r, which may not
 * have been fetched (a mov: decode left it out of gpr_need). A whole write
 * makes r known; a part is remembered with its mask. */
static inline void gpr_dst_put(struct x86emu *e, unsigned r, unsigned size, bool hi8, uint64_t v)
{
	uint32_t bit = 1u << r;

	e->gpr[r] = gpr_merge(e->gpr[r], size, hi8, v);
	e->gpr_dirty |= bit;
	if (__builtin_expect(e->gpr_valid & bit, 1))
		return;
	if (size >= 4) {
		e->gpr_valid |= bit;
		e->gpr_partial &= ~bit;
		return;
	}
	if (!(e->gpr_partial & bit))
		e->gpr_pmask[r] = 0;
	e->gpr_partial |= bit;
	e->gpr_pmask[r] |= gpr_wmask(size, hi8);
}

static inline void gpr_write(struct x86emu *e, unsigned r, unsigned size, bool hi8, uint64_t v)
{
	uint64_t old = gpr_get(e, r);
	gpr_put(e, r, old, gpr_merge(old, size, hi8, v));
}

/* A register the current instruction's operands name: insn_begin() has
 * fetched those (in->gpr_need), so no check. */
static inline uint64_t gpr_peek(struct x86emu *e, unsigned r)
{
#ifdef COVE_SANITIZE
	if (!(e->gpr_valid & (1u << r)))
		abort();
#endif
	return e->gpr[r];
}

static inline uint64_t gpr_extract(uint64_t v, unsigned size, bool hi8)
{
	switch (size) {
	case 1:
		return hi8 ? (v >> 8) & 0xff : v & 0xff;
	case 2:
		return v & 0xffff;
	case 4:
		return v & 0xffffffff;
	default:
		return v;
	}
}

static inline uint64_t gpr_read(struct x86emu *e, unsigned r, unsigned size, bool hi8)
{
	uint64_t v = gpr_get(e, r);
	switch (size) {
	case 1: return hi8 ? (v >> 8) & 0xff : v & 0xff;
	case 2: return v & 0xffff;
	case 4: return v & 0xffffffff;
	default: return v;
	}
}

static inline uint64_t flags_get(struct x86emu *e)
{
	if (!e->fl_valid)
		emu_fetch_rflags(e);
	return e->rflags;
}

static inline void flags_set(struct x86emu *e, uint64_t v)
{
	if (!e->fl_valid)
		emu_fetch_rflags(e);
	e->rflags = (v & 0x3f7fd7ull) | 2;
	e->fl_dirty = true;
}

static inline const struct x86emu_segment *seg_get(struct x86emu *e, unsigned s)
{
	if (!(e->seg_valid & (1u << s)))
		emu_fetch_seg(e, s);
	return &e->seg[s];
}

/* CS during an instruction: the step derived the mode from it, so it is
 * cached (no check, no call). */
static inline const struct x86emu_segment *seg_cs(struct x86emu *e)
{
#ifdef COVE_SANITIZE
	if (!(e->seg_valid & (1u << X86EMU_CS)))
		abort();
#endif
	return &e->seg[X86EMU_CS];
}

static inline uint64_t cr_get(struct x86emu *e, unsigned c)
{
	if (!(e->cr_valid & (1u << c)))
		return emu_fetch_cr(e, c);
	return e->cr[c];
}

static inline uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static inline uint64_t sext(uint64_t v, unsigned size)
{
	switch (size) {
	case 1: return (uint64_t)(int64_t)(int8_t)v;
	case 2: return (uint64_t)(int64_t)(int16_t)v;
	case 4: return (uint64_t)(int64_t)(int32_t)v;
	default: return v;
	}
}

void emu_fetch_gprs(struct x86emu *e, uint32_t mask);

/* Per-execution part of an instruction at rip (= e->rip): the registers
 * its operands name, where the next instruction starts (returned) and the
 * address of the memory operand, from the registers of this moment. */
static inline uint64_t insn_begin(struct x86emu *e, struct x86emu_insn *in, uint64_t rip)
{
	uint32_t missing = in->gpr_need & ~e->gpr_valid;
	if (__builtin_expect(missing != 0, 0))
		emu_fetch_gprs(e, missing);
	uint64_t next = rip + in->len;
	if (e->mode != X86EMU_MODE_LONG64)
		next &= 0xffffffffull;
	in->next_rip = next;
	if (in->has_ea) {
		uint64_t ea = in->disp;
		if (in->base_reg >= 0)
			ea += gpr_peek(e, (unsigned)in->base_reg);
		if (in->index_reg >= 0)
			ea += gpr_peek(e, (unsigned)in->index_reg) << in->scale;
		if (in->rip_rel)
			ea += next;
		in->ea = ea & size_mask(in->adsize);
	}
	return next;
}

/* The instruction transfers control: it goes on at target, not at the
 * next instruction. */
static inline void insn_jump(struct x86emu *e, struct x86emu_insn *in, uint64_t target)
{
	in->next_rip = target;
	e->jumped = true;
}

/* emu.c: results */
int emu_raise(struct x86emu *e, unsigned vec, bool has_ec, uint32_t ec);
int emu_raise_pf(struct x86emu *e, uint64_t la, uint32_t ec);
int emu_unhandled(struct x86emu *e, const char *reason);
#define RAISE_GP0(e) emu_raise(e, X86EMU_EXC_GP, true, 0)
#define RAISE_UD(e) emu_raise(e, X86EMU_EXC_UD, false, 0)

/* mem.c: drop every cached decode, in O(1). */
void dcache_flush(struct x86emu *e);
/* A serializing instruction: code another vCPU wrote (cross-modifying
 * code, SDM vol. 3A 9.1.3) must be seen after it, so cached decodes go. */
static inline void emu_serialize(struct x86emu *e)
{
	dcache_flush(e);
}

/* mem.c: accesses */
enum acc { ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2 };
int mem_linear(struct x86emu *e, int seg, uint64_t off, unsigned size, int acc, uint64_t *la);
int mem_read_seg(struct x86emu *e, int seg, uint64_t off, unsigned size, void *buf);
int mem_write_seg(struct x86emu *e, int seg, uint64_t off, unsigned size, const void *buf);
int mem_read_lin(struct x86emu *e, uint64_t la, unsigned size, void *buf, bool sys);
int mem_write_lin(struct x86emu *e, uint64_t la, unsigned size, const void *buf, bool sys);
/* REP MOVS (fill NULL) or REP STOS of *fill, forward, from si/di: does as
 * many of up to max elements as lie in the RAM pages the last read and
 * write used, within the segments, and returns how many (0: none). The
 * caller updates rSI/rDI/rCX and commits them as iterations. */
uint64_t mem_rep_bulk(struct x86emu *e, int sseg, uint64_t si, uint64_t di, unsigned size, uint64_t max,
		      unsigned as, const uint64_t *fill);
/* Host pointer of a whole operand in RAM for a locked RMW, or NULL. */
int mem_rmw_ptr(struct x86emu *e, int seg, uint64_t off, unsigned size, void **hva);
int mem_fetch(struct x86emu *e, uint64_t la, unsigned size, void *buf);
int mem_translate(struct x86emu *e, uint64_t la, int acc, bool user, bool set_ad, uint64_t *gpa);
int io_in(struct x86emu *e, uint16_t port, unsigned size, uint32_t *val);
int io_out(struct x86emu *e, uint16_t port, unsigned size, uint32_t val);
void mmu_init(struct x86emu *e);
void mmu_flush(struct x86emu *e);
void mmu_invlpg(struct x86emu *e, uint64_t la);
int stack_push(struct x86emu *e, unsigned size, uint64_t v);
int stack_pop(struct x86emu *e, unsigned size, uint64_t *v);
uint64_t stack_mask(struct x86emu *e);

/* Where the code byte at la is: *hva is NULL when it is not RAM. */
int mem_fetch_page(struct x86emu *e, uint64_t la, uint64_t *gpa, uint8_t **hva);
/* Cached decodes now come from [gpa, gpa+len) (one page): returns the code
 * page slot and its generation, for the cache entry. */
unsigned code_track(struct x86emu *e, uint64_t gpa, unsigned len, uint64_t *gen);

#ifdef COVE_SANITIZE
int decode_check(struct x86emu *e, const struct x86emu_insn *in);
#else
static inline int decode_check(struct x86emu *e, const struct x86emu_insn *in)
{
	(void)e, (void)in;
	return RC_OK;
}
#endif

/* The decode cache's answer for the instruction at CS:RIP, or NULL: the
 * common case, inline. */
static inline struct x86emu_insn *decode_hit(struct x86emu *e, uint64_t ip)
{
	const struct x86emu_segment *cs = NULL;
	bool mode64 = e->mode == X86EMU_MODE_LONG64;
	uint64_t la;

	if (mode64) {
		la = ip;
	} else {
		cs = seg_get(e, X86EMU_CS);
		ip &= 0xffffffffull;
		la = (cs->base + ip) & 0xffffffffull;
	}
	struct dc_ent *d = &e->dcache[dc_index(la)];
	if (d->key != la || d->epoch != e->mmu_epoch)
		return NULL;
	if (!mode64 && ip + d->in.len - 1 > cs->limit)
		return NULL;
	e->st.decode_hits++;
	decode_check(e, &d->in);
	return &d->in;
}

/* decode.c */
int decode_insn(struct x86emu *e, struct x86emu_insn *in, struct opdesc *desc);
/* The instruction at CS:RIP, from the decode cache or decoded now: *in
 * is where it is (a cache entry, or e->in). */
int decode_cached(struct x86emu *e, struct x86emu_insn **in);
const char *tables_name(unsigned map, unsigned op);

/* ---- the data access fast path: mem.c's, inline where operands are read */

static inline unsigned code_slot(uint64_t ppn)
{
	return (unsigned)(ppn ^ (ppn >> 8)) & (CODE_PAGES - 1);
}

/* Bits of the 64-byte chunks that [off, off+len) touches; within a page. */
static inline uint64_t code_chunks(unsigned off, unsigned len)
{
	unsigned first = off >> 6, last = (off + len - 1) >> 6;
	return ((2ull << last) - 1) & ~((1ull << first) - 1);
}

/* A guest write to [gpa, gpa+len), within one page: self-modifying code
 * drops the decodes made from the bytes it overwrites. */
static inline void code_write_check(struct x86emu *e, uint64_t gpa, unsigned len)
{
	struct code_page *c = &e->code[code_slot(gpa >> 12)];

	if (__builtin_expect(c->ppn == gpa >> 12, 0) &&
	    (c->chunks & code_chunks((unsigned)(gpa & 0xfff), len))) {
		c->chunks = 0;
		c->gen++;
		e->mmu_epoch++; /* cached decodes are checked again */
		e->st.code_writes++;
	}
}

static inline unsigned bloom_bit(uint64_t ppn)
{
	return (unsigned)((ppn * 0x9e3779b97f4a7c15ull) >> 56);
}

void pt_write_slow(struct x86emu *e, uint64_t ppn);

/* A guest write to physical page ppn: is it a tracked page table? */
static inline void pt_write(struct x86emu *e, uint64_t ppn)
{
	unsigned b = bloom_bit(ppn);
	if (e->npt_track && (e->pt_bloom[b >> 6] & (1ull << (b & 63))))
		pt_write_slow(e, ppn);
}

/* Most accesses are 1, 2, 4 or 8 bytes: copy those inline, not via libc. */
static inline void copy_small(void *d, const void *s, unsigned n)
{
	switch (n) {
	case 1:
		memcpy(d, s, 1);
		break;
	case 2:
		memcpy(d, s, 2);
		break;
	case 4:
		memcpy(d, s, 4);
		break;
	case 8:
		memcpy(d, s, 8);
		break;
	default:
		memcpy(d, s, n);
		break;
	}
}

/* The common access: within one page that the last access of the same kind
 * translated, to RAM, with no replay under way. Returns the host pointer
 * and records the access in the queue, or NULL for the general path. */
static inline uint8_t *mem_fast(struct x86emu *e, struct pcache *c, uint64_t la, unsigned size, int kind)
{
	if (e->mode != X86EMU_MODE_LONG64)
		la &= 0xffffffffull;
	if (c->epoch != e->mmu_epoch || c->tag != pc_tag(la, e->cpl == 3) || !c->hva ||
	    (la & 0xfff) + size > 4096)
		return NULL;
	if (e->qpos != e->qlen || e->qlen >= QMAX || e->qdlen + size > QDATA)
		return NULL;
	struct qent *q = &e->q[e->qlen++];
	q->kind = (uint8_t)kind;
	q->done = 1;
	q->size = (uint16_t)size;
	q->doff = (uint16_t)e->qdlen;
	q->addr = c->gpage | (la & 0xfff);
	e->qdlen += size;
	e->qpos = e->qlen;
	return c->hva + (la & 0xfff);
}

/* The rest of a read or a write that mem_fast() let through. */
static inline void mem_fast_read(struct x86emu *e, const uint8_t *p, unsigned size, void *buf)
{
	copy_small(buf, p, size);
	copy_small(e->qdata + e->q[e->qlen - 1].doff, p, size);
}

static inline void mem_fast_write(struct x86emu *e, uint8_t *p, unsigned size, const void *buf)
{
	if (e->pc_write.watch) {
		uint64_t gpa = e->q[e->qlen - 1].addr;
		pt_write(e, gpa >> 12);
		code_write_check(e, gpa, size);
	}
	copy_small(p, buf, size);
}

/* A data operand's bytes when that is simple: flat segments of 64-bit
 * code (canonical, within a page: mem_fast checks the page) or real mode
 * within the limit, no #AC possible, in the RAM page the last access of
 * the same kind used. The access is recorded; NULL: the general path
 * (mem_read_seg / mem_write_seg). */
static inline uint8_t *data_fast(struct x86emu *e, int seg, uint64_t ea, unsigned size, int kind)
{
	uint64_t la;

	if (e->mode == X86EMU_MODE_LONG64) {
		if (seg == X86EMU_FS || seg == X86EMU_GS || (uint64_t)((int64_t)(ea << 16) >> 16) != ea)
			return NULL;
		la = ea;
	} else if (e->mode == X86EMU_MODE_REAL) {
		const struct x86emu_segment *s = seg_get(e, (unsigned)seg);
		if (ea + size - 1 > s->limit)
			return NULL;
		la = s->base + ea;
	} else {
		return NULL;
	}
	if (e->cpl == 3 && (la & (size - 1)))
		return NULL;
	return mem_fast(e, kind == Q_WRITE ? &e->pc_write : &e->pc_read, la, size, kind);
}

/* exec files */
int op_execute_checked(struct x86emu *e, struct x86emu_insn *in);

/* Operand access, inline in op_execute, which every step runs. */
static inline __attribute__((always_inline)) int read_operand(struct x86emu *e, struct operand *op)
{
	if (op->type == OP_REG) {
		op->val = gpr_extract(gpr_peek(e, op->reg), op->size, op->hi8);
		return RC_OK;
	}
	if (op->type == OP_MEM) {
		uint8_t *p = data_fast(e, op->seg, op->ea, op->size, Q_READ);
		op->val = 0;
		if (p) {
			mem_fast_read(e, p, op->size, &op->val);
			return RC_OK;
		}
		return mem_read_seg(e, op->seg, op->ea, op->size, &op->val);
	}
	return RC_OK;
}

static inline __attribute__((always_inline)) int write_operand(struct x86emu *e, struct operand *op)
{
	if (op->type == OP_REG) {
		uint64_t old = gpr_peek(e, op->reg);
		gpr_put(e, op->reg, old, gpr_merge(old, op->size, op->hi8, op->val));
		return RC_OK;
	}
	if (op->type == OP_MEM) {
		uint8_t *p = data_fast(e, op->seg, op->ea, op->size, Q_WRITE);
		if (p) {
			mem_fast_write(e, p, op->size, &op->val);
			return RC_OK;
		}
		return mem_write_seg(e, op->seg, op->ea, op->size, &op->val);
	}
	return RC_OK;
}

/* Operands in, the row's function, the destination out. */
static inline __attribute__((always_inline)) int op_execute(struct x86emu *e, struct x86emu_insn *in)
{
	const struct opdesc *d = in->d;
	int rc;

	if (in->fast)
		return in->fast(e, in);
	/* The operands as decoded, with this execution's address. */
	in->dst.hdr = in->ophdr[0];
	in->src.hdr = in->ophdr[1];
	in->src2.hdr = in->ophdr[2];
	in->dst.ea = in->src.ea = in->ea;
	in->src.val = in->src_imm;
	in->src2.val = in->src2_imm;
	in->dst.hva = NULL;
	if (in->checks)
		return op_execute_checked(e, in);
	if ((rc = read_operand(e, &in->src)) || (rc = read_operand(e, &in->src2)))
		return rc;
	if (!(d->flags & F_MOV) && (rc = read_operand(e, &in->dst)))
		return rc;
	in->dst.orig = in->dst.val;
	if ((rc = in->exec(e, in)))
		return rc;
	if (d->flags & F_NOWRITE)
		return RC_OK;
	if (in->dst.type == OP_REG) {
		/* The instruction's last act, which cannot fail: nothing to
		 * roll back, so no undo entry. */
		unsigned r = in->dst.reg;
		gpr_dst_put(e, r, in->dst.size, in->dst.hi8, in->dst.val);
		return RC_OK;
	}
	return write_operand(e, &in->dst);
}
int seg_load(struct x86emu *e, unsigned s, uint16_t sel, bool is_far_cs);
/* lar, lsl, verr, verw: *ok says whether the selector passes the
 * instruction's checks, and ZF is set to it; then *out is the access
 * rights (lar) or the byte granular limit (lsl), untouched for verr and
 * verw. Only reading the descriptor faults. */
enum { SEG_PROBE_LAR, SEG_PROBE_LSL, SEG_PROBE_VERR, SEG_PROBE_VERW };
int seg_probe(struct x86emu *e, uint16_t sel, unsigned what, uint64_t *out, bool *ok);
int emu_deliver_real(struct x86emu *e, unsigned vec, uint64_t ret_ip);

#endif
