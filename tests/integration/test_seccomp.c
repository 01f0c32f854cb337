/* Integration: cove's filters bite on every thread role when the test-only
 * trigger makes that thread call socket(2): strict kills the process with
 * SIGSYS, log names the call and the VM runs to its normal end; the default
 * profile carries guests through their exit paths; --print-seccomp's counts
 * meet the targets. Runs $COVE on a real-mode blob that spins (jmp $). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct run {
	int status;
	char out[8192];
	char err[8192];
};

static const char *cove(void)
{
	const char *c = getenv("COVE");

	cr_assert(c, "COVE is not set (scripts/test.sh sets it)");
	return c;
}

/* A real-mode guest that never ends by itself: eb fe, jmp $. */
static const char *spin_blob(void)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/cove-spin-%d.bin", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "\xeb\xfe", 2), 2);
	close(fd);
	return path;
}

static void slurp(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* Runs cove with argv (NULL-terminated, without argv[0]); term_after_ms > 0
 * sends SIGTERM that long after the start. stdin is /dev/null, or with
 * io_thread a pipe held open until cove ends: stdin that can bring input is
 * what makes cove start its I/O thread for a guest without virtio. */
static struct run run_cove_in(const char *const *args, int term_after_ms, bool io_thread)
{
	struct run r = {0};
	const char *argv[32] = {cove()};
	char on[] = "/tmp/cove-sc-outXXXXXX", en[] = "/tmp/cove-sc-errXXXXXX";
	int o = mkstemp(on), e = mkstemp(en), in[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	unsigned n = 1;

	cr_assert(o >= 0 && e >= 0);
	unlink(on);
	unlink(en);
	while (*args && n < 31)
		argv[n++] = *args++;
	posix_spawn_file_actions_init(&fa);
	if (io_thread) {
		cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	} else {
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	}
	posix_spawn_file_actions_adddup2(&fa, o, 1);
	posix_spawn_file_actions_adddup2(&fa, e, 2);
	cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, (char **)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	if (in[0] >= 0)
		close(in[0]);
	if (term_after_ms > 0) {
		struct timespec ts = {term_after_ms / 1000, (term_after_ms % 1000) * 1000000L};

		nanosleep(&ts, NULL);
		kill(pid, SIGTERM);
	}
	cr_assert_eq(waitpid(pid, &r.status, 0), pid);
	if (in[1] >= 0)
		close(in[1]);
	slurp(o, r.out, sizeof(r.out));
	slurp(e, r.err, sizeof(r.err));
	return r;
}

static struct run run_cove(const char *const *args, int term_after_ms)
{
	return run_cove_in(args, term_after_ms, false);
}

/* The trigger for role: the I/O role needs the I/O thread. */
static struct run run_trigger(const char *const *args, const char *role)
{
	return run_cove_in(args, 0, strcmp(role, "io") == 0);
}

static void expect_sigsys(const struct run *r, const char *what)
{
	cr_expect(WIFSIGNALED(r->status) && WTERMSIG(r->status) == SIGSYS,
		  "%s: cove was not killed by SIGSYS (status 0x%x), stderr:\n%s", what, r->status, r->err);
}

/* The main role is --jail's waiting parent; the other two are threads of
 * any cove. */
static const char *const roles[] = {"vcpu", "io", "main"};

static const char *jail_for(const char *role)
{
	return strcmp(role, "main") == 0 ? "--jail" : NULL;
}

Test(seccomp_cove, strict_trigger_kills_on_every_role)
{
	const char *blob = spin_blob();

	for (unsigned i = 0; i < 3; i++) {
		const char *args[] = {
		    "--raw", blob, "--timeout", "5", "--seccomp-test-trigger", roles[i], jail_for(roles[i]),
		    NULL};
		struct run r = run_trigger(args, roles[i]);

		expect_sigsys(&r, roles[i]);
	}
	unlink(blob);
}

Test(seccomp_cove, main_trigger_without_jail_is_a_usage_error)
{
	const char *args[] = {"--seccomp-test-trigger", "main", NULL};
	struct run r = run_cove(args, 0);

	cr_expect(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2, "status 0x%x, stderr:\n%s", r.status,
		  r.err);
	cr_expect(strstr(r.err, "--jail's waiting parent"), "stderr:\n%s", r.err);
}

Test(seccomp_cove, default_profile_is_strict)
{
	const char *blob = spin_blob();
	const char *args[] = {"--raw", blob, "--timeout", "5", "--seccomp-test-trigger", "vcpu", NULL};
	const char *args2[] = {
	    "--raw", blob, "--timeout", "5", "--seccomp", "strict", "--seccomp-test-trigger", "io", NULL};
	struct run r = run_cove(args, 0);

	expect_sigsys(&r, "no --seccomp");
	r = run_trigger(args2, "io");
	expect_sigsys(&r, "--seccomp strict");
	unlink(blob);
}

Test(seccomp_cove, log_mode_names_the_call_and_runs_to_the_end)
{
	const char *blob = spin_blob();
	char want[128];

	for (unsigned i = 0; i < 3; i++) {
		const char *args[] = {"--raw",	 blob, "--timeout", "1", "--seccomp", "log", "--seccomp-test-trigger",
				      roles[i], jail_for(roles[i]), NULL};
		struct run r = run_trigger(args, roles[i]);

		snprintf(want, sizeof(want), "%s thread called socket (nr 41); denied\n", roles[i]);
		cr_expect(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 124,
			  "trigger %s in log mode: not the timeout's status 124 (status 0x%x), stderr:\n%s",
			  roles[i], r.status, r.err);
		cr_expect(strstr(r.err, "cove: seccomp: ") && strstr(r.err, want),
			  "trigger %s: no '%s' report on stderr:\n%s", roles[i], want, r.err);
	}
	unlink(blob);
}

Test(seccomp_cove, off_mode_lets_the_trigger_through)
{
	const char *blob = spin_blob();
	const char *args[] = {"--raw", blob, "--timeout", "1", "--seccomp", "off", "--seccomp-test-trigger",
			      "vcpu",  NULL};
	struct run r = run_cove(args, 0);

	cr_expect(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 124, "status 0x%x, stderr:\n%s", r.status,
		  r.err);
	cr_expect_null(strstr(r.err, "seccomp"), "off mode reported: %s", r.err);
	unlink(blob);
}

Test(seccomp_cove, strict_profile_survives_sigterm_and_timeout)
{
	const char *blob = spin_blob();
	const char *targs[] = {"--raw", blob, "--timeout", "1", NULL};
	const char *sargs[] = {"--raw", blob, "-c", "2", "--stats", NULL};
	struct run r = run_cove(targs, 0);

	cr_expect(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 124, "timeout: status 0x%x, stderr:\n%s",
		  r.status, r.err);
	r = run_cove(sargs, 500);
	cr_expect(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 128 + SIGTERM,
		  "SIGTERM: status 0x%x, stderr:\n%s", r.status, r.err);
	unlink(blob);
}

Test(seccomp_cove, builtin_guest_runs_under_strict)
{
	const char *args[] = {"-c", "2", "--stats", NULL};
	struct run r = run_cove(args, 0);

	cr_expect(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status 0x%x, stderr:\n%s", r.status,
		  r.err);
	cr_expect(strstr(r.out, "Hello from cove"), "guest output: %s", r.out);
}

/* The ASan runtime's extras (seccomp/tables.c, COVE_SANITIZE) are not
 * counted against the targets. */
#ifdef COVE_SANITIZE
#define EXTRA 4u
#else
#define EXTRA 0u
#endif

Test(seccomp_cove, print_seccomp_counts_meet_targets)
{
	const char *args[] = {"--print-seccomp", NULL};
	struct run r = run_cove(args, 0);
	unsigned vcpu = 0, io = 0, lines = 0, said = 0;
	char *p, *save = NULL;

	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status 0x%x", r.status);
	p = strstr(r.out, "vcpu thread: ");
	cr_assert(p && sscanf(p, "vcpu thread: %u syscalls", &vcpu) == 1, "no vcpu count in:\n%s", r.out);
	p = strstr(r.out, "io thread: ");
	cr_assert(p && sscanf(p, "io thread: %u syscalls", &io) == 1, "no io count in:\n%s", r.out);
	cr_expect_leq(vcpu, 15u + EXTRA, "vCPU thread allows %u syscalls", vcpu);
	cr_expect_leq(io, 25u + EXTRA, "I/O thread allows %u syscalls", io);
	cr_expect_gt(vcpu, 0u);
	/* Each role's count is its number of rule lines. */
	for (char *l = strtok_r(r.out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned n;

		if (sscanf(l, "%*s thread: %u syscalls", &n) == 1) {
			cr_expect_eq(lines, said, "a role printed %u rules, said %u", lines, said);
			said = n;
			lines = 0;
		} else if (l[0] == ' ') {
			lines++;
		}
	}
	cr_expect_eq(lines, said, "the last role printed %u rules, said %u", lines, said);
}
