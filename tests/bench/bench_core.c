/* cove's core benchmark: exec-to-exit wall time and peak RSS of cove against
 * the raw KVM floor (tests/bench/kvmfloor.c) and QEMU microvm, all measured
 * in this run. Prints figures and ratios next to the targets; never fails
 * on a timing. Run it through tests/bench/bench_core.sh.
 *
 * Usage: bench_core BUILD_DIR [RUNS]   (BUILD_DIR holds cove, cove.stripped,
 * tests/bench/kvmfloor and guests/hello.elf). With COVE_BASELINE set to
 * another cove binary (an older build, say), the blob also runs under it,
 * in the same turns, for a before/after ratio on the same host load. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct result {
	bool ok;
	double mean_ms, median_ms, min_ms;
	long maxrss_kb; /* the largest peak RSS over the runs */
	int status;	/* exit status of the first run */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void child_exec(char *const argv[])
{
	int null = open("/dev/null", O_RDWR);

	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	execv(argv[0], argv);
	_exit(127);
}

/* A run that takes longer than this is killed: a hung guest must not hang
 * the benchmark. */
#define RUN_LIMIT_SEC 20
static volatile pid_t running;

static void on_alarm(int sig)
{
	(void)sig;
	if (running > 0)
		kill(running, SIGKILL);
}

/* One run: fork, exec, wait4; the time is from just before fork to the
 * reaped exit. */
static int run_once(char *const argv[], double *ms, long *rss_kb, int *status)
{
	struct rusage ru;
	double t0 = now_ms();
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_exec(argv);
	running = pid;
	alarm(RUN_LIMIT_SEC);
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	*ms = now_ms() - t0;
	alarm(0);
	running = 0;
	*rss_kb = ru.ru_maxrss;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Runs each of the n commands (NULL argv: skipped) runs times, in turns
 * (a, b, c, a, b, c, ...), so a change in the host's load meets them all
 * alike; fills r[i] for each. */
static void measure_turns(char *const *const argv[], struct result r[], int n, int runs)
{
	double *ms = calloc((size_t)n * runs, sizeof(*ms));
	bool failed[8] = {false};

	for (int k = 0; k < n; k++)
		r[k] = (struct result){.min_ms = 1e30};
	if (!ms || n > 8)
		return;
	for (int i = 0; i < runs; i++) {
		for (int k = 0; k < n; k++) {
			long rss = 0;
			int st = 0;

			if (!argv[k] || failed[k])
				continue;
			if (run_once(argv[k], &ms[k * runs + i], &rss, &st) < 0) {
				failed[k] = true;
				continue;
			}
			if (i == 0)
				r[k].status = st;
			if (rss > r[k].maxrss_kb)
				r[k].maxrss_kb = rss;
		}
	}
	for (int k = 0; k < n; k++) {
		double *t = &ms[k * runs], sum = 0;

		if (!argv[k] || failed[k])
			continue;
		for (int i = 0; i < runs; i++)
			sum += t[i];
		qsort(t, runs, sizeof(*t), cmp_double);
		r[k].ok = true;
		r[k].mean_ms = sum / runs;
		r[k].median_ms = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
		r[k].min_ms = t[0];
	}
	free(ms);
}

static struct result measure(char *const argv[], int runs)
{
	char *const *const one[] = {argv};
	struct result r;

	measure_turns(one, &r, 1, runs);
	return r;
}

static void print_row(const char *name, const struct result *r)
{
	if (!r->ok) {
		printf("  %-34s  (could not run)\n", name);
		return;
	}
	printf("  %-34s  mean %7.3f  median %7.3f  min %7.3f ms  peak RSS %6.2f MiB  status %d\n", name,
	       r->mean_ms, r->median_ms, r->min_ms, r->maxrss_kb / 1024.0, r->status);
}

static void print_ratio(const char *what, double v, const char *target)
{
	printf("  %-34s  %6.2fx   (%s%s)\n", what, v, target[0] == '<' || target[0] == '>' ? "target " : "",
	       target);
}

/* Guest RAM's Rss (KiB) and VmHWM, read from /proc/pid while the process is
 * stopped at its exit. Guest RAM is cove's only MAP_NORESERVE mapping
 * ("nr" in VmFlags), which mem/ splits in two (small pages for the first
 * 2 MiB, huge pages above): the Rss of every such mapping, when their sizes
 * add up to size_kb. */
static void read_mem(pid_t pid, long size_kb, long *guest_rss, long *hwm)
{
	char path[64], line[256];
	FILE *f;
	long size = 0, rss = 0, sum_size = 0, sum_rss = 0;

	*guest_rss = -1;
	*hwm = -1;
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			long v;

			if (sscanf(line, "Size: %ld kB", &v) == 1)
				size = v;
			else if (sscanf(line, "Rss: %ld kB", &v) == 1)
				rss = v;
			else if (strncmp(line, "VmFlags:", 8) == 0 && strstr(line, " nr")) {
				sum_size += size;
				sum_rss += rss;
			}
		}
		fclose(f);
		if (sum_size == size_kb)
			*guest_rss = sum_rss;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f))
			sscanf(line, "VmHWM: %ld kB", hwm);
		fclose(f);
	}
}

/* Runs argv once under ptrace, stopping it at its exit (PTRACE_O_TRACEEXIT:
 * the address space is still there) to split its peak RSS into guest RAM
 * and cove's own. */
static int measure_rss_split(char *const argv[], long guest_kb, long *guest_rss, long *hwm)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		child_exec(argv);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st))
		return -ECHILD;
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	*guest_rss = *hwm = -1;
	for (;;) {
		if (waitpid(pid, &st, 0) < 0)
			return -errno;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return 0;
		if (WIFSTOPPED(st) && (st >> 8) == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			read_mem(pid, guest_kb, guest_rss, hwm);
			ptrace(PTRACE_CONT, pid, NULL, NULL);
			continue;
		}
		/* Any other stop: pass its signal on. */
		ptrace(PTRACE_CONT, pid, NULL, (void *)(intptr_t)(WIFSTOPPED(st) ? WSTOPSIG(st) : 0));
	}
}

static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static bool executable(const char *p)
{
	return access(p, X_OK) == 0;
}

int main(int argc, char **argv)
{
	/* mov al,'A'; mov dx,0x3f8; out dx,al; mov al,0; out 0xf4,al; hlt */
	static const uint8_t blob[] = {0xb0, 0x41, 0xba, 0xf8, 0x03, 0xee, 0xb0, 0x00, 0xe6, 0xf4, 0xf4};
	static uint8_t bios[65536];
	char dir[] = "/tmp/bench_core.XXXXXX", blob_path[64], bios_path[64];
	char cove[512], cove_stripped[512], floor[512], hello[512];
	const char *qemu = "/usr/bin/qemu-system-x86_64";
	int runs = argc > 2 ? atoi(argv[2]) : 50;
	struct stat st;

	struct sigaction sa = {.sa_handler = on_alarm};

	sigaction(SIGALRM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || runs <= 0) {
		fprintf(stderr, "usage: bench_core BUILD_DIR [RUNS]\n");
		return 2;
	}
	snprintf(cove, sizeof(cove), "%s/cove", argv[1]);
	snprintf(cove_stripped, sizeof(cove_stripped), "%s/cove.stripped", argv[1]);
	snprintf(floor, sizeof(floor), "%s/tests/bench/kvmfloor", argv[1]);
	snprintf(hello, sizeof(hello), "%s/guests/hello.elf", argv[1]);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(blob_path, sizeof(blob_path), "%s/blob.bin", dir);
	snprintf(bios_path, sizeof(bios_path), "%s/bios.bin", dir);
	/* The same code as a 64 KiB BIOS image for QEMU: code at f000:0000,
	 * and at the reset vector f000:fff0 a far jump to it. */
	memcpy(bios, blob, sizeof(blob));
	static const uint8_t reset[] = {0xea, 0x00, 0x00, 0x00, 0xf0};
	memcpy(bios + 0xfff0, reset, sizeof(reset));
	if (write_file(blob_path, blob, sizeof(blob)) || write_file(bios_path, bios, sizeof(bios))) {
		perror("write");
		return 1;
	}

	bool have_qemu = executable(qemu), have_cove = executable(cove), have_floor = executable(floor);

	printf("cove core benchmark: %d runs each, exec to exit (fork to reaped exit); the commands\n"
	       "of each part run in turns, so the host's load meets them alike\n",
	       runs);
	if (!have_cove)
		printf("  cove not found at %s (build it first)\n", cove);
	if (!have_qemu)
		printf("  QEMU not found at %s: QEMU rows skipped\n", qemu);

	printf("\n1. tiny real-mode blob (out 0x3f8, out 0xf4)\n");
	char *cove_raw[] = {cove, "--raw", blob_path, NULL};
	char *floor_raw[] = {floor, blob_path, NULL};
	char *floor_cpuid[] = {floor, "--cpuid", blob_path, NULL};
	char *qemu_raw[] = {
	    (char *)qemu, "-M",		 "microvm",	    "-accel",
	    "kvm",	  "-nodefaults", "-no-user-config", "-nographic",
	    "-bios",	  bios_path,	 "-device",	    "isa-debug-exit,iobase=0xf4,iosize=4",
	    NULL};
	const char *baseline = getenv("COVE_BASELINE");
	bool have_base = baseline && *baseline && executable(baseline);
	char *base_raw[] = {(char *)baseline, "--raw", blob_path, NULL};
	char *const *const blob_cmds[] = {have_cove ? cove_raw : NULL, have_floor ? floor_raw : NULL,
					  have_floor ? floor_cpuid : NULL, have_qemu ? qemu_raw : NULL,
					  have_base ? base_raw : NULL};
	struct result br[5];

	if (baseline && *baseline && !have_base)
		printf("  COVE_BASELINE=%s is not an executable: no baseline row\n", baseline);
	measure_turns(blob_cmds, br, 5, runs);
	struct result rc = br[0], rf = br[1], rfc = br[2], rq = br[3], rb = br[4];
	print_row("cove --raw blob", &rc);
	print_row("kvmfloor blob", &rf);
	print_row("kvmfloor --cpuid blob", &rfc);
	print_row("qemu microvm -bios blob", &rq);
	if (have_base) {
		print_row("COVE_BASELINE --raw blob", &rb);
		if (rc.ok && rb.ok)
			print_ratio("baseline / cove (median)", rb.median_ms / rc.median_ms,
				    "no target: above 1x, this cove is faster");
	}
	if (rc.ok && rf.ok) {
		print_ratio("cove / floor (mean)", rc.mean_ms / rf.mean_ms, "<= 1.30x");
		print_ratio("cove / floor (median)", rc.median_ms / rf.median_ms, "<= 1.30x");
		print_ratio("cove / floor (min)", rc.min_ms / rf.min_ms, "<= 1.30x");
	}
	if (rc.ok && rfc.ok)
		print_ratio("cove / floor --cpuid (mean)", rc.mean_ms / rfc.mean_ms,
			    "no target: the floor with the CPUID set-up a guest needs");
	if (rc.ok && rq.ok) {
		print_ratio("qemu / cove (mean)", rq.mean_ms / rc.mean_ms, ">= 15x");
		print_ratio("qemu / cove (median)", rq.median_ms / rc.median_ms, ">= 15x");
	}

	printf("\n2. hello guest (PVH ELF %s)\n", hello);
	char *cove_hello[] = {cove, NULL};
	char *qemu_hello[] = {
	    (char *)qemu, "-M",		 "microvm",	    "-accel",
	    "kvm",	  "-nodefaults", "-no-user-config", "-nographic",
	    "-kernel",	  hello,	 "-device",	    "isa-debug-exit,iobase=0xf4,iosize=4",
	    NULL};
	char *const *const hello_cmds[] = {have_cove ? cove_hello : NULL,
					   have_qemu && stat(hello, &st) == 0 ? qemu_hello : NULL};
	struct result hr[2];

	measure_turns(hello_cmds, hr, 2, runs);
	struct result hc = hr[0], hq = hr[1];
	print_row("cove (built-in hello)", &hc);
	print_row("qemu microvm -kernel hello.elf", &hq);
	if (hc.ok && hq.ok) {
		print_ratio("qemu / cove (mean)", hq.mean_ms / hc.mean_ms, ">= 15x");
		print_ratio("qemu / cove (median)", hq.median_ms / hc.median_ms, ">= 15x");
	}

	printf("\n3. memory and size\n");
	if (have_cove) {
		char *cove_mem[] = {cove, "--mem", "64M", NULL};
		struct result mr = measure(cove_mem, runs < 10 ? runs : 10);
		long guest_rss = -1, hwm = -1;

		measure_rss_split(cove_mem, 64 * 1024, &guest_rss, &hwm);
		printf("  cove --mem 64M (hello): peak RSS %.2f MiB (wait4 maxrss; target <= 4 MiB)\n",
		       mr.maxrss_kb / 1024.0);
		if (hwm >= 0 && guest_rss >= 0)
			printf("  at exit: VmHWM %.2f MiB, guest RAM resident %.2f MiB, cove's own %.2f MiB "
			       "(target <= 1 MiB)\n",
			       hwm / 1024.0, guest_rss / 1024.0, (hwm - guest_rss) / 1024.0);
		else
			printf("  at exit: could not read /proc (ptrace refused?)\n");
	}
	if (stat(cove_stripped, &st) == 0)
		printf("  %s: %lld bytes (%.1f KiB)\n", cove_stripped, (long long)st.st_size,
		       st.st_size / 1024.0);
	else
		printf("  %s: not built\n", cove_stripped);

	unlink(blob_path);
	unlink(bios_path);
	rmdir(dir);
	return 0;
}
