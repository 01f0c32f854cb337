/* x86diff: the guest memory image both sides start from. See xd.h for the
 * map. Written once into the KVM guest's memory and into x86emu's array. */
#include <string.h>

#include "tests/diff/xd.h"

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* A GDT code/data descriptor (SDM Vol. 3A 3.4.5). */
static uint64_t gdt_seg(unsigned type, unsigned dpl, bool l, bool db)
{
	uint64_t d = 0xffff;                 /* limit 15:0 */
	d |= (uint64_t)type << 40;
	d |= 1ull << 44;                     /* S: code/data */
	d |= (uint64_t)dpl << 45;
	d |= 1ull << 47;                     /* P */
	d |= 0xfull << 48;                   /* limit 19:16 */
	d |= (uint64_t)l << 53;
	d |= (uint64_t)db << 54;
	d |= 1ull << 55;                     /* G */
	return d;
}

void xd_layout_build(uint8_t *mem, size_t size)
{
	memset(mem, 0, size);

	/* Real mode: vector v -> 0000:XD_STUB_REAL + 4v, `out XD_PORT_EXC+v, al; hlt`. */
	for (unsigned v = 0; v < 256; v++) {
		unsigned stub = XD_STUB_REAL + 4 * (v & 31);
		mem[XD_IVT + 4 * v] = stub & 0xff;
		mem[XD_IVT + 4 * v + 1] = stub >> 8;
		mem[XD_IVT + 4 * v + 2] = 0;
		mem[XD_IVT + 4 * v + 3] = 0;
	}
	for (unsigned v = 0; v < 32; v++) {
		uint8_t *p = mem + XD_STUB_REAL + 4 * v;
		p[0] = 0xe6, p[1] = (uint8_t)(XD_PORT_EXC + v), p[2] = 0xf4, p[3] = 0xf4;
		p = mem + XD_STUB_64 + 4 * v;
		p[0] = 0xe6, p[1] = (uint8_t)(XD_PORT_EXC + v), p[2] = 0xf4, p[3] = 0xf4;
	}

	/* Real mode: handlers that return with iret, for int n in sequences:
	 * plain; inc ax; set CF in the flags image; clear it; ax = flags at
	 * entry; a nested int. */
	static const uint8_t handlers[XD_INT_NR][16] = {
		{0xcf},
		{0x40, 0xcf},
		{0x55, 0x89, 0xe5, 0x83, 0x4e, 0x06, 0x01, 0x5d, 0xcf},
		{0x55, 0x89, 0xe5, 0x80, 0x66, 0x06, 0xfe, 0x5d, 0xcf},
		{0x9c, 0x58, 0xcf},
		{0xcd, XD_INT_VEC, 0xcf},
	};
	for (unsigned i = 0; i < XD_INT_NR; i++) {
		unsigned h = XD_INT_HANDLERS + 16 * i, v = XD_INT_VEC + i;
		memcpy(mem + h, handlers[i], sizeof(handlers[i]));
		mem[XD_IVT + 4 * v] = h & 0xff;
		mem[XD_IVT + 4 * v + 1] = h >> 8;
	}

	/* GDT: null, kernel code 64, kernel data, user data, user code 64, TSS. */
	uint8_t *gdt = mem + XD_GDT;
	put64(gdt + 0x08, gdt_seg(0xb, 0, true, false));
	put64(gdt + 0x10, gdt_seg(0x3, 0, false, true));
	put64(gdt + 0x18, gdt_seg(0x3, 3, false, true));
	put64(gdt + 0x20, gdt_seg(0xb, 3, true, false));
	uint64_t tss = XD_TSS;
	uint64_t t = 0x67 | (tss & 0xffffff) << 16 | 0xbull << 40 | 1ull << 47 |
		     ((tss >> 24) & 0xff) << 56;
	put64(gdt + 0x28, t);
	put64(gdt + 0x30, tss >> 32);

	/* TSS: RSP0 at offset 4; no I/O bitmap (IOPL=3 allows the port writes). */
	put64(mem + XD_TSS + 4, XD_RSP0);
	mem[XD_TSS + 0x66] = 0x68;

	/* IDT: 32 interrupt gates to the 64-bit stubs, DPL0. */
	for (unsigned v = 0; v < 32; v++) {
		uint64_t off = XD_STUB_64 + 4 * v;
		uint8_t *g = mem + XD_IDT + 16 * v;
		uint64_t lo = (off & 0xffff) | (uint64_t)XD_SEL_KCODE << 16 | 0x8eull << 40 |
			      ((off >> 16) & 0xffff) << 48;
		put64(g, lo);
		put64(g + 8, off >> 32);
	}

	/* Page tables: identity map of the first 1 GiB in 2 MiB pages, user. */
	/* Accessed and dirty preset: neither side's page walk changes them. */
	put64(mem + XD_PML4, XD_PDPT | 0x27);
	put64(mem + XD_PDPT, XD_PD | 0x27);
	for (uint64_t i = 0; i < 512; i++)
		put64(mem + XD_PD + 8 * i, (i << 21) | 0xe7);
}

static struct xd_seg seg_make(uint16_t sel, uint32_t limit, unsigned type, unsigned dpl, bool l,
			      bool db, bool g)
{
	struct xd_seg s = {
		.base = 0, .limit = limit, .selector = sel, .type = (uint8_t)type, .s = 1,
		.dpl = (uint8_t)dpl, .present = 1, .l = l, .db = db, .g = g,
	};
	return s;
}

void xd_sys_state(enum xd_mode mode, struct xd_sys *sys)
{
	memset(sys, 0, sizeof(*sys));
	if (mode == XD_REAL) {
		for (unsigned i = 0; i < XD_TR; i++)
			sys->seg[i] = seg_make(0, 0xffff, 0x3, 0, false, false, false);
		sys->seg[XD_CS].type = 0xb;
		sys->seg[XD_CS].selector = XD_REAL_CS;
		sys->seg[XD_CS].base = (uint64_t)XD_REAL_CS << 4;
		sys->seg[XD_TR] = seg_make(0, 0xffff, 0xb, 0, false, false, false);
		sys->seg[XD_TR].s = 0;
		sys->seg[XD_LDTR] = seg_make(0, 0xffff, 0x2, 0, false, false, false);
		sys->seg[XD_LDTR].s = 0;
		sys->cr0 = 0x60000010; /* CD NW ET: the reset value */
		sys->idt_limit = 0x3ff;
		sys->gdt_limit = 0xffff;
		return;
	}
	for (unsigned i = 0; i < XD_TR; i++)
		sys->seg[i] = seg_make(XD_SEL_UDATA, 0xffffffff, 0x3, 3, false, true, true);
	sys->seg[XD_CS] = seg_make(XD_SEL_UCODE, 0xffffffff, 0xb, 3, true, false, true);
	sys->seg[XD_TR] = seg_make(XD_SEL_TSS, 0x67, 0xb, 0, false, false, false);
	sys->seg[XD_TR].base = XD_TSS;
	sys->seg[XD_TR].s = 0;
	sys->seg[XD_LDTR] = seg_make(0, 0, 0x2, 0, false, false, false);
	sys->seg[XD_LDTR].s = 0;
	sys->seg[XD_LDTR].present = 0;
	sys->seg[XD_LDTR].unusable = 1;
	sys->cr0 = 0x80050033; /* PG WP NE ET MP PE */
	sys->cr3 = XD_PML4;
	sys->cr4 = 0x620;      /* OSXMMEXCPT OSFXSR PAE */
	sys->efer = 0x500;     /* LMA LME */
	sys->gdt_base = XD_GDT;
	sys->gdt_limit = 0x37;
	sys->idt_base = XD_IDT;
	sys->idt_limit = 32 * 16 - 1;
}

size_t xd_terminator(enum xd_mode mode, uint8_t *p)
{
	if (mode == XD_REAL) {
		p[0] = 0xe6, p[1] = XD_PORT_END;
		return 2;
	}
	/* mov [disp32], al: 88 04 25 disp32 */
	p[0] = 0x88, p[1] = 0x04, p[2] = 0x25;
	uint32_t a = XD_MMIO_END;
	memcpy(p + 3, &a, 4);
	return 7;
}
