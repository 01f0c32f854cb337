/* cove's command line as a user meets it: every bad command line ends with
 * status 2 and one stderr line "cove: ..." naming the problem, before any
 * VM exists; --help lists every option and exit status; --version. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct run {
	int status;
	char out[16384], err[4096];
	size_t nout, nerr;
};

#define NOBODY	65534
#define AS_SELF ((uid_t)-1)

/* Runs $COVE with args; as uid (and gid) NOBODY with no groups when asked. */
static void run_cove_as(struct run *r, const char *const *args, uid_t uid)
{
	const char *cove = getenv("COVE");
	char *argv[40];
	int n = 0, pout[2], perr[2], ws, open_fds = 2;
	pid_t pid;

	cr_assert(cove && *cove, "COVE is not set (scripts/test.sh sets it)");
	argv[n++] = (char *)cove;
	for (; *args; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	cr_assert_eq(pipe2(pout, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(perr, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		if (uid != AS_SELF && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pout[1]);
	close(perr[1]);
	struct pollfd p[2] = {{.fd = pout[0], .events = POLLIN}, {.fd = perr[0], .events = POLLIN}};
	r->nout = r->nerr = 0;
	while (open_fds) {
		cr_assert_geq(poll(p, 2, -1), 0);
		for (int i = 0; i < 2; i++) {
			char *buf = i ? r->err : r->out;
			size_t cap = i ? sizeof(r->err) : sizeof(r->out), *len = i ? &r->nerr : &r->nout;
			ssize_t k;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			k = read(p[i].fd, buf + *len, cap - 1 - *len);
			if (k <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			} else {
				*len += k;
			}
		}
	}
	r->out[r->nout] = r->err[r->nerr] = '\0';
	cr_assert_eq(waitpid(pid, &ws, 0), pid);
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -WTERMSIG(ws);
}

static void run_cove(struct run *r, const char *const *args)
{
	run_cove_as(r, args, AS_SELF);
}

struct bad_case {
	const char *args[8];
	const char *want; /* what the one line must name */
};

/* Every bad command line the brief names, and then some. */
static struct bad_case bad_cases[] = {
    {{"--frobnicate"}, "unknown option '--frobnicate'"},
    {{"-z"}, "unknown option '-z'"},
    {{"--mem"}, "'--mem' needs an argument"},
    {{"--raw"}, "'--raw' needs an argument"},
    {{"-m"}, "option '-m' needs an argument"},
    {{"-c"}, "option '-c' needs an argument"},
    {{"-k"}, "option '-k' needs an argument"},
    {{"-i"}, "option '-i' needs an argument"},
    {{"-a"}, "option '-a' needs an argument"},
    {{"-hm"}, "option '-m' needs an argument"},
    {{"--me"}, "option '--mem' needs an argument"},
    {{"--rng=1"}, "option '--rng' takes no argument"},
    {{"--help=x"}, "option '--help' takes no argument"},
    {{"--se"}, "ambiguous option '--se'"},
    {{"--mem", "0"}, "greater than zero"},
    {{"--mem", "many"}, "not a number"},
    {{"--mem", "64Q"}, "trailing"},
    {{"--mem", "64MiB"}, "trailing"},
    {{"--mem", "99999999999999999999999"}, "too large"},
    {{"--mem", "17179869184G"}, "too large"},
    {{"--mem", "16000000G"}, "host's RAM"},
    {{"-m", "1K"}, "--mem '1K': not a multiple of 4 KiB"},
    {{"-m", "63K"}, "--mem '63K': not a multiple of 4 KiB"},
    {{"--mem", "1001K"}, "--mem '1001K': not a multiple of 4 KiB"},
    {{"--cpus", "0"}, "at least 1"},
    {{"--cpus", "x"}, "not a number"},
    {{"--timeout", "-3"}, "not a number"},
    {{"--raw", "a.bin", "b.elf"}, "exclude each other"},
    {{"--raw", "a.bin", "--kernel", "b.elf"}, "exclude each other"},
    {{"--raw", "a.bin,load=0x200000"}, "below 1 MiB"},
    {{"--raw", "a.bin,entry=zz:1"}, "SEG:OFF"},
    {{"--raw", "a.bin,fast"}, "unknown parameter 'fast'"},
    {{"a.elf", "b.elf"}, "more than one IMAGE"},
    {{"--serial", ""}, "empty file name"},
    {{"--seccomp", "maybe"}, "not strict, log or off"},
    {{"--uid", "nobody"}, "not a number"},
    {{"--disk", "a.img,rw"}, "unknown flag 'rw'"},
    {{"--net", "mac=52:54:00:00:00:01"}, "missing tap=NAME"},
    {{"--net", "tap=t0,mac=zz"}, "mac 'zz'"},
    {{"--seccomp-test-trigger", "gpu"}, "not vcpu, io or main"},
};

Test(cli, every_bad_command_line_is_one_line_and_status_2)
{
	for (unsigned i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct run r;

		run_cove(&r, c->args);
		cr_assert_eq(r.status, 2, "%s ...: status %d, want 2; stderr: %s", c->args[0], r.status,
			     r.err);
		cr_assert_eq(strncmp(r.err, "cove: ", 6), 0,
			     "%s ...: stderr does not start with 'cove: ': %s", c->args[0], r.err);
		cr_assert(strstr(r.err, c->want), "stderr '%s' does not name '%s'", r.err, c->want);
		cr_assert_eq(strchr(r.err, '\n'), r.err + r.nerr - 1, "stderr is not exactly one line: %s",
			     r.err);
		cr_assert_eq(r.nout, 0u, "a refused command line printed on stdout: %s", r.out);
	}
}

Test(cli, too_many_disks_is_refused)
{
	const char *args[] = {"--disk", "1", "--disk", "2", "--disk", "3", "--disk", "4", "--disk", "5",
			      "--disk", "6", "--disk", "7", "--disk", "8", "--disk", "9", NULL};
	struct run r;

	run_cove(&r, args);
	cr_assert_eq(r.status, 2, "status %d; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "cove: --disk: too many disks (at most 8)"), "stderr: %s", r.err);
}

Test(cli, too_many_nets_is_refused)
{
	const char *args[] = {"--net", "tap=a", "--net", "tap=b", "--net", "tap=c",
			      "--net", "tap=d", "--net", "tap=e", NULL};
	struct run r;

	run_cove(&r, args);
	cr_assert_eq(r.status, 2, "status %d; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "too many network devices"), "stderr: %s", r.err);
}

Test(cli, help_lists_every_option_and_exit_status)
{
	const char *args[] = {"--help", NULL};
	const char *want[] = {"--kernel",
			      "--initrd",
			      "--cmdline",
			      "--module",
			      "--raw",
			      "--mem",
			      "--cpus",
			      "--serial",
			      "--timeout",
			      "--disk",
			      "--net",
			      "--console",
			      "--rng",
			      "--stats",
			      "--seccomp",
			      "--jail",
			      "--uid",
			      "--gid",
			      "--print-seccomp",
			      "--seccomp-test-trigger",
			      "--help",
			      "--version",
			      "  0 ",
			      "  2 ",
			      "  4 ",
			      "  6 ",
			      "  8 ",
			      "  10 ",
			      "  124 ",
			      "(v << 1) | 1",
			      "128+N",
			      "SIGTERM 143",
			      "SIGSYS",
			      "159"};
	struct run r;

	run_cove(&r, args);
	cr_assert_eq(r.status, 0, "--help: status %d", r.status);
	cr_assert_eq(r.nerr, 0u, "--help wrote on stderr: %s", r.err);
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert(strstr(r.out, want[i]), "--help does not mention '%s'", want[i]);
}

Test(cli, version_prints_one_line)
{
	const char *args[] = {"--version", NULL};
	struct run r;

	run_cove(&r, args);
	cr_assert_eq(r.status, 0);
	cr_assert_eq(strncmp(r.out, "cove ", 5), 0, "--version printed '%s'", r.out);
	cr_assert_eq(strchr(r.out, '\n'), r.out + r.nout - 1, "--version is not one line: %s", r.out);
}

Test(cli, print_seccomp_prints_the_roles_and_exits_0)
{
	const char *args[] = {"--print-seccomp", NULL};
	struct run r;

	run_cove(&r, args);
	cr_assert_eq(r.status, 0, "status %d; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.out, "vcpu") && strstr(r.out, "io") && strstr(r.out, "main"),
		  "--print-seccomp names no roles: %s", r.out);
}

Test(cli, unreadable_image_is_status_4_with_one_line)
{
	const char *args[] = {"--raw", "/nonexistent/cove-test.bin", NULL};
	struct run r;

	run_cove(&r, args);
	cr_assert_eq(r.status, 4, "status %d, want 4; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "cove: ") && strstr(r.err, "/nonexistent/cove-test.bin"),
		  "stderr does not name the file: %s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + r.nerr - 1, "stderr is not exactly one line: %s", r.err);
}

Test(cli, unwritable_serial_file_is_refused_with_one_line)
{
	const char *args[] = {"--raw", "/dev/null", "--serial", "/nonexistent/dir/out.txt", NULL};
	struct run r;

	run_cove(&r, args);
	cr_assert_eq(r.status, 4, "status %d, want 4; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "cove: --serial '/nonexistent/dir/out.txt'"), "stderr: %s", r.err);
}

/* RAM that is whole pages but too small for the guest: the loader's one
 * line names the RAM size (status 4, the image does not fit). */
Test(cli, ram_too_small_for_the_guest_names_the_size)
{
	const char *tiny[] = {"-m", "4K", NULL};
	const char *short_of_hello[] = {"-m", "1028K", NULL};
	struct run r;

	run_cove(&r, tiny);
	cr_assert_eq(r.status, 4, "-m 4K: status %d, want 4; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "is outside RAM (4 KiB)"), "stderr: %s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + r.nerr - 1, "stderr is not exactly one line: %s", r.err);

	run_cove(&r, short_of_hello);
	cr_assert_eq(r.status, 4, "-m 1028K: status %d, want 4; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "cove: built-in guest 'hello': ") &&
		      strstr(r.err, "is outside RAM (1028 KiB)"),
		  "stderr: %s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + r.nerr - 1, "stderr is not exactly one line: %s", r.err);
}

/* A host problem, not the guest's: a user who may not open /dev/kvm gets
 * status 6 and one line naming it. */
Test(cli, no_permission_on_dev_kvm_is_status_6_naming_it)
{
	const char *args[] = {NULL};
	struct stat st;
	struct run r;

	if (geteuid() != 0)
		cr_skip_test("needs root to become nobody");
	if (stat("/dev/kvm", &st))
		cr_skip_test("no /dev/kvm");
	if (st.st_mode & S_IROTH && st.st_mode & S_IWOTH)
		cr_skip_test("/dev/kvm is open to everyone here (mode %o)", st.st_mode & 0777);
	run_cove_as(&r, args, NOBODY);
	cr_assert_neq(r.status, 126, "could not become nobody");
	cr_assert_eq(r.status, 6, "status %d, want 6; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "cove: /dev/kvm: permission denied"), "stderr: %s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + r.nerr - 1, "stderr is not exactly one line: %s", r.err);
	cr_assert_eq(r.nout, 0u, "stdout: %s", r.out);
}
