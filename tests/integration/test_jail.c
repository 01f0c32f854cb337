/* Integration: --jail, checked from outside while a guest runs. The jailed
 * cove (the child of the waiting cove, PID 1 of its namespace) runs as
 * nobody with no capabilities, no_new_privs and seccomp on every thread, in
 * an empty tmpfs root, in namespaces other than ours, with only the fds it
 * opened (not /dev/kvm) and tight rlimits (no new processes); the waiting
 * cove is locked down as well; guests still boot, print, use a disk and
 * read entropy; a filter kill in the jail or in the waiting cove still
 * reaches the caller as SIGSYS. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *cove(void)
{
	const char *c = getenv("COVE");

	cr_assert(c, "COVE is not set (scripts/test.sh sets it)");
	return c;
}

static const char *spin_blob(void)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/cove-jspin-%d.bin", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	/* mov al,'R'; mov dx,0x3f8; out dx,al; jmp $ : prints once it runs. */
	cr_assert_eq(write(fd, "\xb0R\xba\xf8\x03\xee\xeb\xfe", 8), 8);
	close(fd);
	return path;
}

/* Starts cove; stdout/stderr go to *out (a file the caller reads). stdin is
 * /dev/null, or with in a pipe whose write end *in gets (the caller closes
 * it after cove ends): stdin that can bring input makes cove start its I/O
 * thread. */
static pid_t start_cove_in(const char *const *args, int *out, int *in)
{
	const char *argv[32] = {cove()};
	char on[] = "/tmp/cove-jail-outXXXXXX";
	posix_spawn_file_actions_t fa;
	pid_t pid;
	unsigned n = 1;
	int p[2] = {-1, -1};

	*out = mkstemp(on);
	cr_assert_geq(*out, 0);
	unlink(on);
	while (*args && n < 31)
		argv[n++] = *args++;
	posix_spawn_file_actions_init(&fa);
	if (in) {
		cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
		posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	} else {
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	}
	posix_spawn_file_actions_adddup2(&fa, *out, 1);
	posix_spawn_file_actions_adddup2(&fa, *out, 2);
	cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, (char **)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	if (in) {
		close(p[0]);
		*in = p[1];
	}
	return pid;
}

static pid_t start_cove(const char *const *args, int *out)
{
	return start_cove_in(args, out, NULL);
}

static void read_out(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The status line "Name:\tvalue..." of /proc/pid/status, or "" */
static void status_field(pid_t pid, const char *name, char *val, size_t len)
{
	char path[64], line[256];
	size_t nl = strlen(name);
	FILE *f;

	val[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, name, nl) == 0 && line[nl] == ':') {
			char *v = line + nl + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(val, len, "%s", v);
			break;
		}
	fclose(f);
}

/* Waits for cove's end, at most a minute (every run here has a shorter
 * --timeout); past that it is killed and the test fails. Criterion's own
 * .timeout is not used: under ASan its runner leaked when several such
 * tests ran at once. */
static void wait_cove(pid_t pid, int *st)
{
	for (int i = 0; i < 6000; i++) {
		pid_t r = waitpid(pid, st, WNOHANG);

		cr_assert_geq(r, 0, "waitpid");
		if (r == pid)
			return;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, st, 0);
	cr_assert_fail("cove (pid %d) did not end within a minute", (int)pid);
}

/* pid's /proc/PID/limits into buf. */
static void read_limits(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0, "cannot open %s", path);
	n = read(fd, buf, len - 1);
	close(fd);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
}

/* limits (read_limits) says both the soft and the hard limit are v. */
static bool limit_is(const char *limits, const char *name, long v)
{
	char want[128];

	snprintf(want, sizeof(want), "%-26s%-21ld%-21ld", name, v, v);
	return strstr(limits, want) != NULL;
}

/* Runs as uid:gid (as "65534"), no groups, no capabilities in any set,
 * no_new_privs, its seccomp filter on. */
static void expect_unprivileged(pid_t pid, const char *who, const char *id)
{
	static const char *const caps[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
	char v[128], want[64];

	snprintf(want, sizeof(want), "%s\t%s\t%s\t%s", id, id, id, id);
	status_field(pid, "Uid", v, sizeof(v));
	cr_expect_str_eq(v, want, "%s: Uid %s", who, v);
	status_field(pid, "Gid", v, sizeof(v));
	cr_expect_str_eq(v, want, "%s: Gid %s", who, v);
	status_field(pid, "Groups", v, sizeof(v));
	cr_expect_str_eq(v, "", "%s: supplementary groups kept: %s", who, v);
	for (unsigned i = 0; i < 5; i++) {
		status_field(pid, caps[i], v, sizeof(v));
		cr_expect_str_eq(v, "0000000000000000", "%s: %s is %s", who, caps[i], v);
	}
	status_field(pid, "NoNewPrivs", v, sizeof(v));
	cr_expect_str_eq(v, "1", "%s: NoNewPrivs %s", who, v);
	status_field(pid, "Seccomp", v, sizeof(v));
	cr_expect_str_eq(v, "2", "%s: Seccomp %s", who, v);
}

/* An empty root on a tmpfs. */
static void expect_empty_root(pid_t pid, const char *who)
{
	char path[64];
	struct statfs sfs;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/root/", (int)pid);
	cr_assert_eq(statfs(path, &sfs), 0, "statfs %s", path);
	cr_expect_eq(sfs.f_type, TMPFS_MAGIC, "%s: its root is not a tmpfs (0x%lx)", who, (long)sfs.f_type);
	d = opendir(path);
	cr_assert(d, "%s: cannot open its root", who);
	while ((e = readdir(d)))
		cr_expect(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0,
			  "%s: its root holds '%s'", who, e->d_name);
	closedir(d);
}

/* Waits until the guest has printed c (cove waits for every thread that
 * serves the guest to be filtered before its first instruction). */
static void wait_for_output(int out, char c)
{
	char buf[4096];

	for (int i = 0; i < 1000; i++) {
		read_out(out, buf, sizeof(buf));
		if (strchr(buf, c))
			return;
		sleep_ms(10);
	}
	cr_assert_fail("the guest printed no '%c': %s", c, buf);
}

/* No fd of pid is /dev/kvm (cove keeps the VM's and vCPUs' fds only).
 * Compared by device number: in the jail the link reads "/kvm", its
 * mount being detached from the jail's root. */
static void expect_no_dev_kvm(pid_t pid)
{
	char path[64];
	struct stat kvm;
	struct dirent *e;
	DIR *d;

	cr_assert_eq(stat("/dev/kvm", &kvm), 0);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	cr_assert(d);
	while ((e = readdir(d))) {
		char lp[400], target[256];
		struct stat st;
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(lp, sizeof(lp), "%s/%s", path, e->d_name);
		n = readlink(lp, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		if (stat(lp, &st) == 0)
			cr_expect(!S_ISCHR(st.st_mode) || st.st_rdev != kvm.st_rdev,
				  "fd %s of pid %d is still /dev/kvm (%s)", e->d_name, (int)pid, target);
	}
	closedir(d);
}

/* The jailed cove: the only child of the waiting cove, once it runs under
 * its final uid (so its lock-down is done). 0 if it never got there. */
static pid_t jailed_child(pid_t parent, const char *uid)
{
	char path[96], uidline[64];

	for (int tries = 0; tries < 200; tries++) {
		FILE *f;
		int kid = 0;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent, (int)parent);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%d", &kid) != 1)
				kid = 0;
			fclose(f);
		}
		if (kid > 0) {
			char seccomp[16];

			status_field(kid, "Uid", uidline, sizeof(uidline));
			status_field(kid, "Seccomp", seccomp, sizeof(seccomp));
			if (strncmp(uidline, uid, strlen(uid)) == 0 && strcmp(seccomp, "2") == 0)
				return kid;
		}
		sleep_ms(10);
	}
	return 0;
}

static void expect_ns_differs(pid_t pid, const char *ns)
{
	char a[64], b[64], pa[64], pb[64];
	ssize_t na, nb;

	snprintf(pa, sizeof(pa), "/proc/self/ns/%s", ns);
	snprintf(pb, sizeof(pb), "/proc/%d/ns/%s", (int)pid, ns);
	na = readlink(pa, a, sizeof(a) - 1);
	nb = readlink(pb, b, sizeof(b) - 1);
	cr_assert(na > 0 && nb > 0, "cannot read the %s namespace links", ns);
	a[na] = b[nb] = '\0';
	cr_expect_str_neq(a, b, "the jailed cove shares our %s namespace (%s)", ns, a);
}

Test(jail, lockdown_holds_while_the_guest_runs)
{
	const char *blob = spin_blob();
	const char *args[] = {"--jail", "--raw", blob, "--timeout", "4", NULL};
	/* An fd cove inherits but did not open: the jail must close it. */
	int stray = open("/etc/hostname", O_RDONLY);
	int out, in, st, nfd = 0, maxfd = -1;
	pid_t pid, kid;
	char path[96], buf[4096];
	struct dirent *e;
	DIR *d;

	cr_assert_geq(stray, 0);
	/* stdin a pipe: the I/O thread runs too, and must have its filter. */
	pid = start_cove_in(args, &out, &in);
	close(stray);
	kid = jailed_child(pid, "65534");
	cr_assert_gt(kid, 0, "no jailed child running as nobody with seccomp appeared");
	/* Once the guest has run an instruction, every thread that serves it
	 * must have its filter (cove waits for them before the first one). */
	wait_for_output(out, 'R');
	expect_unprivileged(kid, "the jailed cove", "65534");

	/* Every thread has a filter, not just the one we looked at. */
	snprintf(path, sizeof(path), "/proc/%d/task", (int)kid);
	d = opendir(path);
	cr_assert(d);
	unsigned threads = 0;
	while ((e = readdir(d))) {
		char sp[400], line[256];
		FILE *f;
		bool seen = false;

		if (e->d_name[0] == '.')
			continue;
		/* KVM's per-VM worker (kvm-nx-lpage-recovery) is a task of
		 * the process that never runs user code: no filter applies.
		 * io_uring's workers (iou-wrk-*) are made under the I/O
		 * thread's filter, and carry it. */
		snprintf(sp, sizeof(sp), "/proc/%d/task/%s/comm", (int)kid, e->d_name);
		f = fopen(sp, "r");
		if (f) {
			bool worker = fgets(line, sizeof(line), f) && strncmp(line, "kvm-", 4) == 0;

			fclose(f);
			if (worker)
				continue;
		}
		snprintf(sp, sizeof(sp), "/proc/%d/task/%s/status", (int)kid, e->d_name);
		f = fopen(sp, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, "Seccomp:", 8) == 0)
				seen = strtol(line + 8, NULL, 10) == 2;
		fclose(f);
		cr_expect(seen, "thread %s of the jailed cove has no filter", e->d_name);
		threads++;
	}
	closedir(d);
	cr_expect_geq(threads, 2u, "expected the vCPU and I/O threads");

	static const char *const nss[] = {"mnt", "pid", "ipc", "uts", "net", "cgroup"};
	for (unsigned i = 0; i < 6; i++)
		expect_ns_differs(kid, nss[i]);

	expect_empty_root(kid, "the jailed cove");

	/* Only fds cove opened, and the stray one is gone; so is /dev/kvm,
	 * once the VM and its vCPUs exist. */
	expect_no_dev_kvm(kid);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)kid);
	d = opendir(path);
	cr_assert(d);
	while ((e = readdir(d))) {
		char lp[400], target[256];
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(lp, sizeof(lp), "%s/%s", path, e->d_name);
		n = readlink(lp, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		cr_expect_null(strstr(target, "hostname"), "fd %s (%s) leaked into the jail", e->d_name,
			       target);
		nfd++;
		if (atoi(e->d_name) > maxfd)
			maxfd = atoi(e->d_name);
	}
	closedir(d);
	cr_expect_geq(nfd, 4);

	/* rlimits: no cores, no fd beyond those open, no new process (nor
	 * thread: every one cove needs runs by now). */
	read_limits(kid, buf, sizeof(buf));
	cr_expect(limit_is(buf, "Max core file size", 0), "CORE not 0:\n%s", buf);
	cr_expect(limit_is(buf, "Max open files", maxfd + 1), "NOFILE not %d:\n%s", maxfd + 1, buf);
	cr_expect(limit_is(buf, "Max processes", 0), "NPROC not 0:\n%s", buf);

	wait_cove(pid, &st);
	close(in);
	read_out(out, buf, sizeof(buf));
	close(out);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 124,
		  "jailed spin did not end by its timeout (status 0x%x): %s", st, buf);
	unlink(blob);
}

Test(jail, guest_boots_and_prints_inside)
{
	const char *args[] = {"--jail", "-c", "2", NULL};
	char buf[4096];
	int out, st;
	pid_t pid = start_cove(args, &out);

	wait_cove(pid, &st);
	read_out(out, buf, sizeof(buf));
	close(out);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x: %s", st, buf);
	cr_expect(strstr(buf, "Hello from cove: 2 vCPUs"), "no guest output: %s", buf);
}

Test(jail, uid_and_gid_options_are_used)
{
	const char *blob = spin_blob();
	const char *args[] = {"--jail", "--uid", "4242",      "--gid", "4343",
			      "--raw",	blob,	 "--timeout", "3",     NULL};
	char v[128];
	int out, st;
	pid_t pid = start_cove(args, &out);
	pid_t kid = jailed_child(pid, "4242");

	cr_assert_gt(kid, 0, "no jailed child running as uid 4242");
	status_field(kid, "Gid", v, sizeof(v));
	cr_expect_str_eq(v, "4343\t4343\t4343\t4343");
	kill(pid, SIGTERM);
	wait_cove(pid, &st);
	close(out);
	/* The waiting cove passed SIGTERM on; the jailed one shut down. */
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "status 0x%x", st);
	unlink(blob);
}

Test(jail, filter_kill_inside_reaches_the_caller)
{
	const char *blob = spin_blob();
	/* main: the waiting cove itself, outside the jail. */
	static const char *const roles[] = {"vcpu", "io", "main"};

	for (unsigned i = 0; i < 3; i++) {
		const char *args[] = {"--jail", "--raw", blob, "--timeout", "5", "--seccomp-test-trigger",
				      roles[i], NULL};
		int out, in = -1, st;
		/* The I/O role's thread runs for a stdin that can bring input. */
		pid_t pid = start_cove_in(args, &out, i == 1 ? &in : NULL);

		wait_cove(pid, &st);
		if (in >= 0)
			close(in);
		close(out);
		cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "trigger %s in the jail: status 0x%x",
			  roles[i], st);
	}
	unlink(blob);
}

/* The waiting cove, outside the jail, for as long as the guest runs: the
 * jailed cove's ids, no capabilities, no_new_privs, the main role's filter,
 * an empty root of its own, no fd but stderr, no new fds or processes. */
Test(jail, waiting_parent_is_locked_down_while_the_guest_runs)
{
	const char *blob = spin_blob();
	const char *args[] = {"--jail", "--raw", blob, "--timeout", "20", NULL};
	char v[64], buf[4096], path[64];
	struct dirent *e;
	int out, st, nfd = 0;
	pid_t pid, kid;
	DIR *d;

	pid = start_cove(args, &out);
	kid = jailed_child(pid, "65534");
	cr_assert_gt(kid, 0, "no jailed child running as nobody with seccomp appeared");
	wait_for_output(out, 'R');
	/* It locks down once the child has dropped its privileges. */
	for (int i = 0; i < 500; i++) {
		status_field(pid, "Seccomp", v, sizeof(v));
		if (strcmp(v, "2") == 0)
			break;
		sleep_ms(10);
	}
	expect_unprivileged(pid, "the waiting cove", "65534");
	status_field(pid, "Seccomp_filters", v, sizeof(v));
	cr_expect_str_eq(v, "1", "the waiting cove has %s filters", v);
	status_field(pid, "Threads", v, sizeof(v));
	cr_expect_str_eq(v, "1");
	expect_empty_root(pid, "the waiting cove");
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	cr_assert(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			cr_expect_str_eq(e->d_name, "2", "the waiting cove keeps fd %s", e->d_name);
			nfd++;
		}
	closedir(d);
	cr_expect_eq(nfd, 1);
	read_limits(pid, buf, sizeof(buf));
	cr_expect(limit_is(buf, "Max core file size", 0), "CORE not 0:\n%s", buf);
	cr_expect(limit_is(buf, "Max open files", 3), "NOFILE not 3:\n%s", buf);
	cr_expect(limit_is(buf, "Max processes", 0), "NPROC not 0:\n%s", buf);

	/* Locked down, it still passes SIGTERM on and reports the end. */
	kill(pid, SIGTERM);
	wait_cove(pid, &st);
	read_out(out, buf, sizeof(buf));
	close(out);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "status 0x%x: %s", st, buf);
	unlink(blob);
}

Test(jail, waiting_parent_trigger_in_log_mode_is_named)
{
	const char *blob = spin_blob();
	const char *args[] = {"--jail", "--raw",     blob,  "--timeout",
			      "2",	"--seccomp", "log", "--seccomp-test-trigger",
			      "main",	NULL};
	char buf[4096];
	int out, st;
	pid_t pid = start_cove(args, &out);

	wait_cove(pid, &st);
	read_out(out, buf, sizeof(buf));
	close(out);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 124, "status 0x%x: %s", st, buf);
	cr_expect(strstr(buf, "cove: seccomp: main thread called socket (nr 41); denied\n"), "no report: %s",
		  buf);
	unlink(blob);
}

/* A guest of the test suite, as the jailed cove runs it: its status, and
 * its output (with cove's) in out. */
static int run_jailed_guest(const char *const *args, char *out, size_t len)
{
	int fd, st;
	pid_t pid = start_cove(args, &fd);

	wait_cove(pid, &st);
	read_out(fd, out, len);
	close(fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const char *guest(const char *name)
{
	static char path[512];
	const char *b = getenv("COVE_BUILD");

	cr_assert(b, "COVE_BUILD is not set (scripts/test.sh sets it)");
	snprintf(path, sizeof(path), "%s/guests/virtio/%s", b, name);
	return path;
}

/* The disk's blocking requests (the flush) run on io_uring's worker, which
 * must exist before the jail allows no new task. */
Test(jail, guest_writes_flushes_and_reads_a_disk_inside)
{
	char img[] = "/tmp/cove-jail-blkXXXXXX", out[4096];
	unsigned char b[4096];
	int fd = mkstemp(img);
	const char *args[] = {"--jail", "--timeout", "30", "--disk", img, guest("blktest.elf"), NULL};
	int st;

	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 1 << 20), 0);
	st = run_jailed_guest(args, out, sizeof(out));
	cr_expect_eq(st, 0, "status %d: %s", st, out);
	cr_expect(strstr(out, "blktest: ok"), "the guest did not say ok: %s", out);
	cr_assert_eq(pread(fd, b, sizeof(b), 0), (ssize_t)sizeof(b));
	for (unsigned i = 0; i < sizeof(b); i++)
		cr_assert_eq(b[i], (unsigned char)(i * 13 + 1), "file byte %u is not the guest's pattern", i);
	close(fd);
	unlink(img);
}

Test(jail, guest_reads_entropy_inside)
{
	const char *args[] = {"--jail", "--timeout", "30", "--rng", guest("rngtest.elf"), NULL};
	char out[4096];
	int st = run_jailed_guest(args, out, sizeof(out));

	cr_expect_eq(st, 0, "status %d: %s", st, out);
	cr_expect(strstr(out, "rngtest: ok "), "the guest got no entropy: %s", out);
}

/* Without --jail too, /dev/kvm is closed once the VM and vCPUs exist. */
Test(jail, dev_kvm_is_closed_without_jail_too)
{
	const char *blob = spin_blob();
	const char *args[] = {"--raw", blob, "--timeout", "20", NULL};
	int out, st;
	pid_t pid = start_cove(args, &out);

	wait_for_output(out, 'R');
	expect_no_dev_kvm(pid);
	kill(pid, SIGTERM);
	wait_cove(pid, &st);
	close(out);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "status 0x%x", st);
	unlink(blob);
}
