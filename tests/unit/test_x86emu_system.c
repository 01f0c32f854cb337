/* System instructions and control flow: the real-to-protected-mode switch
 * through lgdt/mov cr0/far jmp, segment loads from the GDT, int/iret through
 * the IVT, call/ret/enter/leave, CPUID/RDTSC/MSRs through the caller,
 * privilege checks, HLT, LOCK rules, cmpxchg16b, unhandled reports, stats. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "tests/unit/test_x86emu_fake.h"

Test(x86emu_system, real_to_protected_mode_through_lgdt_cr0_and_far_jmp)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {
		0x0f, 0x01, 0x16, 0x00, 0x30,       /* lgdt [0x3000] */
		0x0f, 0x20, 0xc0,                   /* mov eax, cr0 */
		0x0c, 0x01,                         /* or al, 1 */
		0x0f, 0x22, 0xc0,                   /* mov cr0, eax */
		0x66, 0xea, 0x00, 0x20, 0x00, 0x00, 0x08, 0x00, /* jmp dword 0x08:0x2000 */
	};
	static const uint8_t pm[] = {
		0x66, 0xb8, 0x10, 0x00, /* mov ax, 0x10 */
		0x8e, 0xd8,             /* mov ds, ax */
		0xa1, 0x00, 0x50, 0x00, 0x00, /* mov eax, [0x5000] */
	};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	memcpy(f->ram + 0x2000, pm, sizeof(pm));
	uint64_t gdt[3] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull};
	memcpy(f->ram + 0x3100, gdt, sizeof(gdt));
	*(u16u *)(f->ram + 0x3000) = 23;
	*(u32u *)(f->ram + 0x3002) = 0x3100;
	*(u32u *)(f->ram + 0x5000) = 0x600dc0de;
	cr_assert_eq(fake_run(f, 5), X86EMU_OK);
	cr_assert_eq(f->dt[X86EMU_GDTR].base, 0x3100);
	cr_assert_eq(f->cr[X86EMU_CR0] & 1, 1);
	cr_assert_eq(f->seg[X86EMU_CS].selector, 8);
	cr_assert_eq(f->seg[X86EMU_CS].db, 1);
	cr_assert_eq(f->seg[X86EMU_CS].limit, 0xffffffff);
	cr_assert_eq(f->rip, 0x2000);
	cr_assert_eq(x86emu_mode(f->e), X86EMU_MODE_PROT32);
	cr_assert(f->ram[0x3100 + 8 + 5] & 1, "descriptor marked accessed");
	cr_assert_eq(fake_run(f, 3), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x600dc0de);
	cr_assert_eq(f->seg[X86EMU_DS].selector, 0x10);
	/* loading a selector beyond the GDT limit is #GP(selector) */
	static const uint8_t bad[] = {0x66, 0xb8, 0x28, 0x00, 0x8e, 0xd8};
	memcpy(f->ram + 0x2000, bad, sizeof(bad));
	f->rip = 0x2000;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 2), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	cr_assert_eq(x86emu_exception(f->e)->error_code, 0x28);
	fake_free(f);
}

Test(x86emu_system, int_and_iret_go_through_the_ivt_in_real_mode)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xcd, 0x10, 0x90};
	static const uint8_t isr[] = {0xb8, 0x34, 0x12, 0xcf}; /* mov ax,0x1234 ; iret */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	memcpy(f->ram + 0x5000, isr, sizeof(isr));
	*(u16u *)(f->ram + 0x40) = 0x0000;
	*(u16u *)(f->ram + 0x42) = 0x0500;
	f->gpr[X86EMU_RSP] = 0x9000;
	f->rflags = 0x202;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->seg[X86EMU_CS].selector, 0x500);
	cr_assert_eq(f->rip, 0);
	cr_assert_eq(f->rflags & 0x200, 0);
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x1234);
	cr_assert_eq(f->seg[X86EMU_CS].selector, 0);
	cr_assert_eq(f->rip, 0x1002);
	cr_assert_eq(f->rflags & 0x200, 0x200, "iret restored IF");
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x9000);
	fake_free(f);
}

Test(x86emu_system, call_ret_enter_leave_push_pop_keep_the_stack_right)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {
		0xe8, 0x03, 0x00,       /* call +3 */
		0xf4,                   /* hlt */
		0x90, 0x90,
		0xc8, 0x08, 0x00, 0x00, /* enter 8, 0 */
		0x6a, 0x7f,             /* push 0x7f */
		0x58,                   /* pop ax */
		0xc9,                   /* leave */
		0xc3,                   /* ret */
	};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->gpr[X86EMU_RSP] = 0x8000, f->gpr[X86EMU_RBP] = 0x1111;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->rip, 0x1006);
	cr_assert_eq(*(u16u *)(f->ram + 0x7ffe), 0x1003, "return address pushed");
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RBP], 0x7ffc);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x7ffc - 8);
	cr_assert_eq(fake_run(f, 4), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX] & 0xffff, 0x7f);
	cr_assert_eq(f->gpr[X86EMU_RBP], 0x1111);
	cr_assert_eq(f->rip, 0x1003);
	cr_assert_eq(fake_run(f, 1), X86EMU_HLT);
	cr_assert_eq(f->rip, 0x1004, "RIP is past hlt");
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8000);
	fake_free(f);
}

Test(x86emu_system, cpuid_rdtsc_and_msrs_go_through_the_caller)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x0f, 0xa2, 0x0f, 0x31, 0x0f, 0x32, 0x0f, 0x30};
	fake_long64(f, 0x20000, code, sizeof(code));
	f->gpr[X86EMU_RAX] = 7, f->gpr[X86EMU_RCX] = 1;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 22);
	cr_assert_eq(f->gpr[X86EMU_RCX], 1, "subleaf passed through");
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x56789abc);
	cr_assert_eq(f->gpr[X86EMU_RDX], 0x1234);
	f->gpr[X86EMU_RCX] = 0x1b;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0xfee00900);
	f->gpr[X86EMU_RCX] = 0x999;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP, "an MSR the caller refuses is #GP");
	fake_free(f);
}

Test(x86emu_system, privileged_instructions_fault_at_cpl3)
{
	struct fake *f = fake_new();
	static const uint8_t insns[][3] = {{0x0f, 0x22, 0xd8}, {0xf4, 0, 0}, {0x0f, 0x01, 0x38}, {0xfa, 0, 0}, {0x0f, 0x30, 0}};
	for (unsigned i = 0; i < 5; i++) {
		fake_long64(f, 0x20000, insns[i], 3);
		f->seg[X86EMU_CS].selector = 0x1b;
		f->rflags = 2;
		x86emu_invalidate(f->e);
		cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION, "insn %u", i);
		cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP, "insn %u", i);
	}
	fake_free(f);
}

Test(x86emu_system, lock_prefix_rules_and_atomic_cmpxchg16b)
{
	struct fake *f = fake_new();
	static const uint8_t lockreg[] = {0xf0, 0x01, 0xd8}; /* lock add eax, ebx */
	fake_long64(f, 0x20000, lockreg, sizeof(lockreg));
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_UD);
	static const uint8_t c16[] = {0xf0, 0x48, 0x0f, 0xc7, 0x0f, 0xf0, 0x48, 0x0f, 0xc7, 0x0f}; /* lock cmpxchg16b [rdi] x2 */
	fake_long64(f, 0x20000, c16, sizeof(c16));
	uint64_t *m = (u64u *)(f->ram + 0x40000);
	m[0] = 1, m[1] = 2;
	f->gpr[X86EMU_RDI] = 0x40000;
	f->gpr[X86EMU_RAX] = 1, f->gpr[X86EMU_RDX] = 2, f->gpr[X86EMU_RBX] = 10, f->gpr[X86EMU_RCX] = 20;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert(m[0] == 10 && m[1] == 20, "swapped in");
	cr_assert(f->rflags & 0x40);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->rflags & 0x40, 0, "second compare fails");
	cr_assert(f->gpr[X86EMU_RAX] == 10 && f->gpr[X86EMU_RDX] == 20, "rdx:rax loaded with memory");
	/* misaligned cmpxchg16b is #GP */
	fake_long64(f, 0x20000, c16, sizeof(c16));
	f->gpr[X86EMU_RDI] = 0x40008;
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	/* lock xadd on RAM */
	static const uint8_t xadd[] = {0xf0, 0x0f, 0xc1, 0x07};
	fake_long64(f, 0x20000, xadd, sizeof(xadd));
	*(u32u *)(f->ram + 0x40000) = 5;
	f->gpr[X86EMU_RDI] = 0x40000, f->gpr[X86EMU_RAX] = 3;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(*(u32u *)(f->ram + 0x40000), 8);
	cr_assert_eq(f->gpr[X86EMU_RAX], 5);
	fake_free(f);
}

Test(x86emu_system, software_interrupt_in_long_mode_is_reported_not_delivered)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xcd, 0x80};
	fake_long64(f, 0x20000, code, sizeof(code));
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	const struct x86emu_exception *x = x86emu_exception(f->e);
	cr_assert_eq(x->vector, 0x80);
	cr_assert(x->soft);
	cr_assert_not(x->delivered);
	cr_assert_eq(f->rip, 0x20002, "RIP past int n for the caller to inject");
	fake_free(f);
}

Test(x86emu_system, x87_instruction_is_unhandled_with_its_bytes)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xd9, 0xe8};
	fake_long64(f, 0x20000, code, sizeof(code));
	cr_assert_eq(fake_run(f, 1), X86EMU_UNHANDLED);
	const struct x86emu_unhandled *u = x86emu_unhandled(f->e);
	cr_assert_not_null(u->reason);
	cr_assert_geq(u->len, 2);
	cr_assert_eq(u->bytes[0], 0xd9);
	cr_assert_eq(u->bytes[1], 0xe8);
	cr_assert_eq(u->rip, 0x20000);
	cr_assert_eq(f->rip, 0x20000, "nothing committed");
	fake_free(f);
}

Test(x86emu_system, opcode_counters_and_names)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x40, 0x40, 0x0f, 0xa2};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	cr_assert_eq(fake_run(f, 3), X86EMU_OK);
	cr_assert_eq(x86emu_opcode_count(f->e, X86EMU_MAP_1BYTE, 0x40), 2);
	cr_assert_eq(x86emu_opcode_count(f->e, X86EMU_MAP_0F, 0xa2), 1);
	cr_assert_str_eq(x86emu_opcode_name(X86EMU_MAP_0F, 0xa2), "cpuid");
	cr_assert_str_eq(x86emu_opcode_name(X86EMU_MAP_1BYTE, 0x01), "add");
	cr_assert_null(x86emu_opcode_name(X86EMU_NR_MAPS, 0));
	struct x86emu_stats st;
	x86emu_get_stats(f->e, &st);
	cr_assert_eq(st.insns, 3);
	fake_free(f);
}

Test(x86emu_system, garbage_code_never_crashes_the_emulator)
{
	struct fake *f = fake_new();
	uint64_t r = 0x243f6a8885a308d3ull;
	for (unsigned round = 0; round < 300; round++) {
		uint8_t code[64];
		for (unsigned i = 0; i < sizeof(code); i++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			code[i] = (uint8_t)r;
		}
		if (round & 1)
			fake_long64(f, 0x20000, code, sizeof(code));
		else
			fake_real(f, 0, 0x1000, code, sizeof(code));
		for (unsigned g = 0; g < 16; g++)
			f->gpr[g] = r * (g + 1);
		f->mmio_pending = round % 3 == 0;
		x86emu_invalidate(f->e);
		x86emu_cancel(f->e);
		enum x86emu_result res = X86EMU_OK;
		for (unsigned n = 0; n < 32 && res != X86EMU_UNHANDLED; n++) {
			res = x86emu_step(f->e);
			if (res == X86EMU_PENDING) {
				uint8_t d[8] = {0};
				cr_assert_eq(x86emu_complete(f->e, d, x86emu_pending(f->e)->size), 0);
			}
		}
		x86emu_flush_state(f->e);
	}
	fake_free(f);
}

Test(x86emu_system, clac_and_stac_toggle_ac_at_cpl0_and_are_ud_at_cpl3)
{
	static const uint8_t code[] = {0x0f, 0x01, 0xcb, 0x0f, 0x01, 0xca}; /* stac; clac */
	struct fake *f = fake_new();
	fake_long64(f, 0x20000, code, sizeof(code));
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	x86emu_flush_state(f->e);
	cr_assert(f->rflags & (1u << 18), "stac sets RFLAGS.AC");
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	x86emu_flush_state(f->e);
	cr_assert(!(f->rflags & (1u << 18)), "clac clears RFLAGS.AC");
	f->rip = 0x20000;
	f->seg[X86EMU_CS].selector = 0x1b;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_UD);
	fake_free(f);
}

Test(x86emu_system, lmsw_from_a_register_changes_cr0_and_no_register)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x0f, 0x01, 0xf2}; /* lmsw dx */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	for (unsigned r = 0; r < 16; r++)
		f->gpr[r] = 0x1111111111111111ull * (r + 1);
	f->gpr[X86EMU_RDX] = 0x0009; /* PE and TS */
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->cr[X86EMU_CR0] & 0xf, 0x9);
	for (unsigned r = 0; r < 16; r++)
		if (r != X86EMU_RDX)
			cr_assert_eq(f->gpr[r], 0x1111111111111111ull * (r + 1), "register %u changed", r);
	cr_assert_eq(f->set_gpr_calls, 0, "no register written back");
	fake_free(f);
}

Test(x86emu_system, clts_clears_cr0_ts_only_and_is_gp_at_cpl3)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x0f, 0x06};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->cr[X86EMU_CR0] = 0x6000001e; /* CD NW ET TS EM MP */
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->cr[X86EMU_CR0], 0x60000016, "only TS cleared: %#lx", (unsigned long)f->cr[X86EMU_CR0]);
	fake_long64(f, 0x20000, code, sizeof(code));
	f->cr[X86EMU_CR0] |= 8;
	f->seg[X86EMU_CS].selector = 0x1b;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	cr_assert(f->cr[X86EMU_CR0] & 8, "TS still set");
	fake_free(f);
}

Test(x86emu_system, mov_to_and_from_debug_registers)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {
		0x0f, 0x23, 0xc0,       /* mov dr0, rax */
		0x0f, 0x21, 0xc3,       /* mov rbx, dr0 */
		0x0f, 0x21, 0xe1,       /* mov rcx, dr4: dr6 while CR4.DE is clear */
		0x0f, 0x23, 0xfa,       /* mov dr7, rdx */
		0x0f, 0x21, 0xe6,       /* mov rsi, dr4 (CR4.DE set below: #UD) */
	};
	fake_long64(f, 0x20000, code, sizeof(code));
	f->dr[6] = 0xffff0ff1;
	f->gpr[X86EMU_RAX] = 0x123456789a, f->gpr[X86EMU_RDX] = 0x401;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 4), X86EMU_OK);
	cr_assert_eq(f->dr[0], 0x123456789a, "DR0 written back");
	cr_assert_eq(f->gpr[X86EMU_RBX], 0x123456789a);
	cr_assert_eq(f->gpr[X86EMU_RCX], 0xffff0ff1, "DR4 aliases DR6");
	cr_assert_eq(f->dr[7], 0x401);
	f->cr[X86EMU_CR4] |= 1u << 3;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_UD, "DR4 with CR4.DE");
	/* DR7 bits 63:32 are reserved: #GP */
	f->rip = 0x20009;
	f->gpr[X86EMU_RDX] = 1ull << 32;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	cr_assert_eq(f->dr[7], 0x401);
	/* CPL3 */
	f->rip = 0x20003;
	f->seg[X86EMU_CS].selector = 0x1b;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP, "mov from DR at CPL3");
	fake_free(f);
}

Test(x86emu_system, smsw_stores_the_low_cr0_word_and_lmsw_cannot_clear_pe)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {
		0x0f, 0x01, 0xe0,             /* smsw ax */
		0x0f, 0x01, 0x26, 0x00, 0x05, /* smsw [0x500] */
		0x0f, 0x01, 0x36, 0x02, 0x05, /* lmsw [0x502] */
	};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->cr[X86EMU_CR0] = 0x6005003b; /* ... NE ET TS EM MP */
	f->gpr[X86EMU_RAX] = 0xaaaaaaaa;
	*(u32u *)(f->ram + 0x500) = 0x0001ffff; /* lmsw source at 0x502: PE only */
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0xaaaa003b, "smsw r16 writes 16 bits");
	cr_assert_eq(*(u16u *)(f->ram + 0x500), 0x003b);
	cr_assert_eq(*(u16u *)(f->ram + 0x502), 0x0001, "smsw m16 writes two bytes");
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->cr[X86EMU_CR0], 0x60050031, "lmsw loads PE MP EM TS only: %#lx",
		     (unsigned long)f->cr[X86EMU_CR0]);
	/* in protected mode, lmsw 0 leaves PE set */
	static const uint8_t clr[] = {0x0f, 0x01, 0xf0}; /* lmsw ax */
	fake_prot32(f, 0x2000, clr, sizeof(clr));
	f->cr[X86EMU_CR0] = 0x1f;
	f->gpr[X86EMU_RAX] = 0;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->cr[X86EMU_CR0], 0x11, "MP EM TS cleared, PE kept");
	fake_free(f);
}

Test(x86emu_system, pusha_popa_restore_every_register_but_sp)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x60, 0x61, 0x66, 0x60, 0x66, 0x61};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	for (unsigned r = 0; r < 8; r++)
		f->gpr[r] = 0x11110000u * (r + 1) + r;
	f->gpr[X86EMU_RSP] = 0x8000;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x7ff0);
	cr_assert_eq(*(u16u *)(f->ram + 0x7ffe), 0, "AX first");
	cr_assert_eq(*(u16u *)(f->ram + 0x7ff6), 0x8000, "the SP from before pusha");
	cr_assert_eq(*(u16u *)(f->ram + 0x7ff0), 7, "DI last");
	/* popa: new values, and the SP slot is skipped */
	for (unsigned r = 0; r < 8; r++)
		*(u16u *)(f->ram + 0x7ffe - 2 * r) = (uint16_t)(0x100 + r);
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	for (unsigned r = 0; r < 8; r++)
		if (r != X86EMU_RSP)
			cr_assert_eq(f->gpr[r], (0x11110000u * (r + 1)) | (0x100 + r), "reg %u: %#lx", r,
				     (unsigned long)f->gpr[r]);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8000, "SP from the increment, not the slot");
	/* o32: 32 bytes, whole registers */
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x7fe0);
	cr_assert_eq(*(u32u *)(f->ram + 0x7ffc), 0x11110100u);
	for (unsigned r = 0; r < 8; r++)
		*(u32u *)(f->ram + 0x7ffc - 4 * r) = 0xabc00000u + r;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0xabc00000u);
	cr_assert_eq(f->gpr[X86EMU_RDI], 0xabc00007u);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8000);
	/* 64-bit mode: 60 and 61 are invalid */
	fake_long64(f, 0x20000, code, 1);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_UD);
	fake_free(f);
}

Test(x86emu_system, xlat_adds_al_to_bx_in_the_data_segment)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xd7, 0x26, 0xd7, 0x67, 0xd7};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->seg[X86EMU_DS] = fake_seg(0x100, 0x1000, 0xffff, 3, 0, 0);
	f->seg[X86EMU_ES] = fake_seg(0x200, 0x2000, 0xffff, 3, 0, 0);
	f->gpr[X86EMU_RAX] = 0x12345603, f->gpr[X86EMU_RBX] = 0x10000500;
	f->ram[0x1503] = 0x40, f->ram[0x2540] = 0x07;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x12345640, "AL = DS:[BX+AL], the rest kept");
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX] & 0xff, 0x07, "ES override");
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP, "67: EBX beyond the 64K limit");
	static const uint8_t c64[] = {0x48, 0xd7};
	fake_long64(f, 0x20000, c64, sizeof(c64));
	f->gpr[X86EMU_RBX] = 0x40000, f->gpr[X86EMU_RAX] = 0xff;
	f->ram[0x400ff] = 0x5a;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x5a, "AL unsigned: RBX + 255");
	fake_free(f);
}

/* Encodings the SDM defines as invalid: a guest must see #UD, which the
 * caller injects, not an "unhandled" that stops the VM. */
Test(x86emu_system, undefined_encodings_raise_ud_not_unhandled)
{
	static const struct {
		bool m64;
		uint8_t len, b[4];
	} cases[] = {
		{false, 2, {0xfe, 0xd0}}, {false, 2, {0xfe, 0xd8}}, {false, 2, {0xfe, 0xe0}},
		{false, 2, {0xfe, 0xe8}}, {false, 2, {0xfe, 0xf0}}, {false, 2, {0xfe, 0xf8}},
		{false, 2, {0xfe, 0x17}},                         /* fe /2 with memory */
		{false, 2, {0x63, 0xc0}},                         /* arpl: not in real mode */
		{false, 3, {0x0f, 0x02, 0xc0}},                   /* lar: not in real mode */
		{false, 3, {0x0f, 0x03, 0xc0}},                   /* lsl: not in real mode */
		{false, 3, {0x0f, 0x00, 0xc0}},                   /* sldt: not in real mode */
		{false, 3, {0x0f, 0x00, 0xf0}},                   /* 0f 00 /6 */
		{false, 2, {0x0f, 0x0b}},                         /* ud2 */
		{false, 3, {0x0f, 0xb9, 0xc0}},                   /* ud1 */
		{false, 2, {0xff, 0xf8}},                         /* ff /7 */
		{false, 2, {0xff, 0xd8}},                         /* call far with a register */
		{false, 2, {0x8d, 0xc0}},                         /* lea with a register */
		{false, 2, {0x8e, 0xc8}},                         /* mov cs, ax */
		{true, 1, {0x60}}, {true, 1, {0x61}}, {true, 1, {0x06}}, {true, 1, {0x1f}},
		{true, 1, {0xd4}}, {true, 1, {0x27}}, {true, 1, {0xce}}, {true, 1, {0x9a}},
		{true, 1, {0xea}}, {true, 2, {0x0f, 0x0b}}, {true, 2, {0xfe, 0xd0}},
	};
	struct fake *f = fake_new();
	char bad[1024] = "";
	int n = 0;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]) && n < 900; i++) {
		uint8_t code[16] = {0};
		memcpy(code, cases[i].b, cases[i].len);
		if (cases[i].m64)
			fake_long64(f, 0x20000, code, sizeof(code));
		else
			fake_real(f, 0, 0x1000, code, sizeof(code));
		f->gpr[X86EMU_RSP] = 0x8000;
		f->gpr[X86EMU_RDI] = 0x600;
		x86emu_invalidate(f->e);
		x86emu_cancel(f->e);
		uint64_t rip = f->rip;
		enum x86emu_result r = x86emu_step(f->e);
		x86emu_flush_state(f->e);
		const struct x86emu_exception *x = x86emu_exception(f->e);
		if (r != X86EMU_EXCEPTION || x->vector != X86EMU_EXC_UD || (cases[i].m64 && f->rip != rip)) {
			n += snprintf(bad + n, sizeof(bad) - (size_t)n, " [%s %02x %02x: result %d vector %u]",
				      cases[i].m64 ? "64" : "real", cases[i].b[0], cases[i].b[1], r,
				      r == X86EMU_EXCEPTION ? x->vector : 0);
		}
	}
	cr_assert_eq(n, 0, "not a #UD fault:%s", bad);
	fake_free(f);
}

Test(x86emu_system, cr0_and_cr4_paging_bit_changes_flush_the_tlb)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {
		0x8b, 0x03,             /* mov eax, [rbx] */
		0x0f, 0x22, 0xe1,       /* mov cr4, rcx */
		0x8b, 0x03,             /* mov eax, [rbx] */
		0x0f, 0x22, 0xc2,       /* mov cr0, rdx */
		0x8b, 0x03,             /* mov eax, [rbx] */
		0x0f, 0x22, 0xe6,       /* mov cr4, rsi: a bit that is not about paging */
		0x0f, 0x22, 0xc7,       /* mov cr0, rdi: nor this one */
		0x8b, 0x03,             /* mov eax, [rbx] */
	};
	fake_long64(f, 0x20000, code, sizeof(code));
	uint64_t *pte = (u64u *)(f->ram + 0x103000) + (0x70000 >> 12);
	for (unsigned i = 0; i < 4; i++)
		*(u32u *)(f->ram + 0x70000 + i * 0x1000) = i;
	f->gpr[X86EMU_RBX] = 0x70000;
	f->gpr[X86EMU_RCX] = f->cr[X86EMU_CR4] | (1u << 7);           /* PGE */
	f->gpr[X86EMU_RDX] = f->cr[X86EMU_CR0] & ~(uint64_t)(1u << 16); /* WP off */
	f->gpr[X86EMU_RSI] = f->gpr[X86EMU_RCX] | (1u << 10);          /* OSXMMEXCPT */
	f->gpr[X86EMU_RDI] = f->gpr[X86EMU_RDX] | 8;                   /* TS */
	x86emu_invalidate(f->e);
	struct x86emu_stats st;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0);
	x86emu_get_stats(f->e, &st);
	uint64_t flushes = st.tlb.flushes;
	/* the caller remaps the page: a CPU keeps the old translation until a flush */
	*pte = 0x71000 | 7;
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	x86emu_get_stats(f->e, &st);
	cr_assert_eq(st.tlb.flushes, flushes + 1, "CR4.PGE flushes by generation");
	cr_assert_eq(f->gpr[X86EMU_RAX], 1, "the new mapping after the CR4 write");
	*pte = 0x72000 | 7;
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	x86emu_get_stats(f->e, &st);
	cr_assert_eq(st.tlb.flushes, flushes + 2, "CR0.WP flushes too");
	cr_assert_eq(f->gpr[X86EMU_RAX], 2);
	*pte = 0x73000 | 7;
	cr_assert_eq(fake_run(f, 3), X86EMU_OK);
	x86emu_get_stats(f->e, &st);
	cr_assert_eq(st.tlb.flushes, flushes + 2, "CR4.OSXMMEXCPT and CR0.TS leave the TLB");
	cr_assert_eq(f->gpr[X86EMU_RAX], 2, "so the old translation is still used");
	cr_assert_eq(f->cr[X86EMU_CR0] & 8, 8);
	fake_free(f);
}

Test(x86emu_system, misaligned_access_is_ac_only_with_cr0_am_eflags_ac_at_cpl3)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x8b, 0x03}; /* mov eax, [rbx] */
	static const struct {
		bool am, ac, user;
		uint64_t addr;
		bool fault;
	} cases[] = {
		{true, true, true, 0x40001, true},
		{true, true, true, 0x40004, false},  /* aligned */
		{false, true, true, 0x40001, false}, /* CR0.AM clear */
		{true, false, true, 0x40001, false}, /* EFLAGS.AC clear */
		{true, true, false, 0x40001, false}, /* CPL0 */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_long64(f, 0x20000, code, sizeof(code));
		if (!cases[i].am)
			f->cr[X86EMU_CR0] &= ~(uint64_t)(1u << 18);
		else
			f->cr[X86EMU_CR0] |= 1u << 18;
		f->rflags = 2 | (cases[i].ac ? 1u << 18 : 0);
		if (cases[i].user) {
			f->seg[X86EMU_CS].selector = 0x23, f->seg[X86EMU_CS].dpl = 3;
			f->seg[X86EMU_SS].selector = 0x1b, f->seg[X86EMU_SS].dpl = 3;
		}
		f->gpr[X86EMU_RBX] = cases[i].addr;
		*(u32u *)(f->ram + cases[i].addr) = 0xc0ffee;
		x86emu_invalidate(f->e);
		enum x86emu_result r = fake_run(f, 1);
		if (cases[i].fault) {
			cr_assert_eq(r, X86EMU_EXCEPTION, "case %u", i);
			cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_AC, "case %u", i);
			cr_assert_eq(x86emu_exception(f->e)->error_code, 0);
			cr_assert_eq(f->rip, 0x20000);
		} else {
			cr_assert_eq(r, X86EMU_OK, "case %u", i);
			cr_assert_eq(f->gpr[X86EMU_RAX], 0xc0ffee, "case %u", i);
		}
	}
	fake_free(f);
}

/* Two real-mode forms x86diff cannot check on this host (its KVM emulates
 * them: `66 c8` pushes 2 bytes there, `66 cd` goes astray): the SDM's
 * behaviour, by hand. */
Test(x86emu_system, real_mode_o32_enter_and_int_follow_the_sdm)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x66, 0xc8, 0x08, 0x00, 0x00, 0x66, 0xc9, 0x66, 0xcd, 0x10};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	*(u16u *)(f->ram + 0x40) = 0x5000, *(u16u *)(f->ram + 0x42) = 0;
	f->gpr[X86EMU_RSP] = 0x8000, f->gpr[X86EMU_RBP] = 0xdeadbeef;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(*(u32u *)(f->ram + 0x7ffc), 0xdeadbeef, "enter o32 pushes EBP whole");
	cr_assert_eq(f->gpr[X86EMU_RBP], 0x7ffc);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x7ffc - 8);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RBP], 0xdeadbeef, "leave o32 pops EBP whole");
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8000);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->rip, 0x5000);
	cr_assert_eq(f->gpr[X86EMU_RSP], 0x8000 - 6, "the real-mode frame is 16-bit with o32 too");
	cr_assert_eq(*(u16u *)(f->ram + 0x7ffa), 0x100a, "return IP");
	fake_free(f);
}
