/* x86emu: cove's table-driven x86 instruction emulator.
 *
 * A library with no KVM in it: the caller owns the vCPU state and answers
 * every register, memory and port access through struct x86emu_ops. The
 * emulator fetches state lazily (a register is asked for only when an
 * instruction first needs its value; a mov into part of one, such as AL,
 * needs none, given set_gpr_bits), writes back only what it changed
 * (x86emu_flush_state), and forms linear and physical addresses itself
 * (segmentation, paging with its own TLB, A20). Decoded instructions are
 * cached (checked against the physical address of their bytes and the
 * mode); guest writes through x86emu drop the decodes they overwrite, and
 * x86emu_invalidate() / x86emu_tlb_flush() drop them all (the caller's
 * own changes to guest memory).
 *
 * One instruction per x86emu_step():
 *   X86EMU_OK         done; RIP and registers updated in the cache
 *   X86EMU_PENDING    an MMIO or port access the caller answers later: read it
 *                     with x86emu_pending(), answer with x86emu_complete(),
 *                     then call x86emu_step() again. The accesses already
 *                     done by this instruction are replayed from the
 *                     operation queue, never issued twice.
 *   X86EMU_EXCEPTION  x86emu_exception() says which; in real mode (and
 *                     virtual-8086 is not emulated) the emulator has already
 *                     delivered it through the IVT (delivered = true).
 *                     Otherwise the caller injects it; RIP still points at
 *                     the faulting instruction (faults) as the CPU leaves it.
 *   X86EMU_HLT        hlt executed; RIP is past it.
 *   X86EMU_UNHANDLED  x86emu_unhandled() gives the bytes and a reason.
 *
 * Typical use from a VMM after an emulation-failure exit:
 *   x86emu_invalidate(e); x86emu_tlb_flush(e);
 *   r = x86emu_step(e);   ... handle r ...
 *   x86emu_flush_state(e);
 *
 * Thread safety: a struct x86emu belongs to one thread (one vCPU). There is
 * no global mutable state.
 */
#ifndef COVE_X86EMU_H
#define COVE_X86EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* General registers, in encoding order. */
enum x86emu_gpr {
	X86EMU_RAX, X86EMU_RCX, X86EMU_RDX, X86EMU_RBX,
	X86EMU_RSP, X86EMU_RBP, X86EMU_RSI, X86EMU_RDI,
	X86EMU_R8, X86EMU_R9, X86EMU_R10, X86EMU_R11,
	X86EMU_R12, X86EMU_R13, X86EMU_R14, X86EMU_R15,
	X86EMU_NR_GPRS
};

/* Segment registers, in encoding order, then TR and LDTR. */
enum x86emu_sreg {
	X86EMU_ES, X86EMU_CS, X86EMU_SS, X86EMU_DS, X86EMU_FS, X86EMU_GS,
	X86EMU_TR, X86EMU_LDTR,
	X86EMU_NR_SREGS
};

/* A segment register with its hidden part, field by field as the
 * descriptor cache holds it (the same split as struct kvm_segment). */
struct x86emu_segment {
	uint64_t base;
	uint32_t limit;    /* byte granular: already expanded if g = 1 */
	uint16_t selector;
	uint8_t type;      /* descriptor type, 4 bits */
	uint8_t s;         /* 1: code/data, 0: system */
	uint8_t dpl;
	uint8_t present;
	uint8_t avl;
	uint8_t l;         /* 64-bit code segment */
	uint8_t db;        /* default operand size / big */
	uint8_t g;
	uint8_t unusable;  /* null selector loaded in protected mode */
};

/* Control registers and the other mode-defining registers. */
enum x86emu_creg {
	X86EMU_CR0, X86EMU_CR2, X86EMU_CR3, X86EMU_CR4, X86EMU_CR8,
	X86EMU_EFER, X86EMU_XCR0,
	X86EMU_NR_CREGS
};

enum x86emu_dtreg { X86EMU_GDTR, X86EMU_IDTR };

struct x86emu_dtable {
	uint64_t base;
	uint16_t limit;
};

/* What a caller callback answers for an MMIO or port access. */
enum x86emu_io {
	X86EMU_IO_OK = 0,      /* done; for reads, the data is filled in */
	X86EMU_IO_PENDING = 1, /* answer later with x86emu_complete() */
	X86EMU_IO_ERROR = -1,  /* the access cannot be done: UNHANDLED */
};

/* The vCPU's extended state as XSAVE's standard (non-compacted) format lays
 * it out, the same image KVM_GET_XSAVE returns: x87/MMX, SSE (XMM0-15,
 * MXCSR) in the 512-byte legacy region, the XSAVE header at 512, AVX
 * (YMM upper halves) at 576. x86emu uses components 0-2. */
#define X86EMU_XSAVE_AREA_SIZE 4096

/* The caller's side. Every callback gets the ctx given to x86emu_new().
 * Callbacks marked optional may be NULL. */
struct x86emu_ops {
	uint64_t (*get_gpr)(void *ctx, enum x86emu_gpr reg);
	void (*set_gpr)(void *ctx, enum x86emu_gpr reg, uint64_t val);
	/* Optional: writes only the bits of mask (a low byte, AH or a low
	 * word) of reg. With it, an instruction that only writes part of a
	 * register (mov al, [bx]) never fetches that register; without it,
	 * the register is fetched first, to merge the part into. */
	void (*set_gpr_bits)(void *ctx, enum x86emu_gpr reg, uint64_t val, uint64_t mask);
	uint64_t (*get_rip)(void *ctx);
	void (*set_rip)(void *ctx, uint64_t rip);
	uint64_t (*get_rflags)(void *ctx);
	void (*set_rflags)(void *ctx, uint64_t rflags);
	void (*get_sreg)(void *ctx, enum x86emu_sreg sreg, struct x86emu_segment *seg);
	void (*set_sreg)(void *ctx, enum x86emu_sreg sreg, const struct x86emu_segment *seg);
	void (*get_dtable)(void *ctx, enum x86emu_dtreg dt, struct x86emu_dtable *tab);
	void (*set_dtable)(void *ctx, enum x86emu_dtreg dt, const struct x86emu_dtable *tab);
	uint64_t (*get_creg)(void *ctx, enum x86emu_creg cr);
	/* The emulator has already checked the value (#GP on reserved bits). */
	void (*set_creg)(void *ctx, enum x86emu_creg cr, uint64_t val);
	uint64_t (*get_dreg)(void *ctx, unsigned dr); /* 0-7 */
	void (*set_dreg)(void *ctx, unsigned dr, uint64_t val);
	/* Fill / take the whole extended state image (X86EMU_XSAVE_AREA_SIZE
	 * bytes). Asked for once, when an instruction first touches x87, MMX,
	 * SSE or AVX state; given back by x86emu_flush_state() if changed. */
	void (*get_xsave)(void *ctx, void *area);
	void (*set_xsave)(void *ctx, const void *area);

	/* Guest physical memory. mem_ptr answers "is [gpa, gpa+len) RAM?":
	 * a host pointer to it (writable if write is set), or NULL for MMIO,
	 * ROM on a write, or nothing there. len never crosses a 4 KiB page.
	 * x86emu does plain and LOCKed (host __atomic) accesses through it. */
	void *(*mem_ptr)(void *ctx, uint64_t gpa, size_t len, bool write);
	/* Non-RAM accesses, size 1, 2, 4 or 8 bytes, never crossing a page. */
	int (*mmio_read)(void *ctx, uint64_t gpa, unsigned size, void *data);
	int (*mmio_write)(void *ctx, uint64_t gpa, unsigned size, const void *data);
	/* Port I/O, size 1, 2 or 4. */
	int (*pio_in)(void *ctx, uint16_t port, unsigned size, uint32_t *val);
	int (*pio_out)(void *ctx, uint16_t port, unsigned size, uint32_t val);

	/* 0, or -1 for #GP(0). */
	int (*rdmsr)(void *ctx, uint32_t msr, uint64_t *val);
	int (*wrmsr)(void *ctx, uint32_t msr, uint64_t val);
	void (*cpuid)(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
	uint64_t (*rdtsc)(void *ctx);
};

enum x86emu_result {
	X86EMU_OK = 0,
	X86EMU_PENDING,
	X86EMU_EXCEPTION,
	X86EMU_HLT,
	X86EMU_UNHANDLED,
};

/* Exception vectors x86emu raises. */
enum x86emu_vector {
	X86EMU_EXC_DE = 0, X86EMU_EXC_DB = 1, X86EMU_EXC_BP = 3, X86EMU_EXC_OF = 4,
	X86EMU_EXC_BR = 5, X86EMU_EXC_UD = 6, X86EMU_EXC_NM = 7, X86EMU_EXC_DF = 8,
	X86EMU_EXC_TS = 10, X86EMU_EXC_NP = 11, X86EMU_EXC_SS = 12, X86EMU_EXC_GP = 13,
	X86EMU_EXC_PF = 14, X86EMU_EXC_MF = 16, X86EMU_EXC_AC = 17, X86EMU_EXC_XM = 19,
};

/* #PF error code bits. */
#define X86EMU_PF_P (1u << 0)
#define X86EMU_PF_W (1u << 1)
#define X86EMU_PF_U (1u << 2)
#define X86EMU_PF_RSVD (1u << 3)
#define X86EMU_PF_I (1u << 4)

struct x86emu_exception {
	uint8_t vector;
	bool has_error_code;
	uint32_t error_code;
	uint64_t cr2;     /* the faulting linear address, for #PF */
	bool delivered;   /* real mode: already pushed and vectored via the IVT */
	bool soft;        /* raised by int n / int3 / into: RIP is past it */
};

enum x86emu_pending_kind {
	X86EMU_PEND_MMIO_READ,
	X86EMU_PEND_MMIO_WRITE,
	X86EMU_PEND_PIO_IN,
	X86EMU_PEND_PIO_OUT,
};

/* The access a PENDING step is waiting for. Owns its data. */
struct x86emu_pending {
	enum x86emu_pending_kind kind;
	uint64_t addr;    /* gpa, or port */
	unsigned size;
	uint8_t data[8];  /* for writes: the bytes written */
};

struct x86emu_unhandled {
	uint64_t rip;     /* linear address of the instruction */
	uint8_t bytes[15];
	unsigned len;     /* bytes fetched (up to 15) */
	const char *reason;
};

/* Derived from CR0.PE, RFLAGS.VM, EFER.LMA and CS.L/D at each step. */
enum x86emu_mode {
	X86EMU_MODE_REAL,   /* includes big real ("unreal") mode */
	X86EMU_MODE_VM86,
	X86EMU_MODE_PROT16,
	X86EMU_MODE_PROT32,
	X86EMU_MODE_COMPAT16,
	X86EMU_MODE_COMPAT32,
	X86EMU_MODE_LONG64,
};

/* Opcode maps, for the per-opcode counters. */
enum x86emu_map {
	X86EMU_MAP_1BYTE, X86EMU_MAP_0F, X86EMU_MAP_0F38, X86EMU_MAP_0F3A,
	X86EMU_NR_MAPS
};

enum x86emu_tlb_policy {
	X86EMU_TLB_CLOCK = 1, /* approximate LRU: second chance (default) */
	X86EMU_TLB_FIFO = 2,
};

#define X86EMU_TLB_DEFAULT_ENTRIES 64
#define X86EMU_TLB_MAX_ENTRIES 4096

struct x86emu_tlb_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t walks;          /* page walks done (misses + re-walks for A/D) */
	uint64_t evictions;      /* valid entries replaced */
	uint64_t flushes;        /* O(1) generation bumps */
	uint64_t pt_writes;      /* writes that hit a tracked page-table page */
	uint64_t pt_untracked;   /* ... by a NonPT instruction: tracking dropped */
};

struct x86emu_stats {
	uint64_t insns;          /* instructions completed */
	uint64_t pendings;
	uint64_t exceptions;
	uint64_t unhandled;
	struct x86emu_tlb_stats tlb;
	uint64_t decode_hits;	/* steps that found their decode cached */
	uint64_t decode_misses; /* ... that decoded the bytes */
	uint64_t code_writes;	/* writes to cached code: its decodes dropped */
};

struct x86emu;

/* NULL on allocation failure. ops must outlive the emulator. */
struct x86emu *x86emu_new(const struct x86emu_ops *ops, void *ctx);
void x86emu_free(struct x86emu *e);
/* Back to just-created: caches, queue, TLB, stats and settings cleared. */
void x86emu_reset(struct x86emu *e);

enum x86emu_result x86emu_step(struct x86emu *e);
/* Run up to max instructions; stops early on any result but OK.
 * *done (optional) gets the number completed. */
enum x86emu_result x86emu_run(struct x86emu *e, uint64_t max, uint64_t *done);

/* Answer the pending access: for reads, data holds size bytes; for writes
 * data may be NULL. 0, or -EINVAL if nothing is pending or size differs. */
int x86emu_complete(struct x86emu *e, const void *data, unsigned size);
const struct x86emu_pending *x86emu_pending(const struct x86emu *e);
/* Drop a half-done instruction (PENDING that will never be answered). */
void x86emu_cancel(struct x86emu *e);

const struct x86emu_exception *x86emu_exception(const struct x86emu *e);
const struct x86emu_unhandled *x86emu_unhandled(const struct x86emu *e);

/* Write back dirty registers (set_gpr/set_rip/... for each dirty one). */
void x86emu_flush_state(struct x86emu *e);
/* Forget cached registers (after the caller changed them, e.g. KVM_RUN).
 * Dirty ones are dropped, not written: flush first if they matter. Cached
 * decodes are dropped too: call this after changing guest code. */
void x86emu_invalidate(struct x86emu *e);

enum x86emu_mode x86emu_mode(struct x86emu *e);
/* A20 gate: when off, physical address bit 20 is forced to 0. Default on. */
void x86emu_set_a20(struct x86emu *e, bool enabled);
/* Iterations of a REP string instruction per step before it yields (RIP
 * stays on the instruction, as after an interrupt). Default 65536. */
void x86emu_set_rep_limit(struct x86emu *e, uint64_t iterations);
/* True after sti / mov ss / pop ss: interrupts are blocked for one insn. */
bool x86emu_interrupt_shadow(const struct x86emu *e);

/* Soft-MMU. x86emu_tlb_flush also forgets the caller's memory map (RAM
 * pointers) and cached decodes: call it when either changed. */
void x86emu_tlb_flush(struct x86emu *e);
void x86emu_set_tlb_policy(struct x86emu *e, enum x86emu_tlb_policy policy);
/* entries: 1..X86EMU_TLB_MAX_ENTRIES; flushes the TLB. 0 or -EINVAL. */
int x86emu_set_tlb_size(struct x86emu *e, unsigned entries);
/* Translate a linear address as a data access at the current CPL would
 * (A/D bits are not set). 0 and *gpa, or -EFAULT if it would fault. */
int x86emu_translate(struct x86emu *e, uint64_t la, bool write, uint64_t *gpa);

/* Statistics. */
void x86emu_get_stats(const struct x86emu *e, struct x86emu_stats *st);
void x86emu_reset_stats(struct x86emu *e);
uint64_t x86emu_opcode_count(const struct x86emu *e, enum x86emu_map map, uint8_t opcode);
/* Mnemonic of an opcode (first row of its group), or NULL if x86emu has none. */
const char *x86emu_opcode_name(enum x86emu_map map, uint8_t opcode);

#endif
