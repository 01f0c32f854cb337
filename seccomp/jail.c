/* seccomp: the jail (--jail). Namespaces first (before the VM exists), then
 * once everything is open: an empty read-only root, no privileges, tight
 * rlimits (fds, cores), no stray fds; no new tasks once every thread runs.
 * The parent that waits outside the PID namespace is locked down as well.
 * See seccomp/THREATS.md for what each step stops.
 * Interfaces: namespaces(7), pivot_root(2), capabilities(7), prctl(2). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp/policy.h"

#ifdef COVE_SANITIZE
#include <sanitizer/lsan_interface.h>
#endif

/* The jailed child, for the parent's signal forwarding; 0 once it has
 * ended (its pid may then name another process). */
static volatile pid_t jail_child;

/* In the jailed child: its end of the pipe that tells the waiting parent
 * the child has dropped to its ids (closed then, or when it exits). */
static int jail_sync_fd = -1;

static void jail_forward(int sig)
{
	static volatile sig_atomic_t forwarded;
	pid_t child = jail_child;
	int saved = errno;

	if (child <= 0)
		return;
	/* A second request to end means the first was not heard (the child
	 * had no handler yet): end it for sure. SIGQUIT asks for a register
	 * dump, not an end. The raw call: the filter knows no libc's extras. */
	syscall(SYS_kill, child, forwarded && sig != SIGQUIT ? SIGKILL : sig);
	if (sig != SIGQUIT)
		forwarded = 1;
	errno = saved;
}

/* The parent's end: exit_group itself, past any C library exit path (its
 * flushes and handlers are not in the main role's filter). */
static _Noreturn void jail_exit(int status)
{
	for (;;)
		syscall(SYS_exit_group, status);
}

static int jail_limit(int res, rlim_t v)
{
	struct rlimit rl = {v, v};

	return setrlimit(res, &rl) < 0 ? -errno : 0;
}

/* The parent's signals: the host's requests go to the child, one at a
 * time; every other signal has its default action and none is blocked,
 * so the parent can die of the child's signal with one kill(2). */
static void jail_parent_signals(void)
{
	static const int fwd[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		/* The C library's own (32..34) refuse with EINVAL. */
		sa.sa_handler = sig == SIGPIPE ? SIG_IGN : SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
	sa.sa_handler = jail_forward;
	for (unsigned i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaddset(&sa.sa_mask, fwd[i]);
	for (unsigned i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaction(fwd[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int jail_pivot(void);
static int jail_drop_privileges(uid_t uid, gid_t gid);

/* The parent's lock-down: an empty root of its own, then, once the child
 * runs as cfg->uid (signalling it before then takes root's rights), the
 * same ids and no capabilities, only stderr, no new fds, processes or
 * cores, and the main role's filter. 0, or -errno and what failed. */
static int jail_parent_lockdown(const struct vm_config *cfg, int sync_fd, const struct seccomp_ids *ids,
				const char **what)
{
	char c;
	int r;

	*what = "mount namespace";
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	*what = "empty root";
	if ((r = jail_pivot()) < 0)
		return r;
	/* EOF: the child closed its end after dropping to its ids, or died. */
	while (read(sync_fd, &c, 1) < 0 && errno == EINTR)
		;
	/* stderr stays, for --seccomp log's reports and our own. */
	*what = "closing fds";
	if (syscall(__NR_close_range, 0, 1, 0) < 0 || syscall(__NR_close_range, 3, ~0u, 0) < 0)
		return -errno;
	*what = "dropping privileges";
	if ((r = jail_drop_privileges(cfg->uid, cfg->gid)) < 0)
		return r;
	*what = "rlimits";
	if ((r = jail_limit(RLIMIT_NOFILE, 3)) < 0 || (r = jail_limit(RLIMIT_CORE, 0)) < 0 ||
	    (r = jail_limit(RLIMIT_NPROC, 0)) < 0)
		return r;
	*what = "no_new_privs";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	*what = "seccomp filter";
	return seccomp_install_ids(SECCOMP_ROLE_MAIN, cfg->seccomp, ids);
}

/* The parent's whole life after the fork: lock down, wait for the child,
 * then end as it did. Every call after the filter is one of the main
 * role's (seccomp/tables.c). */
static _Noreturn void jail_parent(const struct vm_config *cfg, pid_t child, int sync_fd)
{
	struct seccomp_ids ids = {.own = (int)getpid(), .child = (int)child};
	const char *what;
	siginfo_t si;
	int r, sig;

	jail_child = child;
	jail_parent_signals();
#ifdef COVE_SANITIZE
	/* LeakSanitizer's exit check clones and ptraces, which the filter
	 * forbids: it runs now, and never at exit (exit_group below). */
	__lsan_do_leak_check();
#endif
	r = jail_parent_lockdown(cfg, sync_fd, &ids, &what);
	if (r < 0) {
		fprintf(stderr, "cove: --jail: waiting parent: %s: %s\n", what, strerror(-r));
		syscall(SYS_kill, child, SIGKILL);
	} else {
		seccomp_test_trigger(SECCOMP_ROLE_MAIN, cfg->seccomp_trigger);
	}
	/* WNOWAIT: the child stays a zombie, so its pid names nothing else
	 * while the forwarding stops; then it is reaped. */
	memset(&si, 0, sizeof(si));
	while (syscall(SYS_waitid, P_PID, child, &si, WEXITED | WNOWAIT, NULL) < 0)
		if (errno != EINTR)
			jail_exit(COVE_EXIT_HOST);
	jail_child = 0;
	while (syscall(SYS_waitid, P_PID, child, &si, WEXITED, NULL) < 0 && errno == EINTR)
		;
	if (r < 0)
		jail_exit(COVE_EXIT_HOST);
	if (si.si_code == CLD_EXITED)
		jail_exit(si.si_status);
	/* Die of the same signal, so whoever waits for cove sees how the
	 * VM ended (a seccomp kill is SIGSYS, 159 in a shell); no core. */
	sig = si.si_status;
	syscall(SYS_kill, ids.own, sig);
	/* Still here: a signal the parent forwards or ignores. */
	jail_exit(128 + sig);
}

int jail_unshare(const struct vm_config *cfg)
{
	int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
	int own_pidns, sync[2], e;
	pid_t child;

	/* A tap interface lives in the host's network namespace; without
	 * one the guest needs no network at all. */
	if (cfg->nnets == 0)
		flags |= CLONE_NEWNET;
	/* The parent's own later children (LeakSanitizer's) are born in its
	 * own PID namespace, not the child's. */
	own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (pipe2(sync, O_CLOEXEC) < 0) {
		e = -errno;
		goto fail_pipe;
	}
	/* Only the PID namespace is the parent's business (it applies to
	 * its children); the child enters the rest alone, so the pivot that
	 * empties its root leaves the parent's alone. */
	if (unshare(CLONE_NEWPID) < 0) {
		e = -errno;
		goto fail;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		e = -errno;
		goto fail;
	}
	if (child > 0) {
		close(sync[1]);
		if (own_pidns >= 0) {
			if (setns(own_pidns, CLONE_NEWPID) < 0) {
				/* Only LeakSanitizer's check would fail. */
			}
			close(own_pidns);
		}
		jail_parent(cfg, child, sync[0]);
	}
	if (own_pidns >= 0)
		close(own_pidns);
	close(sync[0]);
	jail_sync_fd = sync[1];
	/* If the waiting parent dies, so does the VM. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (unshare(flags) < 0)
		return -errno;
	/* Nothing mounted in here may propagate back to the host. A failure
	 * from here on is the child's: it reports and exits, and the parent
	 * passes its status on. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	if (sethostname("cove", 4) < 0)
		return -errno;
	return 0;
fail:
	close(sync[0]);
	close(sync[1]);
fail_pipe:
	if (own_pidns >= 0)
		close(own_pidns);
	return e;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Closes every fd that is not 0, 1, 2, in keep or the sync pipe (closed
 * later); returns the highest fd kept for good, or -errno. */
static int jail_close_fds(const int *keep, unsigned nkeep)
{
	int sorted[64 + 4];
	unsigned n = 0;
	int from = 0, top = 2;

	if (nkeep > 64)
		return -E2BIG;
	sorted[n++] = 0;
	sorted[n++] = 1;
	sorted[n++] = 2;
	for (unsigned i = 0; i < nkeep; i++) {
		if (jail_sync_fd >= 0 && keep[i] == jail_sync_fd)
			continue;
		if (keep[i] < 0 || fcntl(keep[i], F_GETFD) < 0)
			return -EBADF;
		sorted[n++] = keep[i];
		if (keep[i] > top)
			top = keep[i];
	}
	if (jail_sync_fd >= 0)
		sorted[n++] = jail_sync_fd;
	qsort(sorted, n, sizeof(sorted[0]), cmp_int);
	for (unsigned i = 0; i < n; i++) {
		if (sorted[i] > from && syscall(__NR_close_range, from, sorted[i] - 1, 0) < 0)
			return -errno;
		from = sorted[i] + 1;
	}
	if (syscall(__NR_close_range, from, ~0u, 0) < 0)
		return -errno;
	return top;
}

/* An empty, read-only tmpfs becomes /; the host's tree is detached. */
static int jail_pivot(void)
{
	static const char *const points[] = {"/tmp", "/mnt", "/run", "/dev"};
	const char *at = NULL;
	struct stat st;

	for (unsigned i = 0; i < sizeof(points) / sizeof(points[0]) && !at; i++)
		if (stat(points[i], &st) == 0 && S_ISDIR(st.st_mode))
			at = points[i];
	if (!at)
		return -ENOENT;
	if (mount("cove-jail", at, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
		  "size=4k,nr_inodes=1,mode=0555") < 0)
		return -errno;
	if (chdir(at) < 0)
		return -errno;
	/* pivot_root(".", ".") stacks the old root on the new one; the
	 * detach then drops it (the trick pivot_root(2) documents). */
	if (syscall(__NR_pivot_root, ".", ".") < 0)
		return -errno;
	if (umount2(".", MNT_DETACH) < 0)
		return -errno;
	if (chdir("/") < 0)
		return -errno;
	return 0;
}

static int jail_drop_privileges(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	/* The bounding set: no later execve could regain a capability. */
	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	/* uid 0 gets no special treatment (--uid 0 stays powerless), and
	 * the uid change below does not touch capabilities: capset does. */
	if (prctl(PR_SET_SECUREBITS,
		  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
		      SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED,
		  0, 0, 0) < 0)
		return -errno;
	if (setgroups(0, NULL) < 0)
		return -errno;
	if (setresgid(gid, gid, gid) < 0)
		return -errno;
	if (setresuid(uid, uid, uid) < 0)
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -errno;
	memset(data, 0, sizeof(data));
	if (syscall(__NR_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

int jail_lockdown(const struct vm_config *cfg, const int *keep, unsigned nkeep)
{
	int top, r;

#ifdef COVE_SANITIZE
	/* LeakSanitizer's exit check needs /proc and ptrace, which the jail
	 * takes away: it runs now, on what set-up left behind, instead. */
	__lsan_do_leak_check();
#endif
	top = jail_close_fds(keep, nkeep);
	if (top < 0)
		return top;
	r = jail_pivot();
	if (r < 0)
		return r;
	if ((r = jail_limit(RLIMIT_NOFILE, (rlim_t)top + 1)) < 0 || (r = jail_limit(RLIMIT_CORE, 0)) < 0)
		return r;
	r = jail_drop_privileges(cfg->uid, cfg->gid);
	if (r < 0)
		return r;
	/* The waiting parent may drop to the same ids now. */
	if (jail_sync_fd >= 0) {
		close(jail_sync_fd);
		jail_sync_fd = -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	/* No ptrace or /proc/PID/mem from other processes of the same uid
	 * (every jailed cove may run as nobody). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int jail_no_new_tasks(void)
{
	/* The count is per real uid, host-wide (every jailed cove runs as
	 * nobody), and checked only when a task is made: 0 refuses every
	 * new one and touches none that runs. */
	return jail_limit(RLIMIT_NPROC, 0);
}
