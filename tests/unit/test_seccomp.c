/* seccomp/: each role's filter lets its own syscalls through and kills on
 * anything else (on the real kernel, in a forked child), argument rules
 * bite (pids known only at run time too), foreign ABIs die, log mode names
 * the call and goes on, the printed profile is the filter, and the
 * io_uring restriction refuses other ops. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/audit.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "seccomp/policy.h"
#include "seccomp/seccomp.h"

/* What a filtered child did: how it ended, and what it wrote on stderr. */
struct outcome {
	int status;
	char err[1024];
};

/* The filtered child's own pid, taken before its filter is in. */
static pid_t filtered_own;
/* The main role's child_pid for run_filtered; 0: none. */
static pid_t filtered_child;

/* Runs fn(arg) in a forked child on a thread with role's filter (built for
 * the child's pid, and filtered_child); the child ends with
 * exit_group(fn's result) if it survives. Only raw syscalls are made after
 * the install, so libc's own habits cannot blur the verdict. */
static struct outcome run_filtered(enum seccomp_role role, enum vm_seccomp mode, long (*fn)(void *),
				   void *arg)
{
	struct outcome o = {0};
	int p[2];
	pid_t pid;
	ssize_t n, got = 0;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		long r;

		struct seccomp_ids ids = {.own = getpid(), .child = filtered_child};

		dup2(p[1], 2);
		close(p[0]);
		filtered_own = getpid();
		r = filtered_child ? seccomp_install_ids(role, mode, &ids) : seccomp_install(role, mode);
		if (r < 0)
			syscall(__NR_exit_group, 100);
		r = fn(arg);
		syscall(__NR_exit_group, (int)r);
	}
	close(p[1]);
	while ((n = read(p[0], o.err + got, sizeof(o.err) - 1 - got)) > 0)
		got += n;
	close(p[0]);
	cr_assert_eq(waitpid(pid, &o.status, 0), pid);
	return o;
}

static bool killed_by_sigsys(const struct outcome *o)
{
	return WIFSIGNALED(o->status) && WTERMSIG(o->status) == SIGSYS;
}

static bool exited(const struct outcome *o, int code)
{
	return WIFEXITED(o->status) && WEXITSTATUS(o->status) == code;
}

static const enum seccomp_role roles[] = {SECCOMP_ROLE_MAIN, SECCOMP_ROLE_VCPU, SECCOMP_ROLE_IO};

/* One syscall with raw arguments; the child's exit code says what it got
 * (0: success, else the errno), so survival is visible apart from death.
 * An argument OWN_PID is the filtered child's own pid. */
struct call {
	long nr;
	long a[6];
};

#define OWN_PID (-4242L)

static long do_call(void *arg)
{
	const struct call *c = arg;
	long a[6];
	long r;

	for (int i = 0; i < 6; i++)
		a[i] = c->a[i] == OWN_PID ? filtered_own : c->a[i];
	r = syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	return r < 0 ? errno : 0;
}

Test(seccomp, allowed_write_survives_every_role)
{
	for (unsigned i = 0; i < 3; i++) {
		struct call c = {__NR_write, {2, (long)"x", 1}};
		struct outcome o = run_filtered(roles[i], VM_SECCOMP_STRICT, do_call, &c);

		cr_expect(exited(&o, 0), "role %s: write was not allowed (status 0x%x)",
			  seccomp_table(roles[i])->role, o.status);
	}
}

Test(seccomp, forbidden_calls_kill_every_role)
{
	static const struct call calls[] = {
	    {__NR_socket, {AF_INET, SOCK_STREAM, 0}},
	    {__NR_openat, {AT_FDCWD, (long)"/etc/hostname", O_RDONLY}},
	    {__NR_execve, {(long)"/bin/true", 0, 0}},
	    {__NR_ptrace, {0}},
	    {__NR_clone, {SIGCHLD}},
	    {__NR_fork, {0}},
	    {__NR_mprotect, {0, 4096, PROT_READ | PROT_EXEC}},
	    {__NR_socketpair, {AF_UNIX, SOCK_STREAM, 0, 0}},
	    {__NR_eventfd2, {0, 0}},
	    {__NR_io_uring_setup, {8, 0}},
	};

	for (unsigned i = 0; i < 3; i++)
		for (unsigned k = 0; k < sizeof(calls) / sizeof(calls[0]); k++) {
			struct outcome o =
			    run_filtered(roles[i], VM_SECCOMP_STRICT, do_call, (void *)&calls[k]);

			cr_expect(killed_by_sigsys(&o), "role %s survived %s (status 0x%x)",
				  seccomp_table(roles[i])->role, seccomp_syscall_names[calls[k].nr],
				  o.status);
		}
}

Test(seccomp, x32_abi_call_kills)
{
	/* write is allowed in every role as an x86-64 call: the x32 bit
	 * alone must kill. */
	struct call c = {__X32_SYSCALL_BIT | __NR_write, {2, (long)"", 0}};

	for (unsigned i = 0; i < 3; i++) {
		struct outcome o = run_filtered(roles[i], VM_SECCOMP_STRICT, do_call, &c);

		cr_expect(killed_by_sigsys(&o), "role %s: x32 write survived (status 0x%x)",
			  seccomp_table(roles[i])->role, o.status);
	}
}

static long do_int80_getpid(void *arg)
{
	long r = 20; /* i386 getpid */

	(void)arg;
	__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
	return r < 0 ? 1 : 0;
}

Test(seccomp, i386_abi_call_kills_even_in_log_mode)
{
	struct outcome o = run_filtered(SECCOMP_ROLE_VCPU, VM_SECCOMP_STRICT, do_int80_getpid, NULL);

	cr_expect(killed_by_sigsys(&o), "int 0x80 survived the strict filter (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_VCPU, VM_SECCOMP_LOG, do_int80_getpid, NULL);
	cr_expect(killed_by_sigsys(&o), "int 0x80 survived the log filter (status 0x%x)", o.status);
}

Test(seccomp, vcpu_ioctl_request_is_checked)
{
	/* fd -1: the kernel answers EBADF if the filter lets the call by. */
	struct call run = {__NR_ioctl, {-1, KVM_RUN, 0}};
	/* musl passes the request as a sign-extended int: same call. */
	struct call regs_musl = {__NR_ioctl, {-1, (long)(int)KVM_GET_REGS, 0}};
	struct call tty = {__NR_ioctl, {-1, TIOCSTI, 0}};
	struct call create = {__NR_ioctl, {-1, KVM_CREATE_VCPU, 0}};
	struct outcome o;

	o = run_filtered(SECCOMP_ROLE_VCPU, VM_SECCOMP_STRICT, do_call, &run);
	cr_expect(exited(&o, EBADF), "KVM_RUN was not let through (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_VCPU, VM_SECCOMP_STRICT, do_call, &regs_musl);
	cr_expect(exited(&o, EBADF), "sign-extended KVM_GET_REGS was not let through (status 0x%x)",
		  o.status);
	o = run_filtered(SECCOMP_ROLE_VCPU, VM_SECCOMP_STRICT, do_call, &tty);
	cr_expect(killed_by_sigsys(&o), "TIOCSTI survived (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_VCPU, VM_SECCOMP_STRICT, do_call, &create);
	cr_expect(killed_by_sigsys(&o), "KVM_CREATE_VCPU survived (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_IO, VM_SECCOMP_STRICT, do_call, &run);
	cr_expect(killed_by_sigsys(&o), "the I/O thread may not run a vCPU (status 0x%x)", o.status);
}

Test(seccomp, executable_mappings_kill)
{
	struct call rw = {__NR_mmap, {0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0}};
	struct call rx = {__NR_mmap, {0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0}};
	struct outcome o = run_filtered(SECCOMP_ROLE_MAIN, VM_SECCOMP_STRICT, do_call, &rw);

	/* The waiting parent maps nothing at all. */
	cr_expect(killed_by_sigsys(&o), "role main: mmap survived (status 0x%x)", o.status);
	for (unsigned i = 1; i < 3; i++) {
		struct outcome o = run_filtered(roles[i], VM_SECCOMP_STRICT, do_call, &rw);

		cr_expect(exited(&o, 0), "role %s: rw mmap refused (status 0x%x)",
			  seccomp_table(roles[i])->role, o.status);
		o = run_filtered(roles[i], VM_SECCOMP_STRICT, do_call, &rx);
		cr_expect(killed_by_sigsys(&o), "role %s: PROT_EXEC mmap survived (status 0x%x)",
			  seccomp_table(roles[i])->role, o.status);
	}
}

static long do_socket_then_write(void *arg)
{
	long fd = syscall(__NR_socket, AF_INET, SOCK_STREAM, 0);
	int e = errno;

	(void)arg;
	if (fd >= 0)
		return 1;
	/* Still alive and still able to do allowed work. */
	if (syscall(__NR_write, 2, "after\n", 6) != 6)
		return 2;
	return e == ENOSYS ? 0 : 3;
}

Test(seccomp, log_mode_names_the_call_and_goes_on)
{
	char want[128];

	for (unsigned i = 0; i < 3; i++) {
		struct outcome o = run_filtered(roles[i], VM_SECCOMP_LOG, do_socket_then_write, NULL);

		cr_expect(exited(&o, 0), "role %s: log mode did not go on with ENOSYS (status 0x%x)",
			  seccomp_table(roles[i])->role, o.status);
		snprintf(want, sizeof(want),
			 "cove: seccomp: %s thread called socket (nr %d); denied\nafter\n",
			 seccomp_table(roles[i])->role, __NR_socket);
		cr_expect_str_eq(o.err, want);
	}
}

Test(seccomp, log_mode_reports_argument_violations)
{
	struct call tty = {__NR_ioctl, {-1, TIOCSTI, 0}};
	struct outcome o = run_filtered(SECCOMP_ROLE_VCPU, VM_SECCOMP_LOG, do_call, &tty);
	char want[128];

	cr_expect(exited(&o, ENOSYS), "denied ioctl did not fail with ENOSYS (status 0x%x)", o.status);
	snprintf(
	    want, sizeof(want),
	    "cove: seccomp: vcpu thread called ioctl (nr %d) with request 0x%x outside its rule; denied\n",
	    __NR_ioctl, (unsigned)TIOCSTI);
	cr_expect_str_eq(o.err, want);
}

static long do_trigger(void *arg)
{
	seccomp_test_trigger(SECCOMP_ROLE_IO, arg);
	return 0;
}

Test(seccomp, trigger_fires_only_for_its_role)
{
	struct outcome o = run_filtered(SECCOMP_ROLE_IO, VM_SECCOMP_STRICT, do_trigger, "vcpu");

	cr_expect(exited(&o, 0), "a vcpu trigger fired on the io thread (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_IO, VM_SECCOMP_STRICT, do_trigger, NULL);
	cr_expect(exited(&o, 0), "no trigger, yet the thread died (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_IO, VM_SECCOMP_STRICT, do_trigger, "io");
	cr_expect(killed_by_sigsys(&o), "the io trigger did not kill (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_IO, VM_SECCOMP_OFF, do_trigger, "io");
	cr_expect(exited(&o, 0), "with seccomp off the trigger must be harmless (status 0x%x)", o.status);
}

/* Every syscall a table lists survives its own filter on the real kernel,
 * called with arguments that make it fail harmlessly (or do nothing). */
Test(seccomp, every_listed_syscall_survives_its_filter)
{
	for (unsigned i = 0; i < 3; i++) {
		const struct seccomp_table *t = seccomp_table(roles[i]);

		for (unsigned k = 0; k < t->nrules; k++) {
			const struct seccomp_rule *r = &t->rules[k];
			struct call c = {r->nr, {-1, -1, -1, -1, -1, -1}};
			struct outcome o;

			/* These end or unwind the thread on any arguments. */
			if (r->nr == __NR_exit || r->nr == __NR_exit_group || r->nr == __NR_rt_sigreturn)
				continue;
			for (unsigned j = 0; j < SECCOMP_MAX_CHECKS; j++) {
				const struct seccomp_check *ck = &r->checks[j];

				if (ck->kind == SECCOMP_ARG_NO_BITS)
					c.a[ck->arg] = 0;
				else if (ck->kind == SECCOMP_ARG_IN &&
					 ck->values[0].kind == SECCOMP_VALUE_CONST)
					c.a[ck->arg] = ck->values[0].v;
				else if (ck->kind == SECCOMP_ARG_IN)
					c.a[ck->arg] = OWN_PID; /* every pid rule lists it */
			}
			/* kill(own, -1), tgkill(own, -1, SIGUSR1): EINVAL */
			o = run_filtered(roles[i], VM_SECCOMP_STRICT, do_call, &c);
			cr_expect(WIFEXITED(o.status), "role %s: listed %s was killed (status 0x%x)", t->role,
				  r->name, o.status);
		}
	}
}

/* The ASan runtime's own syscalls (tables.c, COVE_SANITIZE only). */
#ifdef COVE_SANITIZE
#define SANITIZER_EXTRA 4u
#else
#define SANITIZER_EXTRA 0u
#endif

Test(seccomp, role_sizes_meet_targets)
{
	cr_expect_leq(seccomp_table(SECCOMP_ROLE_VCPU)->nrules, 15u + SANITIZER_EXTRA,
		      "vCPU role lists %u syscalls", seccomp_table(SECCOMP_ROLE_VCPU)->nrules);
	cr_expect_leq(seccomp_table(SECCOMP_ROLE_IO)->nrules, 25u + SANITIZER_EXTRA,
		      "I/O role lists %u syscalls", seccomp_table(SECCOMP_ROLE_IO)->nrules);
	for (unsigned i = 0; i < 3; i++) {
		const struct seccomp_table *t = seccomp_table(roles[i]);

		for (unsigned k = 0; k < t->nrules; k++)
			for (unsigned j = k + 1; j < t->nrules; j++)
				cr_expect_neq(t->rules[k].nr, t->rules[j].nr, "role %s lists %s twice",
					      t->role, t->rules[k].name);
	}
}

Test(seccomp, off_mode_builds_no_filter)
{
	struct sock_filter prog[SECCOMP_PROG_MAX];

	cr_expect_eq(seccomp_build(SECCOMP_ROLE_VCPU, VM_SECCOMP_OFF, NULL, prog, SECCOMP_PROG_MAX), -EINVAL);
	cr_expect_eq(seccomp_build(SECCOMP_ROLE_VCPU, VM_SECCOMP_STRICT, NULL, prog, 4), -E2BIG);
	cr_expect_eq(seccomp_install(SECCOMP_NROLES, VM_SECCOMP_STRICT), -EINVAL);
}

/* A classic-BPF interpreter for the instructions seccomp_build emits; any
 * other instruction fails the test. Returns the filter's action. */
static uint32_t bpf_eval(const struct sock_filter *p, int n, const struct seccomp_data *d)
{
	uint32_t a = 0;

	for (int pc = 0; pc < n; pc++) {
		const struct sock_filter *f = &p[pc];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			cr_assert_leq(f->k + 4, sizeof(*d), "load past seccomp_data at %d", pc);
			memcpy(&a, (const char *)d + f->k, 4);
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & f->k) ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			cr_assert_fail("unexpected BPF code 0x%x at %d", f->code, pc);
		}
	}
	cr_assert_fail("program falls off its end");
	return 0;
}

/* The pids the printed names own_pid and child_pid stand for in these
 * tests' programs. */
static const struct seccomp_ids test_ids = {.own = 4321, .child = 8765};

/* role's program, built for ids, on one call. */
static uint32_t eval_args(enum seccomp_role role, enum vm_seccomp mode, const struct seccomp_ids *ids,
			  uint32_t arch, int nr, const uint64_t args[6])
{
	struct sock_filter prog[SECCOMP_PROG_MAX];
	int n = seccomp_build(role, mode, ids, prog, SECCOMP_PROG_MAX);
	struct seccomp_data d = {.nr = nr, .arch = arch};

	cr_assert_gt(n, 0);
	for (int i = 0; i < 6; i++)
		d.args[i] = args[i];
	return bpf_eval(prog, n, &d);
}

/* args[arg] = argval, every other argument other. */
static uint32_t eval_call(enum seccomp_role role, enum vm_seccomp mode, uint32_t arch, int nr,
			  uint64_t argval, int arg, uint64_t other)
{
	uint64_t args[6];

	for (int i = 0; i < 6; i++)
		args[i] = i == arg ? argval : other;
	return eval_args(role, mode, &test_ids, arch, nr, args);
}

/* The numbers the printed value names stand for, from the kernel headers
 * (independent of seccomp/tables.c), and others a rule must refuse. */
static const struct {
	const char *name;
	uint32_t v;
} known[] = {
#define K(x)                                                                                                 \
	{                                                                                                    \
#x, (uint32_t)(x)                                                                            \
	}
    K(KVM_RUN),
    K(KVM_GET_REGS),
    K(KVM_SET_REGS),
    K(KVM_GET_SREGS),
    K(KVM_SET_SREGS),
    K(KVM_INTERRUPT),
    K(KVM_GET_MSRS),
    K(KVM_SET_MSRS),
    K(KVM_GET_VCPU_EVENTS),
    K(KVM_SET_VCPU_EVENTS),
    K(KVM_TRANSLATE),
    K(KVM_SIGNAL_MSI),
    K(KVM_IRQ_LINE_STATUS),
    K(KVM_IRQ_LINE),
    K(KVM_SET_GSI_ROUTING),
    K(KVM_GET_LAPIC),
    K(KVM_SET_LAPIC),
    K(KVM_SET_MP_STATE),
    K(KVM_GET_MP_STATE),
    K(KVM_IRQFD),
    K(KVM_IOEVENTFD),
    K(KVM_GET_XSAVE),
    K(KVM_SET_XSAVE),
    K(KVM_GET_CLOCK),
    K(KVM_SET_CLOCK),
    K(KVM_KVMCLOCK_CTRL),
    K(KVM_SET_USER_MEMORY_REGION),
    K(KVM_GET_DIRTY_LOG),
    K(KVM_CLEAR_DIRTY_LOG),
    K(KVM_SET_GUEST_DEBUG),
    K(KVM_GET_DEBUGREGS),
    K(KVM_SET_DEBUGREGS),
    K(KVM_GET_FPU),
    K(KVM_SET_FPU),
    K(KVM_NMI),
    K(KVM_SMI),
    K(KVM_GET_IRQCHIP),
    K(KVM_SET_IRQCHIP),
    K(KVM_GET_PIT2),
    K(KVM_SET_PIT2),
    K(KVM_RESET_DIRTY_RINGS),
    K(KVM_GET_XCRS),
    K(KVM_SET_XCRS),
    K(KVM_SET_CPUID2),
    K(KVM_GET_CPUID2),
    K(KVM_CREATE_VM),
    K(KVM_CREATE_VCPU),
    K(SIGUSR1),
    K(SIGUSR2),
    K(SIGTERM),
    K(SIGKILL),
    K(SIGABRT),
    K(SIGSYS),
    K(SIGSTOP),
    K(STDIN_FILENO),
    K(STDOUT_FILENO),
    K(STDERR_FILENO),
    K(PROT_EXEC),
    {"own_pid", 4321},
    {"child_pid", 8765},
    {"init's pid", 1},
    {"another pid", 4322},
    {"the process group", 0},
    {"every process", 0xffffffffu},
#undef K
};

static bool known_value(const char *name, uint32_t *v)
{
	for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].name, name) == 0) {
			*v = known[i].v;
			return true;
		}
	return false;
}

static int nr_of(const char *name)
{
	for (unsigned i = 0; i < seccomp_nsyscall_names; i++)
		if (seccomp_syscall_names[i] && strcmp(seccomp_syscall_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* One printed argument check: "NAME (arg N) one of: V V ..." or
 * "NAME (arg N) without V". */
struct printed_check {
	int arg;
	bool no_bits;
	uint32_t vals[64];
	unsigned n;
};

static void parse_check(char *text, struct printed_check *c, const char *sys)
{
	int off = 0;
	char *rest;

	memset(c, 0, sizeof(*c));
	cr_assert_eq(sscanf(text, " %*s (arg %d)%n", &c->arg, &off), 1, "%s: rule '%s'", sys, text);
	cr_assert(c->arg >= 0 && c->arg < 6);
	rest = text + off;
	if (strncmp(rest, " without ", 9) == 0) {
		c->no_bits = true;
		cr_assert(known_value(rest + 9, &c->vals[0]), "%s: printed bit %s unknown to the test", sys,
			  rest + 9);
		c->n = 1;
		return;
	}
	cr_assert(strncmp(rest, " one of:", 8) == 0, "%s: unparsed rule '%s'", sys, text);
	for (char *save = NULL, *tok = strtok_r(rest + 8, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		cr_assert_lt(c->n, 64u);
		cr_assert(known_value(tok, &c->vals[c->n]), "%s: printed value %s unknown to the test", sys,
			  tok);
		c->n++;
	}
	cr_assert_gt(c->n, 0u, "%s: a rule with no values", sys);
}

static bool in_check(const struct printed_check *c, uint32_t v)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->vals[i] == v)
			return true;
	return false;
}

/* A printed rule with argument checks: the arguments that meet every check
 * pass, whatever the others hold; a value outside any one check is denied
 * though the rest pass. */
static void expect_checks_are_the_filter(enum seccomp_role role, int nr, const char *sys,
					 struct printed_check *c, unsigned nc)
{
	uint64_t base[6], args[6];

	for (unsigned other = 0; other < 2; other++) {
		for (int i = 0; i < 6; i++)
			base[i] = other ? ~0ull : 0;
		for (unsigned k = 0; k < nc; k++)
			base[c[k].arg] = c[k].no_bits ? PROT_READ | PROT_WRITE : c[k].vals[0];
		cr_expect_eq(eval_args(role, VM_SECCOMP_STRICT, &test_ids, AUDIT_ARCH_X86_64, nr, base),
			     SECCOMP_RET_ALLOW, "%s: arguments its rule allows were denied", sys);
	}
	for (unsigned k = 0; k < nc; k++) {
		memcpy(args, base, sizeof(args));
		if (c[k].no_bits) {
			args[c[k].arg] = PROT_READ | c[k].vals[0];
			cr_expect_eq(
			    eval_args(role, VM_SECCOMP_STRICT, &test_ids, AUDIT_ARCH_X86_64, nr, args),
			    SECCOMP_RET_KILL_PROCESS, "%s: the printed bit was allowed", sys);
			continue;
		}
		for (unsigned v = 0; v < c[k].n; v++) {
			args[c[k].arg] = c[k].vals[v];
			cr_expect_eq(
			    eval_args(role, VM_SECCOMP_STRICT, &test_ids, AUDIT_ARCH_X86_64, nr, args),
			    SECCOMP_RET_ALLOW, "%s: printed value 0x%x of arg %d denied", sys, c[k].vals[v],
			    c[k].arg);
		}
		/* Every other known value is denied. */
		for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			if (in_check(&c[k], known[i].v))
				continue;
			args[c[k].arg] = known[i].v;
			cr_expect_eq(
			    eval_args(role, VM_SECCOMP_STRICT, &test_ids, AUDIT_ARCH_X86_64, nr, args),
			    SECCOMP_RET_KILL_PROCESS, "role %s: %s with arg %d %s allowed but not printed",
			    seccomp_table(role)->role, sys, c[k].arg, known[i].name);
		}
	}
}

/* --print-seccomp's text, parsed back, describes exactly what the built
 * programs do: each printed syscall is allowed under its printed rule and
 * every unprinted one is denied whatever its arguments. */
Test(seccomp, printed_profile_is_the_filter)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool listed[SECCOMP_NROLES][1024] = {{false}};
	int role = -1;
	unsigned count[SECCOMP_NROLES] = {0}, said[SECCOMP_NROLES] = {0};
	char *save = NULL;

	cr_assert(f);
	seccomp_print(f);
	fclose(f);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct printed_check checks[SECCOMP_MAX_CHECKS];
		unsigned nc = 0;
		char name[64], rest[1024];
		unsigned n;

		if (sscanf(line, "%63s thread: %u syscalls", name, &n) == 2) {
			role = -1;
			for (unsigned i = 0; i < SECCOMP_NROLES; i++)
				if (strcmp(seccomp_table((enum seccomp_role)i)->role, name) == 0)
					role = (int)i;
			cr_assert_geq(role, 0, "unknown role '%s' printed", name);
			said[role] = n;
			continue;
		}
		if (line[0] != ' ' || role < 0)
			continue;
		rest[0] = 0;
		cr_assert_geq(sscanf(line, " %63s %1023[^\n]", name, rest), 1);
		int nr = nr_of(name);

		cr_assert(nr >= 0 && nr < 1024, "printed '%s' is no syscall", name);
		listed[role][nr] = true;
		count[role]++;
		if (strcmp(rest, "any arguments") == 0) {
			cr_expect_eq(eval_call(role, VM_SECCOMP_STRICT, AUDIT_ARCH_X86_64, nr, 0, 0, 0),
				     SECCOMP_RET_ALLOW, "%s printed as free, denied with zero args", name);
			cr_expect_eq(eval_call(role, VM_SECCOMP_STRICT, AUDIT_ARCH_X86_64, nr, 0, 0, ~0ull),
				     SECCOMP_RET_ALLOW, "%s printed as free, denied with all-ones args",
				     name);
		} else {
			for (char *s2 = NULL, *part = strtok_r(rest, ";", &s2); part;
			     part = strtok_r(NULL, ";", &s2)) {
				cr_assert_lt(nc, SECCOMP_MAX_CHECKS, "%s: too many checks printed", name);
				parse_check(part, &checks[nc++], name);
			}
			expect_checks_are_the_filter(role, nr, name, checks, nc);
		}
		/* Foreign ABIs never pass, listed or not. */
		cr_expect_eq(eval_call(role, VM_SECCOMP_LOG, AUDIT_ARCH_I386, nr, 0, 0, 0),
			     SECCOMP_RET_KILL_PROCESS);
		cr_expect_eq(
		    eval_call(role, VM_SECCOMP_LOG, AUDIT_ARCH_X86_64, nr | __X32_SYSCALL_BIT, 0, 0, 0),
		    SECCOMP_RET_KILL_PROCESS);
	}
	free(text);
	for (unsigned r = 0; r < SECCOMP_NROLES; r++) {
		cr_expect_eq(count[r], said[r], "role %s: %u lines, count says %u", seccomp_table(r)->role,
			     count[r], said[r]);
		cr_expect_gt(count[r], 0u);
		for (int nr = 0; nr < 1024; nr++) {
			if (listed[r][nr])
				continue;
			cr_expect_eq(eval_call(r, VM_SECCOMP_STRICT, AUDIT_ARCH_X86_64, nr, 0, 0, 0),
				     SECCOMP_RET_KILL_PROCESS, "role %s: unprinted nr %d allowed",
				     seccomp_table(r)->role, nr);
			cr_expect_eq(eval_call(r, VM_SECCOMP_LOG, AUDIT_ARCH_X86_64, nr, 0, 0, ~0ull),
				     SECCOMP_RET_TRAP, "role %s: unprinted nr %d not trapped in log mode",
				     seccomp_table(r)->role, nr);
		}
	}
}

/* A pid the filter is not told (the main role without a child, any role
 * built without ids) matches nothing: never kill(0) or kill(-1), which
 * would reach a process group or everyone. */
Test(seccomp, unknown_pids_match_nothing)
{
	const struct seccomp_ids no_child = {.own = 4321, .child = 0};
	static const uint64_t pids[] = {0, 0xffffffffu, 0xffffffffffffffffull, 1, 8765};
	uint64_t args[6] = {0};

	for (unsigned i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		args[0] = pids[i];
		cr_expect_eq(eval_args(SECCOMP_ROLE_MAIN, VM_SECCOMP_STRICT, &no_child, AUDIT_ARCH_X86_64,
				       __NR_kill, args),
			     SECCOMP_RET_KILL_PROCESS, "main role without a child: kill(0x%llx) allowed",
			     (unsigned long long)pids[i]);
		args[2] = SIGUSR1;
		cr_expect_eq(eval_args(SECCOMP_ROLE_VCPU, VM_SECCOMP_STRICT, NULL, AUDIT_ARCH_X86_64,
				       __NR_tgkill, args),
			     SECCOMP_RET_KILL_PROCESS, "vcpu role without ids: tgkill(0x%llx) allowed",
			     (unsigned long long)pids[i]);
		args[2] = 0;
	}
	args[0] = 4321;
	cr_expect_eq(
	    eval_args(SECCOMP_ROLE_MAIN, VM_SECCOMP_STRICT, &no_child, AUDIT_ARCH_X86_64, __NR_kill, args),
	    SECCOMP_RET_ALLOW, "main role: kill of its own pid denied");
}

/* A process that waits to be killed. */
static pid_t bystander(void)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

/* vcpu_kick's tgkill reaches only cove's own threads, and only with the
 * kick's signal; tkill, which names a thread by tid alone, is gone. The
 * calls run for real: SIGUSR1 is blocked in the filtered child first. */
static long do_block_usr1_then_call(void *arg)
{
	unsigned long usr1 = 1ul << (SIGUSR1 - 1);

	if (syscall(__NR_rt_sigprocmask, SIG_BLOCK, &usr1, NULL, sizeof(usr1)) < 0)
		return 100;
	return do_call(arg);
}

Test(seccomp, kick_tgkill_reaches_only_cove_itself)
{
	/* It would die of a SIGUSR1 that got through. */
	pid_t other = bystander();

	for (unsigned i = 1; i < 3; i++) {
		struct call own = {__NR_tgkill, {OWN_PID, OWN_PID, SIGUSR1}};
		struct call stranger = {__NR_tgkill, {other, other, SIGUSR1}};
		struct call own_term = {__NR_tgkill, {OWN_PID, OWN_PID, SIGTERM}};
		struct call tkill = {__NR_tkill, {OWN_PID, SIGUSR1}};
		struct outcome o;
		const char *role = seccomp_table(roles[i])->role;

		o = run_filtered(roles[i], VM_SECCOMP_STRICT, do_block_usr1_then_call, &own);
		cr_expect(exited(&o, 0), "role %s: the kick of its own thread was refused (status 0x%x)",
			  role, o.status);
		o = run_filtered(roles[i], VM_SECCOMP_STRICT, do_block_usr1_then_call, &stranger);
		cr_expect(killed_by_sigsys(&o), "role %s: tgkill to another process survived (status 0x%x)",
			  role, o.status);
		o = run_filtered(roles[i], VM_SECCOMP_STRICT, do_block_usr1_then_call, &own_term);
		cr_expect(killed_by_sigsys(&o), "role %s: tgkill of SIGTERM survived (status 0x%x)", role,
			  o.status);
		o = run_filtered(roles[i], VM_SECCOMP_STRICT, do_block_usr1_then_call, &tkill);
		cr_expect(killed_by_sigsys(&o), "role %s: tkill survived (status 0x%x)", role, o.status);
	}
	cr_expect_eq(waitpid(other, NULL, WNOHANG), 0, "the bystander died");
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
}

/* The main role (--jail's waiting parent) signals its child and itself,
 * writes to stderr only, and nothing else. */
Test(seccomp, main_role_signals_only_its_child_and_itself)
{
	pid_t child = bystander(), other = bystander();
	struct outcome o;

	filtered_child = child;
	struct call to_child = {__NR_kill, {child, 0}};
	struct call to_self = {__NR_kill, {OWN_PID, 0}};
	struct call to_other = {__NR_kill, {other, 0}};
	struct call to_group = {__NR_kill, {0, 0}};
	struct call to_all = {__NR_kill, {-1, 0}};
	struct call to_stdout = {__NR_write, {1, (long)"", 0}};

	o = run_filtered(SECCOMP_ROLE_MAIN, VM_SECCOMP_STRICT, do_call, &to_child);
	cr_expect(exited(&o, 0), "kill of the child refused (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_MAIN, VM_SECCOMP_STRICT, do_call, &to_self);
	cr_expect(exited(&o, 0), "kill of itself refused (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_MAIN, VM_SECCOMP_STRICT, do_call, &to_other);
	cr_expect(killed_by_sigsys(&o), "kill of another process survived (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_MAIN, VM_SECCOMP_STRICT, do_call, &to_group);
	cr_expect(killed_by_sigsys(&o), "kill(0) survived (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_MAIN, VM_SECCOMP_STRICT, do_call, &to_all);
	cr_expect(killed_by_sigsys(&o), "kill(-1) survived (status 0x%x)", o.status);
	o = run_filtered(SECCOMP_ROLE_MAIN, VM_SECCOMP_STRICT, do_call, &to_stdout);
	cr_expect(killed_by_sigsys(&o), "write to stdout survived (status 0x%x)", o.status);
	filtered_child = 0;
	kill(child, SIGKILL);
	kill(other, SIGKILL);
	waitpid(child, NULL, 0);
	waitpid(other, NULL, 0);
}

static int ring_submit_one(struct io_uring *ring, void (*prep)(struct io_uring_sqe *))
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int r;

	cr_assert(sqe);
	prep(sqe);
	r = io_uring_submit(ring);
	if (r < 0)
		return r;
	cr_assert_eq(io_uring_wait_cqe(ring, &cqe), 0);
	r = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return r;
}

static void prep_nop(struct io_uring_sqe *sqe)
{
	io_uring_prep_nop(sqe);
}

static void prep_openat(struct io_uring_sqe *sqe)
{
	io_uring_prep_openat(sqe, AT_FDCWD, "/etc/hostname", O_RDONLY, 0);
}

static void prep_socket(struct io_uring_sqe *sqe)
{
	io_uring_prep_socket(sqe, AF_INET, SOCK_STREAM, 0, 0);
}

static void prep_nop_fixed(struct io_uring_sqe *sqe)
{
	io_uring_prep_nop(sqe);
	sqe->flags |= IOSQE_FIXED_FILE;
}

Test(seccomp_ring, restricted_ring_runs_allowed_ops_only)
{
	struct io_uring ring;
	int fd = -1;

	cr_assert_eq(io_uring_queue_init(8, &ring, IORING_SETUP_R_DISABLED), 0);
	cr_assert_eq(seccomp_restrict_ring(&ring), 0);
	cr_expect_eq(ring_submit_one(&ring, prep_nop), 0, "NOP refused");
	cr_expect_eq(ring_submit_one(&ring, prep_openat), -EACCES, "OPENAT not refused");
	cr_expect_eq(ring_submit_one(&ring, prep_socket), -EACCES, "SOCKET not refused");
	cr_expect_eq(ring_submit_one(&ring, prep_nop_fixed), -EACCES, "IOSQE_FIXED_FILE not refused");
	cr_expect_eq(io_uring_register_files(&ring, &fd, 1), -EACCES,
		     "register after restriction not refused");
	io_uring_queue_exit(&ring);
}

Test(seccomp_ring, enabled_ring_cannot_be_restricted)
{
	struct io_uring ring;

	cr_assert_eq(io_uring_queue_init(8, &ring, 0), 0);
	cr_expect_eq(seccomp_restrict_ring(&ring), -EBADFD);
	io_uring_queue_exit(&ring);
	cr_expect_eq(seccomp_restrict_ring(NULL), -EINVAL);
}

/* The printed ring line matches the table the restriction is built from. */
Test(seccomp_ring, printed_ops_match)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	char *line;
	unsigned n;

	cr_assert(f);
	seccomp_print(f);
	fclose(f);
	line = strstr(text, "io ring: ");
	cr_assert(line, "no ring line in:\n%s", text);
	cr_assert_eq(sscanf(line, "io ring: %u opcodes:", &n), 1);
	cr_expect_eq(n, seccomp_nring_ops);
	for (unsigned i = 0; i < seccomp_nring_ops; i++) {
		char want[40];

		snprintf(want, sizeof(want), " %s", seccomp_ring_ops[i].name);
		cr_expect(strstr(line, want), "%s missing from the ring line", seccomp_ring_ops[i].name);
	}
	free(text);
}
