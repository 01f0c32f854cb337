/* x86emu: instruction functions named by the opcode tables. */
#ifndef COVE_X86EMU_OPS_H
#define COVE_X86EMU_OPS_H

#include "x86emu/internal.h"

uint64_t sub_flags_pub(uint64_t a, uint64_t b, unsigned size, uint64_t *res);
/* Condition code cc (the low nibble of jcc/setcc/cmovcc) on FLAGS f. Bit
 * i of cond_bits[cc] says whether cc holds when (CF, PF, ZF, SF, OF) are
 * the bits of i, the SDM's conditions (o, no, b, ae, e, ne, be, a, s,
 * ns, p, np, l, ge, le, g) written out as truth tables. */
static inline bool cond_eval(uint64_t f, unsigned cc)
{
	static const uint32_t cond_bits[16] = {
	    0xffff0000, 0x0000ffff, 0xaaaaaaaa, 0x55555555, 0xf0f0f0f0, 0x0f0f0f0f, 0xfafafafa, 0x05050505,
	    0xff00ff00, 0x00ff00ff, 0xcccccccc, 0x33333333, 0x00ffff00, 0xff0000ff, 0xf0fffff0, 0x0f00000f,
	};
	unsigned i = (f & FL_CF) | ((f >> 1) & 2) | ((f >> 4) & 0xc) | ((f >> 7) & 0x10);
	return (cond_bits[cc] >> i) & 1;
}

static inline bool cond_true(struct x86emu *e, unsigned cc)
{
	return cond_eval(flags_get(e), cc);
}
int ex_alu(struct x86emu *e, struct x86emu_insn *in);
/* The whole-instruction function for a register (or register/memory
 * mov) form of in's row, or NULL (see "register forms" in ops.c). */
exec_fn ops_fast_form(const struct x86emu_insn *in);
/* ex_alu and ex_incdec for one operation (row aux) and operand size. */
extern const exec_fn ex_alu_sized[8][4], ex_incdec_sized[2][4];
static inline unsigned size_index(unsigned size)
{
	return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}
int ex_bcd(struct x86emu *e, struct x86emu_insn *in);
int ex_bsf(struct x86emu *e, struct x86emu_insn *in);
int ex_popcnt(struct x86emu *e, struct x86emu_insn *in);
int ex_bswap(struct x86emu *e, struct x86emu_insn *in);
int ex_bt(struct x86emu *e, struct x86emu_insn *in);
int ex_call_far(struct x86emu *e, struct x86emu_insn *in);
int ex_call_ind(struct x86emu *e, struct x86emu_insn *in);
int ex_call_rel(struct x86emu *e, struct x86emu_insn *in);
int ex_cbw(struct x86emu *e, struct x86emu_insn *in);
int ex_clts(struct x86emu *e, struct x86emu_insn *in);
int ex_cmov(struct x86emu *e, struct x86emu_insn *in);
int ex_cmpxchg(struct x86emu *e, struct x86emu_insn *in);
int ex_cmpxchg8b(struct x86emu *e, struct x86emu_insn *in);
int ex_cpuid(struct x86emu *e, struct x86emu_insn *in);
int ex_cwd(struct x86emu *e, struct x86emu_insn *in);
int ex_enter(struct x86emu *e, struct x86emu_insn *in);
int ex_flagop(struct x86emu *e, struct x86emu_insn *in);
int ex_grp15(struct x86emu *e, struct x86emu_insn *in);
int ex_grp6(struct x86emu *e, struct x86emu_insn *in);
int ex_grp7(struct x86emu *e, struct x86emu_insn *in);
int ex_grp7_reg(struct x86emu *e, struct x86emu_insn *in);
int ex_hlt(struct x86emu *e, struct x86emu_insn *in);
int ex_imul2(struct x86emu *e, struct x86emu_insn *in);
int ex_in(struct x86emu *e, struct x86emu_insn *in);
int ex_incdec(struct x86emu *e, struct x86emu_insn *in);
int ex_int(struct x86emu *e, struct x86emu_insn *in);
int ex_iret(struct x86emu *e, struct x86emu_insn *in);
int ex_jcc(struct x86emu *e, struct x86emu_insn *in);
int ex_jmp_far(struct x86emu *e, struct x86emu_insn *in);
int ex_jmp_ind(struct x86emu *e, struct x86emu_insn *in);
int ex_jmp_rel(struct x86emu *e, struct x86emu_insn *in);
int ex_lahf(struct x86emu *e, struct x86emu_insn *in);
int ex_lea(struct x86emu *e, struct x86emu_insn *in);
int ex_leave(struct x86emu *e, struct x86emu_insn *in);
int ex_loop(struct x86emu *e, struct x86emu_insn *in);
int ex_lseg(struct x86emu *e, struct x86emu_insn *in);
int ex_mov(struct x86emu *e, struct x86emu_insn *in);
int ex_mov_cr(struct x86emu *e, struct x86emu_insn *in);
int ex_mov_dr(struct x86emu *e, struct x86emu_insn *in);
int ex_mov_from_sreg(struct x86emu *e, struct x86emu_insn *in);
int ex_mov_to_sreg(struct x86emu *e, struct x86emu_insn *in);
int ex_movd(struct x86emu *e, struct x86emu_insn *in);
int ex_movhl(struct x86emu *e, struct x86emu_insn *in);
int ex_movnti(struct x86emu *e, struct x86emu_insn *in);
int ex_movq_mmx(struct x86emu *e, struct x86emu_insn *in);
int ex_movq_xmm(struct x86emu *e, struct x86emu_insn *in);
int ex_movs_scalar(struct x86emu *e, struct x86emu_insn *in);
int ex_movsx(struct x86emu *e, struct x86emu_insn *in);
int ex_movsxd(struct x86emu *e, struct x86emu_insn *in);
int ex_movzx(struct x86emu *e, struct x86emu_insn *in);
int ex_muldiv(struct x86emu *e, struct x86emu_insn *in);
int ex_neg(struct x86emu *e, struct x86emu_insn *in);
int ex_nop(struct x86emu *e, struct x86emu_insn *in);
int ex_not(struct x86emu *e, struct x86emu_insn *in);
int ex_out(struct x86emu *e, struct x86emu_insn *in);
int ex_pop(struct x86emu *e, struct x86emu_insn *in);
int ex_pop_sreg(struct x86emu *e, struct x86emu_insn *in);
int ex_popa(struct x86emu *e, struct x86emu_insn *in);
int ex_popf(struct x86emu *e, struct x86emu_insn *in);
int ex_push(struct x86emu *e, struct x86emu_insn *in);
int ex_push_sreg(struct x86emu *e, struct x86emu_insn *in);
int ex_pusha(struct x86emu *e, struct x86emu_insn *in);
int ex_pushf(struct x86emu *e, struct x86emu_insn *in);
int ex_rdmsr(struct x86emu *e, struct x86emu_insn *in);
int ex_rdtsc(struct x86emu *e, struct x86emu_insn *in);
int ex_ret(struct x86emu *e, struct x86emu_insn *in);
int ex_retf(struct x86emu *e, struct x86emu_insn *in);
int ex_sahf(struct x86emu *e, struct x86emu_insn *in);
int ex_setcc(struct x86emu *e, struct x86emu_insn *in);
int ex_shift(struct x86emu *e, struct x86emu_insn *in);
int ex_shxd(struct x86emu *e, struct x86emu_insn *in);
int ex_string(struct x86emu *e, struct x86emu_insn *in);
int ex_test(struct x86emu *e, struct x86emu_insn *in);
int ex_ud(struct x86emu *e, struct x86emu_insn *in);
int ex_nop90(struct x86emu *e, struct x86emu_insn *in);
int ex_lar_lsl(struct x86emu *e, struct x86emu_insn *in);
int ex_vmov(struct x86emu *e, struct x86emu_insn *in);
int ex_wbinvd(struct x86emu *e, struct x86emu_insn *in);
int ex_wrmsr(struct x86emu *e, struct x86emu_insn *in);
int ex_xadd(struct x86emu *e, struct x86emu_insn *in);
int ex_xchg(struct x86emu *e, struct x86emu_insn *in);
int ex_xchg_acc(struct x86emu *e, struct x86emu_insn *in);
int ex_xlat(struct x86emu *e, struct x86emu_insn *in);

/* Packed integer SSE2/SSSE3 (ops_sse.c). */
/* One operation per row; aux names it. The 66-prefixed form works on XMM
 * (16 bytes, 16-byte aligned memory operand), the unprefixed form on MMX
 * (8 bytes, any alignment); simd_is_xmm() names the rows that are XMM-only
 * whatever their prefix. */
enum {
	S_PADDB, S_PADDW, S_PADDD, S_PADDQ, S_PSUBB, S_PSUBW, S_PSUBD, S_PSUBQ,
	S_PADDUSB, S_PADDUSW, S_PADDSB, S_PADDSW, S_PSUBUSB, S_PSUBUSW, S_PSUBSB, S_PSUBSW,
	S_PAND, S_PANDN, S_POR, S_PXOR,
	S_PCMPEQB, S_PCMPEQW, S_PCMPEQD, S_PCMPGTB, S_PCMPGTW, S_PCMPGTD,
	S_PMULLW, S_PMULUDQ, S_PMADDWD,
	S_PSRLW, S_PSRLD, S_PSRLQ, S_PSRAW, S_PSRAD, S_PSLLW, S_PSLLD, S_PSLLQ,
	S_PUNPCKLBW, S_PUNPCKLWD, S_PUNPCKLDQ, S_PUNPCKLQDQ,
	S_PUNPCKHBW, S_PUNPCKHWD, S_PUNPCKHDQ, S_PUNPCKHQDQ,
	S_PACKSSWB, S_PACKUSWB, S_PACKSSDW,
	S_PMINUB, S_PMAXUB, S_PMINSW, S_PMAXSW, S_PAVGB, S_PAVGW, S_PSADBW,
	S_PSHUFB, S_PHADDW, S_PHADDD, S_PABSB, S_PABSW, S_PABSD, S_PMADDUBSW, S_PMULHRSW,
	/* with an immediate */
	S_PSHUFD, S_PSHUFHW, S_PSHUFLW, S_PSHUFW, S_PALIGNR, S_SHUFPS,
	/* shifts by immediate, register operand only (groups 12-14) */
	S_PSRLI_W, S_PSRLI_D, S_PSRLI_Q, S_PSRAI_W, S_PSRAI_D, S_PSLLI_W, S_PSLLI_D, S_PSLLI_Q,
	S_PSRLDQ, S_PSLLDQ,
	S_PMOVMSKB,
	S_NR,
};
int ex_simd(struct x86emu *e, struct x86emu_insn *in);
int ex_simd_shift_imm(struct x86emu *e, struct x86emu_insn *in);
int ex_pmovmskb(struct x86emu *e, struct x86emu_insn *in);

#endif
