/* seccomp: what each of cove's threads may ask of the kernel once the guest
 * runs. One table per role; the filters and --print-seccomp are both built
 * from these tables and nothing else. A syscall is here because strace -f
 * showed cove (static musl) making it after set-up, on some guest or exit
 * path; COVE_SANITIZE adds what the ASan/UBSan runtime (glibc) needs. */
#include <asm/unistd.h>
#include <linux/io_uring.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

#include "seccomp/policy.h"

/* The tables read better with one-line initialisers. */
/* clang-format off */
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define V(x) { (uint32_t)(x), #x, SECCOMP_VALUE_CONST }
#define CHECK(k, a, an, vals, n) { .kind = k, .arg = a, .arg_name = an, .values = vals, .nvalues = n }
#define ANY(s) { .nr = __NR_##s, .name = #s }
#define IN(s, a, an, vals) \
	{ .nr = __NR_##s, .name = #s, .checks = { CHECK(SECCOMP_ARG_IN, a, an, vals, N(vals)) } }
#define IN2(s, a, an, vals, b, bn, bvals) \
	{ .nr = __NR_##s, .name = #s, \
	  .checks = { CHECK(SECCOMP_ARG_IN, a, an, vals, N(vals)), CHECK(SECCOMP_ARG_IN, b, bn, bvals, N(bvals)) } }
#define NO_BITS(s, a, an, vals) \
	{ .nr = __NR_##s, .name = #s, .checks = { CHECK(SECCOMP_ARG_NO_BITS, a, an, vals, 1) } }
/* clang-format on */

/* The ASan/UBSan runtime (build-asan.ninja only, glibc): thread start and
 * exit set and clear an alternate signal stack, reports and the allocator
 * ask for the caller's ids. Not in the musl build, nor in its counts. */
#ifdef COVE_SANITIZE
#define SANITIZER_RULES ANY(sigaltstack), ANY(gettid), ANY(getpid), ANY(sched_yield),
#else
#define SANITIZER_RULES
#endif

/* No writable mapping may become executable: guest code never runs in
 * cove's address space, and nothing is loaded after start. */
static const struct seccomp_value no_exec[] = {V(PROT_EXEC)};

/* The vCPU kick (vcpu_kick): SIGUSR1, to a thread of cove's own. tgkill
 * and not tkill, whose tid alone could name any thread on the host. */
static const struct seccomp_value own_pid[] = {{0, "own_pid", SECCOMP_VALUE_OWN_PID}};
static const struct seccomp_value kick_signal[] = {V(SIGUSR1)};

/* A vCPU thread: runs the vCPU, reads/writes its state for the exit
 * handlers and x86emu, injects interrupts. */
static const struct seccomp_value vcpu_ioctls[] = {
	V(KVM_RUN),
	/* x86emu's register groups (vmm/emulate.c), exit handlers, dumps */
	V(KVM_GET_REGS),
	V(KVM_SET_REGS),
	V(KVM_GET_SREGS),
	V(KVM_SET_SREGS),
	V(KVM_GET_XSAVE),
	V(KVM_SET_XSAVE),
	V(KVM_GET_XCRS),
	V(KVM_SET_XCRS),
	V(KVM_GET_DEBUGREGS),
	V(KVM_SET_DEBUGREGS),
	V(KVM_GET_MSRS),
	V(KVM_SET_MSRS),
	V(KVM_GET_VCPU_EVENTS),
	V(KVM_SET_VCPU_EVENTS),
	V(KVM_SET_MP_STATE), /* an emulated hlt */
	V(KVM_INTERRUPT),    /* the PIC's INTR into the boot vCPU */
	V(KVM_SIGNAL_MSI),   /* IOAPIC delivery from a device on this thread */
	/* IOAPIC route changes, when no I/O thread runs to commit them */
	V(KVM_SET_GSI_ROUTING),
	/* A20 gate toggles (port 0x92, i8042): mem/ re-maps the 1 MiB alias */
	V(KVM_SET_USER_MEMORY_REGION),
};

static const struct seccomp_rule vcpu_rules[] = {
	IN(ioctl, 1, "request", vcpu_ioctls),
	ANY(write),
	ANY(writev),
	ANY(futex),
	ANY(rt_sigreturn),
	ANY(rt_sigprocmask),
	IN2(tgkill, 0, "tgid", own_pid, 2, "sig", kick_signal),
	NO_BITS(mmap, 2, "prot", no_exec),
	ANY(munmap),
	ANY(madvise),
	ANY(brk),
	ANY(exit),
	ANY(exit_group),
	ANY(clock_gettime),
	ANY(timer_settime), /* the boot vCPU re-arms the PIT's IRQ0 timer */
	SANITIZER_RULES
};

/* The I/O thread: the io_uring loop, interrupts into the guest. */
static const struct seccomp_value io_ioctls[] = {
	V(KVM_SIGNAL_MSI),      /* device interrupts */
	V(KVM_SET_GSI_ROUTING), /* IOAPIC route changes, for the vCPUs */
};

static const struct seccomp_rule io_rules[] = {
    ANY(io_uring_enter),
    IN(ioctl, 1, "request", io_ioctls),
    ANY(read),	/* stdin once the ring says it is readable */
    ANY(write), /* eventfds (irqfd, wake), messages */
    ANY(writev),
    ANY(fdatasync), /* virtio_shutdown flushes writable disks */
    ANY(futex),
    ANY(rt_sigreturn),
    ANY(rt_sigprocmask),
    IN2(tgkill, 0, "tgid", own_pid, 2, "sig", kick_signal), /* kicks a vCPU at the VM's end */
    NO_BITS(mmap, 2, "prot", no_exec),
    ANY(munmap),
    ANY(madvise),
    ANY(mremap),
    ANY(brk),
    ANY(exit),
    ANY(exit_group),
    ANY(clock_gettime),
    SANITIZER_RULES};

/* The main thread of --jail's waiting parent (seccomp/jail.c), its only
 * thread: forwards the host's signals to the jailed child, reaps it, ends as
 * it did. Without --jail there is no such process, and the main thread runs
 * the boot vCPU with the vCPU filter. */
static const struct seccomp_value main_kill_pids[] = {
    {0, "child_pid", SECCOMP_VALUE_CHILD_PID}, /* forwarded signals */
    {0, "own_pid", SECCOMP_VALUE_OWN_PID},     /* dying of the child's signal */
};
static const struct seccomp_value stderr_fd[] = {V(STDERR_FILENO)};

static const struct seccomp_rule main_rules[] = {
    ANY(waitid), /* the child's end (WNOWAIT first, so its pid is not reused) */
    IN(kill, 0, "pid", main_kill_pids),
    IN(write, 0, "fd", stderr_fd), /* --seccomp log's report */
    ANY(rt_sigreturn),
    ANY(exit_group),
    SANITIZER_RULES};

static const struct seccomp_table tables[SECCOMP_NROLES] = {
    [SECCOMP_ROLE_MAIN] = {"main", "--jail's waiting parent", main_rules, N(main_rules)},
    [SECCOMP_ROLE_VCPU] = {"vcpu", "each vCPU's; the main thread runs the boot vCPU", vcpu_rules,
			   N(vcpu_rules)},
    [SECCOMP_ROLE_IO] = {"io", "the I/O thread", io_rules, N(io_rules)},
};

const struct seccomp_table *seccomp_table(enum seccomp_role role)
{
	if ((unsigned)role >= SECCOMP_NROLES)
		return NULL;
	return &tables[role];
}

bool seccomp_value_of(const struct seccomp_value *value, const struct seccomp_ids *ids, uint32_t *out)
{
	int pid;

	switch (value->kind) {
	case SECCOMP_VALUE_OWN_PID:
		pid = ids ? ids->own : 0;
		break;
	case SECCOMP_VALUE_CHILD_PID:
		pid = ids ? ids->child : 0;
		break;
	default:
		*out = value->v;
		return true;
	}
	/* 0 and -1 would be kill(2)'s process group and everyone. */
	if (pid <= 0)
		return false;
	*out = (uint32_t)pid;
	return true;
}

const struct seccomp_rule *seccomp_find_rule(enum seccomp_role role, int nr)
{
	const struct seccomp_table *t = seccomp_table(role);

	for (unsigned i = 0; t && i < t->nrules; i++)
		if (t->rules[i].nr == nr)
			return &t->rules[i];
	return NULL;
}

/* The I/O thread's ring: what vmm/evloop.c and the virtio backends submit.
 * Everything else (openat, socket, connect, accept, ...) is refused by the
 * kernel with -EACCES, since io_uring requests bypass seccomp. */
#define OP(x)                                                                                                \
	{                                                                                                    \
		IORING_OP_##x, #x                                                                            \
	}
const struct seccomp_ring_op seccomp_ring_ops[] = {
	OP(NOP),
	OP(READ),
	OP(WRITE),
	OP(READV),
	OP(WRITEV),
	OP(FSYNC),
	OP(FALLOCATE),
	OP(POLL_ADD),
	OP(POLL_REMOVE),
	OP(ASYNC_CANCEL),
};
const unsigned seccomp_nring_ops = N(seccomp_ring_ops);

/* Links and drains order requests; none of these flags reaches a new
 * object. IOSQE_FIXED_FILE and BUFFER_SELECT are refused: cove registers
 * neither files nor buffers. */
const uint8_t seccomp_ring_sqe_flags = IOSQE_IO_DRAIN | IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_ASYNC;
