/* x86emu ALU, shifts, multiply, bit instructions: results and the flags the
 * SDM defines, compared against this host CPU running the same bytes. */
#include <criterion/criterion.h>
#include <sys/mman.h>

#include "tests/unit/test_x86emu_fake.h"

#define F_C 0x001
#define F_P 0x004
#define F_A 0x010
#define F_Z 0x040
#define F_S 0x080
#define F_O 0x800
#define ALL6 (F_C | F_P | F_A | F_Z | F_S | F_O)

struct nstate {
	uint64_t rax, rbx, rcx, rdx, flags, flags_out;
};

static uint8_t *native_page;

/* Runs insn natively between loads and stores of rax/rbx/rcx/rdx/flags. */
static void native_run(const uint8_t *insn, size_t len, struct nstate *s)
{
	static const uint8_t pre[] = {0x53, 0x57, 0x48, 0x8b, 0x47, 0x20, 0x50, 0x9d, 0x48, 0x8b, 0x07,
				      0x48, 0x8b, 0x5f, 0x08, 0x48, 0x8b, 0x4f, 0x10, 0x48, 0x8b, 0x57, 0x18};
	static const uint8_t post[] = {0x9c, 0x8f, 0x47, 0x28, 0x48, 0x89, 0x07, 0x48, 0x89, 0x5f, 0x08,
				       0x48, 0x89, 0x4f, 0x10, 0x48, 0x89, 0x57, 0x18, 0x5f, 0x5b, 0xc3};
	if (!native_page) {
		native_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		cr_assert(native_page != MAP_FAILED);
	}
	memcpy(native_page, pre, sizeof(pre));
	memcpy(native_page + sizeof(pre), insn, len);
	memcpy(native_page + sizeof(pre) + len, post, sizeof(post));
	__builtin___clear_cache((char *)native_page, (char *)native_page + 4096);
	((void (*)(struct nstate *))(void *)native_page)(s);
}

static void emu_run(struct fake *f, const uint8_t *insn, size_t len, struct nstate *s)
{
	fake_long64(f, 0x10000, insn, len);
	f->gpr[0] = s->rax, f->gpr[3] = s->rbx, f->gpr[1] = s->rcx, f->gpr[2] = s->rdx;
	f->rflags = s->flags | 2;
	enum x86emu_result r = fake_run(f, 1);
	cr_assert_eq(r, X86EMU_OK, "insn %02x %02x %02x: result %d (%s)", insn[0], insn[1], len > 2 ? insn[2] : 0, r,
		     x86emu_unhandled(f->e)->reason ? x86emu_unhandled(f->e)->reason : "");
	s->rax = f->gpr[0], s->rbx = f->gpr[3], s->rcx = f->gpr[1], s->rdx = f->gpr[2];
	s->flags_out = f->rflags;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	static const uint64_t special[] = {0, 1, ~0ull, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
					   0x80000000, 0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull, 0x0f, 0x10, 0x99};
	if ((rng & 7) == 0)
		return special[(rng >> 8) % (sizeof(special) / sizeof(special[0]))];
	if ((rng & 7) == 1)
		return rng & 0xff;
	return rng;
}

/* Compare emulator vs host for n random inputs. count_max: CL range. */
static void diff(const uint8_t *insn, size_t len, uint64_t mask, unsigned n, unsigned count_max)
{
	struct fake *f = fake_new();
	for (unsigned i = 0; i < n; i++) {
		struct nstate a = {next(), next(), next(), next(), next() & ALL6, 0}, b;
		if (count_max)
			a.rcx = (a.rcx & ~0xffull) | (next() % count_max);
		b = a;
		native_run(insn, len, &a);
		emu_run(f, insn, len, &b);
		cr_assert(a.rax == b.rax && a.rbx == b.rbx && a.rcx == b.rcx && a.rdx == b.rdx,
			  "insn %02x %02x %02x %02x: regs differ: host rax=%lx rdx=%lx rbx=%lx rcx=%lx, x86emu rax=%lx rdx=%lx rbx=%lx rcx=%lx",
			  insn[0], insn[1], len > 2 ? insn[2] : 0, len > 3 ? insn[3] : 0, a.rax, a.rdx, a.rbx, a.rcx, b.rax, b.rdx,
			  b.rbx, b.rcx);
		cr_assert_eq(a.flags_out & mask, b.flags_out & mask,
			     "insn %02x %02x %02x %02x: flags host %03lx x86emu %03lx (mask %03lx) rcx=%lx flags in %lx",
			     insn[0], insn[1], len > 2 ? insn[2] : 0, len > 3 ? insn[3] : 0, a.flags_out & mask,
			     b.flags_out & mask, mask, b.rcx, b.flags);
	}
	fake_free(f);
}

/* One ALU form at each operand size: 8 (byte opcode), 16 (66), 32, 64 (REX.W). */
static void diff_sizes(uint8_t op_byte, uint8_t op, uint8_t modrm, uint64_t mask)
{
	uint8_t b8[] = {op_byte, modrm}, b16[] = {0x66, op, modrm}, b32[] = {op, modrm}, b64[] = {0x48, op, modrm};
	diff(b8, sizeof(b8), mask, 600, 0);
	diff(b16, sizeof(b16), mask, 600, 0);
	diff(b32, sizeof(b32), mask, 600, 0);
	diff(b64, sizeof(b64), mask, 600, 0);
}

Test(x86emu_alu, add_adc_sub_sbb_cmp_set_all_six_flags_like_the_cpu)
{
	for (unsigned op = 0; op < 8; op++) {
		uint64_t mask = (op == 1 || op == 4 || op == 6) ? (ALL6 & ~F_A) : ALL6;
		diff_sizes((uint8_t)(op * 8), (uint8_t)(op * 8 + 1), 0xd8, mask);
	}
}

Test(x86emu_alu, inc_dec_neg_keep_or_set_flags_like_the_cpu)
{
	diff_sizes(0xfe, 0xff, 0xc0, ALL6); /* inc: CF must be unchanged */
	diff_sizes(0xfe, 0xff, 0xc8, ALL6);
	diff_sizes(0xf6, 0xf7, 0xd8, ALL6); /* neg */
}

Test(x86emu_alu, shifts_and_rotates_by_one_define_of_like_the_cpu)
{
	for (unsigned r = 0; r < 8; r++) {
		if (r == 6)
			continue;
		uint64_t mask = r < 4 ? (F_C | F_O) : (F_C | F_O | F_S | F_Z | F_P);
		diff_sizes(0xd0, 0xd1, (uint8_t)(0xc0 | r << 3), mask);
	}
}

Test(x86emu_alu, shifts_and_rotates_by_cl_match_the_cpu_where_defined)
{
	for (unsigned r = 0; r < 8; r++) {
		if (r == 6)
			continue;
		uint64_t mask = r < 4 ? F_C : (F_C | F_S | F_Z | F_P);
		uint8_t m = (uint8_t)(0xc0 | r << 3);
		uint8_t b8[] = {0xd2, m}, b16[] = {0x66, 0xd3, m}, b32[] = {0xd3, m}, b64[] = {0x48, 0xd3, m};
		/* counts 2..size-1: OF undefined; for shl/shr beyond the width CF is too */
		diff(b8, 2, mask, 800, 8);
		diff(b16, 3, mask, 800, 16);
		diff(b32, 2, mask, 800, 32);
		diff(b64, 3, mask, 800, 64);
		/* rotate-through-carry: counts above the width wrap modulo size+1 */
		if (r == 2 || r == 3)
			diff(b8, 2, F_C, 800, 32);
	}
}

Test(x86emu_alu, shld_shrd_match_the_cpu)
{
	uint8_t l32[] = {0x0f, 0xa5, 0xd8}, r32[] = {0x0f, 0xad, 0xd8};
	uint8_t l64[] = {0x48, 0x0f, 0xa5, 0xd8}, r64[] = {0x48, 0x0f, 0xad, 0xd8};
	uint8_t l16[] = {0x66, 0x0f, 0xa5, 0xd8}, r16[] = {0x66, 0x0f, 0xad, 0xd8};
	diff(l32, 3, F_C | F_S | F_Z | F_P, 800, 32);
	diff(r32, 3, F_C | F_S | F_Z | F_P, 800, 32);
	diff(l64, 4, F_C | F_S | F_Z | F_P, 800, 64);
	diff(r64, 4, F_C | F_S | F_Z | F_P, 800, 64);
	diff(l16, 4, F_C | F_S | F_Z | F_P, 800, 16);
	diff(r16, 4, F_C | F_S | F_Z | F_P, 800, 16);
}

Test(x86emu_alu, mul_imul_set_cf_of_on_overflow_like_the_cpu)
{
	diff_sizes(0xf6, 0xf7, 0xe3, F_C | F_O); /* mul bl/bx/ebx/rbx */
	diff_sizes(0xf6, 0xf7, 0xeb, F_C | F_O); /* imul */
	uint8_t i2[] = {0x48, 0x0f, 0xaf, 0xc3}, i2d[] = {0x0f, 0xaf, 0xc3}, i2w[] = {0x66, 0x0f, 0xaf, 0xc3};
	diff(i2, 4, F_C | F_O, 800, 0);
	diff(i2d, 3, F_C | F_O, 800, 0);
	diff(i2w, 4, F_C | F_O, 800, 0);
	uint8_t i3[] = {0x6b, 0xc3, 0x85}, i3q[] = {0x48, 0x69, 0xc3, 0x01, 0x00, 0x00, 0x80};
	diff(i3, 3, F_C | F_O, 800, 0);
	diff(i3q, 7, F_C | F_O, 800, 0);
}

Test(x86emu_alu, bit_test_scan_xadd_cmpxchg_match_the_cpu)
{
	uint8_t bt[] = {0x0f, 0xa3, 0xd8}, bts[] = {0x48, 0x0f, 0xab, 0xd8}, btc[] = {0x66, 0x0f, 0xbb, 0xd8};
	diff(bt, 3, F_C, 500, 0);
	diff(bts, 4, F_C, 500, 0);
	diff(btc, 4, F_C, 500, 0);
	uint8_t bsf[] = {0x0f, 0xbc, 0xc3}, bsr[] = {0x48, 0x0f, 0xbd, 0xc3};
	struct fake *f = fake_new();
	/* bsf/bsr with a non-zero source (a zero source leaves dst alone on x86emu) */
	for (unsigned i = 0; i < 300; i++) {
		struct nstate a = {next(), next() | 1ull << (next() % 64), 0, 0, 0, 0}, b = a;
		native_run(bsf, 3, &a);
		emu_run(f, bsf, 3, &b);
		cr_assert_eq(a.rax, b.rax);
		cr_assert_eq(a.flags_out & F_Z, b.flags_out & F_Z);
		a = b = (struct nstate){next(), next() | 1, 0, 0, 0, 0};
		native_run(bsr, 4, &a);
		emu_run(f, bsr, 4, &b);
		cr_assert_eq(a.rax, b.rax);
	}
	fake_free(f);
	uint8_t xadd[] = {0x0f, 0xc1, 0xd8}, xaddq[] = {0x48, 0x0f, 0xc1, 0xd8}, cx[] = {0x0f, 0xb1, 0xd9};
	diff(xadd, 3, ALL6, 500, 0);
	diff(xaddq, 4, ALL6, 500, 0);
	diff(cx, 3, ALL6, 500, 0);
	/* cmpxchg with equal values takes the store path */
	struct fake *g = fake_new();
	struct nstate a = {5, 9, 5, 0, 0, 0}, b = a;
	native_run(cx, 3, &a);
	emu_run(g, cx, 3, &b);
	cr_assert_eq(b.rcx, 9);
	cr_assert_eq(a.rcx, b.rcx);
	cr_assert_eq(a.flags_out & ALL6, b.flags_out & ALL6);
	fake_free(g);
}

Test(x86emu_alu, popcnt_counts_bits_and_sets_only_zf)
{
	uint8_t p32[] = {0xf3, 0x0f, 0xb8, 0xc3}, p64[] = {0xf3, 0x48, 0x0f, 0xb8, 0xc3}, p16[] = {0x66, 0xf3, 0x0f, 0xb8, 0xc3};
	diff(p32, sizeof(p32), ALL6, 500, 0);
	diff(p64, sizeof(p64), ALL6, 500, 0);
	diff(p16, sizeof(p16), ALL6, 500, 0);
}

Test(x86emu_alu, daa_das_aaa_aas_aam_aad_follow_the_sdm)
{
	struct fake *f = fake_new();
	/* add al,bl ; daa  : 0x79 + 0x35 = 0x114 in BCD */
	static const uint8_t code[] = {0x00, 0xd8, 0x27, 0x28, 0xd8, 0x2f, 0x37, 0x3f, 0xd4, 0x0a, 0xd5, 0x0a};
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->gpr[0] = 0x79, f->gpr[3] = 0x35;
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	cr_assert_eq(f->gpr[0] & 0xff, 0x14);
	cr_assert(f->rflags & F_C, "daa carries out of 99");
	/* sub al,bl ; das : 0x14 - 0x35 = 0x79 with borrow */
	x86emu_invalidate(f->e);
	f->rflags = 2;
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	cr_assert_eq(f->gpr[0] & 0xff, 0x79);
	cr_assert(f->rflags & F_C);
	/* aaa with AL=0x0b: AX += 0x106, AL &= 0x0f */
	x86emu_invalidate(f->e);
	f->gpr[0] = 0x010b, f->rflags = 2;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[0] & 0xffff, 0x0201);
	cr_assert((f->rflags & (F_C | F_A)) == (F_C | F_A));
	/* aas with AL=0x0b, AH=2: AX -= 6, AH -= 1 */
	x86emu_invalidate(f->e);
	f->gpr[0] = 0x020b, f->rflags = 2;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[0] & 0xffff, 0x0105);
	/* aam 10: AL=63 -> AH=6 AL=3; aad 10 -> AL=63 */
	x86emu_invalidate(f->e);
	f->gpr[0] = 63;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[0] & 0xffff, 0x0603);
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[0] & 0xffff, 63);
	fake_free(f);
}

Test(x86emu_alu, div_by_zero_is_de_delivered_through_the_ivt_in_real_mode)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0xf6, 0xf3}; /* div bl */
	fake_real(f, 0, 0x1000, code, sizeof(code));
	f->ram[0] = 0x00, f->ram[1] = 0x20, f->ram[2] = 0x00, f->ram[3] = 0x03; /* IVT[0] = 0300:2000 */
	f->gpr[0] = 100, f->gpr[3] = 0, f->gpr[4] = 0x8000, f->rflags = 0x202;
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	const struct x86emu_exception *x = x86emu_exception(f->e);
	cr_assert_eq(x->vector, X86EMU_EXC_DE);
	cr_assert(x->delivered);
	cr_assert_eq(f->seg[X86EMU_CS].selector, 0x300);
	cr_assert_eq(f->rip, 0x2000);
	cr_assert_eq(f->gpr[4], 0x8000 - 6);
	uint16_t *stk = (u16u *)(f->ram + 0x8000 - 6);
	cr_assert_eq(stk[0], 0x1000, "the faulting IP is pushed");
	cr_assert_eq(stk[1], 0);
	cr_assert_eq(stk[2], 0x202);
	cr_assert_eq(f->rflags & 0x200, 0, "IF is cleared");
	fake_free(f);
}

Test(x86emu_alu, div_and_idiv_compute_and_fault_on_overflow_in_long_mode)
{
	struct fake *f = fake_new();
	static const uint8_t div64[] = {0x48, 0xf7, 0xf3};
	fake_long64(f, 0x10000, div64, sizeof(div64));
	f->gpr[0] = 1000, f->gpr[2] = 1, f->gpr[3] = 7;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	unsigned __int128 n = ((unsigned __int128)1 << 64) + 1000;
	cr_assert_eq(f->gpr[0], (uint64_t)(n / 7));
	cr_assert_eq(f->gpr[2], (uint64_t)(n % 7));
	/* quotient overflow: #DE with RIP left on the instruction */
	fake_long64(f, 0x10000, div64, sizeof(div64));
	f->gpr[2] = 7, f->gpr[3] = 7;
	cr_assert_eq(fake_run(f, 1), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_DE);
	cr_assert_not(x86emu_exception(f->e)->delivered);
	cr_assert_eq(f->rip, 0x10000);
	/* idiv: -7 / 2 = -3 rem -1 */
	static const uint8_t idiv32[] = {0xf7, 0xfb};
	fake_long64(f, 0x10000, idiv32, sizeof(idiv32));
	f->gpr[0] = (uint32_t)-7, f->gpr[2] = 0xffffffff, f->gpr[3] = 2;
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[0], (uint32_t)-3);
	cr_assert_eq(f->gpr[2], (uint32_t)-1);
	fake_free(f);
}

Test(x86emu_alu, nop_is_no_xchg_but_rex_b_90_swaps_r8_and_rax)
{
	struct fake *f = fake_new();
	static const uint8_t code[] = {0x90, 0x41, 0x90, 0x49, 0x90, 0xf3, 0x90};
	fake_long64(f, 0x20000, code, sizeof(code));
	f->gpr[X86EMU_RAX] = 0xaaaaaaaa11111111ull, f->gpr[8] = 0xbbbbbbbb22222222ull;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0xaaaaaaaa11111111ull, "90 does not zero-extend EAX");
	cr_assert_eq(f->set_gpr_calls, 0);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x22222222, "41 90: xchg r8d, eax");
	cr_assert_eq(f->gpr[8], 0x11111111);
	cr_assert_eq(fake_run(f, 1), X86EMU_OK);
	cr_assert_eq(f->gpr[X86EMU_RAX], 0x11111111);
	cr_assert_eq(f->gpr[8], 0x22222222, "49 90: xchg r8, rax");
	cr_assert_eq(fake_run(f, 1), X86EMU_OK, "pause");
	cr_assert_eq(f->rip, 0x20007);
	fake_free(f);
}
