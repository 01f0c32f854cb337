/* seccomp/: each role's filter lets its own syscalls through and kills on
 * anything else (on the real kernel, in a forked child), argument rules
 * bite, foreign ABIs die, log mode names the call and goes on, the printed
 * profile is the filter, and the io_uring restriction refuses other ops. */
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

/* Runs fn(arg) in a forked child on a thread with role's filter; the child
 * ends with exit_group(fn's result) if it survives. Only raw syscalls are
 * made after the install, so libc's own habits cannot blur the verdict. */
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

		dup2(p[1], 2);
		close(p[0]);
		r = seccomp_install(role, mode);
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
 * (0: success, else the errno), so survival is visible apart from death. */
struct call {
	long nr;
	long a[6];
};

static long do_call(void *arg)
{
	const struct call *c = arg;
	long r = syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);

	return r < 0 ? errno : 0;
}

Test(seccomp, allowed_write_survives_every_role)
{
	int p[2];

	cr_assert_eq(pipe(p), 0);
	for (unsigned i = 0; i < 3; i++) {
		struct call c = {__NR_write, {p[1], (long)"x", 1}};
		struct outcome o = run_filtered(roles[i], VM_SECCOMP_STRICT, do_call, &c);

		cr_expect(exited(&o, 0), "role %s: write was not allowed (status 0x%x)",
			  seccomp_table(roles[i])->role, o.status);
	}
	close(p[0]);
	close(p[1]);
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

	for (unsigned i = 0; i < 3; i++) {
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
			if (r->kind == SECCOMP_ARG_IN)
				c.a[r->arg] = r->values[0].v;
			else if (r->kind == SECCOMP_ARG_NO_BITS)
				c.a[r->arg] = 0;
			if (r->nr == __NR_tkill)
				c.a[1] = 0; /* signal 0 to tid -1: EINVAL */
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

	cr_expect_eq(seccomp_build(SECCOMP_ROLE_VCPU, VM_SECCOMP_OFF, prog, SECCOMP_PROG_MAX), -EINVAL);
	cr_expect_eq(seccomp_build(SECCOMP_ROLE_VCPU, VM_SECCOMP_STRICT, prog, 4), -E2BIG);
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

static uint32_t eval_call(enum seccomp_role role, enum vm_seccomp mode, uint32_t arch, int nr,
			  uint64_t argval, int arg, uint64_t other)
{
	struct sock_filter prog[SECCOMP_PROG_MAX];
	int n = seccomp_build(role, mode, prog, SECCOMP_PROG_MAX);
	struct seccomp_data d = {.nr = nr, .arch = arch};

	cr_assert_gt(n, 0);
	for (int i = 0; i < 6; i++)
		d.args[i] = i == arg ? argval : other;
	return bpf_eval(prog, n, &d);
}

/* The numbers the printed value names stand for, from the kernel headers
 * (independent of seccomp/tables.c). */
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
		char name[64], rest[512];
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
		cr_assert_geq(sscanf(line, " %63s %511[^\n]", name, rest), 1);
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
		} else if (strstr(rest, "without PROT_EXEC")) {
			int arg;

			cr_assert_eq(sscanf(rest, "prot (arg %d)", &arg), 1, "rule '%s'", rest);
			cr_expect_eq(eval_call(role, VM_SECCOMP_STRICT, AUDIT_ARCH_X86_64, nr,
					       PROT_READ | PROT_WRITE, arg, ~0ull),
				     SECCOMP_RET_ALLOW, "%s rw denied", name);
			cr_expect_eq(eval_call(role, VM_SECCOMP_STRICT, AUDIT_ARCH_X86_64, nr,
					       PROT_READ | PROT_EXEC, arg, 0),
				     SECCOMP_RET_KILL_PROCESS, "%s PROT_EXEC allowed", name);
		} else {
			int arg, off = 0;
			char *vals = strstr(rest, "one of:");
			uint32_t allowed[64];
			unsigned na = 0;

			cr_assert(vals, "unparsed rule '%s' for %s", rest, name);
			cr_assert_eq(sscanf(rest, "%*s (arg %d)%n", &arg, &off), 1, "rule '%s'", rest);
			for (char *tok = strtok(vals + 7, " "); tok; tok = strtok(NULL, " ")) {
				cr_assert(known_value(tok, &allowed[na]),
					  "printed value %s unknown to the test", tok);
				cr_expect_eq(eval_call(role, VM_SECCOMP_STRICT, AUDIT_ARCH_X86_64, nr,
						       allowed[na], arg, ~0ull),
					     SECCOMP_RET_ALLOW, "%s %s denied", name, tok);
				na++;
			}
			/* Every other known request is denied. */
			for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
				bool in = false;

				for (unsigned j = 0; j < na; j++)
					in |= allowed[j] == known[i].v;
				if (!in)
					cr_expect_eq(eval_call(role, VM_SECCOMP_STRICT, AUDIT_ARCH_X86_64, nr,
							       known[i].v, arg, 0),
						     SECCOMP_RET_KILL_PROCESS,
						     "role %s: %s %s allowed but not printed",
						     seccomp_table(role)->role, name, known[i].name);
			}
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
