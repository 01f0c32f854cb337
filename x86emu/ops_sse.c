/* x86emu: MMX/SSE/AVX register moves, FXSAVE/FXRSTOR, XSAVE family, on the
 * caller's extended-state image (standard XSAVE layout, SDM vol. 1 ch. 13). */
#include <string.h>

#include "x86emu/internal.h"
#include "x86emu/ops.h"

#define XS_FCW 0
#define XS_FSW 2
#define XS_FTW 4
#define XS_MXCSR 24
#define XS_MXCSR_MASK 28
#define XS_ST 32
#define XS_XMM 160
#define XS_BV 512
#define XS_COMP 520
#define XS_YMMH 576
#define XFEATURES 7ull

static uint8_t *xs(struct x86emu *e)
{
	emu_xsave_load(e);
	return e->xsave;
}

static uint8_t *xmm(struct x86emu *e, unsigned i) { return xs(e) + XS_XMM + 16 * i; }
static uint8_t *ymmh(struct x86emu *e, unsigned i) { return xs(e) + XS_YMMH + 16 * i; }

static void xs_touch(struct x86emu *e, uint64_t comps)
{
	uint64_t bv;
	memcpy(&bv, e->xsave + XS_BV, 8);
	bv |= comps;
	memcpy(e->xsave + XS_BV, &bv, 8);
	e->xs_dirty = true;
}

/* #UD/#NM rules. kind: 0 SSE, 1 MMX, 2 AVX, 3 FXSAVE-family, 4 XSAVE. */
static int fp_check(struct x86emu *e, unsigned kind)
{
	uint64_t cr0 = cr_get(e, X86EMU_CR0);
	uint64_t cr4 = cr_get(e, X86EMU_CR4);
	switch (kind) {
	case 0:
		if ((cr0 & CR0_EM) || !(cr4 & CR4_OSFXSR))
			return RAISE_UD(e);
		break;
	case 1:
		if (cr0 & CR0_EM)
			return RAISE_UD(e);
		break;
	case 2:
		if (!(cr4 & CR4_OSXSAVE) || (cr_get(e, X86EMU_XCR0) & 6) != 6)
			return RAISE_UD(e);
		break;
	case 3:
		if (cr0 & CR0_EM)
			return emu_raise(e, X86EMU_EXC_NM, false, 0);
		break;
	default:
		if (!(cr4 & CR4_OSXSAVE))
			return RAISE_UD(e);
		break;
	}
	if (cr0 & CR0_TS)
		return emu_raise(e, X86EMU_EXC_NM, false, 0);
	return RC_OK;
}

/* An MMX instruction resets the x87 stack top and tags all registers valid. */
static void mmx_enter(struct x86emu *e)
{
	uint8_t *a = xs(e);
	uint16_t fsw;
	memcpy(&fsw, a + XS_FSW, 2);
	fsw &= ~(7u << 11);
	memcpy(a + XS_FSW, &fsw, 2);
	a[XS_FTW] = 0xff;
	xs_touch(e, 1);
}

static void mmx_write(struct x86emu *e, unsigned i, uint64_t v)
{
	uint8_t *p = xs(e) + XS_ST + 16 * (i & 7);
	memcpy(p, &v, 8);
	p[8] = p[9] = 0xff;
	xs_touch(e, 1);
}

static uint64_t mmx_read(struct x86emu *e, unsigned i)
{
	uint64_t v;
	memcpy(&v, xs(e) + XS_ST + 16 * (i & 7), 8);
	return v;
}

/* The alignment rule of legacy SSE is on the linear address: a segment
 * base (FS/GS in long mode, any base in protected mode) counts. */
static int vmem_align(struct x86emu *e, struct x86emu_insn *in, unsigned size, int acc)
{
	uint64_t la;
	int rc;
	if ((rc = mem_linear(e, in->eseg, in->ea, size, acc, &la)))
		return rc;
	return (la & (size - 1)) ? RAISE_GP0(e) : RC_OK;
}

static int vmem_read(struct x86emu *e, struct x86emu_insn *in, unsigned size, void *buf, bool aligned)
{
	int rc;
	if (aligned && (rc = vmem_align(e, in, size, ACC_READ)))
		return rc;
	return mem_read_seg(e, in->eseg, in->ea, size, buf);
}

static int vmem_write(struct x86emu *e, struct x86emu_insn *in, unsigned size, const void *buf, bool aligned)
{
	int rc;
	if (aligned && (rc = vmem_align(e, in, size, ACC_WRITE)))
		return rc;
	return mem_write_seg(e, in->eseg, in->ea, size, buf);
}

/* Write 16 or 32 bytes to vector register r: VEX zeroes above, legacy SSE
 * leaves the upper YMM half alone. */
static void vreg_write(struct x86emu *e, struct x86emu_insn *in, unsigned r, const uint8_t *v, unsigned size)
{
	memcpy(xmm(e, r), v, 16);
	if (in->vex) {
		if (size == 32)
			memcpy(ymmh(e, r), v + 16, 16);
		else
			memset(ymmh(e, r), 0, 16);
		xs_touch(e, 6);
	} else {
		xs_touch(e, 2);
	}
}

static void vreg_read(struct x86emu *e, unsigned r, uint8_t *v, unsigned size)
{
	memcpy(v, xmm(e, r), 16);
	if (size == 32)
		memcpy(v + 16, ymmh(e, r), 16);
}

/* Full-register moves: movups/movupd/movaps/movapd/movdqa/movdqu/movntdq/
 * movntps/movntpd and their VEX forms. aux bit 0: aligned; bit 1: store;
 * bit 2: memory destination only (non-temporal). */
int ex_vmov(struct x86emu *e, struct x86emu_insn *in)
{
	bool aligned = in->d->aux & 1, store = in->d->aux & 2;
	unsigned size = in->vex && in->vex_l ? 32 : 16;
	uint8_t v[32];
	int rc;

	if (in->vex && in->vex_vvvv)
		return RAISE_UD(e);
	if ((rc = fp_check(e, in->vex ? 2 : 0)))
		return rc;
	if ((in->d->aux & 4) && in->mod == 3)
		return RAISE_UD(e);
	if (!store) {
		if (in->mod == 3)
			vreg_read(e, in->rm, v, size);
		else if ((rc = vmem_read(e, in, size, v, aligned)))
			return rc;
		vreg_write(e, in, in->reg, v, size);
		return RC_OK;
	}
	vreg_read(e, in->reg, v, size);
	if (in->mod == 3) {
		vreg_write(e, in, in->rm, v, size);
		return RC_OK;
	}
	return vmem_write(e, in, size, v, aligned);
}

/* movss / movsd: aux = 4 or 8; bit 4 of aux: store. */
int ex_movs_scalar(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = in->d->aux & 15;
	bool store = in->d->aux & 16;
	uint8_t v[16];
	int rc;

	if (in->vex)
		return emu_unhandled(e, "vmovss/vmovsd are not emulated");
	if ((rc = fp_check(e, 0)))
		return rc;
	if (!store) {
		if (in->mod == 3) {
			memcpy(v, xmm(e, in->reg), 16);
			memcpy(v, xmm(e, in->rm), size);
		} else {
			memset(v, 0, 16);
			if ((rc = vmem_read(e, in, size, v, false)))
				return rc;
		}
		vreg_write(e, in, in->reg, v, 16);
		return RC_OK;
	}
	if (in->mod == 3) {
		memcpy(v, xmm(e, in->rm), 16);
		memcpy(v, xmm(e, in->reg), size);
		vreg_write(e, in, in->rm, v, 16);
		return RC_OK;
	}
	return vmem_write(e, in, size, xmm(e, in->reg), false);
}

/* movlps/movlpd/movhps/movhpd/movhlps/movlhps. aux bit 0: high half;
 * bit 1: store. */
int ex_movhl(struct x86emu *e, struct x86emu_insn *in)
{
	bool high = in->d->aux & 1, store = in->d->aux & 2;
	uint8_t v[16];
	int rc;

	if ((rc = fp_check(e, 0)))
		return rc;
	if (store) {
		if (in->mod == 3)
			return RAISE_UD(e);
		return vmem_write(e, in, 8, xmm(e, in->reg) + (high ? 8 : 0), false);
	}
	memcpy(v, xmm(e, in->reg), 16);
	if (in->mod == 3) {
		if (in->mprefix == 0x66)
			return RAISE_UD(e);
		/* movhlps (0F 12) / movlhps (0F 16) */
		if (high)
			memcpy(v + 8, xmm(e, in->rm), 8);
		else
			memcpy(v, xmm(e, in->rm) + 8, 8);
	} else if ((rc = vmem_read(e, in, 8, v + (high ? 8 : 0), false))) {
		return rc;
	}
	vreg_write(e, in, in->reg, v, 16);
	return RC_OK;
}

/* movd/movq between general registers or memory and MMX/XMM.
 * 0F 6E (to vector), 0F 7E (from vector); 66 selects XMM. */
int ex_movd(struct x86emu *e, struct x86emu_insn *in)
{
	bool to_vec = in->op == 0x6e, x = in->mprefix == 0x66;
	unsigned size = (in->rex & 8) ? 8 : 4;
	int rc;

	if ((rc = fp_check(e, x ? 0 : 1)))
		return rc;
	if (!x)
		mmx_enter(e);
	if (to_vec) {
		uint64_t v = 0;
		if (in->mod == 3)
			v = gpr_read(e, in->rm, size, false);
		else if ((rc = mem_read_seg(e, in->eseg, in->ea, size, &v)))
			return rc;
		if (x) {
			uint8_t b[16] = {0};
			memcpy(b, &v, 8);
			vreg_write(e, in, in->reg, b, 16);
		} else {
			mmx_write(e, in->reg, v);
		}
		return RC_OK;
	}
	uint64_t v;
	if (x)
		memcpy(&v, xmm(e, in->reg), 8);
	else
		v = mmx_read(e, in->reg);
	if (in->mod == 3) {
		gpr_write(e, in->rm, size, false, v);
		return RC_OK;
	}
	return mem_write_seg(e, in->eseg, in->ea, size, &v);
}

/* movq mm, mm/m64 (0F 6F), movq mm/m64, mm (0F 7F), movntq (0F E7). */
int ex_movq_mmx(struct x86emu *e, struct x86emu_insn *in)
{
	bool store = in->op != 0x6f;
	uint64_t v = 0;
	int rc;

	if ((rc = fp_check(e, 1)))
		return rc;
	if (in->op == 0xe7 && in->mod == 3)
		return RAISE_UD(e);
	mmx_enter(e);
	if (!store) {
		if (in->mod == 3)
			v = mmx_read(e, in->rm & 7);
		else if ((rc = mem_read_seg(e, in->eseg, in->ea, 8, &v)))
			return rc;
		mmx_write(e, in->reg & 7, v);
		return RC_OK;
	}
	v = mmx_read(e, in->reg & 7);
	if (in->mod == 3) {
		mmx_write(e, in->rm & 7, v);
		return RC_OK;
	}
	return mem_write_seg(e, in->eseg, in->ea, 8, &v);
}

/* movq xmm, xmm/m64 (F3 0F 7E) and movq xmm/m64, xmm (66 0F D6): the upper
 * quadword of a register destination is zeroed. */
int ex_movq_xmm(struct x86emu *e, struct x86emu_insn *in)
{
	uint8_t v[16] = {0};
	int rc;

	if ((rc = fp_check(e, 0)))
		return rc;
	if (in->op == 0x7e) {
		if (in->mod == 3)
			memcpy(v, xmm(e, in->rm), 8);
		else if ((rc = mem_read_seg(e, in->eseg, in->ea, 8, v)))
			return rc;
		vreg_write(e, in, in->reg, v, 16);
		return RC_OK;
	}
	memcpy(v, xmm(e, in->reg), 8);
	if (in->mod == 3) {
		vreg_write(e, in, in->rm, v, 16);
		return RC_OK;
	}
	return mem_write_seg(e, in->eseg, in->ea, 8, v);
}

/* movnti m32/m64, r */
int ex_movnti(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned size = (in->rex & 8) ? 8 : 4;
	uint64_t v = gpr_read(e, in->reg, size, false);
	if (in->mod == 3)
		return RAISE_UD(e);
	return mem_write_seg(e, in->eseg, in->ea, size, &v);
}

/* ---- FXSAVE / XSAVE ------------------------------------------------------- */

static uint32_t mxcsr_mask(struct x86emu *e)
{
	uint32_t m;
	memcpy(&m, xs(e) + XS_MXCSR_MASK, 4);
	return m ? m : 0xffbf;
}

static int fxsave(struct x86emu *e, struct x86emu_insn *in)
{
	uint8_t buf[512];
	unsigned n = e->mode == X86EMU_MODE_LONG64 ? 416 : 288;
	int rc;

	if ((rc = fp_check(e, 3)))
		return rc;
	if (in->ea & 15)
		return RAISE_GP0(e);
	memcpy(buf, xs(e), n);
	if (!(in->rex & 8))
		memset(buf + 14, 0, 2), memset(buf + 22, 0, 2); /* no FCS/FDS upper */
	return mem_write_seg(e, in->eseg, in->ea, n, buf);
}

static int fxrstor(struct x86emu *e, struct x86emu_insn *in)
{
	uint8_t buf[512];
	unsigned n = e->mode == X86EMU_MODE_LONG64 ? 416 : 288;
	uint32_t mx;
	int rc;

	if ((rc = fp_check(e, 3)))
		return rc;
	if (in->ea & 15)
		return RAISE_GP0(e);
	if ((rc = mem_read_seg(e, in->eseg, in->ea, 512, buf)))
		return rc;
	memcpy(&mx, buf + XS_MXCSR, 4);
	if (mx & ~mxcsr_mask(e))
		return RAISE_GP0(e);
	uint8_t *a = xs(e);
	memcpy(a, buf, 28);
	memcpy(a + XS_ST, buf + XS_ST, n - XS_ST);
	xs_touch(e, 3);
	return RC_OK;
}

static int ldst_mxcsr(struct x86emu *e, struct x86emu_insn *in, bool load)
{
	uint32_t mx;
	int rc;
	if ((rc = fp_check(e, 0)))
		return rc;
	if (!load)
		return mem_write_seg(e, in->eseg, in->ea, 4, xs(e) + XS_MXCSR);
	if ((rc = mem_read_seg(e, in->eseg, in->ea, 4, &mx)))
		return rc;
	if (mx & ~mxcsr_mask(e))
		return RAISE_GP0(e);
	memcpy(xs(e) + XS_MXCSR, &mx, 4);
	xs_touch(e, 2);
	return RC_OK;
}

static uint64_t rfbm(struct x86emu *e)
{
	uint64_t edx_eax = (gpr_get(e, X86EMU_RAX) & 0xffffffff) | (gpr_get(e, X86EMU_RDX) << 32);
	return edx_eax & cr_get(e, X86EMU_XCR0) & XFEATURES;
}

/* xsave / xsaveopt / xsavec (compact = true). */
static int xsave(struct x86emu *e, struct x86emu_insn *in, bool compact)
{
	uint8_t buf[832];
	uint64_t rf, bv;
	int rc;

	if ((rc = fp_check(e, 4)))
		return rc;
	if (in->ea & 63)
		return RAISE_GP0(e);
	rf = rfbm(e);
	/* Read the header first: XSTATE_BV keeps the bits outside RFBM. */
	if ((rc = mem_read_seg(e, in->eseg, in->ea, sizeof(buf), buf)))
		return rc;
	uint8_t *a = xs(e);
	if (rf & 1) {
		memcpy(buf, a, 24);
		memcpy(buf + XS_ST, a + XS_ST, 128);
	}
	if (rf & 6)
		memcpy(buf + XS_MXCSR, a + XS_MXCSR, 8);
	if (rf & 2)
		memcpy(buf + XS_XMM, a + XS_XMM, e->mode == X86EMU_MODE_LONG64 ? 256 : 128);
	if (rf & 4)
		memcpy(buf + XS_YMMH, a + XS_YMMH, e->mode == X86EMU_MODE_LONG64 ? 256 : 128);
	memcpy(&bv, buf + XS_BV, 8);
	if (compact) {
		uint64_t comp = (1ull << 63) | rf;
		bv = rf;
		memcpy(buf + XS_COMP, &comp, 8);
	} else {
		bv = (bv & ~rf) | rf;
	}
	memcpy(buf + XS_BV, &bv, 8);
	unsigned n = (rf & 4) ? 832 : 576;
	return mem_write_seg(e, in->eseg, in->ea, n, buf);
}

static int xrstor(struct x86emu *e, struct x86emu_insn *in)
{
	uint8_t buf[832];
	uint64_t rf, bv, comp, xcr0 = cr_get(e, X86EMU_XCR0);
	int rc;

	if ((rc = fp_check(e, 4)))
		return rc;
	if (in->ea & 63)
		return RAISE_GP0(e);
	rf = rfbm(e);
	if ((rc = mem_read_seg(e, in->eseg, in->ea, 576, buf)))
		return rc;
	memcpy(&bv, buf + XS_BV, 8);
	memcpy(&comp, buf + XS_COMP, 8);
	if (comp >> 63) {
		if ((comp & ~(xcr0 | (1ull << 63))) || (bv & ~comp))
			return RAISE_GP0(e);
	} else {
		for (unsigned i = XS_COMP; i < 576; i++)
			if (buf[i])
				return RAISE_GP0(e);
	}
	if (bv & ~xcr0)
		return RAISE_GP0(e);
	if ((rf & 4) && (bv & 4) && (rc = mem_read_seg(e, in->eseg, in->ea + XS_YMMH, 256, buf + XS_YMMH)))
		return rc;
	if (rf & 6) {
		uint32_t mx;
		memcpy(&mx, buf + XS_MXCSR, 4);
		if (mx & ~mxcsr_mask(e))
			return RAISE_GP0(e);
	}
	uint8_t *a = xs(e);
	unsigned nx = e->mode == X86EMU_MODE_LONG64 ? 16 : 8;
	if (rf & 1) {
		if (bv & 1) {
			memcpy(a, buf, 24);
			memcpy(a + XS_ST, buf + XS_ST, 128);
		} else {
			memset(a, 0, 24);
			a[0] = 0x7f, a[1] = 0x03; /* FCW init value 0x037f */
			memset(a + XS_ST, 0, 128);
		}
	}
	if (rf & 6)
		memcpy(a + XS_MXCSR, buf + XS_MXCSR, 4);
	if (rf & 2) {
		if (bv & 2)
			memcpy(a + XS_XMM, buf + XS_XMM, 16 * nx);
		else
			memset(a + XS_XMM, 0, 16 * nx);
	}
	if (rf & 4) {
		if (bv & 4)
			memcpy(a + XS_YMMH, buf + XS_YMMH, 16 * nx);
		else
			memset(a + XS_YMMH, 0, 16 * nx);
	}
	xs_touch(e, rf);
	return RC_OK;
}

/* Group 15 (0F AE) memory forms by ModRM.reg, and 0F C7 /4 xsavec, /5
 * xsaves and /3 xrstors. cove's guests have no supervisor state (IA32_XSS
 * is 0), so xsaves/xrstors are xsavec/xrstor of the compacted form, at CPL0
 * only. */
int ex_grp15(struct x86emu *e, struct x86emu_insn *in)
{
	if (in->op == 0xc7) {
		unsigned reg = (in->modrm >> 3) & 7;
		if (reg != 4 && e->cpl != 0)
			return RAISE_GP0(e);
		return reg == 3 ? xrstor(e, in) : xsave(e, in, true);
	}
	switch (in->d->aux) {
	case 0: return fxsave(e, in);
	case 1: return fxrstor(e, in);
	case 2: return ldst_mxcsr(e, in, true);
	case 3: return ldst_mxcsr(e, in, false);
	case 4:
	case 6: return xsave(e, in, false);
	case 5: return xrstor(e, in);
	default: return RC_OK; /* clflush: caches are the host's business */
	}
}

/* ---- Packed integer SSE2/SSSE3 and the ps/pd bitwise ops ------------------ */


static uint64_t lane_get(const uint8_t *p, unsigned i, unsigned w)
{
	uint64_t v = 0;
	memcpy(&v, p + i * w, w);
	return v;
}

static void lane_set(uint8_t *p, unsigned i, unsigned w, uint64_t v)
{
	memcpy(p + i * w, &v, w);
}

static int64_t lane_sget(const uint8_t *p, unsigned i, unsigned w)
{
	uint64_t v = lane_get(p, i, w);
	unsigned sh = 64 - 8 * w;
	return (int64_t)(v << sh) >> sh;
}

static int64_t sat_s(int64_t v, unsigned w)
{
	int64_t max = (int64_t)((1ull << (8 * w - 1)) - 1), min = -max - 1;
	return v > max ? max : v < min ? min : v;
}

static uint64_t sat_u(int64_t v, unsigned w)
{
	int64_t max = (int64_t)((1ull << (8 * w)) - 1);
	return (uint64_t)(v > max ? max : v < 0 ? 0 : v);
}

/* Element-wise two-operand ops: lane width and kind by op. */
static void simd_lanes(unsigned op, uint8_t *r, const uint8_t *a, const uint8_t *b, unsigned n)
{
	static const uint8_t width[S_PSADBW + 1] = {
		[S_PADDB] = 1, [S_PADDW] = 2, [S_PADDD] = 4, [S_PADDQ] = 8,
		[S_PSUBB] = 1, [S_PSUBW] = 2, [S_PSUBD] = 4, [S_PSUBQ] = 8,
		[S_PADDUSB] = 1, [S_PADDUSW] = 2, [S_PADDSB] = 1, [S_PADDSW] = 2,
		[S_PSUBUSB] = 1, [S_PSUBUSW] = 2, [S_PSUBSB] = 1, [S_PSUBSW] = 2,
		[S_PAND] = 8, [S_PANDN] = 8, [S_POR] = 8, [S_PXOR] = 8,
		[S_PCMPEQB] = 1, [S_PCMPEQW] = 2, [S_PCMPEQD] = 4,
		[S_PCMPGTB] = 1, [S_PCMPGTW] = 2, [S_PCMPGTD] = 4,
		[S_PMULLW] = 2, [S_PMULUDQ] = 8, [S_PMADDWD] = 4,
		[S_PMINUB] = 1, [S_PMAXUB] = 1, [S_PMINSW] = 2, [S_PMAXSW] = 2,
		[S_PAVGB] = 1, [S_PAVGW] = 2, [S_PSADBW] = 8,
	};
	unsigned w = width[op];
	for (unsigned i = 0; i < n / w; i++) {
		uint64_t x = lane_get(a, i, w), y = lane_get(b, i, w), v = 0;
		int64_t sx = lane_sget(a, i, w), sy = lane_sget(b, i, w);
		switch (op) {
		case S_PADDB: case S_PADDW: case S_PADDD: case S_PADDQ: v = x + y; break;
		case S_PSUBB: case S_PSUBW: case S_PSUBD: case S_PSUBQ: v = x - y; break;
		case S_PADDUSB: case S_PADDUSW: v = sat_u((int64_t)(x + y), w); break;
		case S_PSUBUSB: case S_PSUBUSW: v = sat_u((int64_t)x - (int64_t)y, w); break;
		case S_PADDSB: case S_PADDSW: v = (uint64_t)sat_s(sx + sy, w); break;
		case S_PSUBSB: case S_PSUBSW: v = (uint64_t)sat_s(sx - sy, w); break;
		case S_PAND: v = x & y; break;
		case S_PANDN: v = ~x & y; break;
		case S_POR: v = x | y; break;
		case S_PXOR: v = x ^ y; break;
		case S_PCMPEQB: case S_PCMPEQW: case S_PCMPEQD: v = x == y ? ~0ull : 0; break;
		case S_PCMPGTB: case S_PCMPGTW: case S_PCMPGTD: v = sx > sy ? ~0ull : 0; break;
		case S_PMULLW: v = (uint64_t)(sx * sy); break;
		case S_PMULUDQ: v = (x & 0xffffffffull) * (y & 0xffffffffull); break;
		case S_PMADDWD:
			v = (uint64_t)(lane_sget(a, 2 * i, 2) * lane_sget(b, 2 * i, 2) +
				       lane_sget(a, 2 * i + 1, 2) * lane_sget(b, 2 * i + 1, 2));
			break;
		case S_PMINUB: v = x < y ? x : y; break;
		case S_PMAXUB: v = x > y ? x : y; break;
		case S_PMINSW: v = (uint64_t)(sx < sy ? sx : sy); break;
		case S_PMAXSW: v = (uint64_t)(sx > sy ? sx : sy); break;
		case S_PAVGB: case S_PAVGW: v = (x + y + 1) >> 1; break;
		default: /* S_PSADBW */
			for (unsigned j = 0; j < 8; j++) {
				int d = (int)a[8 * i + j] - (int)b[8 * i + j];
				v += (uint64_t)(d < 0 ? -d : d);
			}
			break;
		}
		lane_set(r, i, w, v);
	}
}

/* Shift every lane of width w by count; arith: sign fill. */
static void simd_shift(uint8_t *r, const uint8_t *a, unsigned n, unsigned w, uint64_t count, int dir, bool arith)
{
	unsigned bits = 8 * w;
	for (unsigned i = 0; i < n / w; i++) {
		uint64_t x = lane_get(a, i, w), v;
		if (arith) {
			int64_t sx = lane_sget(a, i, w);
			v = (uint64_t)(sx >> (count >= bits ? bits - 1 : count));
		} else if (count >= bits) {
			v = 0;
		} else {
			v = dir < 0 ? x << count : x >> count;
		}
		lane_set(r, i, w, v);
	}
}

static void simd_unpack(uint8_t *r, const uint8_t *a, const uint8_t *b, unsigned n, unsigned w, bool high)
{
	unsigned half = n / 2, base = high ? half : 0;
	for (unsigned i = 0; i < half / w; i++) {
		memcpy(r + 2 * i * w, a + base + i * w, w);
		memcpy(r + (2 * i + 1) * w, b + base + i * w, w);
	}
}

/* pack: lanes of width w from a then b to width w/2, signed or unsigned
 * saturation. */
static void simd_pack(uint8_t *r, const uint8_t *a, const uint8_t *b, unsigned n, unsigned w, bool uns)
{
	unsigned k = n / w, nw = w / 2;
	for (unsigned i = 0; i < 2 * k; i++) {
		int64_t v = i < k ? lane_sget(a, i, w) : lane_sget(b, i - k, w);
		lane_set(r, i, nw, uns ? sat_u(v, nw) : (uint64_t)sat_s(v, nw));
	}
}

/* SSSE3 two-operand ops. */
static void simd_ssse3(unsigned op, uint8_t *r, const uint8_t *a, const uint8_t *b, unsigned n)
{
	switch (op) {
	case S_PSHUFB:
		for (unsigned i = 0; i < n; i++)
			r[i] = (b[i] & 0x80) ? 0 : a[b[i] & (n - 1)];
		break;
	case S_PHADDW:
	case S_PHADDD: {
		unsigned w = op == S_PHADDW ? 2 : 4, k = n / w / 2;
		for (unsigned i = 0; i < k; i++) {
			lane_set(r, i, w, lane_get(a, 2 * i, w) + lane_get(a, 2 * i + 1, w));
			lane_set(r, k + i, w, lane_get(b, 2 * i, w) + lane_get(b, 2 * i + 1, w));
		}
		break;
	}
	case S_PABSB:
	case S_PABSW:
	case S_PABSD: {
		unsigned w = op == S_PABSB ? 1 : op == S_PABSW ? 2 : 4;
		for (unsigned i = 0; i < n / w; i++) {
			int64_t v = lane_sget(b, i, w);
			lane_set(r, i, w, (uint64_t)(v < 0 ? -v : v));
		}
		break;
	}
	case S_PMADDUBSW:
		for (unsigned i = 0; i < n / 2; i++) {
			int64_t v = (int64_t)a[2 * i] * (int8_t)b[2 * i] + (int64_t)a[2 * i + 1] * (int8_t)b[2 * i + 1];
			lane_set(r, i, 2, (uint64_t)sat_s(v, 2));
		}
		break;
	default: /* S_PMULHRSW */
		for (unsigned i = 0; i < n / 2; i++) {
			int64_t v = lane_sget(a, i, 2) * lane_sget(b, i, 2);
			lane_set(r, i, 2, (uint64_t)((((v >> 14) + 1) >> 1)));
		}
		break;
	}
}

static void simd_imm(unsigned op, uint8_t *r, const uint8_t *a, const uint8_t *b, unsigned n, unsigned imm)
{
	switch (op) {
	case S_PSHUFD:
		for (unsigned i = 0; i < 4; i++)
			memcpy(r + 4 * i, b + 4 * ((imm >> (2 * i)) & 3), 4);
		break;
	case S_PSHUFHW:
	case S_PSHUFLW:
	case S_PSHUFW: {
		unsigned off = op == S_PSHUFHW ? 8 : 0;
		memcpy(r, b, n);
		for (unsigned i = 0; i < 4; i++)
			memcpy(r + off + 2 * i, b + off + 2 * ((imm >> (2 * i)) & 3), 2);
		break;
	}
	case S_PALIGNR: {
		uint8_t t[32];
		memcpy(t, b, n);
		memcpy(t + n, a, n);
		for (unsigned i = 0; i < n; i++)
			r[i] = imm + i < 2 * n ? t[imm + i] : 0;
		break;
	}
	default: /* S_SHUFPS */
		memcpy(r, a + 4 * (imm & 3), 4);
		memcpy(r + 4, a + 4 * ((imm >> 2) & 3), 4);
		memcpy(r + 8, b + 4 * ((imm >> 4) & 3), 4);
		memcpy(r + 12, b + 4 * ((imm >> 6) & 3), 4);
		break;
	}
}

/* Rows that exist only as XMM forms whatever their prefix (ps ops, F3/F2
 * shuffles) or only as MMX (pshufw). */
static bool simd_is_xmm(struct x86emu_insn *in, unsigned op)
{
	if (op == S_SHUFPS || op == S_PSHUFHW || op == S_PSHUFLW)
		return true;
	if (op == S_PSHUFW)
		return false;
	if (in->op >= 0x54 && in->op <= 0x57 && in->map == X86EMU_MAP_0F)
		return true;
	return in->mprefix == 0x66;
}

/* Packed integer and bitwise operations: dst (ModRM.reg) = op(dst, src). */
int ex_simd(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned op = in->d->aux;
	bool x = simd_is_xmm(in, op);
	unsigned n = x ? 16 : 8;
	unsigned dreg = x ? in->reg : in->reg & 7;
	uint8_t a[16] = {0}, b[16] = {0}, r[16] = {0};
	int rc;

	if (op >= S_PSRLI_W || (!x && in->mprefix))
		return RAISE_UD(e);
	if ((rc = fp_check(e, x ? 0 : 1)))
		return rc;
	if (in->mod == 3) {
		if (x)
			memcpy(b, xmm(e, in->rm), 16);
		else {
			uint64_t v = mmx_read(e, in->rm & 7);
			memcpy(b, &v, 8);
		}
	} else {
		/* MMX punpckl* read only the low half from memory. */
		unsigned sz = !x && op >= S_PUNPCKLBW && op <= S_PUNPCKLDQ ? 4 : n;
		if ((rc = vmem_read(e, in, sz, b, x)))
			return rc;
	}
	if (x)
		memcpy(a, xmm(e, dreg), 16);
	else {
		uint64_t v = mmx_read(e, dreg);
		memcpy(a, &v, 8);
		mmx_enter(e);
	}

	if (op <= S_PSADBW && !(op >= S_PSRLW && op <= S_PSLLQ) && !(op >= S_PUNPCKLBW && op <= S_PACKSSDW)) {
		simd_lanes(op, r, a, b, n);
	} else if (op >= S_PSRLW && op <= S_PSLLQ) {
		static const uint8_t w[] = {2, 4, 8, 2, 4, 2, 4, 8};
		uint64_t count;
		memcpy(&count, b, 8);
		unsigned k = op - S_PSRLW;
		simd_shift(r, a, n, w[k], count, k >= 5 ? -1 : 1, k == 3 || k == 4);
	} else if (op >= S_PUNPCKLBW && op <= S_PUNPCKHQDQ) {
		static const uint8_t w[] = {1, 2, 4, 8};
		unsigned k = op - S_PUNPCKLBW;
		if ((k & 3) == 3 && !x)
			return RAISE_UD(e);
		simd_unpack(r, a, b, n, w[k & 3], k >= 4);
	} else if (op >= S_PACKSSWB && op <= S_PACKSSDW) {
		simd_pack(r, a, b, n, op == S_PACKSSDW ? 4 : 2, op == S_PACKUSWB);
	} else if (op <= S_PMULHRSW) {
		simd_ssse3(op, r, a, b, n);
	} else {
		if ((op == S_PSHUFD) && !x)
			return RAISE_UD(e);
		simd_imm(op, r, a, b, n, (unsigned)(in->imm & 0xff));
	}

	if (x) {
		vreg_write(e, in, dreg, r, 16);
	} else {
		uint64_t v;
		memcpy(&v, r, 8);
		mmx_write(e, dreg, v);
	}
	return RC_OK;
}

/* Groups 12-14 (0F 71/72/73): shift the ModRM.rm register by an immediate. */
int ex_simd_shift_imm(struct x86emu *e, struct x86emu_insn *in)
{
	unsigned op = in->d->aux;
	bool x = in->mprefix == 0x66;
	unsigned n = x ? 16 : 8, reg = x ? in->rm : in->rm & 7;
	unsigned count = (unsigned)(in->imm & 0xff);
	uint8_t a[16] = {0}, r[16] = {0};
	int rc;

	if (in->mod != 3 || (in->mprefix && !x) || op < S_PSRLI_W || op > S_PSLLDQ)
		return RAISE_UD(e);
	if ((op == S_PSRLDQ || op == S_PSLLDQ) && !x)
		return RAISE_UD(e);
	if ((rc = fp_check(e, x ? 0 : 1)))
		return rc;
	if (x) {
		memcpy(a, xmm(e, reg), 16);
	} else {
		uint64_t v = mmx_read(e, reg);
		memcpy(a, &v, 8);
		mmx_enter(e);
	}
	if (op == S_PSRLDQ) {
		for (unsigned i = 0; i < 16; i++)
			r[i] = i + count < 16 ? a[i + count] : 0;
	} else if (op == S_PSLLDQ) {
		for (unsigned i = 0; i < 16; i++)
			r[i] = i >= count ? a[i - count] : 0;
	} else {
		static const uint8_t w[] = {2, 4, 8, 2, 4, 2, 4, 8};
		unsigned k = op - S_PSRLI_W;
		simd_shift(r, a, n, w[k], count, k >= 5 ? -1 : 1, k == 3 || k == 4);
	}
	if (x) {
		vreg_write(e, in, reg, r, 16);
	} else {
		uint64_t v;
		memcpy(&v, r, 8);
		mmx_write(e, reg, v);
	}
	return RC_OK;
}

/* pmovmskb r32/r64, mm/xmm (0F D7): the top bit of every byte. */
int ex_pmovmskb(struct x86emu *e, struct x86emu_insn *in)
{
	bool x = in->mprefix == 0x66;
	uint8_t a[16] = {0};
	unsigned n = x ? 16 : 8;
	uint32_t m = 0;
	int rc;

	if (in->mod != 3 || (in->mprefix && !x))
		return RAISE_UD(e);
	if ((rc = fp_check(e, x ? 0 : 1)))
		return rc;
	if (x) {
		memcpy(a, xmm(e, in->rm), 16);
	} else {
		uint64_t v = mmx_read(e, in->rm & 7);
		memcpy(a, &v, 8);
		mmx_enter(e);
	}
	for (unsigned i = 0; i < n; i++)
		m |= (uint32_t)(a[i] >> 7) << i;
	gpr_write(e, in->reg, 8, false, m);
	return RC_OK;
}
