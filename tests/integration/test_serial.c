/* COM1 under a reader that stalls: cove's vCPUs never block on the output,
 * --timeout and SIGTERM end cove on time, a guest that honours THRE (by
 * polling LSR or by the THRE interrupt) loses nothing, and what the reader
 * finally gets is a prefix of what the guest sent, without holes. Output
 * to a regular file needs no I/O thread. The guests are
 * guests/realmode/serial.S (the bytes i % 251) and the 8-byte flood of 'A'
 * that ignores THRE altogether. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* mov dx, 0x3f8; mov al, 'A'; out dx, al; jmp back to the out. */
static const unsigned char flood_blob[] = {0xba, 0xf8, 0x03, 0xb0, 0x41, 0xee, 0xeb, 0xfd};

static const char *env(const char *name)
{
	const char *p = getenv(name);

	cr_assert(p && *p, "%s is not set: run through scripts/test.sh", name);
	return p;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *guest(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/guests/%s", env("COVE_BUILD"), name);
	return path;
}

static char *flood_file(void)
{
	static char path[] = "/tmp/cove-test-flood-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, flood_blob, sizeof(flood_blob)), (ssize_t)sizeof(flood_blob));
	close(fd);
	return path;
}

struct cove {
	pid_t pid;
	int out;      /* the read end of its stdout, or -1 */
	double start; /* when it was spawned */
};

/* Spawns cove with args; stdout a pipe of pipe_size bytes (0: the default)
 * or, with out_file, that file; stdin and stderr /dev/null. */
static struct cove spawn(const char *const *args, int pipe_size, const char *out_file)
{
	struct cove c = {.out = -1};
	const char *argv[16] = {env("COVE")};
	int p[2] = {-1, -1}, n = 1;

	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	if (!out_file) {
		cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
		if (pipe_size)
			cr_assert_geq(fcntl(p[1], F_SETPIPE_SZ, pipe_size), pipe_size);
	}
	c.start = now_s();
	c.pid = fork();
	cr_assert_geq(c.pid, 0);
	if (c.pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int out = out_file ? open(out_file, O_WRONLY | O_CREAT | O_TRUNC, 0600) : p[1];

		dup2(null, 0);
		dup2(out, 1);
		dup2(null, 2);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	if (!out_file) {
		close(p[1]);
		c.out = p[0];
	}
	return c;
}

/* Waits (without reading its output) until cove exits or limit_s from its
 * start; returns the seconds it took, or -1 if it still runs. */
static double wait_exit(struct cove *c, double limit_s, int *status)
{
	struct timespec ts = {0, 5000000};

	while (now_s() - c->start < limit_s) {
		if (waitpid(c->pid, status, WNOHANG) == c->pid)
			return now_s() - c->start;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Reads the pipe to EOF; checks each byte is the next of i % 251 (or 'A'
 * for the flood); returns how many there were. */
static size_t read_prefix(int fd, bool flood)
{
	unsigned char buf[65536];
	size_t got = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++, got++)
			cr_assert_eq(buf[i], flood ? 'A' : got % 251,
				     "byte %zu is %u, want %u: the stream has a hole or a repeat", got,
				     buf[i], flood ? 'A' : (unsigned)(got % 251));
	close(fd);
	return got;
}

static void stalled_reader_case(const char *image, bool flood)
{
	const char *args[] = {"--raw", image, "--timeout", "2", NULL};
	struct cove c = spawn(args, 0, NULL);
	int st = 0;
	double t = wait_exit(&c, 6, &st); /* the reader "wakes" at 6 s */
	size_t got;

	if (t < 0) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, &st, 0);
	}
	cr_assert_geq(t, 0, "%s: cove still ran 6 s after its start with the reader stalled", image);
	/* 2 s of guest, at most 1 s for the last bytes, slack for a busy host */
	cr_assert_lt(t, 4.5, "%s: cove took %.2f s to end by --timeout 2", image, t);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 124, "%s: status 0x%x, want 124", image, st);
	got = read_prefix(c.out, flood);
	cr_assert_geq(got, 4096, "%s: the reader got %zu bytes, want at least the pipe's worth", image, got);
}

Test(serial, flood_with_a_stalled_reader_ends_by_timeout_and_the_reader_gets_a_prefix)
{
	char *blob = flood_file();

	stalled_reader_case(blob, true);
	unlink(blob);
	stalled_reader_case(guest("realmode-serial-flood.bin"), false);
}

Test(serial, sigterm_with_a_stalled_reader_ends_cove_on_time)
{
	const char *args[] = {"--raw", guest("realmode-serial-flood.bin"), "--timeout", "60", NULL};
	struct cove c = spawn(args, 0, NULL);
	struct timespec ts = {1, 0};
	int st = 0;
	double t;

	nanosleep(&ts, NULL);
	cr_assert_eq(kill(c.pid, SIGTERM), 0);
	t = wait_exit(&c, 6, &st);
	if (t < 0) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, &st, 0);
	}
	cr_assert(t >= 0 && t < 3.5, "cove took %.2f s to end on a SIGTERM at 1 s", t);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "status 0x%x, want 143", st);
	cr_assert_geq(read_prefix(c.out, false), 4096);
}

/* The guest sends 100000 bytes into a one-page pipe whose reader sleeps
 * 1 s first: it must wait (in the guest) and every byte must arrive. */
static void slow_reader_case(const char *image)
{
	const char *args[] = {"--raw", image, "--timeout", "30", NULL};
	struct cove c = spawn(args, 4096, NULL);
	struct timespec ts = {1, 0};
	int st = 0;
	size_t got;

	nanosleep(&ts, NULL);
	cr_assert_eq(waitpid(c.pid, &st, WNOHANG), 0, "%s: the guest finished without waiting for the reader",
		     image);
	got = read_prefix(c.out, false);
	cr_assert_eq(waitpid(c.pid, &st, 0), c.pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0x43, "%s: status 0x%x, want 0x43 (all sent)", image,
		  st);
	cr_assert_eq(got, 100000, "%s: the reader got %zu of the 100000 bytes the guest sent", image, got);
}

Test(serial, polling_guest_loses_nothing_to_a_slow_reader)
{
	slow_reader_case(guest("realmode-serial-poll.bin"));
}

/* Only the I/O thread notices that the pipe has room again: a guest that
 * sleeps until the THRE interrupt would sleep for ever without it. */
Test(serial, interrupt_driven_guest_gets_thre_back_and_loses_nothing)
{
	slow_reader_case(guest("realmode-serial-irq.bin"));
}

/* cove's threads, without KVM's per-VM worker ("kvm-..."). */
static unsigned cove_threads(pid_t pid)
{
	char path[64], comm[64], cp[400];
	unsigned n = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	cr_assert(d, "cannot list %s", path);
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(cp, sizeof(cp), "%s/%s/comm", path, e->d_name);
		f = fopen(cp, "r");
		comm[0] = '\0';
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = '\0';
			fclose(f);
		}
		if (strncmp(comm, "kvm-", 4) != 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Counts cove's threads once the guest has sent a byte, then ends it. */
static unsigned threads_with_output(const char *out_file)
{
	const char *args[] = {"--raw", guest("realmode-serial-flood.bin"), "--timeout", "30", NULL};
	struct cove c = spawn(args, 0, out_file);
	struct timespec ts = {0, 5000000};
	unsigned n;
	int st;

	for (int i = 0; i < 2000; i++) {
		struct stat sb;
		char ch;

		if (out_file ? stat(out_file, &sb) == 0 && sb.st_size > 0 : read(c.out, &ch, 1) == 1)
			break;
		nanosleep(&ts, NULL);
	}
	n = cove_threads(c.pid);
	kill(c.pid, SIGTERM);
	if (c.out >= 0)
		close(c.out); /* a reader gone for good: no last drain to wait for */
	cr_assert_eq(waitpid(c.pid, &st, 0), c.pid);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "%s: status 0x%x, want 143",
		  out_file ? "a file" : "a pipe", st);
	return n;
}

Test(serial, only_output_that_can_block_starts_the_io_thread)
{
	char file[] = "/tmp/cove-test-serial-out-XXXXXX";
	int fd = mkstemp(file);
	unsigned n;

	cr_assert_geq(fd, 0);
	close(fd);
	n = threads_with_output(file);
	unlink(file);
	cr_expect_eq(n, 1u, "stdout a regular file: %u threads, want the vCPU's alone", n);
	n = threads_with_output(NULL);
	cr_expect_eq(n, 2u, "stdout a pipe: %u threads, want the vCPU and the I/O thread that drains it", n);
}
