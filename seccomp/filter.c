/* seccomp: builds each role's classic-BPF program from its table, installs
 * it on the calling thread, and in log mode reports violations by name.
 * Filter semantics: Documentation/userspace-api/seccomp_filter.rst. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "seccomp/policy.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif
/* si_code of a filter's SIGSYS (glibc's signal.h may not say it). */
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

#define DATA_NR	  offsetof(struct seccomp_data, nr)
#define DATA_ARCH offsetof(struct seccomp_data, arch)
/* Low 32 bits of argument i (x86-64 is little-endian). */
#define DATA_ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))

struct prog_writer {
	struct sock_filter *p;
	unsigned n, max;
};

static void emit(struct prog_writer *w, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (w->n < w->max)
		w->p[w->n] = (struct sock_filter){code, jt, jf, k};
	w->n++;
}

/* How many of check's values stand for a number under ids. */
static unsigned check_nvalues(const struct seccomp_check *c, const struct seccomp_ids *ids)
{
	unsigned n = 0;
	uint32_t v;

	for (unsigned k = 0; k < c->nvalues; k++)
		n += seccomp_value_of(&c->values[k], ids, &v);
	return n;
}

/* The instructions of one check: load the argument, compare, deny on a
 * mismatch; a match falls through to the next check (or the allow). */
static unsigned check_len(const struct seccomp_check *c, const struct seccomp_ids *ids)
{
	switch (c->kind) {
	case SECCOMP_ARG_IN:
		return check_nvalues(c, ids) + 2;
	case SECCOMP_ARG_NO_BITS:
		return 3;
	default:
		return 0;
	}
}

/* The instructions after "nr matched" for one rule; each path ends in a
 * return, so the next rule's compare still sees the syscall number in A. */
static unsigned rule_len(const struct seccomp_rule *r, const struct seccomp_ids *ids)
{
	unsigned n = 1;

	for (unsigned i = 0; i < SECCOMP_MAX_CHECKS; i++)
		n += check_len(&r->checks[i], ids);
	return n;
}

static void emit_check(struct prog_writer *w, const struct seccomp_check *c, const struct seccomp_ids *ids,
		       uint32_t deny)
{
	unsigned n = check_nvalues(c, ids), k = 0;
	uint32_t v;

	switch (c->kind) {
	case SECCOMP_ARG_IN:
		emit(w, BPF_LD | BPF_W | BPF_ABS, 0, 0, DATA_ARG_LO(c->arg));
		for (unsigned i = 0; i < c->nvalues; i++)
			if (seccomp_value_of(&c->values[i], ids, &v)) {
				/* A match jumps over the rest and the deny. */
				emit(w, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(n - k), 0, v);
				k++;
			}
		emit(w, BPF_RET | BPF_K, 0, 0, deny);
		break;
	case SECCOMP_ARG_NO_BITS:
		emit(w, BPF_LD | BPF_W | BPF_ABS, 0, 0, DATA_ARG_LO(c->arg));
		emit(w, BPF_JMP | BPF_JSET | BPF_K, 0, 1, c->values[0].v);
		emit(w, BPF_RET | BPF_K, 0, 0, deny);
		break;
	default:
		break;
	}
}

static void emit_rule(struct prog_writer *w, const struct seccomp_rule *r, const struct seccomp_ids *ids,
		      uint32_t deny)
{
	emit(w, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)rule_len(r, ids), (uint32_t)r->nr);
	for (unsigned i = 0; i < SECCOMP_MAX_CHECKS; i++)
		emit_check(w, &r->checks[i], ids, deny);
	emit(w, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

/* Rules per leaf of the search tree: a leaf compares the number against
 * each of its rules in turn, then denies. */
#define SECCOMP_LEAF 4

/* Instructions emit_tree writes for sorted rules [lo, hi). */
static unsigned tree_len(const struct seccomp_rule *const *r, unsigned lo, unsigned hi,
			 const struct seccomp_ids *ids)
{
	unsigned n = 0;

	if (hi - lo <= SECCOMP_LEAF) {
		for (unsigned i = lo; i < hi; i++)
			n += 1 + rule_len(r[i], ids);
		return n + 1;
	}
	return 1 + tree_len(r, lo, lo + (hi - lo) / 2, ids) + tree_len(r, lo + (hi - lo) / 2, hi, ids);
}

/* A binary search on the syscall number (in A) over rules sorted by it:
 * each inner node sends numbers >= its pivot to the right half; a leaf is
 * the plain list of its rules, then deny. Every number meets O(log n)
 * compares, and so does the kernel, which runs the filter for every
 * syscall number once when it is installed (the seccomp action cache). */
static void emit_tree(struct prog_writer *w, const struct seccomp_rule *const *r, unsigned lo, unsigned hi,
		      const struct seccomp_ids *ids, uint32_t deny, bool *too_far)
{
	unsigned mid = lo + (hi - lo) / 2, left;

	if (hi - lo <= SECCOMP_LEAF) {
		for (unsigned i = lo; i < hi; i++)
			emit_rule(w, r[i], ids, deny);
		emit(w, BPF_RET | BPF_K, 0, 0, deny);
		return;
	}
	left = tree_len(r, lo, mid, ids);
	if (left > 255)
		*too_far = true;
	emit(w, BPF_JMP | BPF_JGE | BPF_K, (uint8_t)left, 0, (uint32_t)r[mid]->nr);
	emit_tree(w, r, lo, mid, ids, deny, too_far);
	emit_tree(w, r, mid, hi, ids, deny, too_far);
}

int seccomp_build(enum seccomp_role role, enum vm_seccomp mode, const struct seccomp_ids *ids,
		  struct sock_filter *prog, unsigned max)
{
	const struct seccomp_table *t = seccomp_table(role);
	const struct seccomp_rule *sorted[SECCOMP_MAX_RULES];
	struct prog_writer w = {prog, 0, max};
	bool too_far = false;
	uint32_t deny;

	if (!t || (mode != VM_SECCOMP_STRICT && mode != VM_SECCOMP_LOG))
		return -EINVAL;
	if (t->nrules > SECCOMP_MAX_RULES)
		return -E2BIG;
	deny = mode == VM_SECCOMP_LOG ? SECCOMP_RET_TRAP : SECCOMP_RET_KILL_PROCESS;
	/* By number, for the search; insertion sort, the tables are short. */
	for (unsigned i = 0; i < t->nrules; i++) {
		unsigned j = i;

		if (rule_len(&t->rules[i], ids) > 255)
			return -E2BIG;
		while (j > 0 && sorted[j - 1]->nr > t->rules[i].nr) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = &t->rules[i];
	}
	/* A foreign ABI (i386 int 0x80, x32) numbers syscalls differently:
	 * nothing below would mean what it says, so it always kills, even
	 * in log mode. */
	emit(&w, BPF_LD | BPF_W | BPF_ABS, 0, 0, DATA_ARCH);
	emit(&w, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	emit(&w, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit(&w, BPF_LD | BPF_W | BPF_ABS, 0, 0, DATA_NR);
	emit(&w, BPF_JMP | BPF_JGE | BPF_K, 0, 1, __X32_SYSCALL_BIT);
	emit(&w, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit_tree(&w, sorted, 0, t->nrules, ids, deny, &too_far);
	if (too_far || w.n > max || w.n > BPF_MAXINSNS)
		return -E2BIG;
	return (int)w.n;
}

/* The role of the thread and the pids its filter was built with, for the
 * SIGSYS report; role -1 before install. Each thread writes only its own. */
static _Thread_local int thread_role = -1;
static _Thread_local struct seccomp_ids thread_ids;

/* Async-signal-safe formatting for the SIGSYS handler. */
struct sbuf {
	char b[160];
	unsigned n;
};

static void sb_str(struct sbuf *s, const char *p)
{
	while (*p && s->n < sizeof(s->b))
		s->b[s->n++] = *p++;
}

static void sb_num(struct sbuf *s, unsigned long v, unsigned base)
{
	char t[24];
	unsigned n = 0;

	do {
		t[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n && s->n < sizeof(s->b))
		s->b[s->n++] = t[--n];
}

static uint64_t sigsys_arg(const ucontext_t *uc, unsigned arg)
{
	static const int regs[6] = {REG_RDI, REG_RSI, REG_RDX, REG_R10, REG_R8, REG_R9};

	return (uint64_t)uc->uc_mcontext.gregs[regs[arg < 6 ? arg : 0]];
}

/* The first of r's checks that the call's arguments break, or NULL. */
static const struct seccomp_check *sigsys_broken_check(const struct seccomp_rule *r, const ucontext_t *uc)
{
	for (unsigned i = 0; i < SECCOMP_MAX_CHECKS; i++) {
		const struct seccomp_check *c = &r->checks[i];
		uint32_t a = (uint32_t)sigsys_arg(uc, c->arg), v;
		bool ok = false;

		switch (c->kind) {
		case SECCOMP_ARG_IN:
			for (unsigned k = 0; k < c->nvalues && !ok; k++)
				ok = seccomp_value_of(&c->values[k], &thread_ids, &v) && v == a;
			break;
		case SECCOMP_ARG_NO_BITS:
			ok = !(a & c->values[0].v);
			break;
		default:
			ok = true;
			break;
		}
		if (!ok)
			return c;
	}
	return NULL;
}

static void seccomp_sigsys(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	int saved = errno;
	int nr = si->si_syscall;
	int role = thread_role;
	const struct seccomp_table *t = seccomp_table((enum seccomp_role)role);
	const struct seccomp_rule *r = t ? seccomp_find_rule((enum seccomp_role)role, nr) : NULL;
	const struct seccomp_check *c = r ? sigsys_broken_check(r, uc) : NULL;
	const char *name = (unsigned)nr < seccomp_nsyscall_names ? seccomp_syscall_names[nr] : NULL;
	struct sbuf s = {.n = 0};

	(void)sig;
	/* Only a filter's SIGSYS stands for a call that did not run. */
	if (si->si_code != SYS_SECCOMP)
		return;
	sb_str(&s, "cove: seccomp: ");
	sb_str(&s, t ? t->role : "unfiltered");
	sb_str(&s, " thread called ");
	sb_str(&s, name ? name : "unknown syscall");
	sb_str(&s, " (nr ");
	sb_num(&s, (unsigned)nr, 10);
	sb_str(&s, ")");
	if (c) {
		/* The number is allowed: this argument broke its rule. */
		sb_str(&s, " with ");
		sb_str(&s, c->arg_name);
		sb_str(&s, " 0x");
		sb_num(&s, sigsys_arg(uc, c->arg) & 0xffffffffu, 16);
		sb_str(&s, " outside its rule");
	}
	sb_str(&s, "; denied\n");
	if (write(2, s.b, s.n) < 0) {
		/* Nowhere left to report to; the call still fails below. */
	}
	/* The trapped call did not run; it returns -ENOSYS, which callers
	 * already handle as "kernel too old". */
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
	errno = saved;
}

int seccomp_install(enum seccomp_role role, enum vm_seccomp mode)
{
	/* Inside --jail's PID namespace this is the namespace's pid (1),
	 * the number cove's own tgkill uses there. */
	struct seccomp_ids ids = {.own = (int)getpid(), .child = 0};

	return seccomp_install_ids(role, mode, &ids);
}

int seccomp_install_ids(enum seccomp_role role, enum vm_seccomp mode, const struct seccomp_ids *ids)
{
	struct sock_filter prog[SECCOMP_PROG_MAX];
	struct sock_fprog fprog;
	int n;

	if ((unsigned)role >= SECCOMP_NROLES)
		return -EINVAL;
	if (mode == VM_SECCOMP_OFF)
		return 0;
	n = seccomp_build(role, mode, ids, prog, SECCOMP_PROG_MAX);
	if (n < 0)
		return n;
	if (mode == VM_SECCOMP_LOG) {
		struct sigaction sa;
		sigset_t set;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = seccomp_sigsys;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSYS, &sa, NULL) < 0)
			return -errno;
		/* A blocked SIGSYS from a filter kills the process instead. */
		sigemptyset(&set);
		sigaddset(&set, SIGSYS);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	}
	thread_role = role;
	thread_ids = *ids;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	fprog.len = (unsigned short)n;
	fprog.filter = prog;
	/* No TSYNC: the filter is this thread's alone. */
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		return -errno;
	return 0;
}

void seccomp_test_trigger(enum seccomp_role role, const char *trigger)
{
	const struct seccomp_table *t = seccomp_table(role);
	long fd;

	if (!t || !trigger || strcmp(trigger, t->role) != 0)
		return;
	/* socket(2) is in no role's table: strict mode dies here, log mode
	 * reports it and goes on with -ENOSYS, off mode gets a socket. */
	fd = syscall(__NR_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		close((int)fd);
}
