/* Late segmentation per mode: big real ("unreal") mode limits, 16-bit
 * protected mode defaults, expand-down limits, null selectors,
 * compatibility mode decoding, 64-bit canonical checks (#GP vs #SS). */
#include <criterion/criterion.h>

#include "tests/unit/test_x86emu_fake.h"

Test(x86emu_modes, unreal_mode_uses_the_cached_4g_limit_and_real_mode_faults_past_64k)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x67, 0x66, 0x8b, 0x06}; /* mov eax, [esi] */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->seg[X86EMU_DS].limit = 0xffffffff;
	f->gpr[X86EMU_RSI] = 0x200000;
	*(u32u *)(f->ram + 0x200000) = 0x1badb002;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x1badb002);
	cr_assert_eq(x86emu_mode(f->e), X86EMU_MODE_REAL);
	f->rip = 0x1000;
	f->seg[X86EMU_DS].limit = 0xffff;
	f->gpr[X86EMU_RSP] = 0x8000;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	fake_free(f);
}

Test(x86emu_modes, sixteen_bit_protected_mode_defaults_to_16_bit_operands)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xb8, 0x34, 0x12, 0x66, 0xb8, 0x78, 0x56, 0x34, 0x12};
	fake_prot32(f, 0x1000, code, sizeof(code));
	f->seg[X86EMU_CS].db = 0;
	f->gpr[X86EMU_RAX] = 0xffffffff;
	x86emu_invalidate(f->e);
	cr_assert_eq(x86emu_mode(f->e), X86EMU_MODE_PROT16);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0xffff1234);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x12345678);
	fake_free(f);
}

Test(x86emu_modes, expand_down_segments_allow_only_offsets_above_the_limit)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x8b, 0x03}; /* mov eax, [ebx] */
	fake_prot32(f, 0x1000, code, sizeof(code));
	f->seg[X86EMU_DS].type = 7; /* data, expand-down, writable, accessed */
	f->seg[X86EMU_DS].limit = 0xfff;
	f->gpr[X86EMU_RBX] = 0x800;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	f->gpr[X86EMU_RBX] = 0x2000;
	*(u32u *)(f->ram + 0x2000) = 42;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 42);
	fake_free(f);
}

Test(x86emu_modes, null_data_segment_and_read_only_writes_fault_in_protected_mode)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x89, 0x03}; /* mov [ebx], eax */
	fake_prot32(f, 0x1000, code, sizeof(code));
	f->seg[X86EMU_DS].unusable = 1;
	f->gpr[X86EMU_RBX] = 0x2000;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	f->seg[X86EMU_DS].unusable = 0;
	f->seg[X86EMU_DS].type = 1; /* read-only data */
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	/* a stack-segment limit violation is #SS, not #GP */
	static const uint8_t push[] = {0x50};
	memcpy(f->ram + 0x1000, push, 1);
	f->seg[X86EMU_SS].limit = 0xfff;
	f->gpr[X86EMU_RSP] = 0x2000;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_SS);
	fake_free(f);
}

Test(x86emu_modes, compatibility_mode_treats_0x48_as_dec_not_rex)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x48, 0x50}; /* dec eax ; push eax */
	fake_long64(f, 0x20000, code, sizeof(code));
	f->seg[X86EMU_CS].l = 0;
	f->seg[X86EMU_CS].db = 1;
	f->gpr[X86EMU_RAX] = 10, f->gpr[X86EMU_RSP] = 0x9000;
	x86emu_invalidate(f->e);
	cr_assert_eq(x86emu_mode(f->e), X86EMU_MODE_COMPAT32);
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 9);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8ffc, "a 32-bit push");
	fake_free(f);
}

Test(x86emu_modes, non_canonical_addresses_fault_gp_or_ss_in_64_bit_mode)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x8b, 0x03}; /* mov eax, [rbx] */
	fake_long64(f, 0x20000, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x0000800000000000ull;
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	static const uint8_t code2[] = {0x8b, 0x04, 0x24}; /* mov eax, [rsp] */
	fake_long64(f, 0x20000, code2, sizeof(code2));
	f->gpr[X86EMU_RSP] = 0x0000800000000000ull;
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_SS);
	/* rip-relative addressing */
	static const uint8_t code3[] = {0x8b, 0x05, 0x10, 0x00, 0x00, 0x00}; /* mov eax, [rip+0x10] */
	fake_long64(f, 0x20000, code3, sizeof(code3));
	*(u32u *)(f->ram + 0x20016) = 0x77;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x77);
	fake_free(f);
}
