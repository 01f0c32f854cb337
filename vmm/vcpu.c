/* vmm: a vCPU: creation, boot registers, and the KVM_RUN loop that
 * dispatches each exit. The exit path takes no lock of its own: the bus is
 * lock-free and devices lock what they need. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp/seccomp.h"
#include "vmm/vm_internal.h"

#define X86_CR0_PE	 (1ULL << 0)
#define X86_CR0_ET	 (1ULL << 4)
#define X86_CR0_PG	 (1ULL << 31)
#define X86_CR4_PAE	 (1ULL << 5)
#define X86_EFER_LME	 (1ULL << 8)
#define X86_EFER_LMA	 (1ULL << 10)
#define X86_RFLAGS_FIXED (1ULL << 1)

#define APIC_LVT0      0x350
#define APIC_LVT1      0x360
#define APIC_DM_NMI    0x400
#define APIC_DM_EXTINT 0x700

/* The kvm_run of the vCPU this thread runs, for the kick handler. */
static __thread struct kvm_run *vcpu_tls_run;
/* cove's pid for the kick's tgkill, as the filters know it: set after
 * --jail entered its PID namespace, before any thread starts. */
static pid_t vcpu_tgid;

static void vcpu_kick_handler(int sig)
{
	(void)sig;
	if (vcpu_tls_run)
		vcpu_tls_run->immediate_exit = 1;
}

/* SIGTERM, SIGINT, SIGHUP, SIGALRM: noted for vm_check_signal, and this
 * vCPU leaves KVM_RUN to act on it. */
static void vcpu_host_signal_handler(int sig)
{
	vm_signal_arrived(sig);
	vcpu_kick_handler(sig);
}

/* SIGQUIT: every vCPU prints its registers, and the guest runs on. */
static void vcpu_dump_signal_handler(int sig)
{
	vm_dump_requested();
	vcpu_kick_handler(sig);
}

/* The signals a vCPU thread takes while it runs the guest; blocked in every
 * other thread, and in vCPU threads before they run. */
static void vcpu_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGALRM);
}

/* SIGUSR1 kicks a vCPU out of KVM_RUN; the host's signals and SIGALRM end
 * the VM through the same kick. The handlers are set once; the signals
 * reach vCPU threads only, once they run. */
void vcpu_signals_init(void)
{
	static const int host[] = {SIGTERM, SIGINT, SIGHUP, SIGALRM};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	/* Blocked while one runs, so two host signals never nest. */
	sa.sa_handler = vcpu_host_signal_handler;
	vcpu_signal_set(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		sigaction(host[i], &sa, NULL);
	sa.sa_handler = vcpu_dump_signal_handler;
	sigaction(SIGQUIT, &sa, NULL);
	vcpu_tgid = getpid();
}

void vcpu_kick(struct vcpu *v)
{
	/* The flag covers the window before the thread enters KVM_RUN; the
	 * signal (whose handler sets it again) interrupts a running guest. */
	v->run->immediate_exit = 1;
	/* tgkill on cove's own pid and the tid, not pthread_kill: glibc's
	 * adds getpid, and the filters, which allow only this, are the same
	 * for both C libraries. The thread never exits, so its tid stays
	 * its own. */
	if (atomic_load(&v->started))
		syscall(SYS_tgkill, vcpu_tgid, v->tid, SIGUSR1);
}

int vcpu_create(struct vm *vm, struct vcpu *v, unsigned id)
{
	int sz;

	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0)
		return -errno;
	sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run))
		return sz < 0 ? -errno : -EINVAL;
	v->run_size = sz;
	v->run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return -errno;
	}
	return 0;
}

static void seg_real(struct kvm_segment *s, uint16_t sel, bool code)
{
	*s = (struct kvm_segment){
	    .base = (uint64_t)sel << 4,
	    .limit = 0xffff,
	    .selector = sel,
	    .type = code ? 0xb : 0x3,
	    .present = 1,
	    .s = 1,
	};
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, bool code, bool l64)
{
	*s = (struct kvm_segment){
	    .base = 0,
	    .limit = 0xffffffff,
	    .selector = sel,
	    .type = code ? 0xb : 0x3,
	    .present = 1,
	    .s = 1,
	    .db = (code && l64) ? 0 : 1,
	    .l = (code && l64) ? 1 : 0,
	    .g = 1,
	};
}

/* Legacy guests: LINT0 as ExtINT (the PIC), LINT1 as NMI, as BIOSes set
 * them; KVM takes KVM_INTERRUPT only while LINT0 is ExtINT. Every guest
 * gets the KVM_SET_LAPIC: it makes KVM rebuild its APIC ID map with every
 * vCPU in it. Without it, on this host, the boot CPU's INIT-SIPI to an AP
 * was dropped and the AP never left KVM_MP_STATE_UNINITIALIZED. */
static int vcpu_lapic_setup(struct vcpu *v, bool legacy)
{
	struct kvm_lapic_state la;
	uint32_t lvt0 = APIC_DM_EXTINT, lvt1 = APIC_DM_NMI;

	if (ioctl(v->fd, KVM_GET_LAPIC, &la) < 0)
		return -errno;
	if (legacy) {
		memcpy(&la.regs[APIC_LVT0], &lvt0, 4);
		memcpy(&la.regs[APIC_LVT1], &lvt1, 4);
	}
	return ioctl(v->fd, KVM_SET_LAPIC, &la) < 0 ? -errno : 0;
}

int vcpu_setup_bsp(struct vcpu *v, const struct boot_cpu *b, bool legacy)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	switch (b->mode) {
	case BOOT_REAL16:
		seg_real(&s.cs, b->cs, true);
		seg_real(&s.ds, b->ds, false);
		s.es = s.fs = s.gs = s.ss = s.ds;
		break;
	case BOOT_FLAT32:
	case BOOT_LONG64: {
		bool l64 = b->mode == BOOT_LONG64;

		seg_flat(&s.cs, 0x08, true, l64);
		seg_flat(&s.ds, 0x10, false, l64);
		s.es = s.fs = s.gs = s.ss = s.ds;
		s.cr0 = X86_CR0_PE | X86_CR0_ET;
		if (b->gdt_base) {
			s.gdt.base = b->gdt_base;
			s.gdt.limit = b->gdt_limit;
		}
		if (l64) {
			s.cr0 |= X86_CR0_PG;
			s.cr3 = b->cr3;
			s.cr4 |= X86_CR4_PAE;
			s.efer |= X86_EFER_LME | X86_EFER_LMA;
		}
		break;
	}
	default:
		return -EINVAL;
	}
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		return -errno;
	memset(&r, 0, sizeof(r));
	r.rip = b->rip;
	r.rsp = b->rsp;
	r.rflags = b->rflags | X86_RFLAGS_FIXED;
	r.rax = b->rax;
	r.rbx = b->rbx;
	r.rcx = b->rcx;
	r.rdx = b->rdx;
	r.rsi = b->rsi;
	r.rdi = b->rdi;
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	return vcpu_lapic_setup(v, legacy);
}

static void vcpu_dump_seg(char *buf, size_t len, const char *name, const struct kvm_segment *s)
{
	snprintf(buf, len, "%s=%04x base=%016llx limit=%08x type=%x%s%s", name, s->selector,
		 (unsigned long long)s->base, s->limit, s->type, s->l ? " L" : "", s->db ? " D" : "");
}

/* The registers on stderr, after the line that says why; head (may be "")
 * goes out in the same write, so two vCPUs' dumps never interleave. */
static void vcpu_dump_with(struct vcpu *v, const char *head)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	char cs[96], ds[96], ss[96];

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(stderr, "cove: vCPU %u: registers unavailable: %s\n", v->id, strerror(errno));
		return;
	}
	vcpu_dump_seg(cs, sizeof(cs), "cs", &s.cs);
	vcpu_dump_seg(ds, sizeof(ds), "ds", &s.ds);
	vcpu_dump_seg(ss, sizeof(ss), "ss", &s.ss);
	fprintf(stderr,
		"%scove: vCPU %u registers:\n"
		"  rip=%016llx rsp=%016llx rflags=%016llx\n"
		"  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
		"  rsi=%016llx rdi=%016llx rbp=%016llx\n"
		"  r8=%016llx r9=%016llx r10=%016llx r11=%016llx\n"
		"  r12=%016llx r13=%016llx r14=%016llx r15=%016llx\n"
		"  %s\n  %s\n  %s\n"
		"  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%016llx\n",
		head, v->id, (unsigned long long)r.rip, (unsigned long long)r.rsp, (unsigned long long)r.rflags,
		(unsigned long long)r.rax, (unsigned long long)r.rbx, (unsigned long long)r.rcx,
		(unsigned long long)r.rdx, (unsigned long long)r.rsi, (unsigned long long)r.rdi,
		(unsigned long long)r.rbp, (unsigned long long)r.r8, (unsigned long long)r.r9,
		(unsigned long long)r.r10, (unsigned long long)r.r11, (unsigned long long)r.r12,
		(unsigned long long)r.r13, (unsigned long long)r.r14, (unsigned long long)r.r15, cs, ds, ss,
		(unsigned long long)s.cr0, (unsigned long long)s.cr2, (unsigned long long)s.cr3,
		(unsigned long long)s.cr4, (unsigned long long)s.efer);
}

static void vcpu_dump(struct vcpu *v)
{
	vcpu_dump_with(v, "");
}

/* The one place emulation failures go: cove's x86emu on this vCPU's state. */
int vcpu_emulate_failed(struct vcpu *v, char *why, size_t whylen)
{
	struct kvm_mp_state halted = {.mp_state = KVM_MP_STATE_HALTED};

	/* Made on first use: its TLB arrays cost more to clear than a small
	 * guest's whole run, and most guests never need it. malloc's brk and
	 * mmap are in the vCPU filter. */
	if (!v->emu)
		v->emu = vcpu_emu_new(v->fd, &v->vm->mem, v->vm->bus, v->cpuid);
	if (!v->emu) {
		snprintf(why, whylen, "x86emu: %s", strerror(ENOMEM));
		return -ENOSYS;
	}
	switch (vcpu_emu_step(v->emu, why, whylen)) {
	case VCPU_EMU_DONE:
		return 0;
	case VCPU_EMU_HLT:
		/* The in-kernel LAPIC waits for the wake-up, as for a hlt
		 * KVM ran itself. */
		if (ioctl(v->fd, KVM_SET_MP_STATE, &halted) < 0) {
			snprintf(why, whylen, "emulated hlt: KVM_SET_MP_STATE: %s", strerror(errno));
			return -ENOSYS;
		}
		return 0;
	case VCPU_EMU_FAILED:
		break;
	}
	return -ENOSYS;
}

/* SIGQUIT's register dump (vm_dump_requested): a vCPU that sees a new
 * request kicks those that have not, so each prints its own state. */
static void vcpu_dump_on_request(struct vcpu *v)
{
	struct vm *vm = v->vm;
	unsigned req = atomic_load(&vm->dump_req);
	uint64_t exits = 0;
	char head[96];

	atomic_store(&v->dumped, req);
	for (unsigned i = 0; i < vm->ncpus; i++)
		if (i != v->id && atomic_load(&vm->vcpus[i].dumped) != req)
			vcpu_kick(&vm->vcpus[i]);
	for (unsigned r = 0; r < VM_STAT_EXITS; r++)
		exits += v->exits[r];
	snprintf(head, sizeof(head), "cove: SIGQUIT: vCPU %u after %llu exits; the guest runs on\n", v->id,
		 (unsigned long long)exits);
	vcpu_dump_with(v, head);
}

static void vcpu_crash(struct vcpu *v, const char *fmt, const char *detail)
{
	if (!vm_claim(v->vm, COVE_EXIT_CRASH))
		return;
	fprintf(stderr, fmt, v->id, detail);
	vcpu_dump(v);
	vm_release(v->vm);
}

static void vcpu_internal_error(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	char detail[384];

	if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
		char why[160];
		int n;

		why[0] = '\0';
		if (run->emulation_failure.ndata >= 2 &&
		    (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES))
			stats_count_kvm_failure(v, run->emulation_failure.insn_bytes,
						run->emulation_failure.insn_size <
							sizeof(run->emulation_failure.insn_bytes)
						    ? run->emulation_failure.insn_size
						    : sizeof(run->emulation_failure.insn_bytes));
		if (vcpu_emulate_failed(v, why, sizeof(why)) == 0)
			return;
		n = snprintf(detail, sizeof(detail), "%s%s", why, why[0] ? "; " : "");
		if (run->emulation_failure.ndata >= 2 &&
		    (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
			unsigned len = run->emulation_failure.insn_size;

			n += snprintf(detail + n, sizeof(detail) - n, "KVM's instruction bytes:");
			if (len > sizeof(run->emulation_failure.insn_bytes))
				len = sizeof(run->emulation_failure.insn_bytes);
			for (unsigned i = 0; i < len && n < (int)sizeof(detail) - 4; i++)
				n += snprintf(detail + n, sizeof(detail) - n, " %02x",
					      run->emulation_failure.insn_bytes[i]);
			if (!len)
				snprintf(detail + n, sizeof(detail) - n, " none fetched");
		} else {
			snprintf(detail + n, sizeof(detail) - n, "KVM could not fetch the instruction bytes");
		}
		vcpu_crash(v, "cove: vCPU %u: KVM could not emulate an instruction (%s)\n", detail);
		return;
	}
	snprintf(detail, sizeof(detail), "%u", run->internal.suberror);
	vcpu_crash(v, "cove: vCPU %u: KVM internal error, suberror %s\n", detail);
}

static void vcpu_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;
	unsigned size = run->io.size;
	uint64_t total = (uint64_t)size * run->io.count;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	/* KVM fills these; checked once so a kernel bug cannot send us
	 * outside the shared page. */
	if ((size != 1 && size != 2 && size != 4) || run->io.data_offset > v->run_size ||
	    total > v->run_size - run->io.data_offset) {
		vcpu_crash(v, "cove: vCPU %u: malformed KVM_EXIT_IO%s\n", "");
		return;
	}
	for (uint32_t i = 0; i < run->io.count; i++, data += size) {
		if (run->io.direction == KVM_EXIT_IO_OUT)
			bus_write(vm->bus, BUS_PIO, run->io.port, data, size);
		else
			bus_read(vm->bus, BUS_PIO, run->io.port, data, size);
	}
}

static void vcpu_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	unsigned len = run->mmio.len;

	if (len != 1 && len != 2 && len != 4 && len != 8) {
		vcpu_crash(v, "cove: vCPU %u: MMIO access of odd size%s\n", "");
		return;
	}
	if (run->mmio.is_write)
		bus_write(v->vm->bus, BUS_MMIO, run->mmio.phys_addr, run->mmio.data, len);
	else
		bus_read(v->vm->bus, BUS_MMIO, run->mmio.phys_addr, run->mmio.data, len);
}

static void vcpu_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_end(v->vm, COVE_EXIT_POWEROFF);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_end(v->vm, COVE_EXIT_RESET);
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		vcpu_crash(v, "cove: vCPU %u: guest reported a crash%s\n", "");
		break;
	default: {
		char d[32];

		snprintf(d, sizeof(d), "%u", v->run->system_event.type);
		vcpu_crash(v, "cove: vCPU %u: unknown system event %s\n", d);
	}
	}
}

static void vcpu_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	char d[64];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_io(v);
		break;
	case KVM_EXIT_MMIO:
		vcpu_mmio(v);
		break;
	case KVM_EXIT_HLT:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
		/* HLT only exits without an in-kernel LAPIC; the window and
		 * a kick are served before the next KVM_RUN. */
		break;
	case KVM_EXIT_IOAPIC_EOI:
		ioapic_eoi(v->vm->ioapic, run->eoi.vector);
		break;
	case KVM_EXIT_SHUTDOWN:
		vcpu_crash(v, "cove: vCPU %u: triple fault (KVM_EXIT_SHUTDOWN)%s\n", "");
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_system_event(v);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_internal_error(v);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(d, sizeof(d), "0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		vcpu_crash(v, "cove: vCPU %u: KVM_RUN entry failed, reason %s\n", d);
		break;
	default:
		snprintf(d, sizeof(d), "%u (%s)", run->exit_reason, stats_exit_name(run->exit_reason));
		vcpu_crash(v, "cove: vCPU %u: unexpected KVM exit %s\n", d);
		break;
	}
}

static void vcpu_loop(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;
	bool bsp_pic = v->id == 0 && vm->pic;
	bool bsp_pit = v->id == 0 && vm->pit;

	while (!vm_ended(vm)) {
		if (vm_check_signal(vm))
			continue;
		if (atomic_load_explicit(&v->dumped, memory_order_relaxed) !=
		    atomic_load_explicit(&vm->dump_req, memory_order_relaxed))
			vcpu_dump_on_request(v);
		if (bsp_pit)
			vm_pit_tick(vm);
		if (bsp_pic)
			irq_pic_inject(v);
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			int e = errno;

			run->immediate_exit = 0;
			if (e == EINTR || e == EAGAIN) {
				v->run_eintr++;
				continue;
			}
			if (vm_claim(vm, COVE_EXIT_CRASH)) {
				fprintf(stderr, "cove: vCPU %u: KVM_RUN: %s\n", v->id, strerror(e));
				vcpu_dump(v);
				vm_release(vm);
			}
			return;
		}
		run->immediate_exit = 0;
		v->exits[run->exit_reason < VM_STAT_EXITS ? run->exit_reason : VM_STAT_EXITS - 1]++;
		vcpu_exit(v);
	}
}

/* A vCPU's thread body. The boot vCPU runs on the main thread (no thread
 * hand-off before the guest's first instruction or after its last: on a
 * busy host each costs a scheduler slice). */
static void vcpu_body(struct vcpu *v)
{
	struct vm *vm = v->vm;
	sigset_t set;
	int r;

	vcpu_tls_run = v->run;
	v->self = pthread_self();
	v->tid = syscall(SYS_gettid);
	atomic_store(&v->started, true);
	r = seccomp_install(SECCOMP_ROLE_VCPU, vm->cfg->seccomp);
	if (v->id != 0)
		vm_ap_filtered(vm);
	if (r < 0) {
		vm_endf(vm, COVE_EXIT_HOST, "cove: vCPU %u: seccomp filter: %s\n", v->id, strerror(-r));
		return;
	}
	seccomp_test_trigger(SECCOMP_ROLE_VCPU, vm->cfg->seccomp_trigger);
	/* The prep thread's CPUID and registers (prep.c): the boot vCPU
	 * joins it, so it is gone before the guest's first instruction, and
	 * says what failed; an AP only waits for it. */
	if (v->id == 0) {
		const char *msg;

		if (prep_join(vm, &msg) < 0) {
			vm_endf(vm, COVE_EXIT_HOST, "cove: %s\n", msg);
			return;
		}
	} else if (prep_wait(vm) < 0) {
		return;
	}
	vcpu_signal_set(&set);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	vm_wait_filtered(vm);
	vcpu_loop(v);
}

void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	vcpu_body(v);
	vm_thread_done(&v->done);
	return NULL;
}

void vcpu_run_on_main(struct vcpu *v)
{
	vcpu_body(v);
}
