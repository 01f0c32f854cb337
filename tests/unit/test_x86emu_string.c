/* String instructions with REP/REPE/REPNE, direction flag, address size,
 * segment overrides, port strings, and the REP yield limit. */
#include <criterion/criterion.h>

#include "tests/unit/test_x86emu_fake.h"

Test(x86emu_string, rep_movsb_copies_forward_and_updates_si_di_cx)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xf3, 0xa4};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->seg[X86EMU_DS] = fake_seg(0x200, 0x2000, 0xffff, 3, 0, 0);
	f->seg[X86EMU_ES] = fake_seg(0x300, 0x3000, 0xffff, 3, 0, 0);
	memcpy(f->ram + 0x2010, "hello, world", 12);
	f->gpr[X86EMU_RSI] = 0x10, f->gpr[X86EMU_RDI] = 0x20, f->gpr[X86EMU_RCX] = 12;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(memcmp(f->ram + 0x3020, "hello, world", 12), 0);
	cr_assert_eq(f->gpr[X86EMU_RSI], 0x1c);
	cr_assert_eq(f->gpr[X86EMU_RDI], 0x2c);
	cr_assert_eq(f->gpr[X86EMU_RCX], 0);
	cr_assert_eq(f->rip, 0x1002);
	fake_free(f);
}

Test(x86emu_string, std_makes_stosw_go_backwards)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xfd, 0xf3, 0xab}; /* std ; rep stosw */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->gpr[X86EMU_RAX] = 0xabcd, f->gpr[X86EMU_RDI] = 0x4006, f->gpr[X86EMU_RCX] = 4;
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	for (unsigned i = 0; i < 4; i++)
		cr_assert_eq(*(u16u *)(f->ram + 0x4000 + 2 * i), 0xabcd);
	cr_assert_eq(f->gpr[X86EMU_RDI], 0x3ffe);
	fake_free(f);
}

Test(x86emu_string, repe_cmpsb_stops_at_the_first_difference)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xf3, 0xa6};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	memcpy(f->ram + 0x5000, "abcdef", 6);
	memcpy(f->ram + 0x6000, "abcxef", 6);
	f->gpr[X86EMU_RSI] = 0x5000, f->gpr[X86EMU_RDI] = 0x6000, f->gpr[X86EMU_RCX] = 6;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RCX], 2, "stopped after the 4th byte");
	cr_assert_eq(f->gpr[X86EMU_RSI], 0x5004);
	cr_assert_eq(f->rflags & 0x40, 0, "ZF clear: the bytes differed");
	cr_assert(f->rflags & 0x1, "'d' < 'x' borrows");
	fake_free(f);
}

Test(x86emu_string, repne_scasb_finds_a_byte_with_32_bit_addressing)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xf2, 0xae}; /* repne scasb */
	fake_prot32(f, 0x1000, code, sizeof(code));
	memcpy(f->ram + 0x123450, "xxxxxxxQ", 8);
	f->gpr[X86EMU_RAX] = 'Q', f->gpr[X86EMU_RDI] = 0x123450, f->gpr[X86EMU_RCX] = 100;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RDI], 0x123458);
	cr_assert_eq(f->gpr[X86EMU_RCX], 92);
	cr_assert(f->rflags & 0x40);
	fake_free(f);
}

Test(x86emu_string, lodsd_with_segment_override_and_address_size_prefix)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x66, 0x67, 0x26, 0xad}; /* lodsd es:[esi] in real mode */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->seg[X86EMU_ES] = fake_seg(0x1000, 0x10000, 0xfffff, 3, 0, 0);
	*(u32u *)(f->ram + 0x10000 + 0x12345) = 0xcafebabe;
	f->gpr[X86EMU_RSI] = 0x12345;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0xcafebabe);
	cr_assert_eq(f->gpr[X86EMU_RSI], 0x12349, "32-bit address size moves ESI");
	fake_free(f);
}

Test(x86emu_string, rep_outsb_and_insw_go_through_the_port_callbacks)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xf3, 0x6e, 0xf3, 0x6d}; /* rep outsb ; rep insw */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	memcpy(f->ram + 0x7000, "ABC", 3);
	f->gpr[X86EMU_RSI] = 0x7000, f->gpr[X86EMU_RCX] = 3, f->gpr[X86EMU_RDX] = 0x3f8;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->nout, 3);
	cr_assert_eq(f->out_port[2], 0x3f8);
	cr_assert_eq(f->out_val[0], 'A');
	cr_assert_eq(f->out_val[2], 'C');
	f->in_val = 0x1234;
	f->gpr[X86EMU_RDI] = 0x7100, f->gpr[X86EMU_RCX] = 2;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->pio_ins, 2);
	cr_assert_eq(*(u16u *)(f->ram + 0x7102), 0x1234);
	fake_free(f);
}

Test(x86emu_string, a_huge_rep_count_yields_instead_of_hanging)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x66, 0xf3, 0xaa}; /* rep stosb with ECX */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->gpr[X86EMU_RCX] = 0xffffffff, f->gpr[X86EMU_RDI] = 0;
	f->seg[X86EMU_ES] = fake_seg(0x800, 0x8000, 0xffff, 3, 0, 0);
	x86emu_set_rep_limit(f->e, 1000);
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->rip, 0x1000, "RIP stays on the instruction");
	cr_assert_eq(f->gpr[X86EMU_RCX], 0xffffffff - 1000);
	cr_assert_eq(f->gpr[X86EMU_RDI], 1000);
	fake_free(f);
}

Test(x86emu_string, a_fault_mid_rep_keeps_the_finished_iterations)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xf3, 0xab}; /* rep stosw */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->gpr[X86EMU_RCX] = 10, f->gpr[X86EMU_RDI] = 0xfffb, f->gpr[X86EMU_RAX] = 0x5555, f->gpr[X86EMU_RSP] = 0x8000;
	f->dt[X86EMU_IDTR].limit = 0x3ff;
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP, "a word at ffff crosses the limit");
	cr_assert_eq(f->gpr[X86EMU_RCX], 8, "two words were stored");
	cr_assert_eq(f->gpr[X86EMU_RDI], 0xffff);
	cr_assert_eq(*(u16u *)(f->ram + 0xfffd), 0x5555);
	cr_assert(x86emu_exception(f->e)->delivered, "real mode: delivered via the IVT");
	fake_free(f);
}

/* What rep movs does to an overlapping destination: element by element,
 * forward, each read after the writes before it. */
static void movs_model(uint8_t *m, unsigned src, unsigned dst, unsigned size, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		memmove(m + dst + i * size, m + src + i * size, size);
}

Test(x86emu_string, rep_movs_onto_an_overlapping_destination_goes_element_by_element)
{
	static const struct {
		uint8_t op, pfx;
		unsigned size, shift;
	} cases[] = {
	    {0xa4, 0, 1, 1},
	    {0xa5, 0, 2, 1},
	    {0xa5, 0, 2, 3},
	    {0xa5, 0x66, 4, 3},
	};
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct fake *f = fake_new();
		uint8_t code[3] = {0xf3, cases[c].op}, len = 2;
		if (cases[c].pfx)
			code[0] = cases[c].pfx, code[1] = 0xf3, code[2] = cases[c].op, len = 3;
		fake_real(f, 0, 0x1000, code, len);
		uint8_t want[0x200];
		for (unsigned i = 0; i < 0x200; i++)
			f->ram[0x4000 + i] = (uint8_t)(i * 37 + 11);
		memcpy(want, f->ram + 0x4000, sizeof(want));
		movs_model(want, 0x10, 0x10 + cases[c].shift, cases[c].size, 100);
		f->gpr[X86EMU_RSI] = 0x4010, f->gpr[X86EMU_RDI] = 0x4010 + cases[c].shift;
		f->gpr[X86EMU_RCX] = 100;
		cr_assert_eq(fake_run(f, 1), X86EMU_OK);
		cr_assert_eq(memcmp(f->ram + 0x4000, want, sizeof(want)), 0, "case %u: not the CPU's result",
			     c);
		cr_assert_eq(f->gpr[X86EMU_RCX], 0);
		cr_assert_eq(f->gpr[X86EMU_RDI], 0x4010 + cases[c].shift + 100 * cases[c].size);
		fake_free(f);
	}
}

Test(x86emu_string, rep_stosb_wraps_di_at_64k_and_goes_on)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xf3, 0xaa}; /* rep stosb */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->seg[X86EMU_ES] = fake_seg(0x2000, 0x20000, 0xffff, 3, 0, 0);
	f->gpr[X86EMU_RAX] = 0x77, f->gpr[X86EMU_RDI] = 0xfffe, f->gpr[X86EMU_RCX] = 4;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->ram[0x2fffe], 0x77);
	cr_assert_eq(f->ram[0x2ffff], 0x77);
	cr_assert_eq(f->ram[0x20000], 0x77);
	cr_assert_eq(f->ram[0x20001], 0x77);
	cr_assert_eq(f->ram[0x30000], 0, "16-bit DI wraps within the segment");
	cr_assert_eq(f->gpr[X86EMU_RDI], 2);
	cr_assert_eq(f->gpr[X86EMU_RCX], 0);
	fake_free(f);
}

Test(x86emu_string, rep_movs_over_cached_code_is_seen)
{
	struct fake *f = fake_new();
	/* call 0x1100 (mov al, 1; ret) ; add bl, al ; mov si, 0x2000 ;
	 * mov di, 0x1080 ; mov cx, 0x100 ; rep movsb (brings mov al, 7; ret
	 * to 0x1100) ; call 0x1100 ; add bl, al ; hlt */
	static const uint8_t code[] = {0xe8, 0xfd, 0x00, 0x00, 0xc3, 0xbe, 0x00, 0x20, 0xbf, 0x80, 0x10,
				       0xb9, 0x00, 0x01, 0xf3, 0xa4, 0xe8, 0xed, 0x00, 0x00, 0xc3, 0xf4};
	static const uint8_t sub1[] = {0xb0, 0x01, 0xc3}, sub7[] = {0xb0, 0x07, 0xc3};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	memset(f->ram + 0x1080, 0x90, 0x100);
	memcpy(f->ram + 0x1100, sub1, sizeof(sub1));
	memset(f->ram + 0x2000, 0x90, 0x100);
	memcpy(f->ram + 0x2080, sub7, sizeof(sub7));
	f->gpr[X86EMU_RSP] = 0x8000;
	enum x86emu_result r = X86EMU_OK;
	for (unsigned i = 0; i < 100 && r == X86EMU_OK; i++)
		r = x86emu_step(f->e);
	x86emu_flush_state(f->e);
	cr_assert_eq(r, X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RBX] & 0xff, 8, "bl = %llu",
		     (unsigned long long)(f->gpr[X86EMU_RBX] & 0xff));
	fake_free(f);
}
