/* The soft-MMU: page walks (4-level, PAE, 32-bit with PSE), A/D bits,
 * #PF error codes and CR2, the generation-flushed TLB, CLOCK vs FIFO
 * eviction, page-table write tracking, A20. */
#include <criterion/criterion.h>

#include "tests/unit/test_x86emu_fake.h"

#define PT 0x103000ull /* first page table of fake_long64 */

static uint64_t *pte(struct fake *f, uint64_t la)
{
	return (u64u *)(f->ram + PT) + (la >> 12);
}

Test(x86emu_mmu, four_level_walk_sets_accessed_and_dirty_bits)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x8b, 0x03, 0x89, 0x01}; /* mov eax,[rbx] ; mov [rcx],eax */
	fake_long64(f, 0x20000, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x50000, f->gpr[X86EMU_RCX] = 0x60000;
	*(u32u *)(f->ram + 0x50000) = 77;
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	cr_assert_eq(*(u32u *)(f->ram + 0x60000), 77);
	cr_assert(*pte(f, 0x50000) & 0x20, "read sets A");
	cr_assert_not(*pte(f, 0x50000) & 0x40, "read does not set D");
	cr_assert((*pte(f, 0x60000) & 0x60) == 0x60, "write sets A and D");
	cr_assert(*(u64u *)(f->ram + 0x100000) & 0x20, "PML4E accessed");
	fake_free(f);
}

Test(x86emu_mmu, not_present_page_faults_with_error_code_and_cr2)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x89, 0x01}; /* mov [rcx], eax */
	fake_long64(f, 0x20000, code, sizeof(code));
	*pte(f, 0x61000) = 0;
	f->gpr[X86EMU_RCX] = 0x61234;
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	const struct x86emu_exception *x = x86emu_exception(f->e);
	cr_assert_eq(x->vector, X86EMU_EXC_PF);
	cr_assert(x->has_error_code);
	cr_assert_eq(x->error_code, X86EMU_PF_W, "not present, write, supervisor: ec %x", x->error_code);
	cr_assert_eq(x->cr2, 0x61234);
	cr_assert_eq(f->rip, 0x20000, "RIP stays on the faulting instruction");
	fake_free(f);
}

Test(x86emu_mmu, user_write_to_read_only_page_is_a_protection_fault)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x89, 0x01};
	fake_long64(f, 0x20000, code, sizeof(code));
	f->seg[X86EMU_CS].selector = 0x1b;
	f->seg[X86EMU_CS].dpl = 3;
	f->seg[X86EMU_SS].selector = 0x23;
	*pte(f, 0x62000) &= ~2ull;
	f->gpr[X86EMU_RCX] = 0x62000;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->error_code, X86EMU_PF_P | X86EMU_PF_W | X86EMU_PF_U);
	/* and a supervisor page is off limits to CPL3 reads */
	static const uint8_t rd[] = {0x8b, 0x01};
	memcpy(f->ram + 0x20000, rd, 2);
	*pte(f, 0x63000) &= ~4ull;
	f->gpr[X86EMU_RCX] = 0x63000;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->error_code, X86EMU_PF_P | X86EMU_PF_U);
	fake_free(f);
}

Test(x86emu_mmu, fetch_from_nx_page_faults_with_the_i_bit)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x90};
	fake_long64(f, 0x24000, code, sizeof(code));
	*pte(f, 0x24000) |= 1ull << 63;
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->error_code, X86EMU_PF_P | X86EMU_PF_I);
	cr_assert_eq(x86emu_exception(f->e)->cr2, 0x24000);
	fake_free(f);
}

Test(x86emu_mmu, thirty_two_bit_walk_with_pse_large_page_and_pae_walk)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x8b, 0x03}; /* mov eax, [ebx] */
	fake_prot32(f, 0x1000, code, sizeof(code));
	/* 32-bit: PD at 0x200000, PDE[1] = 4 MiB page at 8 MiB; PDE[0] -> PT at 0x201000 identity */
	uint32_t *pd = (u32u *)(f->ram + 0x200000), *pt = (u32u *)(f->ram + 0x201000);
	pd[0] = 0x201000 | 3;
	for (unsigned i = 0; i < 1024; i++)
		pt[i] = (i << 12) | 3;
	pd[1] = 0x800000 | 0x83;
	f->cr[X86EMU_CR3] = 0x200000;
	f->cr[X86EMU_CR4] = 0x10; /* PSE */
	f->cr[X86EMU_CR0] |= 0x80000000;
	f->gpr[X86EMU_RBX] = 0x400010;
	*(u32u *)(f->ram + 0x800010) = 0xabcdef;
	x86emu_invalidate(f->e);
	x86emu_tlb_flush(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0xabcdef);
	cr_assert(pd[1] & 0x20, "A set on the 4 MiB PDE");
	/* PAE: PDPT at 0x300000, PD at 0x301000 with a 2 MiB page at 6 MiB for 0-2 MiB... */
	uint64_t *pdpt = (u64u *)(f->ram + 0x300000), *pd64 = (u64u *)(f->ram + 0x301000);
	pdpt[0] = 0x301000 | 1;
	pd64[0] = 0x302000 | 3;
	uint64_t *pt64 = (u64u *)(f->ram + 0x302000);
	for (unsigned i = 0; i < 512; i++)
		pt64[i] = ((uint64_t)i << 12) | 3;
	pd64[2] = 0x600000 | 0x83; /* 4-6 MiB -> 6 MiB */
	f->cr[X86EMU_CR3] = 0x300000;
	f->cr[X86EMU_CR4] = 0x20;
	f->rip = 0x1000;
	f->gpr[X86EMU_RBX] = 0x400020;
	*(u32u *)(f->ram + 0x600020) = 0x1234;
	x86emu_invalidate(f->e);
	x86emu_tlb_flush(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x1234);
	fake_free(f);
}

Test(x86emu_mmu, tlb_caches_until_cr3_write_or_invlpg)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x8b, 0x03, 0x8b, 0x03, 0x0f, 0x01, 0x3b, 0x8b, 0x03,
				       0x0f, 0x20, 0xd9, 0x0f, 0x22, 0xd9}; /* ...; invlpg [rbx]; ...; mov rcx,cr3; mov cr3,rcx */
	fake_long64(f, 0x20000, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x70000;
	*(u32u *)(f->ram + 0x70000) = 1;
	*(u32u *)(f->ram + 0x71000) = 2;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 1);
	/* The caller (not the guest) remaps the page: the TLB still has the old one. */
	*pte(f, 0x70000) = 0x71000 | 7;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 1, "a cached translation is used, as by a CPU");
	cr_assert_eq(fake_run(f, 2), X86EMU_OK); /* invlpg, reload */
	cr_assert_eq(f->gpr[X86EMU_RAX], 2, "invlpg dropped the entry");
	struct x86emu_stats st;
	x86emu_get_stats(f->e, &st);
	uint64_t flushes = st.tlb.flushes;
	cr_assert_eq(fake_run(f, 2), X86EMU_OK); /* mov cr3 */
	x86emu_get_stats(f->e, &st);
	cr_assert_eq(st.tlb.flushes, flushes + 1, "a CR3 write flushes by generation");
	cr_assert_gt(st.tlb.hits, 0);
	fake_free(f);
}

/* A hot page touched between every cold page, cold pages cycling through
 * more pages than the TLB holds. Returns hits. */
static uint64_t run_policy(enum x86emu_tlb_policy pol, uint64_t *walks)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x90};
	fake_long64(f, 0x20000, code, 1);
	x86emu_set_tlb_policy(f->e, pol);
	cr_assert_eq(x86emu_set_tlb_size(f->e, 16), 0);
	x86emu_reset_stats(f->e);
	uint64_t gpa;
	for (unsigned i = 0; i < 4000; i++) {
		for (unsigned h = 0; h < 4; h++)
			cr_assert_eq(x86emu_translate(f->e, 0x400000 + h * 0x1000, false, &gpa), 0);
		cr_assert_eq(x86emu_translate(f->e, 0x500000 + (i % 40) * 0x1000, false, &gpa), 0);
		cr_assert_eq(gpa, 0x500000 + (i % 40) * 0x1000);
	}
	struct x86emu_stats st;
	x86emu_get_stats(f->e, &st);
	*walks = st.tlb.walks;
	fake_free(f);
	return st.tlb.hits;
}

Test(x86emu_mmu, clock_eviction_keeps_hot_pages_that_fifo_throws_out)
{
	uint64_t wc, wf;
	uint64_t clock = run_policy(X86EMU_TLB_CLOCK, &wc), fifo = run_policy(X86EMU_TLB_FIFO, &wf);
	cr_assert_gt(clock, fifo, "CLOCK hits %lu, FIFO hits %lu", clock, fifo);
	cr_assert_lt(wc, wf, "CLOCK walks %lu, FIFO walks %lu", wc, wf);
	struct fake *f = fake_new();
	cr_assert_eq(x86emu_set_tlb_size(f->e, 0), -22, "size 0 refused");
	cr_assert_eq(x86emu_set_tlb_size(f->e, X86EMU_TLB_MAX_ENTRIES + 1), -22);
	fake_free(f);
}

Test(x86emu_mmu, guest_write_to_a_page_table_invalidates_its_translations)
{
	struct fake *f = fake_new();
	/* mov eax,[rbx] ; mov [rcx],rdx (the PTE of rbx's page) ; mov eax,[rbx] */
	static const uint8_t code[] = {0x8b, 0x03, 0x48, 0x89, 0x11, 0x8b, 0x03};
	fake_long64(f, 0x20000, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x80000;
	f->gpr[X86EMU_RCX] = PT + (0x80000 >> 12) * 8;
	f->gpr[X86EMU_RDX] = 0x81000 | 7;
	*(u32u *)(f->ram + 0x80000) = 10;
	*(u32u *)(f->ram + 0x81000) = 20;
	cr_assert_eq(fake_run(f, 3), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 20, "the PTE write by mov invalidated the cached translation");
	struct x86emu_stats st;
	x86emu_get_stats(f->e, &st);
	cr_assert_geq(st.tlb.pt_writes, 1);
	cr_assert_eq(st.tlb.pt_untracked, 0, "mov may update page tables: tracking stays");
	fake_free(f);
}

Test(x86emu_mmu, a_page_written_before_it_was_walked_still_sees_pte_writes)
{
	struct fake *f = fake_new();
	/* mov [rcx],rdx (the PTE of 0x200000, unchanged: no walk has used
	 * that table yet) ; mov eax,[rbx] (walks it) ; mov [rcx],rsi (a new
	 * PTE) ; mov eax,[rbx] */
	static const uint8_t code[] = {0x48, 0x89, 0x11, 0x8b, 0x03, 0x48, 0x89, 0x31, 0x8b, 0x03};
	fake_long64(f, 0x20000, code, sizeof(code));
	f->gpr[X86EMU_RBX] = 0x200000;
	f->gpr[X86EMU_RCX] = PT + 0x1000;
	f->gpr[X86EMU_RDX] = 0x200000 | 7;
	f->gpr[X86EMU_RSI] = 0x201000 | 7;
	*(u32u *)(f->ram + 0x200000) = 10;
	*(u32u *)(f->ram + 0x201000) = 20;
	cr_assert_eq(fake_run(f, 4), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 20, "the second PTE write must reach the translation: eax = %llu",
		     (unsigned long long)f->gpr[X86EMU_RAX]);
	fake_free(f);
}

Test(x86emu_mmu, nonpt_write_to_a_tracked_page_drops_the_tracking)
{
	struct fake *f = fake_new();
	/* mov eax,[rbx] (tracks the tables) ; add [rcx],rdx (NonPT) on the PT page */
	static const uint8_t code[] = {0x8b, 0x03, 0x48, 0x01, 0x11, 0x48, 0x01, 0x11};
	fake_long64(f, 0x20000, code, sizeof(code));
	/* 2 MiB is mapped by the second table page; that page itself is
	 * mapped by the first, so the add's own walk does not re-track it */
	f->gpr[X86EMU_RBX] = 0x200000;
	f->gpr[X86EMU_RCX] = PT + 0x1000 + 8;
	f->gpr[X86EMU_RDX] = 0;
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	struct x86emu_stats st;
	x86emu_get_stats(f->e, &st);
	cr_assert_eq(st.tlb.pt_untracked, 1);
	uint64_t w = st.tlb.pt_writes;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	x86emu_get_stats(f->e, &st);
	cr_assert_eq(st.tlb.pt_writes, w, "an untracked page is no longer watched");
	fake_free(f);
}

Test(x86emu_mmu, a20_off_wraps_physical_addresses_at_one_mebibyte)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x26, 0x8a, 0x07}; /* mov al, es:[bx] */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->seg[X86EMU_ES] = fake_seg(0xffff, 0xffff0, 0xffff, 3, 0, 0);
	f->gpr[X86EMU_RBX] = 0x20; /* ffff:0020 = 0x100010 */
	f->ram[0x100010] = 0x11;
	f->ram[0x000010] = 0x22;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX] & 0xff, 0x11, "A20 on: above 1 MiB");
	x86emu_set_a20(f->e, false);
	f->rip = 0x1000;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX] & 0xff, 0x22, "A20 off: wraps to 0x10");
	fake_free(f);
}
