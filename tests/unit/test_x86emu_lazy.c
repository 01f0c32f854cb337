/* x86emu's lazy register cache: state is fetched on first use and only
 * dirty state is written back. Counted through the fake machine's callbacks. */
#include <criterion/criterion.h>

#include "tests/unit/test_x86emu_fake.h"

static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					 "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const sreg_names[X86EMU_NR_SREGS] = {"es", "cs", "ss", "ds", "fs", "gs", "tr", "ldtr"};

/* Every callback count is what want says: one line per register. */
static void expect_fetches(const struct fake *f, uint32_t gprs, uint32_t sregs, uint32_t crs, const char *what)
{
	for (unsigned i = 0; i < 16; i++)
		cr_expect_eq(f->get_gpr[i], (gprs >> i) & 1, "%s: %s fetched %u times", what, gpr_names[i],
			     f->get_gpr[i]);
	for (unsigned i = 0; i < X86EMU_NR_SREGS; i++)
		cr_expect_eq(f->get_sreg[i], (sregs >> i) & 1, "%s: %s fetched %u times", what, sreg_names[i],
			     f->get_sreg[i]);
	for (unsigned i = 0; i < X86EMU_NR_CREGS; i++)
		cr_expect_eq(f->get_cr[i], (crs >> i) & 1, "%s: control register %u fetched %u times", what, i,
			     f->get_cr[i]);
	cr_expect_eq(f->get_rflags, 0, "%s: FLAGS fetched", what);
	cr_expect_eq(f->get_xsave, 0, "%s: vector state fetched", what);
}

static void reset_counts(struct fake *f)
{
	memset(f->get_gpr, 0, sizeof(f->get_gpr));
	memset(f->get_sreg, 0, sizeof(f->get_sreg));
	memset(f->get_cr, 0, sizeof(f->get_cr));
	f->get_rflags = f->get_xsave = f->set_xsave = f->set_gpr_calls = 0;
}

#define BIT(x) (1u << (x))

Test(x86emu_lazy, real_mode_mov_al_bx_fetches_bx_and_ds_only)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x90, 0x8a, 0x07}; /* nop ; mov al, [bx] */
	fake_real(f, 0, 0x7c00, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x500;
	f->gpr[X86EMU_RAX] = 0x1234;
	f->ram[0x500] = 0x5a;
	/* The first instruction after a VM exit learns the mode: CR0 (with
	 * PE clear, EFER does not matter) and CS, which the fetch needs. */
	cr_assert_eq(x86emu_step(f->e), X86EMU_OK);
	uint32_t mode_crs = BIT(X86EMU_CR0);
	expect_fetches(f, 0, BIT(X86EMU_CS), mode_crs, "nop");
	reset_counts(f);
	/* mov al, [bx]: BX for the address, DS for its base and limit; AL is
	 * written without RAX ever being fetched (the caller takes the byte
	 * through set_gpr_bits). */
	cr_assert_eq(x86emu_step(f->e), X86EMU_OK);
	expect_fetches(f, BIT(X86EMU_RBX), BIT(X86EMU_DS), 0, "mov al, [bx]");
	x86emu_flush_state(f->e);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x125a, "AH and the rest of RAX are kept");
	cr_assert_eq(f->set_gpr_calls, 0);
	cr_assert_eq(f->set_gpr_bits_calls, 1, "only AL is written back");
	cr_assert_eq(f->get_gpr[X86EMU_RAX], 0, "RAX not even fetched to write it back");
	cr_assert_eq(f->rip, 0x7c03);
	/* from cold, the same instruction: the same plus CS and the mode */
	fake_real(f, 0, 0x7c00, code + 1, 2);
	reset_counts(f);
	cr_assert_eq(x86emu_step(f->e), X86EMU_OK);
	expect_fetches(f, BIT(X86EMU_RBX), BIT(X86EMU_DS) | BIT(X86EMU_CS), mode_crs,
		       "mov al, [bx] first after invalidate");
	fake_free(f);
}

/* A part written, then the whole register read: the read fetches the
 * register once and sees the part written (mov ah, [bx] ; mov cx, ax ;
 * mov al, 7 ; mov dl, al). */
Test(x86emu_lazy, a_part_written_unfetched_merges_when_the_register_is_read)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x8a, 0x27, 0x89, 0xc1, 0xb0, 0x07, 0x88, 0xc2};
	fake_real(f, 0, 0x7c00, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x500;
	f->gpr[X86EMU_RAX] = 0xdeadbeef1234ull;
	f->gpr[X86EMU_RCX] = 0xffffffffffffffffull;
	f->gpr[X86EMU_RDX] = 0x1111111111111111ull;
	f->ram[0x500] = 0x9c;
	for (int i = 0; i < 4; i++)
		cr_assert_eq(x86emu_step(f->e), X86EMU_OK);
	cr_expect_eq(f->get_gpr[X86EMU_RAX], 1, "RAX fetched once, for mov cx, ax");
	x86emu_flush_state(f->e);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0xdeadbeef9c07ull);
	cr_assert_eq(f->gpr[X86EMU_RCX], 0xffffffffffff9c34ull);
	cr_assert_eq(f->gpr[X86EMU_RDX], 0x1111111111111107ull);
	fake_free(f);
}

/* A caller without set_gpr_bits: the register is fetched once, to merge
 * the part into, and written back whole. */
Test(x86emu_lazy, without_set_gpr_bits_a_part_is_merged_at_write_back)
{
	struct fake *f = fake_new();
	static struct x86emu_ops ops;
	ops = fake_ops;
	ops.set_gpr_bits = NULL;
	x86emu_free(f->e);
	f->e = x86emu_new(&ops, f);
	static const uint8_t code[] = {0x8a, 0x07}; /* mov al, [bx] */
	fake_real(f, 0, 0x7c00, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x500;
	f->gpr[X86EMU_RAX] = 0xabcd1234;
	f->ram[0x500] = 0x5a;
	cr_assert_eq(x86emu_step(f->e), X86EMU_OK);
	cr_expect_eq(f->get_gpr[X86EMU_RAX], 1, "RAX fetched once, for the merge");
	x86emu_flush_state(f->e);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0xabcd125a);
	cr_assert_eq(f->set_gpr_calls, 1);
	fake_free(f);
}

Test(x86emu_lazy, long_mode_touches_no_segment_but_the_ones_it_needs)
{
	struct fake *f = fake_new();
	/* mov rax,[rbx] ; add rax,rcx ; mov [rbx+8],rax ; push rax ; pop rdx ;
	 * mov rdx, fs:[rbx] ; mov rsi, gs:[rbx] */
	static const uint8_t code[] = {0x48, 0x8b, 0x03, 0x48, 0x01, 0xc8, 0x48, 0x89, 0x43, 0x08,
				       0x50, 0x5a, 0x64, 0x48, 0x8b, 0x13, 0x65, 0x48, 0x8b, 0x33};
	fake_long64(f, 0x20000, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x30000, f->gpr[X86EMU_RCX] = 5, f->gpr[X86EMU_RSP] = 0x40000;
	*(u64u *)(f->ram + 0x30000) = 10;
	*(u64u *)(f->ram + 0x30008) = 0;
	f->seg[X86EMU_FS].base = 0x8;
	f->seg[X86EMU_GS].base = 0x10;
	*(u64u *)(f->ram + 0x30010) = 77;
	/* data, stack: no DS, no SS; flat 64-bit addressing uses no base */
	cr_assert_eq(fake_run(f, 5), X86EMU_OK);
	cr_assert_eq(*(u64u *)(f->ram + 0x30008), 15);
	cr_assert_eq(f->gpr[X86EMU_RDX], 15);
	for (unsigned s = 0; s < X86EMU_NR_SREGS; s++)
		cr_expect_eq(f->get_sreg[s], s == X86EMU_CS, "64-bit code without overrides: %s fetched %u times",
			     sreg_names[s], f->get_sreg[s]);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RDX], 15);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RSI], 77);
	for (unsigned s = 0; s < X86EMU_NR_SREGS; s++)
		cr_expect_eq(f->get_sreg[s], s == X86EMU_CS || s == X86EMU_FS || s == X86EMU_GS,
			     "an FS and a GS override fetch those two: %s fetched %u times", sreg_names[s],
			     f->get_sreg[s]);
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
