/* x86diff: differential testing of x86emu against the processor.
 *
 * The same instruction sequence runs natively in a KVM guest (real mode, or
 * 64-bit at CPL3: both execute natively on this host) and in x86emu, from the
 * same start state, and the end states are compared: general registers, RIP,
 * the flags the SDM defines, XMM registers, and the scratch memory.
 *
 * Guest physical layout (shared by both sides, all below 64 KiB so real mode
 * reaches it with segment bases of 0):
 *   0x0000 IVT             0x0500 real-mode exception stubs
 *   0x0580 real-mode handlers for `int 0x40`..`int 0x45` (16 bytes each)
 *   0x0800 64-bit stubs    0x1000 GDT   0x1800 TSS   0x2000 IDT
 *   0x3000 PML4  0x4000 PDPT  0x5000 PD (identity, 2 MiB pages, user)
 *   0x6000-0x7000 CPL0 stack for exceptions (TSS.RSP0 = 0x7000)
 *   0x8000-0x9fff scratch: data 0x8000-0x8fff, stack 0x9000-0x9fff
 *   0x10000 code (real mode: CS = 0x1000, IP from 0), then the terminator:
 *   real mode `out 0x80, al`; 64-bit `mov [XD_MMIO_END], al`, a write to
 *   guest-physical space with no memory behind it (an MMIO exit), because
 *   this host forces IOPL to 0 at CPL3 so `out` would fault there.
 * An exception stub for vector v is `out XD_PORT_EXC+v, al`, so a fault
 * ends the run the same way on both sides and names its vector. */
#ifndef XD_H
#define XD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define XD_MEM_SIZE 0x200000u
#define XD_IVT 0x0000u
#define XD_STUB_REAL 0x0500u
#define XD_INT_HANDLERS 0x0580u
#define XD_INT_VEC 0x40u /* first vector with a handler that returns */
#define XD_INT_NR 6u
#define XD_STUB_64 0x0800u
#define XD_GDT 0x1000u
#define XD_TSS 0x1800u
#define XD_IDT 0x2000u
#define XD_PML4 0x3000u
#define XD_PDPT 0x4000u
#define XD_PD 0x5000u
#define XD_RSP0 0x7000u
#define XD_SCRATCH 0x8000u
#define XD_SCRATCH_SIZE 0x2000u
#define XD_DATA 0x8000u
#define XD_STACK_TOP 0x9800u /* start SP: pushes and pops stay in scratch */
#define XD_CODE 0x10000u
#define XD_CODE_MAX 0x1000u

#define XD_PORT_END 0x80u
#define XD_MMIO_END 0x300000u
#define XD_REAL_CS 0x1000u
#define XD_PORT_EXC 0xc0u /* + vector, 0..31 */

#define XD_SEL_KCODE 0x08u
#define XD_SEL_KDATA 0x10u
#define XD_SEL_UDATA 0x1bu
#define XD_SEL_UCODE 0x23u
#define XD_SEL_TSS 0x28u

enum xd_mode { XD_REAL, XD_LONG };

/* Arithmetic flags and the others a sequence may touch. */
#define XD_CF 0x0001u
#define XD_PF 0x0004u
#define XD_AF 0x0010u
#define XD_ZF 0x0040u
#define XD_SF 0x0080u
#define XD_DF 0x0400u
#define XD_OF 0x0800u
#define XD_ARITH (XD_CF | XD_PF | XD_AF | XD_ZF | XD_SF | XD_OF)

struct xd_state {
	uint64_t gpr[16]; /* encoding order: rax rcx rdx rbx rsp rbp rsi rdi r8.. */
	uint64_t rip;
	uint64_t rflags;
	uint8_t xmm[16][16];
	uint32_t mxcsr;
};

/* How a run ended. */
enum xd_end {
	XD_END_OK,        /* reached the terminator */
	XD_END_EXC,       /* an exception: vector (and error code) set */
	XD_END_UNHANDLED, /* x86emu gave up (reason set) */
	XD_END_OTHER,     /* anything else: a hang, an odd exit (reason set) */
};

struct xd_result {
	enum xd_end end;
	unsigned vector;
	uint32_t error_code;
	bool has_error_code;
	struct xd_state st;
	uint8_t scratch[XD_SCRATCH_SIZE];
	char reason[96];
};

/* One sequence to run: code bytes and the start state. */
struct xd_seq {
	enum xd_mode mode;
	uint8_t code[XD_CODE_MAX];
	size_t len;           /* without the terminator */
	struct xd_state start;
	uint8_t scratch[XD_SCRATCH_SIZE];
	bool uses_sse;
	/* What to compare: flags bits that may differ (undefined), registers
	 * whose value is undefined at the end (bit per gpr). */
	uint32_t flags_undef;
	uint32_t gpr_undef;
	unsigned ninsns;      /* instructions generated (statistic) */
	/* Per chunk: where it starts and what was undefined before it, so a
	 * fault in chunk i is compared under the masks that held there. */
	unsigned nchunks;
	uint16_t chunk_at[257];
	struct { uint32_t flags, gprs; } poison_at[257];
};

/* The guest memory image both sides start from: IVT, stubs, GDT, TSS, IDT,
 * page tables. */
void xd_layout_build(uint8_t *mem, size_t size);

/* The system state each mode starts with, in a form both sides convert. */
struct xd_seg {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type, s, dpl, present, l, db, g, unusable;
};
enum { XD_ES, XD_CS, XD_SS, XD_DS, XD_FS, XD_GS, XD_TR, XD_LDTR, XD_NSEGS };
struct xd_sys {
	struct xd_seg seg[XD_NSEGS];
	uint64_t cr0, cr3, cr4, efer;
	uint64_t gdt_base, idt_base;
	uint16_t gdt_limit, idt_limit;
};
void xd_sys_state(enum xd_mode mode, struct xd_sys *sys);
/* Writes the terminator for mode at p; returns its length. */
#define XD_TERM_MAX 8
size_t xd_terminator(enum xd_mode mode, uint8_t *p);

/* native.c: one KVM VM, one vCPU, reused for every sequence. */
struct xd_native;
int xd_native_open(struct xd_native **out);
void xd_native_close(struct xd_native *n);
int xd_native_run(struct xd_native *n, const struct xd_seq *s, struct xd_result *r);

/* emuside.c: the same on x86emu with a flat memory array. */
struct xd_emu;
int xd_emu_open(struct xd_emu **out);
void xd_emu_close(struct xd_emu *x);
int xd_emu_run(struct xd_emu *x, const struct xd_seq *s, struct xd_result *r);

/* gen.c: random sequences from the instruction families x86emu supports. */
struct xd_rng {
	uint64_t s;
};
uint64_t xd_rand(struct xd_rng *g);
/* families: bit mask of XD_FAM_*, 0 for all. */
void xd_gen(struct xd_rng *g, enum xd_mode mode, unsigned maxinsns, uint64_t families,
	    struct xd_seq *s);
uint64_t xd_family_mask(const char *names); /* "alu,shift,..." or 0 if unknown */
const char *xd_family_list(void);

/* compare.c */
/* Returns true if the two results agree under the masks of s; writes a
 * description of the first difference to why. */
bool xd_compare(const struct xd_seq *s, const struct xd_result *a, const struct xd_result *b,
		char *why, size_t whylen);
/* Write a mismatching sequence (bytes, start state, both end states). */
int xd_dump(const char *path, const struct xd_seq *s, const struct xd_result *native,
	    const struct xd_result *emu, const char *why);

#endif
