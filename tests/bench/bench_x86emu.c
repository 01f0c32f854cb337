/* bench_x86emu: how fast x86emu emulates, next to the peers measured in the
 * same run. Prints figures and ratios; never fails on a timing.
 *
 *   1. x86emu, real mode: an ALU + string loop.
 *   2. x86emu, 64-bit (paging on): an ALU + load/store loop.
 *   3. The same 64-bit loop under KVM at CPL0: on this host every CPL0
 *      instruction goes through KVM's in-kernel emulator (HOST.md).
 *   4. The same loop under KVM at CPL3: native, for reference.
 *   5. TLB: a loop over more pages than the soft TLB holds, a hot set that
 *      recurs and a cold stream, under the CLOCK and FIFO policies.
 *
 *   bench_x86emu [--quick] [--emu-only]
 *     --quick: fewer iterations; --emu-only: x86emu alone (1, 2 and 5), for
 *     a profiler such as callgrind, which cannot follow KVM_RUN.
 * Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID). */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tests/diff/xd.h"
#include "x86emu/x86emu.h"

/* Thread CPU time, not wall time: the machine is shared (2 cores, other
 * builds), and KVM_RUN's guest time is charged to this thread as well. */
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double wall(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double last_wall; /* wall seconds of the last measurement */

/* ---- the loops ---- */

/* 64-bit: 6 instructions per iteration, then hlt.
 *   mov ecx, N; l: add rax, rbx; xor rdx, rax; mov [rsi], rdx;
 *   mov r8, [rsi]; dec ecx; jnz l; hlt */
static size_t loop64(uint8_t *p, uint32_t n)
{
	size_t i = 0;
	p[i++] = 0xb9, memcpy(p + i, &n, 4), i += 4;
	static const uint8_t body[] = {0x48, 0x01, 0xd8, 0x48, 0x31, 0xc2, 0x48, 0x89, 0x16,
				       0x4c, 0x8b, 0x06, 0xff, 0xc9, 0x75, 0xf0, 0xf4};
	memcpy(p + i, body, sizeof(body));
	return i + sizeof(body);
}
#define LOOP64_INSNS 6

/* Real mode: 7 instructions per iteration (one a rep movsb of 8 bytes).
 *   mov dx, N; l: add ax, bx; xor bx, ax; mov si, 0x8000; mov di, 0x8100;
 *   mov cx, 8; rep movsb; dec dx; jnz l; hlt */
static size_t loop16(uint8_t *p, uint16_t n)
{
	size_t i = 0;
	p[i++] = 0xba, memcpy(p + i, &n, 2), i += 2;
	static const uint8_t body[] = {0x01, 0xd8, 0x31, 0xc3, 0xbe, 0x00, 0x80, 0xbf, 0x00, 0x81,
				       0xb9, 0x08, 0x00, 0xf3, 0xa4, 0x4a, 0x75, 0xee, 0xf4};
	memcpy(p + i, body, sizeof(body));
	return i + sizeof(body);
}

/* ---- x86emu on a flat array ---- */

struct bx {
	uint8_t *mem;
	size_t size;
	uint64_t gpr[16], rip, rflags;
	struct xd_sys sys;
};

static uint64_t b_ggpr(void *c, enum x86emu_gpr r) { return ((struct bx *)c)->gpr[r & 15]; }
static void b_sgpr(void *c, enum x86emu_gpr r, uint64_t v) { ((struct bx *)c)->gpr[r & 15] = v; }
static uint64_t b_grip(void *c) { return ((struct bx *)c)->rip; }
static void b_srip(void *c, uint64_t v) { ((struct bx *)c)->rip = v; }
static uint64_t b_gfl(void *c) { return ((struct bx *)c)->rflags; }
static void b_sfl(void *c, uint64_t v) { ((struct bx *)c)->rflags = v; }
static void b_gseg(void *c, enum x86emu_sreg s, struct x86emu_segment *o)
{
	const struct xd_seg *x = &((struct bx *)c)->sys.seg[s % XD_NSEGS];
	memset(o, 0, sizeof(*o));
	o->base = x->base, o->limit = x->limit, o->selector = x->selector, o->type = x->type;
	o->s = x->s, o->dpl = x->dpl, o->present = x->present, o->l = x->l, o->db = x->db;
	o->g = x->g, o->unusable = x->unusable;
}
static void b_sseg(void *c, enum x86emu_sreg s, const struct x86emu_segment *o)
{
	struct xd_seg *x = &((struct bx *)c)->sys.seg[s % XD_NSEGS];
	x->base = o->base, x->limit = o->limit, x->selector = o->selector, x->type = o->type;
	x->s = o->s, x->dpl = o->dpl, x->present = o->present, x->l = o->l, x->db = o->db;
	x->g = o->g, x->unusable = o->unusable;
}
static void b_gdt(void *c, enum x86emu_dtreg d, struct x86emu_dtable *t)
{
	struct bx *b = c;
	t->base = d == X86EMU_GDTR ? b->sys.gdt_base : b->sys.idt_base;
	t->limit = d == X86EMU_GDTR ? b->sys.gdt_limit : b->sys.idt_limit;
}
static void b_sdt(void *c, enum x86emu_dtreg d, const struct x86emu_dtable *t) { (void)c, (void)d, (void)t; }
static uint64_t b_gcr(void *c, enum x86emu_creg r)
{
	struct bx *b = c;
	return r == X86EMU_CR0 ? b->sys.cr0 : r == X86EMU_CR3 ? b->sys.cr3 : r == X86EMU_CR4 ? b->sys.cr4
	       : r == X86EMU_EFER ? b->sys.efer : r == X86EMU_XCR0 ? 3 : 0;
}
static void b_scr(void *c, enum x86emu_creg r, uint64_t v) { (void)c, (void)r, (void)v; }
static uint64_t b_gdr(void *c, unsigned d) { (void)c; return d == 7 ? 0x400 : 0; }
static void b_sdr(void *c, unsigned d, uint64_t v) { (void)c, (void)d, (void)v; }
static void *b_mem(void *c, uint64_t gpa, size_t len, bool w)
{
	struct bx *b = c;
	(void)w;
	return gpa < b->size && len <= b->size - gpa ? b->mem + gpa : NULL;
}
static int b_mrd(void *c, uint64_t a, unsigned n, void *d) { (void)c, (void)a; memset(d, 0, n); return X86EMU_IO_ERROR; }
static int b_mwr(void *c, uint64_t a, unsigned n, const void *d) { (void)c, (void)a, (void)n, (void)d; return X86EMU_IO_ERROR; }
static int b_in(void *c, uint16_t p, unsigned n, uint32_t *v) { (void)c, (void)p, (void)n, *v = 0; return X86EMU_IO_ERROR; }
static int b_out(void *c, uint16_t p, unsigned n, uint32_t v) { (void)c, (void)p, (void)n, (void)v; return X86EMU_IO_ERROR; }

static const struct x86emu_ops bx_ops = {
	.get_gpr = b_ggpr, .set_gpr = b_sgpr, .get_rip = b_grip, .set_rip = b_srip,
	.get_rflags = b_gfl, .set_rflags = b_sfl, .get_sreg = b_gseg, .set_sreg = b_sseg,
	.get_dtable = b_gdt, .set_dtable = b_sdt, .get_creg = b_gcr, .set_creg = b_scr,
	.get_dreg = b_gdr, .set_dreg = b_sdr, .mem_ptr = b_mem,
	.mmio_read = b_mrd, .mmio_write = b_mwr, .pio_in = b_in, .pio_out = b_out,
};

/* 64-bit CPL0 state: the diff layout's long mode with kernel selectors. */
static void sys_cpl0(struct xd_sys *sys)
{
	xd_sys_state(XD_LONG, sys);
	for (unsigned i = 0; i < XD_TR; i++) {
		sys->seg[i].dpl = 0;
		sys->seg[i].selector = XD_SEL_KDATA;
	}
	sys->seg[XD_CS].selector = XD_SEL_KCODE;
}

/* Runs the code at XD_CODE to its hlt; returns seconds and instructions. */
static int emu_time(struct bx *b, double *secs, uint64_t *insns, struct x86emu_tlb_stats *tlb,
		    enum x86emu_tlb_policy pol)
{
	struct x86emu *e = x86emu_new(&bx_ops, b);
	if (!e)
		return -ENOMEM;
	if (pol)
		x86emu_set_tlb_policy(e, pol);
	uint64_t done = 0, total = 0;
	enum x86emu_result r;
	double t0 = now(), w0 = wall();
	do {
		r = x86emu_run(e, 1u << 20, &done);
		total += done;
	} while (r == X86EMU_OK);
	*secs = now() - t0;
	last_wall = wall() - w0;
	struct x86emu_stats st;
	x86emu_get_stats(e, &st);
	*insns = st.insns;
	if (tlb)
		*tlb = st.tlb;
	x86emu_free(e);
	(void)total;
	return r == X86EMU_HLT ? 0 : -EIO;
}

/* ---- KVM ---- */

static int kvm_time(bool cpl0, uint32_t iters, double *secs)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm, cpu, rc = -EIO;
	if (kvm < 0)
		return -errno;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	uint8_t *mem = mmap(NULL, XD_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region reg = {0, 0, 0, XD_MEM_SIZE, (uintptr_t)mem};
	if (vm < 0 || mem == MAP_FAILED || ioctl(vm, KVM_SET_USER_MEMORY_REGION, &reg) < 0)
		return -errno;
	xd_layout_build(mem, XD_MEM_SIZE);
	loop64(mem + XD_CODE, iters);
	cpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	struct kvm_sregs sr;
	struct xd_sys sys;
	ioctl(cpu, KVM_GET_SREGS, &sr);
	if (cpl0)
		sys_cpl0(&sys);
	else
		xd_sys_state(XD_LONG, &sys);
	struct kvm_segment *segs[XD_NSEGS] = {&sr.es, &sr.cs, &sr.ss, &sr.ds, &sr.fs, &sr.gs, &sr.tr, &sr.ldt};
	for (unsigned i = 0; i < XD_NSEGS; i++) {
		const struct xd_seg *s = &sys.seg[i];
		struct kvm_segment k = {.base = s->base, .limit = s->limit, .selector = s->selector,
					.type = s->type, .present = s->present, .dpl = s->dpl, .db = s->db,
					.s = s->s, .l = s->l, .g = s->g, .unusable = s->unusable};
		*segs[i] = k;
	}
	sr.cr0 = sys.cr0, sr.cr3 = sys.cr3, sr.cr4 = sys.cr4, sr.efer = sys.efer;
	sr.gdt.base = sys.gdt_base, sr.gdt.limit = sys.gdt_limit;
	sr.idt.base = sys.idt_base, sr.idt.limit = sys.idt_limit;
	struct kvm_regs rg = {.rip = XD_CODE, .rflags = 2, .rsp = XD_STACK_TOP, .rsi = XD_DATA, .rbx = 3};
	if (ioctl(cpu, KVM_SET_SREGS, &sr) < 0 || ioctl(cpu, KVM_SET_REGS, &rg) < 0)
		goto out;
	double t0 = now(), w0 = wall();
	if (ioctl(cpu, KVM_RUN, 0) < 0)
		goto out;
	*secs = now() - t0;
	last_wall = wall() - w0;
	/* CPL0 ends at hlt; CPL3's hlt raises #GP, whose stub ends with an out */
	if (run->exit_reason == KVM_EXIT_HLT ||
	    (run->exit_reason == KVM_EXIT_IO && run->io.port == XD_PORT_EXC + 13))
		rc = 0;
	else
		fprintf(stderr, "bench_x86emu: KVM exit %u\n", run->exit_reason);
out:
	close(cpu);
	close(vm);
	close(kvm);
	munmap(mem, XD_MEM_SIZE);
	return rc;
}

/* ---- the TLB workload ---- */

/* 4 KiB pages for the first 2 MiB (PT at 0x20000). Per iteration: two
 * loads from a hot set of 32 pages and one from a cold stream of 256. LRU
 * keeps the hot set; FIFO evicts it as the cold stream flows through. */
static size_t tlb_code(uint8_t *mem, uint32_t iters)
{
	uint64_t *pd = (uint64_t *)(mem + XD_PD);
	uint64_t *pt = (uint64_t *)(mem + 0x20000);
	pd[0] = 0x20000 | 0x27;
	for (uint64_t i = 0; i < 512; i++)
		pt[i] = i << 12 | 0x67;
	uint8_t *p = mem + XD_CODE;
	size_t n = 0;
	/* mov ecx, iters */
	p[n++] = 0xb9, memcpy(p + n, &iters, 4), n += 4;
	static const uint8_t body[] = {
		0x89, 0xc8,                   /* l: mov eax, ecx */
		0x83, 0xe0, 0x1f,             /* and eax, 31 */
		0xc1, 0xe0, 0x0c,             /* shl eax, 12 */
		0x48, 0x8b, 0x90, 0x00, 0x00, 0x03, 0x00, /* mov rdx, [rax+0x30000] */
		0x89, 0xc8,                   /* mov eax, ecx */
		0x83, 0xc0, 0x10,             /* add eax, 16 */
		0x83, 0xe0, 0x1f,             /* and eax, 31 */
		0xc1, 0xe0, 0x0c,             /* shl eax, 12 */
		0x48, 0x8b, 0x90, 0x00, 0x00, 0x03, 0x00, /* mov rdx, [rax+0x30000] */
		0x0f, 0xb6, 0xc1,             /* movzx eax, cl */
		0xc1, 0xe0, 0x0c,             /* shl eax, 12 */
		0x48, 0x8b, 0x90, 0x00, 0x00, 0x05, 0x00, /* mov rdx, [rax+0x50000] */
		0xff, 0xc9,                   /* dec ecx */
		0x75, 0x00,                   /* jnz l (patched) */
		0xf4,                         /* hlt */
	};
	memcpy(p + n, body, sizeof(body));
	size_t jnz = n + sizeof(body) - 2;
	p[jnz] = (uint8_t)(-(int)(sizeof(body) - 1));
	return n + sizeof(body);
}

int main(int argc, char **argv)
{
	bool quick = false, emu_only = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "--emu-only")) {
			emu_only = true;
		} else {
			fprintf(stderr, "usage: bench_x86emu [--quick] [--emu-only]\n");
			return 2;
		}
	}
	uint32_t n_emu = quick ? 200000 : 2000000, n_cpl0 = quick ? 20000 : 100000;
	uint32_t n_cpl3 = quick ? 10000000 : 200000000;
	struct bx b = {.size = XD_MEM_SIZE};
	double t;
	uint64_t insns;

	b.mem = calloc(1, XD_MEM_SIZE);
	if (!b.mem)
		return 1;

	/* 1. real mode */
	xd_layout_build(b.mem, XD_MEM_SIZE);
	xd_sys_state(XD_REAL, &b.sys);
	loop16(b.mem + XD_CODE, 60000);
	memset(b.gpr, 0, sizeof(b.gpr));
	b.rip = 0, b.rflags = 2, b.gpr[4] = XD_STACK_TOP;
	double rm_rate = 0;
	unsigned reps = quick ? 1 : 10;
	double tt = 0;
	uint64_t ti = 0;
	for (unsigned i = 0; i < reps; i++) {
		b.rip = 0, b.sys.seg[XD_CS].selector = XD_REAL_CS;
		if (emu_time(&b, &t, &insns, NULL, 0)) {
			fprintf(stderr, "bench_x86emu: the real-mode loop did not reach hlt\n");
			return 1;
		}
		tt += t, ti += insns;
	}
	rm_rate = (double)ti / tt;
	printf("x86emu real mode ALU+string loop: %llu insns in %.3f s: %.1f M insns/s (%.1f ns/insn)\n",
	       (unsigned long long)ti, tt, rm_rate / 1e6, 1e9 / rm_rate);

	/* 2. 64-bit, paging, CPL0 */
	xd_layout_build(b.mem, XD_MEM_SIZE);
	sys_cpl0(&b.sys);
	loop64(b.mem + XD_CODE, n_emu);
	memset(b.gpr, 0, sizeof(b.gpr));
	b.rip = XD_CODE, b.rflags = 2, b.gpr[4] = XD_STACK_TOP, b.gpr[6] = XD_DATA, b.gpr[3] = 3;
	if (emu_time(&b, &t, &insns, NULL, 0)) {
		fprintf(stderr, "bench_x86emu: the 64-bit loop did not reach hlt\n");
		return 1;
	}
	double emu64 = (double)insns / t;
	printf("x86emu 64-bit loop (paging): %llu insns in %.3f s: %.1f M insns/s (%.1f ns/insn); wall %.3f s\n",
	       (unsigned long long)insns, t, emu64 / 1e6, 1e9 / emu64, last_wall);
	double emu64_wall = (double)insns / last_wall;

	/* 3. KVM CPL0 and 4. KVM CPL3 */
	double kc0 = 0, kc3 = 0, kc0_wall = 0, kc3_wall = 0;
	if (emu_only)
		printf("KVM: not run (--emu-only)\n");
	if (!emu_only && kvm_time(true, n_cpl0, &t) == 0) {
		kc0 = (double)n_cpl0 * LOOP64_INSNS / t;
		kc0_wall = (double)n_cpl0 * LOOP64_INSNS / last_wall;
		printf("KVM 64-bit CPL0 (in-kernel emulator here): %u iterations in %.3f s: %.2f M insns/s (%.0f ns/insn); wall %.3f s\n",
		       n_cpl0, t, kc0 / 1e6, 1e9 / kc0, last_wall);
	} else if (!emu_only) {
		printf("KVM 64-bit CPL0: could not run\n");
	}
	if (!emu_only && kvm_time(false, n_cpl3, &t) == 0) {
		kc3 = (double)n_cpl3 * LOOP64_INSNS / t;
		kc3_wall = (double)n_cpl3 * LOOP64_INSNS / last_wall;
		printf("KVM 64-bit CPL3 (native): %u iterations in %.3f s: %.0f M insns/s (%.2f ns/insn); wall %.3f s: %.0f M insns/s\n",
		       n_cpl3, t, kc3 / 1e6, 1e9 / kc3, last_wall, kc3_wall / 1e6);
	} else if (!emu_only) {
		printf("KVM 64-bit CPL3: could not run\n");
	}
	if (kc0 > 0)
		printf("ratio x86emu / KVM CPL0: %.1fx by CPU time, %.1fx by wall time (target >= 50x)\n",
		       emu64 / kc0, emu64_wall / kc0_wall);
	if (kc3 > 0)
		printf("ratio native CPL3 / x86emu: %.1fx by wall time\n", kc3_wall / emu64_wall);

	/* 5. TLB: CLOCK vs FIFO */
	static const struct { enum x86emu_tlb_policy p; const char *name; } pols[] = {
		{X86EMU_TLB_CLOCK, "CLOCK"}, {X86EMU_TLB_FIFO, "FIFO"}};
	uint64_t walks[2] = {0, 0};
	for (unsigned i = 0; i < 2; i++) {
		struct x86emu_tlb_stats ts;
		xd_layout_build(b.mem, XD_MEM_SIZE);
		sys_cpl0(&b.sys);
		tlb_code(b.mem, quick ? 20000 : 200000);
		memset(b.gpr, 0, sizeof(b.gpr));
		b.rip = XD_CODE, b.rflags = 2, b.gpr[4] = XD_STACK_TOP;
		if (emu_time(&b, &t, &insns, &ts, pols[i].p)) {
			fprintf(stderr, "bench_x86emu: the TLB loop did not reach hlt\n");
			return 1;
		}
		uint64_t look = ts.hits + ts.misses;
		walks[i] = ts.walks;
		printf("TLB %-5s (%u entries, 32 hot + 256 cold pages): hit rate %.2f%%, %llu page walks, "
		       "%llu evictions, %.1f M insns/s\n", pols[i].name, X86EMU_TLB_DEFAULT_ENTRIES,
		       look ? 100.0 * (double)ts.hits / (double)look : 0.0,
		       (unsigned long long)ts.walks, (unsigned long long)ts.evictions,
		       (double)insns / t / 1e6);
	}
	if (walks[0])
		printf("TLB page walks FIFO / CLOCK: %.2fx\n", (double)walks[1] / (double)walks[0]);
	free(b.mem);
	return 0;
}
