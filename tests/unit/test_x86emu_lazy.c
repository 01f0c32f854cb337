/* x86emu's lazy register cache: state is fetched on first use and only
 * dirty state is written back. Counted through the fake machine's callbacks. */
#include <criterion/criterion.h>

#include "tests/unit/test_x86emu_fake.h"

static unsigned sum(const unsigned *a, unsigned n)
{
	unsigned s = 0;
	for (unsigned i = 0; i < n; i++)
		s += a[i];
	return s;
}

Test(x86emu_lazy, real_mode_mov_al_bx_fetches_bx_and_ds_only)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x8a, 0x07}; /* mov al, [bx] */
	fake_real(f, 0, 0x7c00, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x500;
	f->ram[0x500] = 0x5a;
	cr_assert_eq(x86emu_step(f->e), X86EMU_OK);
	cr_assert_eq(f->get_gpr[X86EMU_RBX], 1, "BX fetched once");
	cr_assert_eq(sum(f->get_gpr, 16), 2, "only BX, and RAX for the AL merge, are fetched");
	cr_assert_eq(f->get_gpr[X86EMU_RAX], 1);
	cr_assert_eq(f->get_sreg[X86EMU_DS], 1);
	cr_assert_eq(f->get_sreg[X86EMU_CS], 1, "CS: code fetch and mode");
	cr_assert_eq(sum(f->get_sreg, X86EMU_NR_SREGS), 2, "no segment but DS and CS");
	cr_assert_eq(f->get_rflags, 0, "mov does not touch FLAGS");
	cr_assert_eq(f->get_xsave, 0);
	x86emu_flush_state(f->e);
	cr_assert_eq(f->gpr[X86EMU_RAX] & 0xff, 0x5a);
	cr_assert_eq(f->set_gpr_calls, 1, "only AX is written back");
	cr_assert_eq(f->rip, 0x7c02);
	fake_free(f);
}

Test(x86emu_lazy, long_mode_touches_no_segment_but_the_ones_it_needs)
{
	struct fake *f = fake_new();
	/* mov rax,[rbx] ; add rax,rcx ; mov [rbx+8],rax ; mov rdx, fs:[rbx] */
	static const uint8_t code[] = {0x48, 0x8b, 0x03, 0x48, 0x01, 0xc8, 0x48, 0x89, 0x43, 0x08, 0x64, 0x48, 0x8b, 0x13};
	fake_long64(f, 0x20000, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x30000, f->gpr[X86EMU_RCX] = 5;
	*(u64u *)(f->ram + 0x30000) = 10;
	f->seg[X86EMU_FS].base = 0x8;
	cr_assert_eq(fake_run(f, 3), X86EMU_OK);
	cr_assert_eq(*(u64u *)(f->ram + 0x30008), 15);
	cr_assert_eq(sum(f->get_sreg, X86EMU_NR_SREGS), 1, "64-bit code needs CS only: got %u", sum(f->get_sreg, X86EMU_NR_SREGS));
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->get_sreg[X86EMU_FS], 1, "an FS override fetches FS");
	cr_assert_eq(f->get_sreg[X86EMU_DS] + f->get_sreg[X86EMU_SS] + f->get_sreg[X86EMU_ES], 0);
	cr_assert_eq(f->gpr[X86EMU_RDX], 15);
	fake_free(f);
}

Test(x86emu_lazy, registers_are_fetched_once_across_instructions_and_written_back_once)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x40, 0x40, 0x40, 0x43}; /* inc ax x3 ; inc bx */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	cr_assert_eq(fake_run(f, 4), X86EMU_OK);
	cr_assert_eq(f->get_gpr[X86EMU_RAX], 1);
	cr_assert_eq(f->gpr[X86EMU_RAX], 3);
	cr_assert_eq(f->set_gpr_calls, 2, "AX and BX written back, once each");
	cr_assert_eq(f->get_xsave, 0);
	fake_free(f);
}

Test(x86emu_lazy, vector_state_is_fetched_only_by_a_vector_instruction)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x48, 0x01, 0xd8, 0x66, 0x0f, 0x6f, 0x03}; /* add rax,rbx ; movdqa xmm0,[rbx] */
	fake_long64(f, 0x20000, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x40000;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->get_xsave, 0);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->get_xsave, 1);
	cr_assert_eq(f->set_xsave, 1, "the changed vector state goes back");
	fake_free(f);
}

Test(x86emu_lazy, invalidate_drops_the_cache_so_caller_changes_are_seen)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x40, 0x40};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	f->gpr[X86EMU_RAX] = 100;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 101);
	fake_free(f);
}
