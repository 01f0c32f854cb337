/* The decode cache: an instruction is decoded once and found again by the
 * physical address of its bytes and the mode. What must hold: a write to
 * cached code is seen (self-modifying code), a new mapping of the code's
 * linear page runs the new page's code (INVLPG, CR3), the same bytes in
 * another mode decode for that mode, the caller's own changes are seen
 * after x86emu_invalidate(), and a pending MMIO access resumes through a
 * cached decode. */
#include <criterion/criterion.h>

#include "tests/unit/test_x86emu_fake.h"

static struct x86emu_stats stats(struct fake *f)
{
	struct x86emu_stats st;
	x86emu_get_stats(f->e, &st);
	return st;
}

/* Step until a result other than OK (at most max steps). */
static enum x86emu_result run_to(struct fake *f, unsigned max)
{
	enum x86emu_result r = X86EMU_OK;
	for (unsigned i = 0; i < max && r == X86EMU_OK; i++)
		r = x86emu_step(f->e);
	x86emu_flush_state(f->e);
	return r;
}

Test(x86emu_dcache, a_loop_decodes_each_instruction_once)
{
	struct fake *f = fake_new();
	/* mov cx, 100; l: add ax, 1; loop l; hlt */
	static const uint8_t code[] = {0xb9, 0x64, 0x00, 0x83, 0xc0, 0x01, 0xe2, 0xfb, 0xf4};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	cr_assert_eq(run_to(f, 1000), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RAX] & 0xffff, 100);
	struct x86emu_stats st = stats(f);
	cr_assert_eq(st.decode_misses, 4, "four instructions, each decoded once: got %llu",
		     (unsigned long long)st.decode_misses);
	cr_assert_eq(st.decode_hits, st.insns - 4);
	fake_free(f);
}

Test(x86emu_dcache, self_modifying_code_is_seen)
{
	struct fake *f = fake_new();
	/* l: mov al, 1; add bl, al; mov byte [0x1001], 5 (the mov's immediate);
	 * dec cx; jnz l; hlt */
	static const uint8_t code[] = {0xb0, 0x01, 0x00, 0xc3, 0xc6, 0x06, 0x01,
				       0x10, 0x05, 0x49, 0x75, 0xf4, 0xf4};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->gpr[X86EMU_RCX] = 2;
	cr_assert_eq(run_to(f, 100), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RBX] & 0xff, 6, "second pass must add the patched 5: bl = %llu",
		     (unsigned long long)(f->gpr[X86EMU_RBX] & 0xff));
	cr_assert_geq(stats(f).code_writes, 1);
	fake_free(f);
}

Test(x86emu_dcache, locked_write_to_code_is_seen)
{
	struct fake *f = fake_new();
	/* l: mov al, 1; add bl, al; lock add byte [0x1001], 4; dec cx; jnz l; hlt */
	static const uint8_t code[] = {0xb0, 0x01, 0x00, 0xc3, 0xf0, 0x80, 0x06,
				       0x01, 0x10, 0x04, 0x49, 0x75, 0xf3, 0xf4};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->gpr[X86EMU_RCX] = 2;
	cr_assert_eq(run_to(f, 100), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RBX] & 0xff, 6, "bl = %llu",
		     (unsigned long long)(f->gpr[X86EMU_RBX] & 0xff));
	cr_assert_eq(f->ram[0x1001], 9);
	fake_free(f);
}

Test(x86emu_dcache, a_page_written_before_its_code_ran_still_sees_code_writes)
{
	struct fake *f = fake_new();
	/* mov byte [0x2100], 0 (page 2 has no code yet); jmp 0x2000;
	 * back: add bl, al; mov byte [0x2001], 7; dec cx; jz done; jmp 0x2000;
	 * done: hlt. No other write: the write lookup still has page 2. */
	static const uint8_t code[] = {0xc6, 0x06, 0x00, 0x21, 0x00, 0xe9, 0xf8, 0x0f, 0x00, 0xc3, 0xc6,
				       0x06, 0x01, 0x20, 0x07, 0x49, 0x74, 0x03, 0xe9, 0xeb, 0x0f, 0xf4};
	static const uint8_t sub[] = {0xb0, 0x01, 0xe9, 0x03, 0xf0}; /* mov al, 1; jmp back */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	memcpy(f->ram + 0x2000, sub, sizeof(sub));
	f->gpr[X86EMU_RCX] = 2;
	cr_assert_eq(run_to(f, 100), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RBX] & 0xff, 8, "bl = %llu",
		     (unsigned long long)(f->gpr[X86EMU_RBX] & 0xff));
	fake_free(f);
}

Test(x86emu_dcache, a_write_beside_the_code_keeps_its_decodes)
{
	struct fake *f = fake_new();
	/* mov cx, 50; l: mov [0x1800], al; inc ax; loop l; hlt: data in the
	 * code's page, but not in the 64 bytes that hold code. */
	static const uint8_t code[] = {0xb9, 0x32, 0x00, 0xa2, 0x00, 0x18, 0x40, 0xe2, 0xfa, 0xf4};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	cr_assert_eq(run_to(f, 1000), X86EMU_HLT);
	cr_assert_eq(f->ram[0x1800], 49);
	struct x86emu_stats st = stats(f);
	cr_assert_eq(st.code_writes, 0);
	cr_assert_eq(st.decode_misses, 5, "got %llu", (unsigned long long)st.decode_misses);
	fake_free(f);
}

/* 64-bit: 0x40000 holds "mov eax, 1; ret", 0x50000 "mov eax, 2; ret". */
static void two_routines(struct fake *f)
{
	static const uint8_t r1[] = {0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3};
	static const uint8_t r2[] = {0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3};
	memcpy(f->ram + 0x40000, r1, sizeof(r1));
	memcpy(f->ram + 0x50000, r2, sizeof(r2));
	f->gpr[X86EMU_RSP] = 0x30000;
}

Test(x86emu_dcache, invlpg_runs_the_code_of_the_new_mapping)
{
	struct fake *f = fake_new();
	/* call 0x40000; mov rbx, rax; mov qword [0x103200], 0x50007 (the PTE of
	 * 0x40000); invlpg [0x40000]; call 0x40000; hlt */
	static const uint8_t code[] = {
	    0xe8, 0xfb, 0xff, 0x01, 0x00, /* call 0x40000 */
	    0x48, 0x89, 0xc3,		  /* mov rbx, rax */
	    0x48, 0xc7, 0x04, 0x25, 0x00, 0x32, 0x10, 0x00,
	    0x07, 0x00, 0x05, 0x00,			    /* mov qword [0x103200], 0x50007 */
	    0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x04, 0x00, /* invlpg [0x40000] */
	    0xe8, 0xdf, 0xff, 0x01, 0x00,		    /* call 0x40000 */
	    0xf4,
	};
	fake_long64(f, 0x20000, code, sizeof(code));
	two_routines(f);
	cr_assert_eq(run_to(f, 100), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RBX], 1);
	cr_assert_eq(f->gpr[X86EMU_RAX], 2, "the remapped page's code must run: rax = %llu",
		     (unsigned long long)f->gpr[X86EMU_RAX]);
	fake_free(f);
}

Test(x86emu_dcache, cr3_write_runs_the_code_of_the_new_mapping)
{
	struct fake *f = fake_new();
	/* call 0x40000; mov rbx, rax; mov eax, 0x110000; mov cr3, rax;
	 * call 0x40000; hlt */
	static const uint8_t code[] = {
	    0xe8, 0xfb, 0xff, 0x01, 0x00, /* call 0x40000 */
	    0x48, 0x89, 0xc3,		  /* mov rbx, rax */
	    0xb8, 0x00, 0x00, 0x11, 0x00, /* mov eax, 0x110000 */
	    0x0f, 0x22, 0xd8,		  /* mov cr3, rax */
	    0xe8, 0xeb, 0xff, 0x01, 0x00, /* call 0x40000 */
	    0xf4,
	};
	fake_long64(f, 0x20000, code, sizeof(code));
	two_routines(f);
	/* A second set of tables, the same but for 0x40000 -> 0x50000. */
	memcpy(f->ram + 0x110000, f->ram + 0x100000, 0xb000);
	((uint64_t *)(f->ram + 0x110000))[0] = 0x111000 | 7;
	((uint64_t *)(f->ram + 0x111000))[0] = 0x112000 | 7;
	((uint64_t *)(f->ram + 0x112000))[0] = 0x113000 | 7;
	((uint64_t *)(f->ram + 0x113000))[0x40] = 0x50000 | 7;
	cr_assert_eq(run_to(f, 100), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RBX], 1);
	cr_assert_eq(f->gpr[X86EMU_RAX], 2, "rax = %llu", (unsigned long long)f->gpr[X86EMU_RAX]);
	fake_free(f);
}

Test(x86emu_dcache, the_same_bytes_decode_for_the_mode_they_run_in)
{
	struct fake *f = fake_new();
	/* 32-bit: call 0x2000; xor eax, eax; jmp far 0x18:0x2000 (16-bit code) */
	static const uint8_t code[] = {0xe8, 0xfb, 0x0f, 0x00, 0x00, 0x31, 0xc0,
				       0xea, 0x00, 0x20, 0x00, 0x00, 0x18, 0x00};
	/* 32-bit: mov eax, 0x11223344; hlt; ret
	 * 16-bit: mov ax, 0x3344; and dl, [bx+di]; hlt */
	static const uint8_t block[] = {0xb8, 0x44, 0x33, 0x22, 0x11, 0xf4, 0xc3};
	static const uint64_t gdt[] = {0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull,
				       0x00009b000000ffffull};
	fake_prot32(f, 0x1000, code, sizeof(code));
	memcpy(f->ram + 0x2000, block, sizeof(block));
	memcpy(f->ram + 0x500, gdt, sizeof(gdt));
	f->dt[X86EMU_GDTR].base = 0x500;
	f->dt[X86EMU_GDTR].limit = sizeof(gdt) - 1;
	f->gpr[X86EMU_RSP] = 0x8000;
	f->gpr[X86EMU_RDX] = 0xff;
	f->ram[0] = 0x0f;
	cr_assert_eq(run_to(f, 100), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x11223344);
	cr_assert_eq(run_to(f, 100), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x3344, "16-bit decode expected: eax = %#llx",
		     (unsigned long long)f->gpr[X86EMU_RAX]);
	cr_assert_eq(f->gpr[X86EMU_RDX] & 0xff, 0x0f);
	cr_assert_eq(f->rip, 0x2006);
	fake_free(f);
}

Test(x86emu_dcache, invalidate_sees_code_the_caller_changed)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xb0, 0x01, 0xf4}; /* mov al, 1; hlt */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	cr_assert_eq(run_to(f, 10), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RAX] & 0xff, 1);
	f->ram[0x1001] = 7;
	f->rip = 0x1000;
	x86emu_invalidate(f->e);
	cr_assert_eq(run_to(f, 10), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RAX] & 0xff, 7);
	f->ram[0x1001] = 9;
	f->rip = 0x1000;
	x86emu_invalidate(f->e);
	x86emu_tlb_flush(f->e);
	cr_assert_eq(run_to(f, 10), X86EMU_HLT);
	cr_assert_eq(f->gpr[X86EMU_RAX] & 0xff, 9);
	fake_free(f);
}

Test(x86emu_dcache, reset_forgets_every_decode)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xb0, 0x01, 0xf4}; /* mov al, 1; hlt */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	for (uint8_t v = 2; v < 5; v++) {
		x86emu_reset(f->e);
		f->rip = 0x1000;
		cr_assert_eq(run_to(f, 10), X86EMU_HLT);
		cr_assert_eq(f->gpr[X86EMU_RAX] & 0xff, v - 1, "pass %u: al = %llu", v,
			     (unsigned long long)(f->gpr[X86EMU_RAX] & 0xff));
		f->ram[0x1001] = v;
	}
	fake_free(f);
}

Test(x86emu_dcache, a_pending_mmio_read_resumes_through_the_cached_decode)
{
	struct fake *f = fake_new();
	/* l: mov eax, [0xfe000000]; add ebx, eax; loop l; hlt */
	static const uint8_t code[] = {0xa1, 0x00, 0x00, 0x00, 0xfe, 0x01, 0xc3, 0xe2, 0xf7, 0xf4};
	fake_prot32(f, 0x1000, code, sizeof(code));
	memcpy(f->mmio, "\x11\x22\x33\x04", 4);
	f->gpr[X86EMU_RCX] = 3;
	f->mmio_pending = true;
	enum x86emu_result r;
	unsigned rounds = 0;
	while ((r = x86emu_step(f->e)) == X86EMU_OK || r == X86EMU_PENDING) {
		if (r == X86EMU_PENDING) {
			const struct x86emu_pending *p = x86emu_pending(f->e);
			cr_assert_eq(p->kind, X86EMU_PEND_MMIO_READ);
			cr_assert_eq(x86emu_complete(f->e, f->mmio + (p->addr - FAKE_MMIO), p->size), 0);
			rounds++;
		}
		cr_assert(rounds < 10);
	}
	x86emu_flush_state(f->e);
	cr_assert_eq(r, X86EMU_HLT);
	cr_assert_eq(rounds, 3);
	cr_assert_eq(f->mmio_reads, 3, "each read issued once: got %u", f->mmio_reads);
	cr_assert_eq(f->gpr[X86EMU_RBX], 3 * 0x04332211ull);
	struct x86emu_stats st = stats(f);
	cr_assert_eq(st.decode_misses, 4, "got %llu", (unsigned long long)st.decode_misses);
	cr_assert_geq(st.decode_hits, 3 + 2 * 2, "resumed and repeated steps hit the cache");
	fake_free(f);
}
