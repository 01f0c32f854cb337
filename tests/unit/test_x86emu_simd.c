/* Packed integer SSE2/SSSE3/MMX and the ps/pd bitwise ops: every encoding
 * runs in x86emu on the fake machine and natively on the host CPU (the
 * same instruction bytes, called from inline asm) on the same random
 * vectors, and the results must match byte for byte. */
#include <criterion/criterion.h>
#include <sys/mman.h>

#include "tests/unit/test_x86emu_fake.h"

#define XMM(f, i) ((f)->xsave + 160 + 16 * (i))
#define MMX(f, i) ((f)->xsave + 32 + 16 * (i))
#define CODE 0x20000
#define DATA 0x40000

enum { G_ARITH, G_LOGIC, G_CMP, G_MUL, G_SHIFT, G_SHIFTI, G_UNPACK, G_MINMAX, G_SHUF, G_SSSE3, G_MASK };

/* One encoding: dst register 0, src register 1 (ModRM 0xc1), or for the
 * shift groups register 0 as ModRM.rm. imm: an imm8 follows; count: the
 * source is a shift count (kept small so shifts do not all saturate). */
struct simd_case {
	const char *name;
	uint8_t group;
	uint8_t code[8];
	uint8_t len;
	bool mmx, imm, count;
	uint8_t imm_max;
};

#define X(n, g, ...) { n, g, {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}), false, false, false, 0 }
#define M(n, g, ...) { n, g, {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}), true, false, false, 0 }
#define XC(n, g, ...) { n, g, {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}), false, false, true, 0 }
#define MC(n, g, ...) { n, g, {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}), true, false, true, 0 }
#define XI(n, g, max, ...) { n, g, {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}), false, true, false, max }
#define MI(n, g, max, ...) { n, g, {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}), true, true, false, max }

/* Both forms of a 0F-map op with ModRM 0xc1. */
#define XM(n, g, op) X(n, g, 0x66, 0x0f, op, 0xc1), M(n, g, 0x0f, op, 0xc1)

static const struct simd_case cases[] = {
	XM("paddb", G_ARITH, 0xfc), XM("paddw", G_ARITH, 0xfd), XM("paddd", G_ARITH, 0xfe), XM("paddq", G_ARITH, 0xd4),
	XM("psubb", G_ARITH, 0xf8), XM("psubw", G_ARITH, 0xf9), XM("psubd", G_ARITH, 0xfa), XM("psubq", G_ARITH, 0xfb),
	XM("paddusb", G_ARITH, 0xdc), XM("paddusw", G_ARITH, 0xdd), XM("paddsb", G_ARITH, 0xec), XM("paddsw", G_ARITH, 0xed),
	XM("psubusb", G_ARITH, 0xd8), XM("psubusw", G_ARITH, 0xd9), XM("psubsb", G_ARITH, 0xe8), XM("psubsw", G_ARITH, 0xe9),
	X("paddq xmm14, xmm15", G_ARITH, 0x66, 0x45, 0x0f, 0xd4, 0xf7),
	XM("pand", G_LOGIC, 0xdb), XM("pandn", G_LOGIC, 0xdf), XM("por", G_LOGIC, 0xeb), XM("pxor", G_LOGIC, 0xef),
	X("andps", G_LOGIC, 0x0f, 0x54, 0xc1), X("andnps", G_LOGIC, 0x0f, 0x55, 0xc1),
	X("orps", G_LOGIC, 0x0f, 0x56, 0xc1), X("xorps", G_LOGIC, 0x0f, 0x57, 0xc1),
	X("andpd", G_LOGIC, 0x66, 0x0f, 0x54, 0xc1), X("andnpd", G_LOGIC, 0x66, 0x0f, 0x55, 0xc1),
	X("orpd", G_LOGIC, 0x66, 0x0f, 0x56, 0xc1), X("xorpd", G_LOGIC, 0x66, 0x0f, 0x57, 0xc1),
	XM("pcmpeqb", G_CMP, 0x74), XM("pcmpeqw", G_CMP, 0x75), XM("pcmpeqd", G_CMP, 0x76),
	XM("pcmpgtb", G_CMP, 0x64), XM("pcmpgtw", G_CMP, 0x65), XM("pcmpgtd", G_CMP, 0x66),
	XM("pmullw", G_MUL, 0xd5), XM("pmuludq", G_MUL, 0xf4), XM("pmaddwd", G_MUL, 0xf5), XM("psadbw", G_MUL, 0xf6),
	XC("psrlw", G_SHIFT, 0x66, 0x0f, 0xd1, 0xc1), XC("psrld", G_SHIFT, 0x66, 0x0f, 0xd2, 0xc1), XC("psrlq", G_SHIFT, 0x66, 0x0f, 0xd3, 0xc1),
	XC("psraw", G_SHIFT, 0x66, 0x0f, 0xe1, 0xc1), XC("psrad", G_SHIFT, 0x66, 0x0f, 0xe2, 0xc1),
	XC("psllw", G_SHIFT, 0x66, 0x0f, 0xf1, 0xc1), XC("pslld", G_SHIFT, 0x66, 0x0f, 0xf2, 0xc1), XC("psllq", G_SHIFT, 0x66, 0x0f, 0xf3, 0xc1),
	MC("psrlw", G_SHIFT, 0x0f, 0xd1, 0xc1), MC("psrad", G_SHIFT, 0x0f, 0xe2, 0xc1), MC("psllq", G_SHIFT, 0x0f, 0xf3, 0xc1),
	XI("psrlw imm", G_SHIFTI, 20, 0x66, 0x0f, 0x71, 0xd0), XI("psraw imm", G_SHIFTI, 20, 0x66, 0x0f, 0x71, 0xe0),
	XI("psllw imm", G_SHIFTI, 20, 0x66, 0x0f, 0x71, 0xf0), XI("psrld imm", G_SHIFTI, 36, 0x66, 0x0f, 0x72, 0xd0),
	XI("psrad imm", G_SHIFTI, 36, 0x66, 0x0f, 0x72, 0xe0), XI("pslld imm", G_SHIFTI, 36, 0x66, 0x0f, 0x72, 0xf0),
	XI("psrlq imm", G_SHIFTI, 68, 0x66, 0x0f, 0x73, 0xd0), XI("psllq imm", G_SHIFTI, 68, 0x66, 0x0f, 0x73, 0xf0),
	XI("psrldq", G_SHIFTI, 20, 0x66, 0x0f, 0x73, 0xd8), XI("pslldq", G_SHIFTI, 20, 0x66, 0x0f, 0x73, 0xf8),
	XI("pslld imm xmm9", G_SHIFTI, 36, 0x66, 0x41, 0x0f, 0x72, 0xf1),
	MI("psrlw imm", G_SHIFTI, 20, 0x0f, 0x71, 0xd0), MI("psrad imm", G_SHIFTI, 36, 0x0f, 0x72, 0xe0),
	MI("psllq imm", G_SHIFTI, 68, 0x0f, 0x73, 0xf0),
	XM("punpcklbw", G_UNPACK, 0x60), XM("punpcklwd", G_UNPACK, 0x61), XM("punpckldq", G_UNPACK, 0x62),
	XM("punpckhbw", G_UNPACK, 0x68), XM("punpckhwd", G_UNPACK, 0x69), XM("punpckhdq", G_UNPACK, 0x6a),
	X("punpcklqdq", G_UNPACK, 0x66, 0x0f, 0x6c, 0xc1), X("punpckhqdq", G_UNPACK, 0x66, 0x0f, 0x6d, 0xc1),
	XM("packsswb", G_UNPACK, 0x63), XM("packuswb", G_UNPACK, 0x67), XM("packssdw", G_UNPACK, 0x6b),
	XM("pminub", G_MINMAX, 0xda), XM("pmaxub", G_MINMAX, 0xde), XM("pminsw", G_MINMAX, 0xea), XM("pmaxsw", G_MINMAX, 0xee),
	XM("pavgb", G_MINMAX, 0xe0), XM("pavgw", G_MINMAX, 0xe3),
	XI("pshufd", G_SHUF, 255, 0x66, 0x0f, 0x70, 0xc1), XI("pshufhw", G_SHUF, 255, 0xf3, 0x0f, 0x70, 0xc1),
	XI("pshuflw", G_SHUF, 255, 0xf2, 0x0f, 0x70, 0xc1), MI("pshufw", G_SHUF, 255, 0x0f, 0x70, 0xc1),
	XI("shufps", G_SHUF, 255, 0x0f, 0xc6, 0xc1),
	XI("palignr", G_SSSE3, 40, 0x66, 0x0f, 0x3a, 0x0f, 0xc1), MI("palignr", G_SSSE3, 20, 0x0f, 0x3a, 0x0f, 0xc1),
	X("pshufb", G_SSSE3, 0x66, 0x0f, 0x38, 0x00, 0xc1), M("pshufb", G_SSSE3, 0x0f, 0x38, 0x00, 0xc1),
	X("phaddw", G_SSSE3, 0x66, 0x0f, 0x38, 0x01, 0xc1), X("phaddd", G_SSSE3, 0x66, 0x0f, 0x38, 0x02, 0xc1),
	M("phaddd", G_SSSE3, 0x0f, 0x38, 0x02, 0xc1),
	X("pmaddubsw", G_SSSE3, 0x66, 0x0f, 0x38, 0x04, 0xc1), X("pmulhrsw", G_SSSE3, 0x66, 0x0f, 0x38, 0x0b, 0xc1),
	X("pabsb", G_SSSE3, 0x66, 0x0f, 0x38, 0x1c, 0xc1), X("pabsw", G_SSSE3, 0x66, 0x0f, 0x38, 0x1d, 0xc1),
	X("pabsd", G_SSSE3, 0x66, 0x0f, 0x38, 0x1e, 0xc1), M("pabsw", G_SSSE3, 0x0f, 0x38, 0x1d, 0xc1),
	X("pmovmskb", G_MASK, 0x66, 0x0f, 0xd7, 0xc1), M("pmovmskb", G_MASK, 0x0f, 0xd7, 0xc1),
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random vectors with edge values mixed in: saturation and sign bugs hide
 * in 0x00, 0x7f, 0x80 and 0xff lanes. */
static void fill(uint8_t *v, unsigned n)
{
	static const uint8_t edge[] = {0x00, 0x7f, 0x80, 0xff, 0x01};
	for (unsigned i = 0; i < n; i++) {
		uint64_t r = rnd();
		v[i] = (r & 7) == 0 ? edge[(r >> 8) % 5] : (uint8_t)(r >> 16);
	}
}

/* Registers the case touches: dst and src numbers in each encoding. The
 * high-register cases use xmm14/xmm15 and xmm9. */
static void case_regs(const struct simd_case *c, unsigned *dst, unsigned *src)
{
	uint8_t modrm = c->code[c->len - 1];
	bool rex = false;
	uint8_t rexb = 0;
	for (unsigned i = 0; i < c->len; i++)
		if ((c->code[i] & 0xf0) == 0x40)
			rex = true, rexb = c->code[i];
	*dst = ((modrm >> 3) & 7) | (rex && (rexb & 4) ? 8 : 0);
	*src = (modrm & 7) | (rex && (rexb & 1) ? 8 : 0);
	if (c->group == G_SHIFTI)
		*dst = *src;
}

static void *native_page;

/* Run the encoding on the host: load d into the destination register and s
 * into the source, call the bytes followed by ret, store the destination.
 * The red zone is skipped: the compiler may keep locals there. */
static uint64_t native_run(const struct simd_case *c, uint8_t imm, uint8_t *d, const uint8_t *s)
{
	uint8_t *p = native_page;
	uint64_t rax = 0;
	unsigned dst, src;

	case_regs(c, &dst, &src);
	cr_assert(mprotect(native_page, 4096, PROT_READ | PROT_WRITE) == 0);
	memcpy(p, c->code, c->len);
	unsigned n = c->len;
	if (c->imm)
		p[n++] = imm;
	p[n] = 0xc3;
	cr_assert(mprotect(native_page, 4096, PROT_READ | PROT_EXEC) == 0);
	if (c->mmx) {
		__asm__ volatile("movq (%[d]), %%mm0\n\tmovq (%[s]), %%mm1\n\t"
				 "xor %%eax, %%eax\n\tsub $128, %%rsp\n\tcall *%[fn]\n\tadd $128, %%rsp\n\t"
				 "movq %%mm0, (%[d])\n\tmov %%rax, %[rax]\n\temms"
				 : [rax] "=m"(rax)
				 : [d] "r"(d), [s] "r"(s), [fn] "r"(native_page)
				 : "rax", "mm0", "mm1", "memory", "cc", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
	} else if (dst == 0) {
		__asm__ volatile("movdqu (%[d]), %%xmm0\n\tmovdqu (%[s]), %%xmm1\n\t"
				 "xor %%eax, %%eax\n\tsub $128, %%rsp\n\tcall *%[fn]\n\tadd $128, %%rsp\n\t"
				 "movdqu %%xmm0, (%[d])\n\tmov %%rax, %[rax]"
				 : [rax] "=m"(rax)
				 : [d] "r"(d), [s] "r"(s), [fn] "r"(native_page)
				 : "rax", "xmm0", "xmm1", "memory", "cc");
	} else if (dst == 9) {
		__asm__ volatile("movdqu (%[d]), %%xmm9\n\t"
				 "sub $128, %%rsp\n\tcall *%[fn]\n\tadd $128, %%rsp\n\t"
				 "movdqu %%xmm9, (%[d])"
				 :
				 : [d] "r"(d), [fn] "r"(native_page)
				 : "xmm9", "memory", "cc");
	} else {
		cr_assert_eq(dst, 14);
		__asm__ volatile("movdqu (%[d]), %%xmm14\n\tmovdqu (%[s]), %%xmm15\n\t"
				 "sub $128, %%rsp\n\tcall *%[fn]\n\tadd $128, %%rsp\n\t"
				 "movdqu %%xmm14, (%[d])"
				 :
				 : [d] "r"(d), [s] "r"(s), [fn] "r"(native_page)
				 : "xmm14", "xmm15", "memory", "cc");
	}
	return rax;
}

static struct fake *setup(void)
{
	struct fake *f = fake_new();
	static const uint8_t nop = 0x90;
	fake_long64(f, CODE, &nop, 1);
	uint64_t bv = 7;
	memcpy(f->xsave + 512, &bv, 8);
	uint32_t mx = 0x1f80;
	memcpy(f->xsave + 24, &mx, 4);
	f->gpr[X86EMU_RBX] = DATA;
	return f;
}

/* Load code at CODE, registers from d/s, run one instruction. */
static enum x86emu_result emu_run(struct fake *f, const uint8_t *code, unsigned len, bool mmx,
				  unsigned dst, unsigned src, const uint8_t *d, const uint8_t *s)
{
	memcpy(f->ram + CODE, code, len);
	f->rip = CODE;
	f->gpr[X86EMU_RAX] = 0;
	if (mmx) {
		memcpy(MMX(f, src), s, 8);
		memcpy(MMX(f, dst), d, 8);
	} else {
		memcpy(XMM(f, src), s, 16);
		memcpy(XMM(f, dst), d, 16);
	}
	x86emu_invalidate(f->e);
	return fake_run(f, 1);
}

static void run_group(unsigned group)
{
	unsigned ran = 0;
	native_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(native_page != MAP_FAILED);
	struct fake *f = setup();
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct simd_case *c = &cases[k];
		if (c->group != group)
			continue;
		unsigned n = c->mmx ? 8 : 16, dst, src;
		case_regs(c, &dst, &src);
		for (unsigned it = 0; it < 12; it++) {
			uint8_t d[16], s[16], nat[16], code[16];
			fill(d, 16);
			fill(s, 16);
			if (c->count) {
				memset(s, 0, 8);
				s[0] = (uint8_t)(rnd() % 70);
			}
			uint8_t imm = (uint8_t)(rnd() % ((unsigned)c->imm_max + 1));
			memcpy(nat, d, 16);
			uint64_t nat_rax = native_run(c, imm, nat, s);

			memcpy(code, c->code, c->len);
			unsigned len = c->len;
			if (c->imm)
				code[len++] = imm;
			enum x86emu_result r = emu_run(f, code, len, c->mmx, dst, src, d, s);
			cr_assert_eq(r, X86EMU_OK, "%s%s: x86emu result %d", c->mmx ? "mmx " : "", c->name, r);
			cr_assert_eq(f->rip, CODE + len, "%s: rip after the instruction", c->name);
			if (group == G_MASK) {
				cr_assert_eq(f->gpr[X86EMU_RAX], nat_rax, "%s%s: mask %#lx, host %#lx", c->mmx ? "mmx " : "",
					     c->name, (unsigned long)f->gpr[X86EMU_RAX], (unsigned long)nat_rax);
			} else {
				const uint8_t *got = c->mmx ? MMX(f, dst) : XMM(f, dst);
				cr_assert_eq(memcmp(got, nat, n), 0,
					     "%s%s imm %u: x86emu %016lx%016lx host %016lx%016lx", c->mmx ? "mmx " : "", c->name, imm,
					     (unsigned long)((const uint64_t *)(const void *)got)[c->mmx ? 0 : 1],
					     (unsigned long)((const uint64_t *)(const void *)got)[0],
					     (unsigned long)((const uint64_t *)(const void *)nat)[c->mmx ? 0 : 1],
					     (unsigned long)((const uint64_t *)(const void *)nat)[0]);
			}
			ran++;
		}
	}
	cr_assert_gt(ran, 0);
	fake_free(f);
	munmap(native_page, 4096);
}

Test(x86emu_simd, add_sub_and_saturating_forms_match_the_host) { run_group(G_ARITH); }
Test(x86emu_simd, bitwise_integer_and_ps_pd_forms_match_the_host) { run_group(G_LOGIC); }
Test(x86emu_simd, compares_match_the_host) { run_group(G_CMP); }
Test(x86emu_simd, multiplies_and_psadbw_match_the_host) { run_group(G_MUL); }
Test(x86emu_simd, shifts_by_register_count_match_the_host) { run_group(G_SHIFT); }
Test(x86emu_simd, shifts_by_immediate_match_the_host) { run_group(G_SHIFTI); }
Test(x86emu_simd, unpacks_and_packs_match_the_host) { run_group(G_UNPACK); }
Test(x86emu_simd, min_max_avg_match_the_host) { run_group(G_MINMAX); }
Test(x86emu_simd, shuffles_with_immediate_match_the_host) { run_group(G_SHUF); }
Test(x86emu_simd, ssse3_ops_match_the_host) { run_group(G_SSSE3); }
Test(x86emu_simd, pmovmskb_matches_the_host) { run_group(G_MASK); }

/* Memory forms: the 16-byte operand comes from [rbx] and gives what the
 * register form gives; a misaligned one is #GP(0) and leaves xmm0 alone. */
Test(x86emu_simd, xmm_memory_operand_matches_register_form_and_faults_misaligned)
{
	static const uint8_t ops[][5] = {
		{0x66, 0x0f, 0xd4, 0x03}, /* paddq xmm0, [rbx] */
		{0x66, 0x0f, 0xef, 0x03}, /* pxor */
		{0x66, 0x0f, 0x38, 0x00, 0x03}, /* pshufb */
		{0x0f, 0x57, 0x03}, /* xorps */
	};
	static const uint8_t lens[] = {4, 4, 5, 3};
	struct fake *f = setup();
	native_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(native_page != MAP_FAILED);
	for (unsigned k = 0; k < 4; k++) {
		uint8_t d[16], s[16], reg[16];
		struct simd_case c = { "mem", G_ARITH, {0}, lens[k], false, false, false, 0 };
		memcpy(c.code, ops[k], lens[k]);
		c.code[lens[k] - 1] = 0xc1;
		fill(d, 16);
		fill(s, 16);
		memcpy(reg, d, 16);
		native_run(&c, 0, reg, s);

		memcpy(f->ram + DATA, s, 16);
		f->gpr[X86EMU_RBX] = DATA;
		cr_assert_eq(emu_run(f, ops[k], lens[k], false, 0, 0, d, d), X86EMU_OK);
		cr_assert_eq(memcmp(XMM(f, 0), reg, 16), 0, "form %u from memory", k);

		memcpy(f->ram + DATA + 8, s, 16);
		f->gpr[X86EMU_RBX] = DATA + 8;
		cr_assert_eq(emu_run(f, ops[k], lens[k], false, 0, 0, d, d), X86EMU_EXCEPTION);
		cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
		cr_assert_eq(x86emu_exception(f->e)->error_code, 0);
		cr_assert_eq(memcmp(XMM(f, 0), d, 16), 0, "a faulting instruction writes nothing");
	}
	munmap(native_page, 4096);
	fake_free(f);
}

/* MMX memory operands have no alignment rule; punpckl* reads only 32 bits. */
Test(x86emu_simd, mmx_memory_operands_are_unaligned_and_punpckl_reads_32_bits)
{
	static const uint8_t paddw[] = {0x0f, 0xfd, 0x03};     /* paddw mm0, [rbx] */
	static const uint8_t punpck[] = {0x0f, 0x60, 0x03};    /* punpcklbw mm0, [rbx] */
	struct fake *f = setup();
	uint8_t d[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	for (unsigned i = 0; i < 8; i++)
		f->ram[DATA + 3 + i] = (uint8_t)(0x10 * i);
	f->gpr[X86EMU_RBX] = DATA + 3;
	cr_assert_eq(emu_run(f, paddw, sizeof(paddw), true, 0, 0, d, d), X86EMU_OK);
	for (unsigned i = 0; i < 4; i++) {
		uint16_t got, want = (uint16_t)((d[2 * i] | d[2 * i + 1] << 8) + (0x10 * 2 * i | (0x10 * (2 * i + 1)) << 8));
		memcpy(&got, MMX(f, 0) + 2 * i, 2);
		cr_assert_eq(got, want, "lane %u", i);
	}
	cr_assert_eq(f->xsave[4], 0xff, "MMX use tags every x87 register valid");

	/* The 4 bytes end exactly at the end of RAM: reading 8 would fault. */
	memcpy(f->ram + FAKE_RAM - 4, "\xa0\xa1\xa2\xa3", 4);
	f->gpr[X86EMU_RBX] = FAKE_RAM - 4;
	cr_assert_eq(emu_run(f, punpck, sizeof(punpck), true, 0, 0, d, d), X86EMU_OK);
	static const uint8_t want[8] = {1, 0xa0, 2, 0xa1, 3, 0xa2, 4, 0xa3};
	cr_assert_eq(memcmp(MMX(f, 0), want, 8), 0);
	fake_free(f);
}

/* Encodings the SDM makes #UD: register-only ops with a memory operand, the
 * XMM-only byte shifts without 66, and any of them with LOCK. */
Test(x86emu_simd, invalid_forms_raise_ud)
{
	static const struct { uint8_t code[6]; uint8_t len; const char *what; } bad[] = {
		{{0x66, 0x0f, 0xd7, 0x03}, 4, "pmovmskb with a memory operand"},
		{{0x66, 0x0f, 0x73, 0x13, 0x04}, 5, "psrlq imm with a memory operand"},
		{{0x0f, 0x73, 0xd8, 0x04}, 4, "psrldq without 66"},
		{{0x0f, 0x73, 0xf8, 0x04}, 4, "pslldq without 66"},
		{{0xf0, 0x66, 0x0f, 0xd4, 0x03}, 5, "lock paddq"},
		{{0x66, 0x0f, 0x71, 0xc8, 0x04}, 5, "group 12 /1"},
	};
	struct fake *f = setup();
	uint8_t d[16] = {0};
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		cr_assert_eq(emu_run(f, bad[k].code, bad[k].len, false, 0, 0, d, d), X86EMU_EXCEPTION, "%s", bad[k].what);
		cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_UD, "%s", bad[k].what);
	}
	fake_free(f);
}

/* CR0.TS makes SSE and MMX #NM (lazy FPU switch); CR4.OSFXSR clear makes
 * SSE #UD but leaves MMX working. */
Test(x86emu_simd, cr0_ts_and_cr4_osfxsr_gate_the_instructions)
{
	static const uint8_t sse[] = {0x66, 0x0f, 0xfe, 0xc1}; /* paddd xmm0, xmm1 */
	static const uint8_t mmx[] = {0x0f, 0xfe, 0xc1};       /* paddd mm0, mm1 */
	uint8_t d[16] = {1}, s[16] = {2};
	struct fake *f = setup();
	f->cr[X86EMU_CR0] |= 8;
	cr_assert_eq(emu_run(f, sse, sizeof(sse), false, 0, 1, d, s), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_NM);
	cr_assert_eq(emu_run(f, mmx, sizeof(mmx), true, 0, 1, d, s), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_NM);
	f->cr[X86EMU_CR0] &= ~8ull;
	f->cr[X86EMU_CR4] &= ~(1ull << 9);
	cr_assert_eq(emu_run(f, sse, sizeof(sse), false, 0, 1, d, s), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_UD);
	cr_assert_eq(emu_run(f, mmx, sizeof(mmx), true, 0, 1, d, s), X86EMU_OK);
	cr_assert_eq(MMX(f, 0)[0], 3);
	fake_free(f);
}

/* Forms outside this set are reported, not guessed: shufpd (66 0F C6) and
 * the VEX encodings stop with X86EMU_UNHANDLED. */
Test(x86emu_simd, neighbouring_forms_are_reported_unhandled)
{
	static const uint8_t shufpd[] = {0x66, 0x0f, 0xc6, 0xc1, 0x01};
	static const uint8_t vpaddq[] = {0xc5, 0xf9, 0xd4, 0xc1}; /* vpaddq xmm0, xmm0, xmm1 */
	uint8_t d[16] = {0};
	struct fake *f = setup();
	cr_assert_eq(emu_run(f, shufpd, sizeof(shufpd), false, 0, 1, d, d), X86EMU_UNHANDLED);
	cr_assert_eq(emu_run(f, vpaddq, sizeof(vpaddq), false, 0, 1, d, d), X86EMU_UNHANDLED);
	fake_free(f);
}

/* The 16-byte rule is on the linear address: with GS base 8, gs:[rbx] is
 * misaligned when rbx is aligned, and aligned when rbx is not. */
Test(x86emu_simd, alignment_counts_the_segment_base)
{
	static const uint8_t code[] = {0x65, 0x66, 0x0f, 0xfe, 0x03}; /* paddd xmm0, gs:[rbx] */
	uint8_t d[16] = {0};
	struct fake *f = setup();
	f->seg[X86EMU_GS].base = 8;
	for (unsigned i = 0; i < 16; i++)
		f->ram[DATA + 16 + i] = (uint8_t)i;
	f->gpr[X86EMU_RBX] = DATA;
	cr_assert_eq(emu_run(f, code, sizeof(code), false, 0, 0, d, d), X86EMU_EXCEPTION);
	cr_assert_eq(x86emu_exception(f->e)->vector, X86EMU_EXC_GP);
	f->gpr[X86EMU_RBX] = DATA + 8;
	cr_assert_eq(emu_run(f, code, sizeof(code), false, 0, 0, d, d), X86EMU_OK);
	cr_assert_eq(memcmp(XMM(f, 0), f->ram + DATA + 16, 16), 0);
	fake_free(f);
}

/* A blake2s G step as Linux's SSSE3 code writes it (paddd, pxor, pshufb
 * rotate, psrld/pslld/por rotate, pshufd diagonalisation), twice: the same
 * bytes in x86emu and on the host give the same xmm0-xmm7. */
Test(x86emu_simd, blake2s_style_round_matches_the_host)
{
	static const uint8_t step[] = {
		0x66, 0x0f, 0xfe, 0xc1,             /* paddd xmm0, xmm1 */
		0x66, 0x0f, 0xfe, 0xc4,             /* paddd xmm0, xmm4 */
		0x66, 0x0f, 0xef, 0xd8,             /* pxor xmm3, xmm0 */
		0x66, 0x0f, 0x38, 0x00, 0xde,       /* pshufb xmm3, xmm6 */
		0x66, 0x0f, 0xfe, 0xd3,             /* paddd xmm2, xmm3 */
		0x66, 0x0f, 0xef, 0xca,             /* pxor xmm1, xmm2 */
		0x66, 0x0f, 0x6f, 0xf9,             /* movdqa xmm7, xmm1 */
		0x66, 0x0f, 0x72, 0xd1, 0x0c,       /* psrld xmm1, 12 */
		0x66, 0x0f, 0x72, 0xf7, 0x14,       /* pslld xmm7, 20 */
		0x66, 0x0f, 0xeb, 0xcf,             /* por xmm1, xmm7 */
		0x66, 0x0f, 0x70, 0xc0, 0x93,       /* pshufd xmm0, xmm0, 0x93 */
		0x66, 0x0f, 0x70, 0xdb, 0x4e,       /* pshufd xmm3, xmm3, 0x4e */
		0x66, 0x0f, 0x70, 0xd2, 0x39,       /* pshufd xmm2, xmm2, 0x39 */
	};
	const unsigned ninsn = 13;
	uint8_t regs[8][16], nat[8][16];
	static const uint8_t rot16[16] = {2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13};

	for (unsigned i = 0; i < 8; i++)
		fill(regs[i], 16);
	memcpy(regs[6], rot16, 16);
	memcpy(nat, regs, sizeof(regs));

	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(page != MAP_FAILED);
	memcpy(page, step, sizeof(step));
	memcpy((uint8_t *)page + sizeof(step), step, sizeof(step));
	((uint8_t *)page)[2 * sizeof(step)] = 0xc3;
	cr_assert(mprotect(page, 4096, PROT_READ | PROT_EXEC) == 0);
	__asm__ volatile("movdqu 0(%[r]), %%xmm0\n\tmovdqu 16(%[r]), %%xmm1\n\tmovdqu 32(%[r]), %%xmm2\n\t"
			 "movdqu 48(%[r]), %%xmm3\n\tmovdqu 64(%[r]), %%xmm4\n\tmovdqu 80(%[r]), %%xmm5\n\t"
			 "movdqu 96(%[r]), %%xmm6\n\tmovdqu 112(%[r]), %%xmm7\n\t"
			 "sub $128, %%rsp\n\tcall *%[fn]\n\tadd $128, %%rsp\n\t"
			 "movdqu %%xmm0, 0(%[r])\n\tmovdqu %%xmm1, 16(%[r])\n\tmovdqu %%xmm2, 32(%[r])\n\t"
			 "movdqu %%xmm3, 48(%[r])\n\tmovdqu %%xmm4, 64(%[r])\n\tmovdqu %%xmm5, 80(%[r])\n\t"
			 "movdqu %%xmm6, 96(%[r])\n\tmovdqu %%xmm7, 112(%[r])"
			 :
			 : [r] "r"(nat), [fn] "r"(page)
			 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "memory", "cc");
	munmap(page, 4096);

	struct fake *f = setup();
	memcpy(f->ram + CODE, step, sizeof(step));
	memcpy(f->ram + CODE + sizeof(step), step, sizeof(step));
	for (unsigned i = 0; i < 8; i++)
		memcpy(XMM(f, i), regs[i], 16);
	f->rip = CODE;
	x86emu_invalidate(f->e);
	cr_assert_eq(fake_run(f, 2 * ninsn), X86EMU_OK);
	cr_assert_eq(f->rip, CODE + 2 * sizeof(step));
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(memcmp(XMM(f, i), nat[i], 16), 0, "xmm%u", i);
	fake_free(f);
}

/* In 32-bit protected mode there is no REX: ModRM names xmm0-7 and the
 * memory operand is [ebx]. */
Test(x86emu_simd, prot32_register_and_memory_forms)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0xd4, 0xe5,  /* paddq xmm4, xmm5 */
		0x66, 0x0f, 0xef, 0x23,  /* pxor xmm4, [ebx] */
	};
	struct fake *f = fake_new();
	fake_prot32(f, CODE, code, sizeof(code));
	f->cr[X86EMU_CR4] |= 1u << 9;
	uint64_t bv = 7; /* XSTATE_BV: the image holds live x87/SSE state */
	memcpy(f->xsave + 512, &bv, 8);
	f->gpr[X86EMU_RBX] = DATA;
	uint64_t a[2] = {0xffffffffffffffffull, 5}, b[2] = {2, 7}, m[2] = {0xff00, 0x1};
	memcpy(XMM(f, 4), a, 16);
	memcpy(XMM(f, 5), b, 16);
	memcpy(f->ram + DATA, m, 16);
	cr_assert_eq(fake_run(f, 2), X86EMU_OK);
	uint64_t got[2];
	memcpy(got, XMM(f, 4), 16);
	cr_assert_eq(got[0], 1ull ^ 0xff00, "lane 0 wraps: -1 + 2 = 1, then xor: %#lx %#lx", (unsigned long)got[0], (unsigned long)got[1]);
	cr_assert_eq(got[1], 12ull ^ 1);
	fake_free(f);
}
