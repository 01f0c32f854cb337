/* x86diff, native side: one KVM VM with one vCPU that runs every sequence.
 * Real mode and 64-bit CPL3 run natively on this host; only an exception
 * (delivered through the IDT to a CPL0 stub) goes through KVM's emulator.
 * Registers go in and out through the shared kvm_run page (KVM_CAP_SYNC_REGS)
 * so a sequence costs one ioctl. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/diff/xd.h"

struct xd_native {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	bool sync;          /* KVM_CAP_SYNC_REGS usable */
	int sregs_mode;     /* mode the vCPU's sregs hold, -1: unknown */
	struct kvm_sregs sregs[2];
};

static void seg_to_kvm(const struct xd_seg *s, struct kvm_segment *k)
{
	memset(k, 0, sizeof(*k));
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = s->type;
	k->s = s->s;
	k->dpl = s->dpl;
	k->present = s->present;
	k->l = s->l;
	k->db = s->db;
	k->g = s->g;
	k->unusable = s->unusable;
}

static void sregs_build(int vcpu, enum xd_mode mode, struct kvm_sregs *sr)
{
	struct xd_sys sys;
	struct kvm_segment *segs[XD_NSEGS] = {&sr->es, &sr->cs, &sr->ss, &sr->ds,
					      &sr->fs, &sr->gs, &sr->tr, &sr->ldt};

	ioctl(vcpu, KVM_GET_SREGS, sr); /* keeps apic_base and the rest */
	xd_sys_state(mode, &sys);
	for (unsigned i = 0; i < XD_NSEGS; i++)
		seg_to_kvm(&sys.seg[i], segs[i]);
	sr->cr0 = sys.cr0;
	sr->cr3 = sys.cr3;
	sr->cr4 = sys.cr4;
	sr->efer = sys.efer;
	sr->gdt.base = sys.gdt_base;
	sr->gdt.limit = sys.gdt_limit;
	sr->idt.base = sys.idt_base;
	sr->idt.limit = sys.idt_limit;
	memset(sr->interrupt_bitmap, 0, sizeof(sr->interrupt_bitmap));
}

int xd_native_open(struct xd_native **out)
{
	struct xd_native *n = calloc(1, sizeof(*n));
	int rc;

	if (!n)
		return -ENOMEM;
	n->kvm = n->vm = n->vcpu = -1;
	n->sregs_mode = -1;
	n->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (n->kvm < 0)
		goto fail;
	n->vm = ioctl(n->kvm, KVM_CREATE_VM, 0);
	if (n->vm < 0)
		goto fail;
	/* KVM wants a TSS region for real mode on VMX hosts; harmless elsewhere. */
	ioctl(n->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	n->mem = mmap(NULL, XD_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (n->mem == MAP_FAILED) {
		n->mem = NULL;
		goto fail;
	}
	struct kvm_userspace_memory_region reg = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = XD_MEM_SIZE,
		.userspace_addr = (uintptr_t)n->mem,
	};
	if (ioctl(n->vm, KVM_SET_USER_MEMORY_REGION, &reg) < 0)
		goto fail;
	xd_layout_build(n->mem, XD_MEM_SIZE);
	n->vcpu = ioctl(n->vm, KVM_CREATE_VCPU, 0);
	if (n->vcpu < 0)
		goto fail;
	int sz = ioctl(n->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz <= 0)
		goto fail;
	n->run_size = (size_t)sz;
	n->run = mmap(NULL, n->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, n->vcpu, 0);
	if (n->run == MAP_FAILED) {
		n->run = NULL;
		goto fail;
	}
	int caps = ioctl(n->kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	n->sync = caps > 0 && (caps & KVM_SYNC_X86_REGS);

	/* Pass the host's CPUID through, so SSE and friends are there. */
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[256];
	} cpuid = {.c.nent = 256};
	if (ioctl(n->kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) == 0)
		ioctl(n->vcpu, KVM_SET_CPUID2, &cpuid);

	sregs_build(n->vcpu, XD_REAL, &n->sregs[XD_REAL]);
	sregs_build(n->vcpu, XD_LONG, &n->sregs[XD_LONG]);
	*out = n;
	return 0;
fail:
	rc = -errno;
	xd_native_close(n);
	return rc ? rc : -EIO;
}

void xd_native_close(struct xd_native *n)
{
	if (!n)
		return;
	if (n->run)
		munmap(n->run, n->run_size);
	if (n->mem)
		munmap(n->mem, XD_MEM_SIZE);
	if (n->vcpu >= 0)
		close(n->vcpu);
	if (n->vm >= 0)
		close(n->vm);
	if (n->kvm >= 0)
		close(n->kvm);
	free(n);
}

static void regs_to_kvm(const struct xd_state *st, struct kvm_regs *k)
{
	k->rax = st->gpr[0], k->rcx = st->gpr[1], k->rdx = st->gpr[2], k->rbx = st->gpr[3];
	k->rsp = st->gpr[4], k->rbp = st->gpr[5], k->rsi = st->gpr[6], k->rdi = st->gpr[7];
	k->r8 = st->gpr[8], k->r9 = st->gpr[9], k->r10 = st->gpr[10], k->r11 = st->gpr[11];
	k->r12 = st->gpr[12], k->r13 = st->gpr[13], k->r14 = st->gpr[14], k->r15 = st->gpr[15];
	k->rip = st->rip;
	k->rflags = st->rflags;
}

static void regs_from_kvm(const struct kvm_regs *k, struct xd_state *st)
{
	st->gpr[0] = k->rax, st->gpr[1] = k->rcx, st->gpr[2] = k->rdx, st->gpr[3] = k->rbx;
	st->gpr[4] = k->rsp, st->gpr[5] = k->rbp, st->gpr[6] = k->rsi, st->gpr[7] = k->rdi;
	st->gpr[8] = k->r8, st->gpr[9] = k->r9, st->gpr[10] = k->r10, st->gpr[11] = k->r11;
	st->gpr[12] = k->r12, st->gpr[13] = k->r13, st->gpr[14] = k->r14, st->gpr[15] = k->r15;
	st->rip = k->rip;
	st->rflags = k->rflags;
}

static int fpu_set(struct xd_native *n, const struct xd_state *st)
{
	struct kvm_fpu f;
	memset(&f, 0, sizeof(f));
	f.fcw = 0x37f;
	f.mxcsr = st->mxcsr;
	memcpy(f.xmm, st->xmm, sizeof(f.xmm));
	return ioctl(n->vcpu, KVM_SET_FPU, &f) < 0 ? -errno : 0;
}

static int fpu_get(struct xd_native *n, struct xd_state *st)
{
	struct kvm_fpu f;
	if (ioctl(n->vcpu, KVM_GET_FPU, &f) < 0)
		return -errno;
	st->mxcsr = f.mxcsr;
	memcpy(st->xmm, f.xmm, sizeof(f.xmm));
	return 0;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

int xd_native_run(struct xd_native *n, const struct xd_seq *s, struct xd_result *r)
{
	struct kvm_regs regs;
	int rc;

	memset(r, 0, sizeof(*r));
	if (s->len + XD_TERM_MAX > XD_CODE_MAX)
		return -EINVAL;
	memcpy(n->mem + XD_CODE, s->code, s->len);
	xd_terminator(s->mode, n->mem + XD_CODE + s->len);
	memcpy(n->mem + XD_SCRATCH, s->scratch, XD_SCRATCH_SIZE);

	regs_to_kvm(&s->start, &regs);
	bool set_sregs = n->sregs_mode != (int)s->mode;
	if (n->sync) {
		n->run->s.regs.regs = regs;
		n->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
		n->run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
		if (set_sregs) {
			n->run->s.regs.sregs = n->sregs[s->mode];
			n->run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
		}
	} else {
		if (set_sregs && ioctl(n->vcpu, KVM_SET_SREGS, &n->sregs[s->mode]) < 0)
			return -errno;
		if (ioctl(n->vcpu, KVM_SET_REGS, &regs) < 0)
			return -errno;
	}
	n->sregs_mode = s->mode;
	if (s->uses_sse && (rc = fpu_set(n, &s->start)))
		return rc;

	if (ioctl(n->vcpu, KVM_RUN, 0) < 0)
		return -errno;
	if (n->sync)
		regs = n->run->s.regs.regs;
	else if (ioctl(n->vcpu, KVM_GET_REGS, &regs) < 0)
		return -errno;
	regs_from_kvm(&regs, &r->st);
	if (s->uses_sse && (rc = fpu_get(n, &r->st)))
		return rc;
	memcpy(r->scratch, n->mem + XD_SCRATCH, XD_SCRATCH_SIZE);

	struct kvm_run *run = n->run;
	if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
	    run->mmio.phys_addr == XD_MMIO_END && s->mode == XD_LONG) {
		r->end = XD_END_OK;
		r->st.rip = XD_CODE + s->len;
		return 0;
	}
	if (run->exit_reason != KVM_EXIT_IO || run->io.direction != KVM_EXIT_IO_OUT) {
		r->end = XD_END_OTHER;
		snprintf(r->reason, sizeof(r->reason), "KVM exit %u (suberror %u) at rip %#llx",
			 run->exit_reason,
			 run->exit_reason == KVM_EXIT_INTERNAL_ERROR ? run->internal.suberror : 0,
			 (unsigned long long)regs.rip);
		n->sregs_mode = -1;
		return 0;
	}
	unsigned port = run->io.port;
	if (port == XD_PORT_END && s->mode == XD_REAL) {
		r->end = XD_END_OK;
		r->st.rip = s->len; /* IP where x86emu stops: at the terminator */
		return 0;
	}
	if (port < XD_PORT_EXC || port >= XD_PORT_EXC + 32) {
		r->end = XD_END_OTHER;
		snprintf(r->reason, sizeof(r->reason), "out to port %#x at rip %#llx", port,
			 (unsigned long long)regs.rip);
		n->sregs_mode = -1;
		return 0;
	}
	r->end = XD_END_EXC;
	r->vector = port - XD_PORT_EXC;
	n->sregs_mode = -1; /* the delivery changed CS (and SS, CPL in 64-bit) */
	if (s->mode == XD_REAL) {
		/* Delivered through the IVT like x86emu does: the frame is in the
		 * scratch stack and compared as memory; CS:IP is in the stub. */
		r->st.rip = XD_STUB_REAL + 4 * r->vector;
		return 0;
	}
	/* 64-bit: the CPU switched to the CPL0 stack; take the user state from
	 * the frame so it compares with x86emu's state at the fault. */
	const uint8_t *top = n->mem + XD_RSP0;
	uint64_t frame = regs.rsp;
	if (frame == XD_RSP0 - 48) {
		r->has_error_code = true;
		r->error_code = (uint32_t)rd64(top - 48);
	} else if (frame != XD_RSP0 - 40) {
		r->end = XD_END_OTHER;
		snprintf(r->reason, sizeof(r->reason), "exception %u with odd frame rsp %#llx",
			 r->vector, (unsigned long long)frame);
		return 0;
	}
	r->st.rip = rd64(top - 40);
	r->st.rflags = rd64(top - 24);
	r->st.gpr[4] = rd64(top - 16);
	return 0;
}
