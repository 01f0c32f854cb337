/* seccomp: the jail (--jail). Namespaces first (before the VM exists), then
 * once everything is open: an empty read-only root, no privileges, tight
 * rlimits (fds, cores), no stray fds. See seccomp/THREATS.md for what each step stops.
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

/* The jailed child, for the parent's signal forwarding. */
static volatile pid_t jail_child;

static void jail_forward(int sig)
{
	static volatile sig_atomic_t forwarded;
	pid_t child = jail_child;

	if (child <= 0)
		return;
	/* A second request means the first was not heard (the child had
	 * no handler yet): end it for sure. */
	kill(child, forwarded ? SIGKILL : sig);
	forwarded = 1;
}

/* The parent's whole life after the fork: wait, then end as the child did. */
static int jail_wait(pid_t child, int *parent_status)
{
	static const int fwd[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
	struct sigaction sa;
	int st, sig;

	jail_child = child;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = jail_forward;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaction(fwd[i], &sa, NULL);
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st)) {
		*parent_status = WEXITSTATUS(st);
		return 1;
	}
	sig = WTERMSIG(st);
	/* Die of the same signal, so whoever waits for cove sees how the
	 * VM ended (a seccomp kill is SIGSYS, 159 in a shell). */
	{
		struct rlimit no_core = {0, 0};
		sigset_t set;

		setrlimit(RLIMIT_CORE, &no_core);
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), sig);
	}
	*parent_status = 128 + sig;
	return 1;
}

int jail_unshare(const struct vm_config *cfg, int *parent_status)
{
	int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
	int own_pidns;
	pid_t child;

	/* A tap interface lives in the host's network namespace; without
	 * one the guest needs no network at all. */
	if (cfg->nnets == 0)
		flags |= CLONE_NEWNET;
	/* The parent goes back to making children in its own PID namespace
	 * once the child's is gone (else fork fails: under ASan, the exit
	 * leak check forks). */
	own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	/* Only the PID namespace is the parent's business (it applies to
	 * its children); the child enters the rest alone, so the pivot that
	 * empties its root leaves the parent's alone. */
	if (unshare(CLONE_NEWPID) < 0) {
		int e = -errno;

		if (own_pidns >= 0)
			close(own_pidns);
		return e;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		int e = -errno;

		if (own_pidns >= 0)
			close(own_pidns);
		return e;
	}
	if (child > 0) {
		int r = jail_wait(child, parent_status);

		if (own_pidns >= 0) {
			if (setns(own_pidns, CLONE_NEWPID) < 0) {
				/* Only this process's later forks would fail. */
			}
			close(own_pidns);
		}
		return r;
	}
	if (own_pidns >= 0)
		close(own_pidns);
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
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Closes every fd that is not 0, 1, 2 or in keep; returns the highest fd
 * kept, or -errno. */
static int jail_close_fds(const int *keep, unsigned nkeep)
{
	int sorted[64 + 3];
	unsigned n = 0;
	int from = 0;

	if (nkeep > 64)
		return -E2BIG;
	sorted[n++] = 0;
	sorted[n++] = 1;
	sorted[n++] = 2;
	for (unsigned i = 0; i < nkeep; i++) {
		if (keep[i] < 0 || fcntl(keep[i], F_GETFD) < 0)
			return -EBADF;
		sorted[n++] = keep[i];
	}
	qsort(sorted, n, sizeof(sorted[0]), cmp_int);
	for (unsigned i = 0; i < n; i++) {
		if (sorted[i] > from && syscall(__NR_close_range, from, sorted[i] - 1, 0) < 0)
			return -errno;
		from = sorted[i] + 1;
	}
	if (syscall(__NR_close_range, from, ~0u, 0) < 0)
		return -errno;
	return sorted[n - 1];
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

static int jail_limit(int res, rlim_t v)
{
	struct rlimit rl = {v, v};

	return setrlimit(res, &rl) < 0 ? -errno : 0;
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
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	/* No ptrace or /proc/PID/mem from other processes of the same uid
	 * (every jailed cove may run as nobody). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
