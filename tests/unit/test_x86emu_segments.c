/* Segment loads and far transfers: lss/lfs/lgs, far call and far ret in
 * real and protected mode, and the faults of a not-present descriptor. */
#include <criterion/criterion.h>

#include "tests/unit/test_x86emu_fake.h"

/* Flat 32-bit protected mode with a GDT at 0x3000: null, code 0x08, data
 * 0x10, code 0x18 (base 0x10000), data 0x20 not present, code 0x28 not
 * present. */
static struct fake *prot32_gdt(const uint8_t *code, size_t len)
{
	struct fake *f = fake_new();
	static const uint64_t gdt[6] = {
		0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull, 0x00cf9b010000ffffull,
		0x00cf13000000ffffull, 0x00cf1b000000ffffull,
	};
	memcpy(f->ram + 0x3000, gdt, sizeof(gdt));
	f->dt[X86EMU_GDTR].base = 0x3000;
	f->dt[X86EMU_GDTR].limit = sizeof(gdt) - 1;
	fake_prot32(f, 0x1000, code, len);
	f->gpr[X86EMU_RSP] = 0x8000;
	return f;
}

Test(x86emu_segments, lss_lfs_lgs_load_the_segment_and_the_offset_in_real_mode)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {
		0x0f, 0xb2, 0x26, 0x00, 0x05,       /* lss sp, [0x500] */
		0x0f, 0xb4, 0x1e, 0x04, 0x05,       /* lfs bx, [0x504] */
		0x66, 0x0f, 0xb5, 0x3e, 0x08, 0x05, /* lgs edi, [0x508] (m16:32) */
		0x0f, 0xb2, 0xc0,                   /* lss ax, ax: no memory operand */
	};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	*(u16u *)(f->ram + 0x500) = 0x7ff0, *(u16u *)(f->ram + 0x502) = 0x1234;
	*(u16u *)(f->ram + 0x504) = 0xbeef, *(u16u *)(f->ram + 0x506) = 0x2345;
	*(u32u *)(f->ram + 0x508) = 0x89abcdef, *(u16u *)(f->ram + 0x50c) = 0x3456;
	f->gpr[X86EMU_RSP] = 0xaaaa0000, f->gpr[X86EMU_RBX] = 0x11110000;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 3), X86EMU_OK);
	cr_assert_eq(f->seg[X86EMU_SS].selector, 0x1234);
	cr_assert_eq(f->seg[X86EMU_SS].base, 0x12340);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0xaaaa7ff0, "SP loaded, the upper half kept");
	cr_assert_eq(f->seg[X86EMU_FS].selector, 0x2345);
	cr_assert_eq(f->seg[X86EMU_FS].base, 0x23450);
	cr_assert_eq(f->gpr[X86EMU_RBX], 0x1111beef);
	cr_assert_eq(f->seg[X86EMU_GS].selector, 0x3456);
	cr_assert_eq(f->seg[X86EMU_GS].base, 0x34560);
	cr_assert_eq(f->gpr[X86EMU_RDI], 0x89abcdef, "o32: a 32-bit offset");
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_UD, "lss with a register operand");
	fake_free(f);
}

Test(x86emu_segments, far_call_and_far_ret_in_real_mode)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {
		0x9a, 0x00, 0x20, 0x00, 0x03, /* call 0x0300:0x2000 */
		0xff, 0x1e, 0x00, 0x06,       /* call far [0x600] */
		0x66, 0x9a, 0x10, 0x20, 0x00, 0x00, 0x00, 0x03, /* call dword 0x0300:0x2010 */
	};
	static const uint8_t sub[] = {0xca, 0x04, 0x00}; /* retf 4 */
	static const uint8_t sub32[] = {0x66, 0xcb};     /* retf (o32) */
	fake_real(f, 0x100, 0x10, code, sizeof(code));
	memcpy(f->ram + 0x5000, sub, sizeof(sub));
	memcpy(f->ram + 0x5010, sub32, sizeof(sub32));
	*(u16u *)(f->ram + 0x600) = 0x2000, *(u16u *)(f->ram + 0x602) = 0x0300;
	f->gpr[X86EMU_RSP] = 0x8000;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->seg[X86EMU_CS].selector, 0x300);
	cr_assert_eq(f->seg[X86EMU_CS].base, 0x3000);
	cr_assert_eq(f->rip, 0x2000);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x7ffc);
	cr_assert_eq(*(u16u *)(f->ram + 0x7ffe), 0x100, "CS pushed first");
	cr_assert_eq(*(u16u *)(f->ram + 0x7ffc), 0x15, "then the IP after the call");
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->seg[X86EMU_CS].selector, 0x100);
	cr_assert_eq(f->seg[X86EMU_CS].base, 0x1000);
	cr_assert_eq(f->rip, 0x15);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8004, "retf 4 dropped 4 more bytes");
	cr_assert_eq(fake_run(f, 2), X86EMU_OK); /* call far [m], retf 4 */
	cr_assert_eq(f->rip, 0x19);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8008);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->rip, 0x2010);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8000, "o32: 4-byte CS and 4-byte EIP");
	cr_assert_eq(*(u32u *)(f->ram + 0x8000), 0x21);
	cr_assert_eq(*(u16u *)(f->ram + 0x8004), 0x100);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->seg[X86EMU_CS].selector, 0x100);
	cr_assert_eq(f->rip, 0x21);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8008);
	fake_free(f);
}

Test(x86emu_segments, far_call_and_far_ret_in_protected_mode_load_descriptors)
{
	static const uint8_t code[] = {
		0x9a, 0x00, 0x20, 0x00, 0x00, 0x18, 0x00, /* call 0x18:0x2000 */
		0x9a, 0x00, 0x20, 0x00, 0x00, 0x28, 0x00, /* call 0x28:0x2000 (not present) */
	};
	static const uint8_t sub[] = {0xcb}; /* retf */
	struct fake *f = prot32_gdt(code, sizeof(code));
	memcpy(f->ram + 0x12000, sub, sizeof(sub));
	*(u32u *)(f->ram + 0x7ffc) = 0xdeadbeef;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->seg[X86EMU_CS].selector, 0x18);
	cr_assert_eq(f->seg[X86EMU_CS].base, 0x10000, "base from the descriptor");
	cr_assert_eq(f->seg[X86EMU_CS].db, 1);
	cr_assert_eq(f->rip, 0x2000);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x7ff8);
	cr_assert_eq(*(u16u *)(f->ram + 0x7ffc), 0x08, "old CS in a 4-byte slot");
	cr_assert_eq(*(u32u *)(f->ram + 0x7ff8), 0x1007, "old EIP");
	cr_assert(f->ram[0x3000 + 0x18 + 5] & 1, "descriptor marked accessed");
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->seg[X86EMU_CS].selector, 0x08);
	cr_assert_eq(f->seg[X86EMU_CS].base, 0);
	cr_assert_eq(f->rip, 0x1007);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8000);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_NP);
	cr_assert_eq(x86emu_exception(f->e)->error_code, 0x28);
	cr_assert_eq(f->seg[X86EMU_CS].selector, 0x08, "CS unchanged by the fault");
	cr_assert_eq(f->rip, 0x1007, "the fault is at the call");
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8000, "nothing pushed");
	fake_free(f);
}

Test(x86emu_segments, loading_a_not_present_data_descriptor_is_np_and_ss_for_ss)
{
	static const uint8_t code[] = {
		0x66, 0xb8, 0x20, 0x00,             /* mov ax, 0x20 */
		0x8e, 0xd8,                         /* mov ds, ax */
		0x0f, 0xb4, 0x1d, 0x00, 0x50, 0x00, 0x00, /* lfs ebx, [0x5000] */
		0x8e, 0xd0,                         /* mov ss, ax */
	};
	struct fake *f = prot32_gdt(code, sizeof(code));
	*(u32u *)(f->ram + 0x5000) = 0x12345678, *(u16u *)(f->ram + 0x5004) = 0x20;
	f->gpr[X86EMU_RBX] = 0x77;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 2), X86EMU_EXCEPTION);
	const struct x86emu_exception *x = x86emu_exception(f->e);
	cr_assert_eq(x->vector, X86EMU_EXC_NP);
	cr_assert(x->has_error_code);
	cr_assert_eq(x->error_code, 0x20, "the selector");
	cr_assert_eq(f->seg[X86EMU_DS].selector, 0x10, "DS unchanged");
	cr_assert_eq(f->rip, 0x1004);
	f->rip = 0x1006;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_NP);
	cr_assert_eq(f->gpr[X86EMU_RBX], 0x77, "lfs wrote no offset");
	cr_assert_eq(f->seg[X86EMU_FS].selector, 0x10);
	f->rip = 0x100d;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_SS, "SS: #SS, not #NP");
	cr_assert_eq(x86emu_exception(f->e)->error_code, 0x20);
	fake_free(f);
}
