/* MMX/SSE/AVX moves, their alignment faults, FXSAVE/FXRSTOR and the XSAVE
 * family on the caller's extended-state image. */
#include <criterion/criterion.h>

#include "tests/unit/test_x86emu_fake.h"

#define XMM(f, i) ((f)->xsave + 160 + 16 * (i))
#define YMMH(f, i) ((f)->xsave + 576 + 16 * (i))

static struct fake *setup(const uint8_t *code, size_t len)
{
	struct fake *f = fake_new();
	fake_long64(f, 0x20000, code, len);
	uint64_t bv = 7;
	memcpy(f->xsave + 512, &bv, 8);
	uint32_t mx = 0x1f80;
	memcpy(f->xsave + 24, &mx, 4);
	f->gpr[X86EMU_RBX] = 0x40000;
	for (unsigned i = 0; i < 64; i++)
		f->ram[0x40000 + i] = (uint8_t)(i + 1);
	return f;
}

Test(x86emu_sse, movdqa_loads_aligned_and_faults_misaligned)
{
	static const uint8_t code[] = {0x66, 0x0f, 0x6f, 0x0b}; /* movdqa xmm1, [rbx] */
	struct fake *f = setup(code, sizeof(code));
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(memcmp(XMM(f, 1), f->ram + 0x40000, 16), 0);
	f->rip = 0x20000;
	f->gpr[X86EMU_RBX] = 0x40008;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	cr_assert_eq(x86emu_exception(f->e)->error_code, 0);
	fake_free(f);
}

Test(x86emu_sse, movdqu_and_movups_move_unaligned_both_ways)
{
	/* movdqu xmm2,[rbx+3] ; movups [rbx+0x21],xmm2 */
	static const uint8_t code[] = {0xf3, 0x0f, 0x6f, 0x53, 0x03, 0x0f, 0x11, 0x53, 0x21};
	struct fake *f = setup(code, sizeof(code));
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	for (unsigned i = 0; i < 16; i++) {
		cr_assert_eq(XMM(f, 2)[i], i + 4);
		cr_assert_eq(f->ram[0x40021 + i], i + 4);
	}
	fake_free(f);
}

Test(x86emu_sse, vex_vmovdqu_moves_256_bits_and_vex128_zeroes_the_upper_half)
{
	/* vmovdqu ymm3,[rbx] ; vmovdqu [rbx+0x40],ymm3 ; vmovdqu xmm3,[rbx] */
	static const uint8_t code[] = {0xc5, 0xfe, 0x6f, 0x1b, 0xc5, 0xfe, 0x7f, 0x5b, 0x40, 0xc5, 0xfa, 0x6f, 0x1b};
	struct fake *f = setup(code, sizeof(code));
	memset(YMMH(f, 3), 0xee, 16);
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	cr_assert_eq(memcmp(XMM(f, 3), f->ram + 0x40000, 16), 0);
	cr_assert_eq(memcmp(YMMH(f, 3), f->ram + 0x40010, 16), 0);
	cr_assert_eq(memcmp(f->ram + 0x40040, f->ram + 0x40000, 32), 0);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	static const uint8_t zero[16];
	cr_assert_eq(memcmp(YMMH(f, 3), zero, 16), 0, "VEX.128 clears bits 255:128");
	fake_free(f);
}

Test(x86emu_sse, vmovdqa_ymm_needs_32_byte_alignment)
{
	static const uint8_t code[] = {0xc5, 0xfd, 0x6f, 0x03}; /* vmovdqa ymm0, [rbx] */
	struct fake *f = setup(code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x40010;
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	fake_free(f);
}

Test(x86emu_sse, legacy_sse_leaves_the_upper_ymm_half_alone)
{
	static const uint8_t code[] = {0x0f, 0x28, 0x03}; /* movaps xmm0, [rbx] */
	struct fake *f = setup(code, sizeof(code));
	memset(YMMH(f, 0), 0x5c, 16);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(YMMH(f, 0)[7], 0x5c);
	fake_free(f);
}

Test(x86emu_sse, movd_movq_between_gprs_and_xmm_or_mmx)
{
	/* movd xmm4,eax ; movq rcx,xmm4 ; movq mm2,[rbx] ; movd edx,mm2 */
	static const uint8_t code[] = {0x66, 0x0f, 0x6e, 0xe0, 0x66, 0x48, 0x0f, 0x7e, 0xe1,
				       0x0f, 0x6f, 0x13, 0x0f, 0x7e, 0xd2};
	struct fake *f = setup(code, sizeof(code));
	memset(XMM(f, 4), 0xff, 16);
	f->gpr[X86EMU_RAX] = 0x1122334455667788ull;
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RCX], 0x55667788, "movd zero-extends into the xmm register");
	cr_assert_eq(XMM(f, 4)[15], 0);
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RDX], 0x04030201);
	cr_assert_eq(f->xsave[4], 0xff, "MMX use tags every x87 register valid");
	cr_assert_eq(f->xsave[32 + 2 * 16 + 9], 0xff, "MMX write sets the exponent bits");
	fake_free(f);
}

Test(x86emu_sse, movss_movsd_movlps_movhps_movnti_and_movq_forms)
{
	/* movss xmm0,[rbx] ; movsd xmm1,[rbx] ; movhps xmm1,[rbx+8] ; movlps [rbx+0x30],xmm1 ;
	 * movnti [rbx+0x38],eax ; movq xmm5,[rbx] (F3 0F 7E) */
	static const uint8_t code[] = {0xf3, 0x0f, 0x10, 0x03, 0xf2, 0x0f, 0x10, 0x0b, 0x0f, 0x16, 0x4b, 0x08,
				       0x0f, 0x13, 0x4b, 0x30, 0x0f, 0xc3, 0x43, 0x38, 0xf3, 0x0f, 0x7e, 0x2b};
	struct fake *f = setup(code, sizeof(code));
	memset(XMM(f, 0), 0xaa, 16);
	memset(XMM(f, 5), 0xaa, 16);
	f->gpr[X86EMU_RAX] = 0xdeadbeef;
	cr_assert_eq(fake_run(f, 6), X86EMU_OK);
	cr_assert_eq(memcmp(XMM(f, 0), f->ram + 0x40000, 4), 0);
	cr_assert_eq(XMM(f, 0)[4], 0, "movss from memory zeroes the rest");
	cr_assert_eq(memcmp(XMM(f, 1), f->ram + 0x40000, 8), 0);
	cr_assert_eq(memcmp(XMM(f, 1) + 8, f->ram + 0x40008, 8), 0);
	cr_assert_eq(memcmp(f->ram + 0x40030, "\x01\x02\x03\x04\x05\x06\x07\x08", 8), 0);
	cr_assert_eq(*(u32u *)(f->ram + 0x40038), 0xdeadbeef);
	cr_assert_eq(XMM(f, 5)[8], 0, "movq zeroes the upper quadword");
	fake_free(f);
}

Test(x86emu_sse, sse_faults_nm_with_ts_and_ud_without_osfxsr)
{
	static const uint8_t code[] = {0x0f, 0x28, 0x03};
	struct fake *f = setup(code, sizeof(code));
	f->cr[X86EMU_CR0] |= 8;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_NM);
	f->cr[X86EMU_CR0] &= ~8ull;
	f->cr[X86EMU_CR4] &= ~(1ull << 9);
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_UD);
	fake_free(f);
}

Test(x86emu_sse, movntdq_needs_alignment_and_memory)
{
	static const uint8_t code[] = {0x66, 0x0f, 0xe7, 0x43, 0x04}; /* movntdq [rbx+4], xmm0 */
	struct fake *f = setup(code, sizeof(code));
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	fake_free(f);
}

Test(x86emu_sse, fxsave_then_fxrstor_restores_xmm_and_mxcsr)
{
	/* fxsave [rbx] ; fxrstor [rbx] */
	static const uint8_t code[] = {0x0f, 0xae, 0x03, 0x0f, 0xae, 0x0b};
	struct fake *f = setup(code, sizeof(code));
	for (unsigned i = 0; i < 256; i++)
		XMM(f, 0)[i] = (uint8_t)(i ^ 0x5a);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(memcmp(f->ram + 0x40000 + 160, XMM(f, 0), 256), 0, "64-bit fxsave stores XMM0-15");
	cr_assert_eq(*(u32u *)(f->ram + 0x40000 + 24), 0x1f80);
	memset(XMM(f, 0), 0, 256);
	*(u32u *)(f->ram + 0x40000 + 24) = 0x9f80;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(XMM(f, 15)[15], (uint8_t)(255 ^ 0x5a));
	cr_assert_eq(*(u32u *)(f->xsave + 24), 0x9f80);
	/* a reserved MXCSR bit makes fxrstor #GP */
	*(u32u *)(f->ram + 0x40000 + 24) = 0x10000;
	f->rip = 0x20003;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	fake_free(f);
}

Test(x86emu_sse, xsave_xsavec_and_xrstor_follow_the_header)
{
	/* xsave [rbx] ; xsavec [rbx+0x400] ; xrstor [rbx] */
	static const uint8_t code[] = {0x0f, 0xae, 0x23, 0x0f, 0xc7, 0xa3, 0x00, 0x04, 0x00, 0x00, 0x0f, 0xae, 0x2b};
	struct fake *f = setup(code, sizeof(code));
	memset(f->ram + 0x40000, 0, 0x800);
	memset(YMMH(f, 1), 0x77, 16);
	memset(XMM(f, 1), 0x66, 16);
	f->gpr[X86EMU_RAX] = 7, f->gpr[X86EMU_RDX] = 0;
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	cr_assert_eq(*(u64u *)(f->ram + 0x40000 + 512), 7, "XSTATE_BV");
	cr_assert_eq(f->ram[0x40000 + 576 + 16], 0x77, "YMM_Hi128 of ymm1 at 576");
	cr_assert_eq(*(u64u *)(f->ram + 0x40400 + 520), (1ull << 63) | 7, "XCOMP_BV of xsavec");
	/* clear the AVX bit in the saved header: xrstor puts YMM uppers in init state */
	*(u64u *)(f->ram + 0x40000 + 512) = 3;
	memset(XMM(f, 1), 0, 16);
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(XMM(f, 1)[0], 0x66);
	cr_assert_eq(YMMH(f, 1)[0], 0, "component 2 not in XSTATE_BV: initialised");
	/* a non-zero reserved header byte is #GP */
	f->ram[0x40000 + 540] = 1;
	f->rip = 0x2000a;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	/* misaligned area is #GP too */
	f->ram[0x40000 + 540] = 0;
	f->gpr[X86EMU_RBX] = 0x40020;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	fake_free(f);
}

Test(x86emu_sse, xsaves_is_compacted_xsave_at_cpl0_and_gp_at_cpl3)
{
	static const uint8_t code[] = {0x0f, 0xc7, 0x2b}; /* xsaves [rbx] */
	struct fake *f = setup(code, sizeof(code));
	memset(f->ram + 0x40000, 0, 0x400);
	f->gpr[X86EMU_RAX] = 3, f->gpr[X86EMU_RDX] = 0;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(*(u64u *)(f->ram + 0x40000 + 520), (1ull << 63) | 3, "XCOMP_BV: compacted, RFBM");
	f->rip = 0x20000;
	f->seg[X86EMU_CS].selector = 0x1b;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	fake_free(f);
}

Test(x86emu_sse, xsaveopt_saves_the_requested_components_like_xsave)
{
	static const uint8_t code[] = {0x0f, 0xae, 0x33}; /* xsaveopt [rbx] */
	struct fake *f = setup(code, sizeof(code));
	memset(f->ram + 0x40000, 0xcc, 832);
	memset(f->ram + 0x40000 + 512, 0, 64);
	*(u64u *)(f->ram + 0x40000 + 512) = 4; /* XSTATE_BV: AVX from an earlier save */
	memset(XMM(f, 3), 0x33, 16);
	f->gpr[X86EMU_RAX] = 2, f->gpr[X86EMU_RDX] = 0; /* RFBM: SSE only */
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->ram[0x40000 + 160 + 48], 0x33, "XMM3 saved");
	cr_assert_eq(*(u32u *)(f->ram + 0x40000 + 24), 0x1f80, "MXCSR saved with SSE");
	cr_assert_eq(f->ram[0x40000], 0xcc, "x87 not requested: its bytes untouched");
	cr_assert_eq(f->ram[0x40000 + 576], 0xcc, "AVX not requested: untouched");
	cr_assert_eq(*(u64u *)(f->ram + 0x40000 + 512), 6, "XSTATE_BV: SSE set, AVX kept");
	cr_assert_eq(f->rip, 0x20003);
	/* misaligned: #GP; CR4.OSXSAVE clear: #UD */
	f->rip = 0x20000, f->gpr[X86EMU_RBX] = 0x40010;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	f->gpr[X86EMU_RBX] = 0x40000;
	f->cr[X86EMU_CR4] &= ~(uint64_t)(1u << 18);
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_UD);
	fake_free(f);
}
