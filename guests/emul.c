/* guests/emul: instructions run at CPL0, where on PVM hosts KVM's in-kernel
 * emulator executes every instruction and gives up on some (HOST.md:
 * `lock cmpxchg16b`, `xrstor64`), so cove's own emulator must finish them.
 * rt_cpl0_hook runs the check at CPL0, main the same check at CPL3 (native)
 * as the reference, then prints both. Built twice: emul-cx16.elf (cmpxchg16b,
 * both outcomes), emul-xsave.elf (EMUL_XSAVE: xsave64/xrstor64 of xmm0) and
 * emul-sse.elf (EMUL_SSE: a run of 64 SSE2/SSSE3 integer instructions, which
 * cove's x86emu takes in one burst rather than an exit each).
 * Exits 0 (power off) when both agree with the SDM, debug-exit code 7
 * (status 15) when not. */
#include "rt.h"

#define EMUL_EXIT_BAD 7

static int cpl0_result = -1; /* -1: the hook never ran */

#if defined(EMUL_SSE)
#define EMUL_NAME "sse run"

/* Sixteen rounds of a ChaCha-like mix on xmm0..xmm3: paddd, pxor, and the
 * rotates done as pslld/psrld/por and pshufb (SSSE3), pshufd: the kinds of
 * instructions a kernel's SIMD crypto runs in long unbroken sequences. */
#define ROUND                                                                    \
	"paddd %%xmm1, %%xmm0\n\tpxor %%xmm0, %%xmm3\n\tpshufb %%xmm4, %%xmm3\n\t" \
	"paddd %%xmm3, %%xmm2\n\tpxor %%xmm2, %%xmm1\n\tmovdqa %%xmm1, %%xmm5\n\t" \
	"pslld $12, %%xmm1\n\tpsrld $20, %%xmm5\n\tpor %%xmm5, %%xmm1\n\t"          \
	"pshufd $0x39, %%xmm1, %%xmm1\n\t"

static int check(void)
{
	static const uint8_t rot8[16] __attribute__((aligned(16))) = {3,  0,  1,  2,  7,  4,  5,  6,
								      11, 8,  9,  10, 15, 12, 13, 14};
	static const uint32_t init[16] __attribute__((aligned(16))) = {
	    0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	static uint32_t out[4] __attribute__((aligned(16)));
	static uint32_t want[4];
	static int have_want;

	/* The guest is built without SSE code, so the xmm registers are free. */
	__asm__ volatile("movdqa 0(%1), %%xmm0\n\tmovdqa 16(%1), %%xmm1\n\t"
			 "movdqa 32(%1), %%xmm2\n\tmovdqa 48(%1), %%xmm3\n\tmovdqa (%2), %%xmm4\n\t"
			 ROUND ROUND ROUND ROUND ROUND ROUND
			 "pxor %%xmm1, %%xmm0\n\tpxor %%xmm3, %%xmm2\n\tpxor %%xmm2, %%xmm0\n\t"
			 "movdqa %%xmm0, (%0)"
			 :
			 : "r"(out), "r"(init), "r"(rot8)
			 : "memory");
	/* The first run (CPL0, through cove) is checked against the second
	 * (CPL3, native) in main; here only that it changed anything. */
	if (!have_want) {
		memcpy(want, out, sizeof(want));
		have_want = 1;
		return out[0] | out[1] | out[2] | out[3] ? 1 : 0;
	}
	return memcmp(want, out, sizeof(want)) == 0;
}

static bool supported(void)
{
	uint32_t a = 1, b, c, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d) : "c"(0));
	return c & (1u << 9); /* SSSE3 */
}

void rt_cpl0_hook(void)
{
	if (supported())
		cpl0_result = check();
}
#elif defined(EMUL_XSAVE)
#define EMUL_NAME "xsave64/xrstor64"
#define CR4_OSXSAVE (1ULL << 18)
#define XCR0_X87_SSE 0x3u
#define XSAVE_PATTERN 0x0123456789abcdefULL

static uint8_t xsave_area[4096] __attribute__((aligned(64)));

static int check(void)
{
	uint64_t got;
	memset(xsave_area, 0, sizeof(xsave_area));
	/* The guest is built without SSE code, so xmm0 is free. */
	__asm__ volatile("movq %1, %%xmm0\n\t"
			 "xsave64 (%2)\n\t"
			 "movq %3, %%xmm0\n\t" /* clobber: the same move, only xsave is new */
			 "xrstor64 (%2)\n\t"
			 "movq %%xmm0, %0"
			 : "=r"(got)
			 : "r"(XSAVE_PATTERN), "r"(xsave_area), "r"(0ULL), "a"(XCR0_X87_SSE), "d"(0)
			 : "memory");
	return got == XSAVE_PATTERN;
}

static bool supported(void)
{
	uint32_t a = 1, b, c, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d) : "c"(0));
	return c & (1u << 26);
}

void rt_cpl0_hook(void)
{
	if (!supported())
		return;
	uint64_t cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSXSAVE));
	__asm__ volatile("xsetbv" : : "c"(0), "a"(XCR0_X87_SSE), "d"(0));
	cpl0_result = check();
}
#else
#define EMUL_NAME "cmpxchg16b"

struct pair {
	uint64_t lo, hi;
} __attribute__((aligned(16)));

static struct pair cell;

/* lock cmpxchg16b on cell: compares with *seen, stores new on a match;
 * returns ZF and leaves what it read in *seen. */
static int cx16(struct pair *seen, const struct pair *new)
{
	uint64_t lo = seen->lo, hi = seen->hi;
	uint8_t zf;
	__asm__ volatile("lock cmpxchg16b %0; setz %1"
			 : "+m"(cell), "=q"(zf), "+a"(lo), "+d"(hi)
			 : "b"(new->lo), "c"(new->hi)
			 : "memory", "cc");
	seen->lo = lo;
	seen->hi = hi;
	return zf;
}

static int check(void)
{
	struct pair want = {1, 2}, new = {3, 4};
	cell = (struct pair){1, 2};
	int ok = cx16(&want, &new) && cell.lo == 3 && cell.hi == 4;
	struct pair wrong = {9, 9}, other = {7, 7};
	return ok && !cx16(&wrong, &other) && wrong.lo == 3 && wrong.hi == 4 && cell.lo == 3 && cell.hi == 4;
}

static bool supported(void)
{
	uint32_t a = 1, b, c, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d) : "c"(0));
	return c & (1u << 13);
}

void rt_cpl0_hook(void)
{
	if (supported())
		cpl0_result = check();
}
#endif

int main(void)
{
	if (!supported()) {
		rt_printf("emul: no %s in CPUID\n", EMUL_NAME);
		return EMUL_EXIT_BAD;
	}
	int cpl3 = check();
	rt_printf("emul: %s cpl0 %s, cpl3 %s\n", EMUL_NAME, cpl0_result < 0 ? "did not run" : cpl0_result ? "ok" : "BAD",
		  cpl3 ? "ok" : "BAD");
	return cpl0_result == 1 && cpl3 ? 0 : EMUL_EXIT_BAD;
}
