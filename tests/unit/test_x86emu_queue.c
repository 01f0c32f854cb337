/* The operation queue: an MMIO access the caller answers later makes the
 * step PENDING; the caller completes it; the next step replays what the
 * instruction already did, in order, without issuing any access twice. */
#include <criterion/criterion.h>

#include "tests/unit/test_x86emu_fake.h"

/* Answer every pending read with bytes from f->mmio, count the rounds. */
static unsigned drive(struct fake *f, enum x86emu_result *last)
{
	unsigned rounds = 0;
	enum x86emu_result r;
	while ((r = x86emu_step(f->e)) == X86EMU_PENDING) {
		const struct x86emu_pending *p = x86emu_pending(f->e);
		cr_assert_not_null(p);
		uint8_t data[8] = {0};
		if (p->kind == X86EMU_PEND_MMIO_READ)
			memcpy(data, f->mmio + (p->addr - FAKE_MMIO), p->size);
		cr_assert_eq(x86emu_complete(f->e, data, p->size), 0);
		rounds++;
		cr_assert(rounds < 100, "no progress");
	}
	*last = r;
	x86emu_flush_state(f->e);
	return rounds;
}

Test(x86emu_queue, rep_movsw_from_mmio_completes_with_each_read_issued_once)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xf3, 0xa5}; /* rep movsd (32-bit) */
	fake_prot32(f, 0x1000, code, sizeof(code));
	for (unsigned i = 0; i < 64; i++)
		f->mmio[i] = (uint8_t)(i * 7 + 1);
	f->gpr[X86EMU_RSI] = FAKE_MMIO, f->gpr[X86EMU_RDI] = 0x8000, f->gpr[X86EMU_RCX] = 8;
	f->mmio_pending = true;
	enum x86emu_result r;
	unsigned rounds = drive(f, &r);
	cr_assert_eq(r, X86EMU_OK);
	cr_assert_eq(rounds, 8, "one pending read per iteration");
	cr_assert_eq(f->mmio_reads, 8, "each MMIO read issued exactly once, got %u", f->mmio_reads);
	cr_assert_eq(memcmp(f->ram + 0x8000, f->mmio, 32), 0);
	cr_assert_eq(f->gpr[X86EMU_RCX], 0);
	cr_assert_eq(f->gpr[X86EMU_RSI], FAKE_MMIO + 32);
	cr_assert_eq(f->rip, 0x1002);
	fake_free(f);
}

Test(x86emu_queue, real_mode_rep_movsw_from_mmio_word_by_word)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xf3, 0xa5}; /* rep movsw */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	/* DS base at the MMIO window through big-real-mode style base */
	f->seg[X86EMU_DS].base = FAKE_MMIO;
	f->seg[X86EMU_DS].limit = 0xffff;
	for (unsigned i = 0; i < 16; i++)
		f->mmio[i] = (uint8_t)(0xa0 + i);
	f->gpr[X86EMU_RSI] = 0, f->gpr[X86EMU_RDI] = 0x2000, f->gpr[X86EMU_RCX] = 5;
	f->mmio_pending = true;
	x86emu_invalidate(f->e);
	enum x86emu_result r;
	cr_assert_eq(drive(f, &r), 5);
	cr_assert_eq(r, X86EMU_OK);
	cr_assert_eq(f->mmio_reads, 5);
	for (unsigned i = 0; i < 5; i++)
		cr_assert_eq(f->mmio_log_size[i], 2);
	cr_assert_eq(memcmp(f->ram + 0x2000, f->mmio, 10), 0);
	fake_free(f);
}

Test(x86emu_queue, cmpxchg_on_mmio_reads_once_then_writes)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x0f, 0xb1, 0x0b}; /* cmpxchg [ebx], ecx */
	fake_prot32(f, 0x1000, code, sizeof(code));
	*(u32u *)(f->mmio + 0x40) = 1234;
	f->gpr[X86EMU_RBX] = FAKE_MMIO + 0x40, f->gpr[X86EMU_RAX] = 1234, f->gpr[X86EMU_RCX] = 99;
	f->mmio_pending = true;
	enum x86emu_result r;
	cr_assert_eq(drive(f, &r), 1);
	cr_assert_eq(r, X86EMU_OK);
	cr_assert_eq(f->mmio_reads, 1);
	cr_assert_eq(f->mmio_writes, 1);
	cr_assert_eq(*(u32u *)(f->mmio + 0x40), 99);
	cr_assert(f->rflags & 0x40, "ZF set on a match");
	fake_free(f);
}

Test(x86emu_queue, unaligned_movdqu_from_mmio_splits_and_resumes_per_piece)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xf3, 0x0f, 0x6f, 0x03}; /* movdqu xmm0, [rbx] */
	fake_long64(f, 0x20000, code, sizeof(code));
	/* identity-map the MMIO page: PDPT[3] covers 3-4 GiB with a 1 GiB page */
	((u64u *)(f->ram + 0x101000))[3] = 0xc0000000ull | 0x87;
	x86emu_tlb_flush(f->e);
	for (unsigned i = 0; i < 32; i++)
		f->mmio[i] = (uint8_t)(0x30 + i);
	f->gpr[X86EMU_RBX] = FAKE_MMIO + 3;
	f->mmio_pending = true;
	enum x86emu_result r;
	unsigned rounds = drive(f, &r);
	cr_assert_eq(r, X86EMU_OK);
	/* 16 bytes at offset 3: 1 + 4 + 8 + 2 + 1 naturally aligned pieces */
	cr_assert_eq(rounds, 5, "rounds %u", rounds);
	cr_assert_eq(f->mmio_reads, 5, "every piece read once, got %u", f->mmio_reads);
	cr_assert_eq(memcmp(f->xsave + 160, f->mmio + 3, 16), 0, "xmm0 holds the 16 bytes");
	fake_free(f);
}

Test(x86emu_queue, in_from_a_pending_port_completes_with_the_answer)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xe4, 0x60, 0x40}; /* in al, 0x60 ; inc ax */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->pio_pending = true;
	cr_assert_eq(x86emu_step(f->e), X86EMU_PENDING);
	cr_assert_eq(x86emu_step(f->e), X86EMU_PENDING, "not answered yet: still pending");
	const struct x86emu_pending *p = x86emu_pending(f->e);
	cr_assert_eq(p->kind, X86EMU_PEND_PIO_IN);
	cr_assert_eq(p->addr, 0x60);
	cr_assert_eq(x86emu_complete(f->e, (uint8_t[]){0x41}, 2), -22, "wrong size refused");
	cr_assert_eq(x86emu_complete(f->e, (uint8_t[]){0x41}, 1), 0);
	cr_assert_eq(x86emu_step(f->e), X86EMU_OK);
	cr_assert_eq(f->pio_ins, 1);
	cr_assert_eq(x86emu_step(f->e), X86EMU_OK);
	x86emu_flush_state(f->e);
	cr_assert_eq(f->gpr[X86EMU_RAX] & 0xff, 0x42);
	cr_assert_eq(f->rip, 0x1003);
	fake_free(f);
}

Test(x86emu_queue, mov_between_a_register_and_pending_mmio_completes_once)
{
	struct fake *f = fake_new();
	/* mov eax, [ebx] ; mov [ebx+4], eax ; twice, so the second pass runs
	 * cached decodes */
	static const uint8_t code[] = {0x8b, 0x03, 0x89, 0x43, 0x04, 0x8b, 0x03, 0x89, 0x43, 0x04};
	fake_prot32(f, 0x1000, code, sizeof(code));
	memcpy(f->mmio, "\x78\x56\x34\x12", 4);
	f->gpr[X86EMU_RBX] = FAKE_MMIO;
	f->mmio_pending = true;
	f->mmio_write_pending = true;
	unsigned rounds = 0;
	enum x86emu_result r;
	for (unsigned i = 0; i < 4; i++) {
		while ((r = x86emu_step(f->e)) == X86EMU_PENDING) {
			const struct x86emu_pending *p = x86emu_pending(f->e);
			cr_assert_eq(p->size, 4);
			if (p->kind == X86EMU_PEND_MMIO_READ) {
				cr_assert_eq(p->addr, FAKE_MMIO);
				cr_assert_eq(x86emu_complete(f->e, f->mmio, 4), 0);
			} else {
				cr_assert_eq(p->kind, X86EMU_PEND_MMIO_WRITE);
				cr_assert_eq(p->addr, FAKE_MMIO + 4);
				cr_assert_eq(memcmp(p->data, "\x78\x56\x34\x12", 4), 0, "the written bytes");
				cr_assert_eq(x86emu_complete(f->e, NULL, 4), 0);
			}
			cr_assert(++rounds < 10);
		}
		cr_assert_eq(r, X86EMU_OK);
	}
	x86emu_flush_state(f->e);
	cr_assert_eq(rounds, 4, "one pending access per instruction");
	cr_assert_eq(f->mmio_reads, 2, "each read issued once: %u", f->mmio_reads);
	cr_assert_eq(f->mmio_writes, 2, "each write issued once: %u", f->mmio_writes);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x12345678);
	cr_assert_eq(f->rip, 0x100a);
	fake_free(f);
}
