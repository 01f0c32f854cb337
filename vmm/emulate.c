/* x86emu on a KVM vCPU (see emulate.h). KVM hands registers over in groups,
 * so a group is fetched with one ioctl the first time x86emu asks for any
 * register in it, and written back only if x86emu changed one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/emulate.h"
#include "x86emu/x86emu.h"

enum emu_group { G_REGS, G_SREGS, G_XSAVE, G_XCRS, G_DEBUG, G_NGROUPS };

/* After an instruction KVM gave up on, the next ones are often of the same
 * kind (SIMD arithmetic in a crypto loop: hundreds in a row). x86emu goes
 * on with those, up to this many, on the state it already holds, instead
 * of an exit each; it stops before anything else, which KVM then runs. */
#define VCPU_EMU_BURST 256
#define X86_RFLAGS_TF  (1ULL << 8)
#define X86_CR0_PG     (1ULL << 31)

struct vcpu_emu {
	int fd;
	struct mem_map *mem;
	struct bus *bus;
	const struct kvm_cpuid2 *cpuid;
	struct x86emu *e;
	unsigned valid, dirty; /* bitmaps of enum emu_group */
	bool failed;	       /* a KVM_GET_* failed: the step cannot be trusted */
	uint64_t burst;	       /* instructions run in bursts (VCPU_EMU_BURST) */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xsave xsave;
	struct kvm_xcrs xcrs;
	struct kvm_debugregs debug;
};

static const unsigned long get_req[G_NGROUPS] = {KVM_GET_REGS, KVM_GET_SREGS, KVM_GET_XSAVE, KVM_GET_XCRS,
						 KVM_GET_DEBUGREGS};
static const unsigned long set_req[G_NGROUPS] = {KVM_SET_REGS, KVM_SET_SREGS, KVM_SET_XSAVE, KVM_SET_XCRS,
						 KVM_SET_DEBUGREGS};

static void *group_ptr(struct vcpu_emu *ve, enum emu_group g)
{
	switch (g) {
	case G_REGS:
		return &ve->regs;
	case G_SREGS:
		return &ve->sregs;
	case G_XSAVE:
		return &ve->xsave;
	case G_XCRS:
		return &ve->xcrs;
	default:
		return &ve->debug;
	}
}

static size_t group_size(enum emu_group g)
{
	static const size_t size[G_NGROUPS] = {sizeof(struct kvm_regs), sizeof(struct kvm_sregs),
					       sizeof(struct kvm_xsave), sizeof(struct kvm_xcrs),
					       sizeof(struct kvm_debugregs)};
	return size[g];
}

static void *fetch(struct vcpu_emu *ve, enum emu_group g)
{
	void *p = group_ptr(ve, g);
	if (!(ve->valid & (1u << g))) {
		if (ioctl(ve->fd, get_req[g], p) < 0) {
			ve->failed = true;
			memset(p, 0, group_size(g));
		}
		ve->valid |= 1u << g;
	}
	return p;
}

static void *modify(struct vcpu_emu *ve, enum emu_group g)
{
	void *p = fetch(ve, g);
	ve->dirty |= 1u << g;
	return p;
}

static __u64 *gpr_slot(struct kvm_regs *r, enum x86emu_gpr reg)
{
	__u64 *slots[X86EMU_NR_GPRS] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
					&r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
					&r->r12, &r->r13, &r->r14, &r->r15};
	return slots[reg];
}

static uint64_t op_get_gpr(void *ctx, enum x86emu_gpr reg)
{
	return *gpr_slot(fetch(ctx, G_REGS), reg);
}

static void op_set_gpr(void *ctx, enum x86emu_gpr reg, uint64_t val)
{
	*gpr_slot(modify(ctx, G_REGS), reg) = val;
}

static void op_set_gpr_bits(void *ctx, enum x86emu_gpr reg, uint64_t val, uint64_t mask)
{
	__u64 *slot = gpr_slot(modify(ctx, G_REGS), reg);

	*slot = (*slot & ~mask) | (val & mask);
}

static uint64_t op_get_rip(void *ctx)
{
	return ((struct kvm_regs *)fetch(ctx, G_REGS))->rip;
}

static void op_set_rip(void *ctx, uint64_t rip)
{
	((struct kvm_regs *)modify(ctx, G_REGS))->rip = rip;
}

static uint64_t op_get_rflags(void *ctx)
{
	return ((struct kvm_regs *)fetch(ctx, G_REGS))->rflags;
}

static void op_set_rflags(void *ctx, uint64_t v)
{
	((struct kvm_regs *)modify(ctx, G_REGS))->rflags = v;
}

static struct kvm_segment *seg_slot(struct kvm_sregs *s, enum x86emu_sreg sreg)
{
	struct kvm_segment *slots[X86EMU_NR_SREGS] = {&s->es, &s->cs, &s->ss, &s->ds,
						      &s->fs, &s->gs, &s->tr, &s->ldt};
	return slots[sreg];
}

static void op_get_sreg(void *ctx, enum x86emu_sreg sreg, struct x86emu_segment *out)
{
	const struct kvm_segment *k = seg_slot(fetch(ctx, G_SREGS), sreg);
	*out = (struct x86emu_segment){
	    .base = k->base,
	    .limit = k->limit,
	    .selector = k->selector,
	    .type = k->type,
	    .s = k->s,
	    .dpl = k->dpl,
	    .present = k->present,
	    .avl = k->avl,
	    .l = k->l,
	    .db = k->db,
	    .g = k->g,
	    .unusable = k->unusable,
	};
}

static void op_set_sreg(void *ctx, enum x86emu_sreg sreg, const struct x86emu_segment *in)
{
	struct kvm_segment *k = seg_slot(modify(ctx, G_SREGS), sreg);
	*k = (struct kvm_segment){
	    .base = in->base,
	    .limit = in->limit,
	    .selector = in->selector,
	    .type = in->type,
	    .s = in->s,
	    .dpl = in->dpl,
	    .present = in->present,
	    .avl = in->avl,
	    .l = in->l,
	    .db = in->db,
	    .g = in->g,
	    .unusable = in->unusable,
	};
}

static void op_get_dtable(void *ctx, enum x86emu_dtreg dt, struct x86emu_dtable *tab)
{
	struct kvm_sregs *s = fetch(ctx, G_SREGS);
	struct kvm_dtable *k = dt == X86EMU_GDTR ? &s->gdt : &s->idt;
	tab->base = k->base;
	tab->limit = k->limit;
}

static void op_set_dtable(void *ctx, enum x86emu_dtreg dt, const struct x86emu_dtable *tab)
{
	struct kvm_sregs *s = modify(ctx, G_SREGS);
	struct kvm_dtable *k = dt == X86EMU_GDTR ? &s->gdt : &s->idt;
	k->base = tab->base;
	k->limit = tab->limit;
}

static uint64_t op_get_creg(void *ctx, enum x86emu_creg cr)
{
	if (cr == X86EMU_XCR0) {
		struct kvm_xcrs *x = fetch(ctx, G_XCRS);
		for (unsigned i = 0; i < x->nr_xcrs && i < KVM_MAX_XCRS; i++)
			if (x->xcrs[i].xcr == 0)
				return x->xcrs[i].value;
		return 1;
	}
	struct kvm_sregs *s = fetch(ctx, G_SREGS);
	switch (cr) {
	case X86EMU_CR0:
		return s->cr0;
	case X86EMU_CR2:
		return s->cr2;
	case X86EMU_CR3:
		return s->cr3;
	case X86EMU_CR4:
		return s->cr4;
	case X86EMU_CR8:
		return s->cr8;
	default:
		return s->efer;
	}
}

static void op_set_creg(void *ctx, enum x86emu_creg cr, uint64_t val)
{
	if (cr == X86EMU_XCR0) {
		struct kvm_xcrs *x = modify(ctx, G_XCRS);
		x->nr_xcrs = 1;
		x->flags = 0;
		x->xcrs[0].xcr = 0;
		x->xcrs[0].value = val;
		return;
	}
	struct kvm_sregs *s = modify(ctx, G_SREGS);
	switch (cr) {
	case X86EMU_CR0:
		s->cr0 = val;
		break;
	case X86EMU_CR2:
		s->cr2 = val;
		break;
	case X86EMU_CR3:
		s->cr3 = val;
		break;
	case X86EMU_CR4:
		s->cr4 = val;
		break;
	case X86EMU_CR8:
		s->cr8 = val;
		break;
	default:
		s->efer = val;
		break;
	}
}

static uint64_t op_get_dreg(void *ctx, unsigned dr)
{
	struct kvm_debugregs *d = fetch(ctx, G_DEBUG);
	if (dr < 4)
		return d->db[dr];
	return dr == 6 || dr == 4 ? d->dr6 : d->dr7;
}

static void op_set_dreg(void *ctx, unsigned dr, uint64_t val)
{
	struct kvm_debugregs *d = modify(ctx, G_DEBUG);
	if (dr < 4)
		d->db[dr] = val;
	else if (dr == 6 || dr == 4)
		d->dr6 = val;
	else
		d->dr7 = val;
}

static void op_get_xsave(void *ctx, void *area)
{
	memcpy(area, ((struct kvm_xsave *)fetch(ctx, G_XSAVE))->region, X86EMU_XSAVE_AREA_SIZE);
}

static void op_set_xsave(void *ctx, const void *area)
{
	memcpy(((struct kvm_xsave *)modify(ctx, G_XSAVE))->region, area, X86EMU_XSAVE_AREA_SIZE);
}

static void *op_mem_ptr(void *ctx, uint64_t gpa, size_t len, bool write)
{
	struct vcpu_emu *ve = ctx;
	return mem_gpa_to_hva(ve->mem, gpa, len, write);
}

static int op_mmio_read(void *ctx, uint64_t gpa, unsigned size, void *data)
{
	struct vcpu_emu *ve = ctx;
	bus_read(ve->bus, BUS_MMIO, gpa, data, size);
	return X86EMU_IO_OK;
}

static int op_mmio_write(void *ctx, uint64_t gpa, unsigned size, const void *data)
{
	struct vcpu_emu *ve = ctx;
	bus_write(ve->bus, BUS_MMIO, gpa, data, size);
	return X86EMU_IO_OK;
}

static int op_pio_in(void *ctx, uint16_t port, unsigned size, uint32_t *val)
{
	struct vcpu_emu *ve = ctx;
	*val = 0;
	bus_read(ve->bus, BUS_PIO, port, val, size);
	return X86EMU_IO_OK;
}

static int op_pio_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	struct vcpu_emu *ve = ctx;
	bus_write(ve->bus, BUS_PIO, port, &val, size);
	return X86EMU_IO_OK;
}

static int op_rdmsr(void *ctx, uint32_t msr, uint64_t *val)
{
	struct vcpu_emu *ve = ctx;
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = {.h = {.nmsrs = 1}, .e = {.index = msr}};
	if (ioctl(ve->fd, KVM_GET_MSRS, &m) != 1)
		return -1;
	*val = m.e.data;
	return 0;
}

static int op_wrmsr(void *ctx, uint32_t msr, uint64_t val)
{
	struct vcpu_emu *ve = ctx;
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = {.h = {.nmsrs = 1}, .e = {.index = msr, .data = val}};
	return ioctl(ve->fd, KVM_SET_MSRS, &m) == 1 ? 0 : -1;
}

static void op_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	struct vcpu_emu *ve = ctx;
	memset(out, 0, 4 * sizeof(uint32_t));
	if (!ve->cpuid)
		return;
	for (uint32_t i = 0; i < ve->cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *c = &ve->cpuid->entries[i];
		if (c->function != leaf)
			continue;
		if ((c->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && c->index != subleaf)
			continue;
		out[0] = c->eax;
		out[1] = c->ebx;
		out[2] = c->ecx;
		out[3] = c->edx;
		return;
	}
}

static uint64_t op_rdtsc(void *ctx)
{
	uint64_t tsc = 0;
	op_rdmsr(ctx, 0x10, &tsc); /* IA32_TIME_STAMP_COUNTER: the guest's TSC */
	return tsc;
}

static const struct x86emu_ops kvm_ops = {
    .get_gpr = op_get_gpr,
    .set_gpr = op_set_gpr,
    .set_gpr_bits = op_set_gpr_bits,
    .get_rip = op_get_rip,
    .set_rip = op_set_rip,
    .get_rflags = op_get_rflags,
    .set_rflags = op_set_rflags,
    .get_sreg = op_get_sreg,
    .set_sreg = op_set_sreg,
    .get_dtable = op_get_dtable,
    .set_dtable = op_set_dtable,
    .get_creg = op_get_creg,
    .set_creg = op_set_creg,
    .get_dreg = op_get_dreg,
    .set_dreg = op_set_dreg,
    .get_xsave = op_get_xsave,
    .set_xsave = op_set_xsave,
    .mem_ptr = op_mem_ptr,
    .mmio_read = op_mmio_read,
    .mmio_write = op_mmio_write,
    .pio_in = op_pio_in,
    .pio_out = op_pio_out,
    .rdmsr = op_rdmsr,
    .wrmsr = op_wrmsr,
    .cpuid = op_cpuid,
    .rdtsc = op_rdtsc,
};

struct vcpu_emu *vcpu_emu_new(int vcpu_fd, struct mem_map *m, struct bus *b, const struct kvm_cpuid2 *cpuid)
{
	struct vcpu_emu *ve = calloc(1, sizeof(*ve));
	if (!ve)
		return NULL;
	ve->fd = vcpu_fd;
	ve->mem = m;
	ve->bus = b;
	ve->cpuid = cpuid;
	ve->e = x86emu_new(&kvm_ops, ve);
	if (!ve->e) {
		free(ve);
		return NULL;
	}
	return ve;
}

void vcpu_emu_free(struct vcpu_emu *ve)
{
	if (!ve)
		return;
	x86emu_free(ve->e);
	free(ve);
}

static int write_back(struct vcpu_emu *ve)
{
	for (unsigned g = 0; g < G_NGROUPS; g++)
		if ((ve->dirty & (1u << g)) && ioctl(ve->fd, set_req[g], group_ptr(ve, g)) < 0)
			return -errno;
	ve->dirty = 0;
	return 0;
}

static int inject(struct vcpu_emu *ve, const struct x86emu_exception *x)
{
	if (x->vector == X86EMU_EXC_PF) {
		((struct kvm_sregs *)modify(ve, G_SREGS))->cr2 = x->cr2;
		int r = write_back(ve);
		if (r < 0)
			return r;
	}
	struct kvm_vcpu_events ev;
	if (ioctl(ve->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		return -errno;
	ev.exception.injected = 1;
	ev.exception.nr = x->vector;
	ev.exception.has_error_code = x->has_error_code;
	ev.exception.error_code = x->error_code;
	ev.flags = 0;
	return ioctl(ve->fd, KVM_SET_VCPU_EVENTS, &ev) < 0 ? -errno : 0;
}

static void describe(struct vcpu_emu *ve, const char *what, char *why, size_t whylen)
{
	const struct x86emu_unhandled *u = x86emu_unhandled(ve->e);
	size_t n = (size_t)snprintf(why, whylen, "%s", what);
	if (u && u->len) {
		if (n < whylen)
			n += (size_t)snprintf(why + n, whylen - n, " at %#llx, bytes",
					      (unsigned long long)u->rip);
		for (unsigned i = 0; i < u->len && n < whylen; i++)
			n += (size_t)snprintf(why + n, whylen - n, " %02x", u->bytes[i]);
	}
}

static bool insn_is_prefix(uint8_t b)
{
	switch (b) {
	case 0x26:
	case 0x2e:
	case 0x36:
	case 0x3e:
	case 0x64:
	case 0x65:
	case 0x66:
	case 0x67:
	case 0xf0:
	case 0xf2:
	case 0xf3:
		return true;
	default:
		return false;
	}
}

unsigned vcpu_insn_opcode(const uint8_t *b, unsigned len, uint8_t op[4], uint8_t *prefix)
{
	unsigned i = 0, n = 0;

	*prefix = 0;
	for (; i < len && insn_is_prefix(b[i]); i++)
		if (b[i] == 0x66 || b[i] == 0xf2 || b[i] == 0xf3)
			*prefix = b[i];
	/* REX: only 64-bit code reaches these paths (KVM's give-ups here are
	 * from long-mode kernels; 16/32-bit inc/dec are not SIMD either). */
	if (i < len && (b[i] & 0xf0) == 0x40)
		i++;
	if (i >= len)
		return 0;
	op[n++] = b[i++];
	if (op[0] != 0x0f || i >= len)
		return n;
	op[n++] = b[i++];
	if ((op[1] == 0x38 || op[1] == 0x3a) && i < len) {
		op[n++] = b[i++];
	} else if ((op[1] == 0x01 || op[1] == 0xae || op[1] == 0xc7) && i < len) {
		uint8_t m = b[i];
		op[n++] = (m >> 6) == 3 ? m : (uint8_t)(m & 0x38);
	}
	return n;
}

bool vcpu_insn_kvm_lacks(const uint8_t *b, unsigned len)
{
	uint8_t op[4], pfx;
	unsigned n = vcpu_insn_opcode(b, len, op, &pfx);

	if (n < 2 || op[0] != 0x0f)
		return false;
	switch (op[1]) {
	case 0x38: /* SSSE3/SSE4.1 (and movbe, crc32: x86emu decides) */
	case 0x3a:
		return true;
	case 0x01: /* clac, stac */
		return n == 3 && (op[2] == 0xca || op[2] == 0xcb);
	case 0xc7: /* cmpxchg8b/16b */
		return n == 3 && op[2] == 0x08;
	case 0xb8: /* popcnt, tzcnt, lzcnt */
	case 0xbc:
	case 0xbd:
		return pfx == 0xf3;
	}
	return (op[1] >= 0x10 && op[1] <= 0x17) || (op[1] >= 0x28 && op[1] <= 0x2f) ||
	       (op[1] >= 0x50 && op[1] <= 0x7f) || (op[1] >= 0xc2 && op[1] <= 0xc6) || op[1] >= 0xd0;
}

/* The bytes at the vCPU's next instruction (cached state), through the
 * guest's page tables; how many could be read (0: none, e.g. not mapped). */
static unsigned next_insn_bytes(struct vcpu_emu *ve, uint8_t *buf, unsigned max)
{
	const struct kvm_regs *r = fetch(ve, G_REGS);
	const struct kvm_sregs *sr = fetch(ve, G_SREGS);
	uint64_t la = sr->cs.base + r->rip;
	unsigned n = 0;

	while (n < max) {
		uint64_t gpa = la + n;
		unsigned chunk = 4096 - (unsigned)((la + n) & 4095);
		const uint8_t *p;

		if (chunk > max - n)
			chunk = max - n;
		if ((sr->cr0 & X86_CR0_PG) && x86emu_translate(ve->e, la + n, false, &gpa) != 0)
			break;
		p = mem_gpa_to_hva(ve->mem, gpa, chunk, false);
		if (!p)
			break;
		memcpy(buf + n, p, chunk);
		n += chunk;
	}
	return n;
}

/* Whether x86emu should run the next instruction too (VCPU_EMU_BURST). */
static bool burst_next(struct vcpu_emu *ve)
{
	uint8_t b[15];
	unsigned n;

	x86emu_flush_state(ve->e); /* RIP and the rest into ve's cache */
	if (ve->failed || (((struct kvm_regs *)fetch(ve, G_REGS))->rflags & X86_RFLAGS_TF))
		return false;
	n = next_insn_bytes(ve, b, sizeof(b));
	return n && vcpu_insn_kvm_lacks(b, n);
}

enum vcpu_emu_result vcpu_emu_step(struct vcpu_emu *ve, char *why, size_t whylen)
{
	/* KVM ran the guest since the last step: nothing cached is current. */
	ve->valid = ve->dirty = 0;
	ve->failed = false;
	x86emu_invalidate(ve->e);
	x86emu_tlb_flush(ve->e);

	enum x86emu_result r = x86emu_step(ve->e);
	/* A burst stops at the first step that is not plain success; such a
	 * step (an exception, an access left pending, one x86emu cannot do)
	 * leaves the state as before it, and KVM runs that instruction. */
	for (unsigned i = 1; r == X86EMU_OK && i < VCPU_EMU_BURST && burst_next(ve); i++) {
		enum x86emu_result b = x86emu_step(ve->e);

		if (b != X86EMU_OK) {
			/* Dropped: ve's cache holds the state after the last
			 * instruction of the burst (burst_next flushed it). */
			x86emu_cancel(ve->e);
			x86emu_invalidate(ve->e);
			break;
		}
		ve->burst++;
	}
	if (ve->failed) {
		x86emu_cancel(ve->e);
		snprintf(why, whylen, "cannot read the vCPU state from KVM");
		return VCPU_EMU_FAILED;
	}
	switch (r) {
	case X86EMU_OK:
	case X86EMU_HLT:
	case X86EMU_EXCEPTION:
		break;
	case X86EMU_PENDING:
		/* Every backend cove has answers at once; a pending access means
		 * the bus could not, which x86emu reports only for a device bug. */
		x86emu_cancel(ve->e);
		snprintf(why, whylen, "x86emu: an access stayed pending");
		return VCPU_EMU_FAILED;
	case X86EMU_UNHANDLED: {
		const struct x86emu_unhandled *u = x86emu_unhandled(ve->e);
		char what[128];
		snprintf(what, sizeof(what), "x86emu cannot emulate it (%s)",
			 u && u->reason ? u->reason : "?");
		describe(ve, what, why, whylen);
		return VCPU_EMU_FAILED;
	}
	}
	x86emu_flush_state(ve->e);
	int w = write_back(ve);
	if (w == 0 && r == X86EMU_EXCEPTION) {
		const struct x86emu_exception *x = x86emu_exception(ve->e);
		if (!x->delivered)
			w = inject(ve, x);
	}
	if (w < 0) {
		snprintf(why, whylen, "cannot write the vCPU state back to KVM: %s", strerror(-w));
		return VCPU_EMU_FAILED;
	}
	return r == X86EMU_HLT ? VCPU_EMU_HLT : VCPU_EMU_DONE;
}

uint64_t vcpu_emu_count(const struct vcpu_emu *ve)
{
	struct x86emu_stats st;
	x86emu_get_stats(ve->e, &st);
	return st.insns;
}

void vcpu_emu_print_stats(const struct vcpu_emu *ve, FILE *out)
{
	fprintf(out, "  of them in bursts after the one KVM gave up on: %llu\n",
		(unsigned long long)ve->burst);
	static const char *maps[X86EMU_NR_MAPS] = {"", "0f ", "0f38 ", "0f3a "};
	for (int map = 0; map < X86EMU_NR_MAPS; map++)
		for (int op = 0; op < 256; op++) {
			uint64_t n = x86emu_opcode_count(ve->e, (enum x86emu_map)map, (uint8_t)op);
			if (!n)
				continue;
			const char *name = x86emu_opcode_name((enum x86emu_map)map, (uint8_t)op);
			fprintf(out, "  emulated %-12s (%s%02x) %llu\n", name ? name : "?", maps[map], op,
				(unsigned long long)n);
		}
}
