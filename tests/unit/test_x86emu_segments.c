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

/* lar, lsl, verr, verw in flat 32-bit protected mode at CPL0, one selector
 * each, against a GDT of every kind they tell apart. */
static const uint64_t probe_gdt[] = {
	0,
	0x00cf9b000000ffffull, /* 0x08 code, readable, DPL0 */
	0x00cf93000000ffffull, /* 0x10 data, writable, DPL0 */
	0x00cff3000000ffffull, /* 0x18 data, writable, DPL3 */
	0x004f13000000ffffull, /* 0x20 data, not present, byte granular, limit 0xfffff */
	0x00cf99000000ffffull, /* 0x28 code, execute-only, DPL0 */
	0x00cf9f000000ffffull, /* 0x30 code, conforming, readable, DPL0 */
	0x0000890010000067ull, /* 0x38 32-bit TSS, available, limit 0x67 */
	0x00008e0000080000ull, /* 0x40 32-bit interrupt gate */
	0x00cf91000000ffffull, /* 0x48 data, read-only, DPL0 */
};

/* Runs `op` with AX = sel, EBX = 0x5a5a5a5a and ZF as zf_before; returns
 * ZF after, and EBX in *bx. */
static bool probe_once(const uint8_t *op, size_t oplen, uint16_t sel, bool zf_before, uint32_t *bx)
{
	struct fake *f = fake_new();

	memcpy(f->ram + 0x3000, probe_gdt, sizeof(probe_gdt));
	f->dt[X86EMU_GDTR].base = 0x3000;
	f->dt[X86EMU_GDTR].limit = sizeof(probe_gdt) - 1;
	fake_prot32(f, 0x1000, op, oplen);
	f->gpr[X86EMU_RAX] = 0x11110000u | sel;
	f->gpr[X86EMU_RBX] = 0x5a5a5a5a;
	f->rflags = 2 | (zf_before ? 0x40 : 0) | 0x1; /* CF set: only ZF may change */
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK, "selector %#x", sel);
	bool zf = f->rflags & 0x40;
	*bx = (uint32_t)f->gpr[X86EMU_RBX];
	cr_assert_eq(f->rip, 0x1000 + oplen);
	cr_assert_eq(f->rflags & ~0x40ull, 3, "selector %#x: a flag other than ZF changed", sel);
	if ((sel & ~7u) < sizeof(probe_gdt))
		cr_assert_eq(f->ram[0x3000 + (sel & ~7u) + 5], (uint8_t)(probe_gdt[sel >> 3] >> 40),
			     "selector %#x: the accessed bit is left as it was", sel);
	fake_free(f);
	return zf;
}

/* ZF after the instruction, the same whatever it was before. */
static bool probe(const uint8_t *op, size_t oplen, uint16_t sel, uint32_t *bx)
{
	uint32_t bx2;
	bool zf = probe_once(op, oplen, sel, false, bx);

	cr_assert_eq(probe_once(op, oplen, sel, true, &bx2), zf, "selector %#x: ZF follows its old value", sel);
	cr_assert_eq(bx2, *bx);
	return zf;
}

Test(x86emu_segments, lar_and_lsl_report_rights_and_limits_or_clear_zf)
{
	static const uint8_t lar[] = {0x0f, 0x02, 0xd8};	 /* lar ebx, eax */
	static const uint8_t lar16[] = {0x66, 0x0f, 0x02, 0xd8}; /* lar bx, ax */
	static const uint8_t lsl[] = {0x0f, 0x03, 0xd8};	 /* lsl ebx, eax */
	uint32_t bx;

	cr_expect(probe(lar, sizeof(lar), 0x10, &bx));
	cr_expect_eq(bx, 0x00cf9300, "lar: bits 23:8 of the descriptor's high dword");
	cr_expect(probe(lar16, sizeof(lar16), 0x10, &bx));
	cr_expect_eq(bx, 0x5a5a9300, "lar with a 16-bit operand: bits 15:8, the rest of EBX kept");
	cr_expect(probe(lsl, sizeof(lsl), 0x10, &bx));
	cr_expect_eq(bx, 0xffffffff, "lsl: the limit scaled by G");
	cr_expect(probe(lsl, sizeof(lsl), 0x20, &bx), "not present: lar/lsl do not look");
	cr_expect_eq(bx, 0xfffff, "byte granular limit");
	cr_expect(probe(lar, sizeof(lar), 0x38, &bx), "an available 32-bit TSS is valid for lar");
	cr_expect_eq(bx, 0x00008900);
	cr_expect(probe(lsl, sizeof(lsl), 0x38, &bx), "and for lsl");
	cr_expect_eq(bx, 0x67);
	cr_expect(probe(lar, sizeof(lar), 0x18 | 3, &bx), "DPL3 data with RPL3 at CPL0");
	cr_expect_eq(bx, 0x00cff300);
	cr_expect(probe(lar, sizeof(lar), 0x30 | 3, &bx), "a conforming code segment skips the privilege check");

	/* ZF clear, EBX untouched. */
	static const struct {
		uint16_t sel;
		const char *why;
	} bad[] = {
	    {0x0000, "null"},
	    {0x0003, "null with an RPL"},
	    {0x0050, "beyond the GDT's limit"},
	    {0x000c, "an LDT selector with no LDT"},
	    {0x0010 | 3, "RPL3 above DPL0"},
	    {0x0040, "an interrupt gate is not valid for lar"},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect(!probe(lar, sizeof(lar), bad[i].sel, &bx), "lar %#x (%s): ZF set", bad[i].sel, bad[i].why);
		cr_expect_eq(bx, 0x5a5a5a5a, "lar %#x (%s): EBX written", bad[i].sel, bad[i].why);
		cr_expect(!probe(lsl, sizeof(lsl), bad[i].sel, &bx), "lsl %#x (%s): ZF set", bad[i].sel, bad[i].why);
		cr_expect_eq(bx, 0x5a5a5a5a, "lsl %#x (%s): EBX written", bad[i].sel, bad[i].why);
	}
}

Test(x86emu_segments, verr_and_verw_check_readable_and_writable_at_the_cpl)
{
	static const uint8_t verr[] = {0x0f, 0x00, 0xe0}; /* verr ax */
	static const uint8_t verw[] = {0x0f, 0x00, 0xe8}; /* verw ax */
	static const struct {
		uint16_t sel;
		bool r, w;
		const char *what;
	} cases[] = {
	    {0x0008, true, false, "readable code: never writable"},
	    {0x0010, true, true, "writable data"},
	    {0x0048, true, false, "read-only data"},
	    {0x0028, false, false, "execute-only code"},
	    {0x0030 | 3, true, false, "conforming code: readable at any RPL"},
	    {0x0010 | 3, false, false, "RPL3 above DPL0"},
	    {0x0018 | 3, true, true, "DPL3 data"},
	    {0x0020, true, true, "not present: not checked"},
	    {0x0038, false, false, "a TSS is a system segment"},
	    {0x0000, false, false, "null"},
	    {0x0050, false, false, "beyond the GDT's limit"},
	};
	uint32_t bx;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(probe(verr, sizeof(verr), cases[i].sel, &bx), cases[i].r, "verr %#x (%s)", cases[i].sel,
			     cases[i].what);
		cr_expect_eq(probe(verw, sizeof(verw), cases[i].sel, &bx), cases[i].w, "verw %#x (%s)", cases[i].sel,
			     cases[i].what);
		cr_expect_eq(bx, 0x5a5a5a5a, "verr/verw write no register");
	}
}

/* In 64-bit mode a system descriptor is 16 bytes: lar takes a 64-bit TSS
 * whose upper half fits in the GDT with no type there, and no LDT; lsl
 * takes both. A REX.W lar zero-extends. */
Test(x86emu_segments, lar_and_lsl_in_64_bit_mode_read_16_byte_system_descriptors)
{
	static const uint8_t code[] = {
		0x48, 0x0f, 0x02, 0xd8, /* lar rbx, eax (sel 0x18: TSS) */
		0x0f, 0x03, 0xc9,       /* lsl ecx, ecx (sel 0x28: LDT) */
		0x0f, 0x02, 0xd2,       /* lar edx, edx (sel 0x28: LDT, not for lar here) */
		0x0f, 0x02, 0xf6,       /* lar esi, esi (sel 0x38: TSS whose upper half is cut off) */
	};
	static const uint64_t gdt[] = {
		0, 0x00af9b000000ffffull, 0x00cf93000000ffffull,
		0x00008b0010000067ull, 0, /* 0x18: busy 64-bit TSS, limit 0x67 */
		0x0000820020000fffull, 0, /* 0x28: LDT, limit 0xfff */
		0x0000890010000067ull,	  /* 0x38: TSS, its upper half beyond the limit */
	};
	struct fake *f = fake_new();

	memcpy(f->ram + 0x3000, gdt, sizeof(gdt));
	f->dt[X86EMU_GDTR].base = 0x3000;
	f->dt[X86EMU_GDTR].limit = sizeof(gdt) - 1;
	fake_long64(f, 0x1000, code, sizeof(code));
	f->gpr[X86EMU_RAX] = 0x18, f->gpr[X86EMU_RBX] = 0xffffffffffffffffull;
	f->gpr[X86EMU_RCX] = 0x28, f->gpr[X86EMU_RDX] = 0x28, f->gpr[X86EMU_RSI] = 0x38;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_expect(f->rflags & 0x40);
	cr_expect_eq(f->gpr[X86EMU_RBX], 0x8b00, "lar rbx: zero-extended");
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_expect(f->rflags & 0x40, "lsl takes an LDT in 64-bit mode");
	cr_expect_eq(f->gpr[X86EMU_RCX], 0xfff);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_expect(!(f->rflags & 0x40), "lar does not take an LDT in 64-bit mode");
	cr_expect_eq(f->gpr[X86EMU_RDX], 0x28);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_expect(!(f->rflags & 0x40), "a 16-byte descriptor must fit in the GDT");
	cr_expect_eq(f->gpr[X86EMU_RSI], 0x38);
	fake_free(f);
}
