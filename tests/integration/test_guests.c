/* Integration tests: run cove ($COVE) on the guests in $COVE_BUILD/guests
 * and assert on its exit status and what the guest printed. The "qemu"
 * suite runs the same guests under QEMU -M microvm, the peer, so a guest bug
 * and a cove bug can be told apart. Every run has a hard time limit. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_LIMIT_MS 60000
#define OUT_MAX (64 * 1024)
#define STATUS_TIMED_OUT -1

struct run {
	int status; /* exit status, 128 + signal, or STATUS_TIMED_OUT */
	char out[OUT_MAX], err[OUT_MAX];
	size_t outlen, errlen;
};

static struct run r;
static const char *run_stdin; /* file for the child's stdin; NULL: /dev/null */

static const char *cove(void)
{
	const char *c = getenv("COVE");
	return c ? c : "build/cove";
}

static const char *guest(const char *name)
{
	static char path[4][4096];
	static int next;
	const char *b = getenv("COVE_BUILD");
	char *p = path[next++ % 4];
	snprintf(p, sizeof(path[0]), "%s/guests/%s", b ? b : "build", name);
	return p;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drain(int *fd, char *buf, size_t *len)
{
	char tmp[4096];
	ssize_t n = read(*fd, tmp, sizeof(tmp));
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	size_t room = OUT_MAX - 1 - *len;
	size_t k = (size_t)n < room ? (size_t)n : room;
	memcpy(buf + *len, tmp, k);
	*len += k;
	buf[*len] = '\0';
}

/* Runs argv (NULL-terminated) with stdin from run_stdin, collecting stdout
 * and stderr into r; kills it after limit_ms. */
static void run_argv(char *const argv[], long limit_ms)
{
	int po[2], pe[2];
	memset(&r, 0, sizeof(r));
	cr_assert(pipe(po) == 0 && pipe(pe) == 0);
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int in = open(run_stdin ? run_stdin : "/dev/null", O_RDONLY);
		dup2(in, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		execv(argv[0], argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	int fo = po[0], fe = pe[0];
	long deadline = now_ms() + limit_ms;
	bool timed_out = false;
	while (fo >= 0 || fe >= 0) {
		long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		struct pollfd p[2] = {{.fd = fo, .events = POLLIN}, {.fd = fe, .events = POLLIN}};
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			break;
		if (fo >= 0 && p[0].revents)
			drain(&fo, r.out, &r.outlen);
		if (fe >= 0 && p[1].revents)
			drain(&fe, r.err, &r.errlen);
	}
	if (fo >= 0)
		close(fo);
	if (fe >= 0)
		close(fe);
	int st;
	waitpid(pid, &st, 0);
	if (timed_out)
		r.status = STATUS_TIMED_OUT;
	else
		r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define RUN(...)                                                 \
	do {                                                     \
		char *argv_[] = {(char *)cove(), __VA_ARGS__, NULL}; \
		run_argv(argv_, RUN_LIMIT_MS);                   \
	} while (0)
#define RUN0()                                            \
	do {                                              \
		char *argv_[] = {(char *)cove(), NULL};   \
		run_argv(argv_, RUN_LIMIT_MS);            \
	} while (0)

#define EXPECT_STATUS(want)                                                                            \
	cr_assert_eq(r.status, (want), "exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.status, (want), \
		     r.out, r.err)
#define EXPECT_OUT(s) cr_assert(strstr(r.out, (s)), "stdout lacks \"%s\"\nstdout:\n%s\nstderr:\n%s", (s), r.out, r.err)
#define EXPECT_NO_OUT(s) cr_assert(!strstr(r.out, (s)), "stdout has \"%s\"\nstdout:\n%s", (s), r.out)

static void need_cove(void)
{
	if (access(cove(), X_OK))
		cr_skip_test("no cove binary at %s yet", cove());
}

TestSuite(cove, .init = need_cove, .timeout = 90);

Test(cove, no_image_runs_builtin_hello_and_powers_off)
{
	RUN0();
	EXPECT_STATUS(0);
	EXPECT_OUT("Hello from cove: 1 vCPU, ");
	EXPECT_OUT("cmdline \"\"");
}

Test(cove, hello_reports_cpus_memory_and_cmdline)
{
	RUN("--cpus", "2", "-m", "128M", "-a", "greeting=yes x", "-k", (char *)guest("hello.elf"));
	EXPECT_STATUS(0);
	EXPECT_OUT("Hello from cove: 2 vCPUs, 128 MiB, cmdline \"greeting=yes x\"\n");
}

/* More vCPUs than the guest runtime starts (RT_MAX_CPUS, 64): the built-in
 * hello still counts every one the FDT lists. */
/* The runtime prints through cove's console port (FDT "cove,console"): a
 * line is one exit, where the UART takes an exit per byte on hosts that
 * emulate the guest's I/O instructions. */
Test(cove, hello_prints_through_the_console_port_in_a_few_exits)
{
	const char *p;

	RUN("--stats", "-a", "a fairly long command line to make the greeting longer than a few exits");
	EXPECT_OUT("Hello from cove: 1 vCPU, 64 MiB, cmdline \"a fairly long command line");
	EXPECT_STATUS(0);
	p = strstr(r.err, "cove: stats: exit io");
	cr_assert(p, "no io exit count: %s", r.err);
	cr_assert_leq(strtoul(p + strlen("cove: stats: exit io"), NULL, 10), 8,
		      "a 100-byte greeting took more than a few port exits: %s", r.err);
}

Test(cove, hello_counts_70_cpus_past_the_runtime_limit)
{
	RUN("--cpus", "70");
	EXPECT_STATUS(0);
	EXPECT_OUT("Hello from cove: 70 vCPUs, 64 MiB, ");
}

Test(cove, realmode_hello_prints_and_powers_off)
{
	RUN("--raw", (char *)guest("realmode-hello.bin"));
	EXPECT_STATUS(0);
	EXPECT_OUT("Hello from real mode\n");
}

Test(cove, a20_gate_off_wraps_at_1mib_and_on_does_not)
{
	RUN("--raw", (char *)guest("a20.bin"));
	EXPECT_OUT("a20: off wraps 0x100600 to 0x600, on keeps them apart: ok\n");
	EXPECT_STATUS(0);
}

Test(cove, a20_gate_through_the_i8042_output_port)
{
	RUN("--raw", (char *)guest("a20-kbc.bin"));
	EXPECT_OUT("a20: off wraps 0x100600 to 0x600, on keeps them apart: ok\n");
	EXPECT_STATUS(0);
}

/* KVM's own answer for its paravirt feature leaf (0x40000001), which cove
 * moves to 0x40000101. */
static uint32_t kvm_supported_pv_features(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	unsigned n = 256;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	uint32_t eax = 0;

	cr_assert(fd >= 0 && c);
	c->nent = n;
	cr_assert_eq(ioctl(fd, KVM_GET_SUPPORTED_CPUID, c), 0, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	for (unsigned i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0x40000001)
			eax = c->entries[i].eax;
	free(c);
	close(fd);
	return eax;
}

Test(cove, hypervisor_leaves_name_cove_and_kvm_with_the_host_policy_for_pv_features)
{
	uint32_t want = kvm_supported_pv_features();
	char line[64];

	/* Where KVM emulates the guest's kernel code (kvm_pvm), only
	 * kvm-clock, its stable bit and the port 0x80 no-op stay (cpuid.c). */
	if (access("/sys/module/kvm_pvm", F_OK) == 0)
		want &= (1u << 0) | (1u << 1) | (1u << 3) | (1u << 24);
	cr_assert(want & 1, "KVM offers no kvm-clock?");
	RUN("--raw", (char *)guest("realmode-cpuid.bin"));
	EXPECT_OUT("cpuid: 40000000 covecovecove\n");
	EXPECT_OUT("cpuid: 40000100 KVMKVMKVM");
	snprintf(line, sizeof(line), "cpuid: kvm features %08x\n", want);
	EXPECT_OUT(line);
	EXPECT_STATUS(0);
}

Test(cove, smp_two_cpus_both_come_up)
{
	RUN("--cpus", "2", "-k", (char *)guest("smp.elf"));
	EXPECT_OUT("smp: cpu 0 apic id 0 (boot), 2 cpus\n");
	EXPECT_OUT("smp: cpu 1 apic id 1\n");
	EXPECT_OUT("smp: 2 cpus up\n");
	EXPECT_STATUS(0);
}

Test(cove, smp_four_cpus_all_come_up_one_at_a_time)
{
	RUN("--cpus", "4", "-k", (char *)guest("smp.elf"));
	EXPECT_OUT("smp: cpu 2 apic id 2\n");
	EXPECT_OUT("smp: cpu 3 apic id 3\n");
	EXPECT_OUT("smp: 4 cpus up\n");
	EXPECT_STATUS(0);
}

Test(cove, smp_one_cpu_reports_one)
{
	RUN("--cpus", "1", "-k", (char *)guest("smp.elf"));
	EXPECT_OUT("smp: 1 cpus up\n");
	EXPECT_NO_OUT("smp: cpu 1 ");
	EXPECT_STATUS(0);
}

Test(cove, memmap_64m_start_info_and_fdt_agree)
{
	RUN("-m", "64M", "-a", "expect_mem=64M", "-k", (char *)guest("memmap.elf"));
	EXPECT_OUT("memmap: fdt ");
	EXPECT_OUT("memmap: last page 0x3fff000 usable\n");
	EXPECT_OUT("memmap: 64 MiB ok\n");
	EXPECT_STATUS(0);
}

Test(cove, memmap_1g_start_info_and_fdt_agree)
{
	RUN("-m", "1G", "-a", "expect_mem=1G", "-k", (char *)guest("memmap.elf"));
	EXPECT_OUT("memmap: last page 0x3ffff000 usable\n");
	EXPECT_OUT("memmap: 1024 MiB ok\n");
	EXPECT_STATUS(0);
}

Test(cove, memmap_4g_is_split_around_the_hole_and_usable_at_the_top)
{
	RUN("-m", "4G", "-a", "expect_mem=4G", "-k", (char *)guest("memmap.elf"));
	EXPECT_OUT("memmap: e820 0x100000000-0x13fffffff type 1\n");
	EXPECT_OUT("memmap: last page 0x13ffff000 usable\n");
	EXPECT_OUT("memmap: 4096 MiB ok\n");
	EXPECT_STATUS(0);
}

Test(cove, memmap_wrong_expectation_is_reported_bad)
{
	RUN("-m", "64M", "-a", "expect_mem=128M", "-k", (char *)guest("memmap.elf"));
	EXPECT_OUT("memmap: expected 128 MiB");
	EXPECT_OUT("memmap: 64 MiB BAD\n");
	EXPECT_STATUS((3 << 1) | 1);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

Test(cove, multiboot_sees_cmdline_and_both_modules)
{
	char d[] = "/tmp/cove-mb-XXXXXX", m1[64], m2[64], a1[96], a2[96];
	cr_assert(mkdtemp(d));
	snprintf(m1, sizeof(m1), "%s/one", d);
	snprintf(m2, sizeof(m2), "%s/two", d);
	write_file(m1, "MODULE-ONE-DATA", 15);
	write_file(m2, "\x01\x02\x03", 3);
	snprintf(a1, sizeof(a1), "%s,first", m1);
	snprintf(a2, sizeof(a2), "%s,second", m2);
	RUN("--module", a1, "--module", a2, "-a", "mb=1 x", "-k", (char *)guest("multiboot.elf"));
	unlink(m1);
	unlink(m2);
	rmdir(d);
	EXPECT_OUT("mb=1 x\"\n");
	EXPECT_OUT("multiboot: module 0 \"first\" 15 bytes: 4d 4f 44 55 4c 45 2d 4f\n");
	EXPECT_OUT("multiboot: module 1 \"second\" 3 bytes: 01 02 03\n");
	EXPECT_STATUS(0);
}

Test(cove, unknown_ports_and_mmio_read_all_ones)
{
	RUN("-k", (char *)guest("ports.elf"));
	EXPECT_OUT("ports: port 0x1234 mmio 0xe0000000 read all-ones, writes ignored: ok\n");
	EXPECT_STATUS(0);
}

/* The PIC and PIT are attached only for guests that need them (real mode,
 * firmware): to a PVH guest their ports are unclaimed, so what it writes
 * there is dropped and it reads all-ones (with a PIC, 0x21 reads back the
 * mask written; with a PIT, 0x40 reads the count). A --raw guest finds both. */
Test(cove, pvh_guest_finds_no_pic_or_pit)
{
	static const char *const ports[] = {"0x20", "0x21", "0xa0", "0xa1", "0x40", "0x42", "0x61"};

	for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		char arg[32], want[96];

		snprintf(arg, sizeof(arg), "port=%s", ports[i]);
		snprintf(want, sizeof(want),
			 "ports: port %s mmio 0xe0000000 read all-ones, writes ignored: ok\n", ports[i]);
		RUN("-a", arg, "-k", (char *)guest("ports.elf"));
		EXPECT_OUT(want);
		EXPECT_STATUS(0);
	}
}

Test(cove, raw_guest_finds_the_pic_and_pit)
{
	RUN("--raw", (char *)guest("realmode-legacy.bin"));
	EXPECT_OUT("legacy: pic yes, pit yes\n");
	EXPECT_STATUS(0);
}

Test(cove, serial_file_gets_the_output_stdout_does_not)
{
	char path[] = "/tmp/cove-serial-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	RUN("--serial", path);
	char buf[512] = "";
	FILE *f = fopen(path, "r");
	cr_assert(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	EXPECT_STATUS(0);
	EXPECT_NO_OUT("Hello from cove");
	cr_assert(strstr(buf, "Hello from cove: 1 vCPU, "), "serial file has: \"%s\"", buf);
}

Test(cove, serial_none_prints_nothing_and_still_powers_off)
{
	RUN("--serial", "none");
	EXPECT_STATUS(0);
	cr_assert_eq(r.outlen, 0, "stdout: \"%s\"", r.out);
}

Test(cove, guest_debug_exit_code_becomes_odd_status)
{
	RUN("-a", "code=33", "-k", (char *)guest("exits.elf"));
	EXPECT_OUT("exits: code 33\n");
	EXPECT_STATUS((33 << 1) | 1);
}

Test(cove, guest_page_fault_is_reported_with_vector_and_address)
{
	RUN("-a", "fault=pf", "-k", (char *)guest("exits.elf"));
	EXPECT_OUT("rt: exception 14 error 0x4 rip 0x");
	EXPECT_OUT("cr2 0x100000000\n");
	EXPECT_STATUS((0x7e << 1) | 1);
}

Test(cove, guest_invalid_opcode_is_reported)
{
	RUN("-a", "fault=ud", "-k", (char *)guest("exits.elf"));
	EXPECT_OUT("rt: exception 6 error 0x0 rip 0x");
	EXPECT_STATUS((0x7e << 1) | 1);
}

Test(cove, spinning_guest_ends_with_timeout_status)
{
	RUN("--timeout", "1", "-a", "spin", "-k", (char *)guest("exits.elf"));
	EXPECT_OUT("exits: spinning\n");
	EXPECT_STATUS(124);
}

Test(cove, guest_triple_fault_is_a_crash_status)
{
	RUN("-a", "fault=triple", "-k", (char *)guest("exits.elf"));
	EXPECT_OUT("exits: clearing the IDT, then ud2\n");
	EXPECT_NO_OUT("rt: exception");
	EXPECT_STATUS(10);
}

Test(cove, i8042_reset_ends_with_reset_status)
{
	RUN("-a", "reset=kbd", "-k", (char *)guest("exits.elf"));
	EXPECT_NO_OUT("still running");
	EXPECT_STATUS(8);
}

Test(cove, power_reset_register_ends_with_reset_status)
{
	RUN("-a", "reset=power", "-k", (char *)guest("exits.elf"));
	EXPECT_NO_OUT("still running");
	EXPECT_STATUS(8);
}

static void fuzz_run(const char *seed, bool rng)
{
	char arg[64];
	snprintf(arg, sizeof(arg), "seed=%s n=3000", seed);
	if (rng)
		RUN("--rng", "-a", arg, "-k", (char *)guest("fuzz.elf"));
	else
		RUN("-a", arg, "-k", (char *)guest("fuzz.elf"));
	EXPECT_OUT("fuzz: survived 3000 accesses\n");
	EXPECT_STATUS(0);
}

Test(cove, hostile_device_accesses_seed1_leave_vm_working) { fuzz_run("1", false); }
Test(cove, hostile_device_accesses_seed2_leave_vm_working) { fuzz_run("2", false); }
Test(cove, hostile_device_accesses_with_virtio_rng_leave_vm_working) { fuzz_run("3", true); }

Test(cove, pvh_start_info_and_fdt_follow_the_boot_contract)
{
	RUN("--cpus", "2", "-a", "x=1 y", "-k", (char *)guest("bootinfo.elf"));
	EXPECT_STATUS(0);
	unsigned version = 0, nmods = 0, nmap = 0;
	const char *p = strstr(r.out, "bootinfo: start info version ");
	cr_assert(p && sscanf(p, "bootinfo: start info version %u modules %u memmap %u", &version, &nmods, &nmap) == 3,
		  "no start info line:\n%s", r.out);
	cr_expect_geq(version, 1, "start info version %u has no memmap", version);
	cr_expect_geq(nmap, 1);
	cr_assert_geq(nmods, 1, "no modules: the FDT is missing");
	char want[64];
	snprintf(want, sizeof(want), "bootinfo: module %u \"cove-fdt\" ", nmods - 1);
	EXPECT_OUT(want);
	EXPECT_OUT("bootinfo: fdt bootargs \"x=1 y\" cpus 2\n");
	EXPECT_OUT("bootinfo: device ns16550a pio 0x3f8+0x8 irq 4\n");
	EXPECT_OUT("bootinfo: device cove,power pio 0x600+");
}

Test(cove, raw_image_entered_at_0000_7c00_with_dl_80)
{
	RUN("--raw", (char *)guest("realmode-regs.bin"));
	EXPECT_OUT("regs: dl=80 cs=0000 ip=7c00\n");
	EXPECT_STATUS(0);
}

Test(cove, console_input_reaches_the_guest)
{
	char path[] = "/tmp/cove-stdin-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "hello cove\n", 11), 11);
	close(fd);
	run_stdin = path;
	RUN("-k", (char *)guest("echo.elf"));
	run_stdin = NULL;
	unlink(path);
	EXPECT_OUT("echo: hello cove\n");
	EXPECT_STATUS(0);
}

Test(cove, console_without_input_times_out_in_the_guest)
{
	RUN("-a", "wait=1", "-k", (char *)guest("echo.elf"));
	EXPECT_OUT("echo: timed out after \"\"\n");
	EXPECT_STATUS((8 << 1) | 1);
}

/* KVM's in-kernel emulator gives up on these at CPL0 here (QEMU stops with
 * "KVM internal error. Suberror: 1" on both guests), so there is no QEMU
 * peer: cove's x86emu must finish them and match the native CPL3 result. */
Test(cove, cmpxchg16b_at_cpl0_matches_native)
{
	RUN("-k", (char *)guest("emul-cx16.elf"));
	EXPECT_OUT("emul: cmpxchg16b cpl0 ok, cpl3 ok\n");
	EXPECT_STATUS(0);
}

Test(cove, xsave64_xrstor64_at_cpl0_match_native)
{
	RUN("-k", (char *)guest("emul-xsave.elf"));
	EXPECT_OUT("emul: xsave64/xrstor64 cpl0 ok, cpl3 ok\n");
	EXPECT_STATUS(0);
}

/* 64 SSE2/SSSE3 instructions in a row at CPL0: KVM gives up on the first,
 * and x86emu runs the rest of the run in the same exit (a burst). */
Test(cove, sse_run_at_cpl0_matches_native_in_one_burst)
{
	const char *p;
	unsigned long emulated = 0, burst = 0, gaveup = 0;

	RUN("--stats", "-k", (char *)guest("emul-sse.elf"));
	EXPECT_OUT("emul: sse run cpl0 ok, cpl3 ok\n");
	EXPECT_STATUS(0);
	if (access("/sys/module/kvm_pvm", F_OK) != 0)
		return; /* CPL0 runs natively: nothing for x86emu to do */
	p = strstr(r.err, "instructions emulated by x86emu");
	cr_assert(p, "no x86emu line in --stats: %s", r.err);
	p--; /* the space before it, then back over the count */
	while (p > r.err && p[-1] >= '0' && p[-1] <= '9')
		p--;
	emulated = strtoul(p, NULL, 10);
	p = strstr(r.err, "in bursts after the one KVM gave up on: ");
	cr_assert(p, "no burst line in --stats: %s", r.err);
	burst = strtoul(p + strlen("in bursts after the one KVM gave up on: "), NULL, 10);
	p = strstr(r.err, "exit internal_error");
	cr_assert(p, "no KVM give-up at all: %s", r.err);
	gaveup = strtoul(p + strlen("exit internal_error"), NULL, 10);
	cr_assert_geq(emulated, 64, "%s", r.err);
	cr_assert_leq(gaveup, 4, "an exit per SSE instruction, not a burst: %s", r.err);
	cr_assert_eq(emulated - burst, gaveup, "every emulated instruction is a give-up or in a burst: %s", r.err);
}

/* Figures only (see exitcost.c); the test proves the guest runs to its end
 * and reports every figure. */
Test(cove, exitcost_reports_every_figure)
{
	RUN("-a", "n=200", "-k", (char *)guest("exitcost.elf"));
	EXPECT_OUT("exitcost: cycles per exit (n=200): outb ");
	EXPECT_OUT(" lapic-read ");
	EXPECT_STATUS(0);
}

/* Whether the host enters the guest's kernel mode on SYSCALL from user
 * mode. Where KVM runs guest kernel code natively (VMX/SVM) it does; on the
 * kvm_pvm hosts of HOST.md the call lands at LSTAR still at CPL3 with the
 * host's user CS (0x33), so a 64-bit Linux's init dies at its first system
 * call. QEMU's run below shows the same. */
static bool host_is_kvm_pvm(void)
{
	return access("/sys/module/kvm_pvm", F_OK) == 0;
}

Test(cove, syscall_from_cpl3_enters_cpl0_unless_the_host_is_kvm_pvm)
{
	RUN("-k", (char *)guest("syscall.elf"));
	if (host_is_kvm_pvm()) {
		EXPECT_OUT("syscall: 3 of 3 arrived at cpl3 (cs 0x33)\n");
		EXPECT_STATUS((3 << 1) | 1);
	} else {
		EXPECT_OUT("syscall: 3 of 3 arrived at cpl0 (cs 0x8)\n");
		EXPECT_STATUS(0);
	}
}

Test(cove, missing_image_is_a_one_line_image_error)
{
	RUN("-k", "/nonexistent/cove-guest.elf");
	EXPECT_STATUS(4);
	cr_assert(!strncmp(r.err, "cove: ", 6), "stderr: \"%s\"", r.err);
	cr_assert(strchr(r.err, '\n') == r.err + r.errlen - 1, "not one line: \"%s\"", r.err);
}

/* The same guests under QEMU: proves the guests themselves. QEMU has no FDT
 * for them, so they use the runtime's defaults; its isa-debug-exit sits at
 * 0xf4 here, so a power-off there is status 1 (debug exit 0). */
#define QEMU "/usr/bin/qemu-system-x86_64"
#define QEMU_POWEROFF 1

static void need_qemu(void)
{
	if (access(QEMU, X_OK) || access("/dev/kvm", R_OK | W_OK))
		cr_skip_test("no %s or /dev/kvm", QEMU);
}

TestSuite(qemu, .init = need_qemu, .timeout = 90);

#define QEMU_RUN(machine, ...) QEMU_RUN_ACCEL(machine, "kvm", __VA_ARGS__)
#define QEMU_RUN_ACCEL(machine, accel, ...)                                                                 \
	do {                                                                                             \
		char *argv_[] = {QEMU, "-M", machine, "-accel", (char *)(accel), "-nodefaults", "-nographic",       \
				 "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=4", \
				 __VA_ARGS__, NULL};                                                      \
		run_argv(argv_, RUN_LIMIT_MS);                                                           \
	} while (0)

Test(qemu, hello_prints_greeting)
{
	QEMU_RUN("microvm", "-m", "64M", "-append", "q=1", "-kernel", (char *)guest("hello.elf"));
	EXPECT_OUT("Hello from cove: 1 vCPU, 64 MiB, cmdline \"q=1\"\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

/* The peer on the same host: the same SYSCALL outcome as under cove. */
Test(qemu, syscall_from_cpl3_lands_as_under_cove)
{
	QEMU_RUN("microvm", "-m", "64M", "-kernel", (char *)guest("syscall.elf"));
	if (host_is_kvm_pvm()) {
		EXPECT_OUT("syscall: 3 of 3 arrived at cpl3 (cs 0x33)\n");
		EXPECT_STATUS((3 << 1) | 1);
	} else {
		EXPECT_OUT("syscall: 3 of 3 arrived at cpl0 (cs 0x8)\n");
		EXPECT_STATUS(QEMU_POWEROFF);
	}
}

Test(qemu, smp_two_cpus_both_come_up)
{
	QEMU_RUN("microvm", "-smp", "2", "-m", "64M", "-append", "cpus=2", "-kernel", (char *)guest("smp.elf"));
	EXPECT_OUT("smp: cpu 1 apic id 1\n");
	EXPECT_OUT("smp: 2 cpus up\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

/* cove's configuration: LAPICs in the kernel, the rest in userspace. */
Test(qemu, smp_two_cpus_come_up_with_split_irqchip)
{
	QEMU_RUN_ACCEL("microvm", "kvm,kernel-irqchip=split", "-smp", "2", "-m", "64M", "-append", "cpus=2", "-kernel",
		       (char *)guest("smp.elf"));
	EXPECT_OUT("smp: cpu 1 apic id 1\n");
	EXPECT_OUT("smp: 2 cpus up\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

Test(qemu, smp_missing_cpu_times_out_with_failure_status)
{
	/* Asks for 2 CPUs on a 1-CPU machine: the AP never answers. */
	QEMU_RUN("microvm", "-smp", "1", "-m", "64M", "-append", "cpus=2", "-kernel", (char *)guest("smp.elf"));
	EXPECT_OUT("smp: cpu 1 (apic id 1) did not start (-1)\n");
	EXPECT_STATUS((2 << 1) | 1);
}

Test(qemu, memmap_1g_agrees_with_expectation)
{
	QEMU_RUN("microvm", "-m", "1G", "-append", "expect_mem=1G", "-kernel", (char *)guest("memmap.elf"));
	EXPECT_OUT("memmap: last page 0x3ffff000 usable\n");
	EXPECT_OUT("memmap: 1024 MiB ok\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

Test(qemu, memmap_4g_is_usable_above_4g)
{
	QEMU_RUN("microvm", "-m", "4G", "-append", "expect_mem=4G", "-kernel", (char *)guest("memmap.elf"));
	EXPECT_OUT("memmap: last page 0x13ffff000 usable\n");
	EXPECT_OUT("memmap: 4096 MiB ok\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

Test(qemu, memmap_wrong_expectation_is_bad)
{
	QEMU_RUN("microvm", "-m", "64M", "-append", "expect_mem=1G", "-kernel", (char *)guest("memmap.elf"));
	EXPECT_OUT("memmap: 64 MiB BAD\n");
	EXPECT_STATUS((3 << 1) | 1);
}

Test(qemu, unknown_ports_read_all_ones)
{
	/* QEMU reads unassigned MMIO as 0, unlike cove: here only the port
	 * reads must be all-ones, and the guest must notice the MMIO zeros. */
	QEMU_RUN("microvm", "-m", "64M", "-kernel", (char *)guest("ports.elf"));
	cr_assert(!strstr(r.out, "ports: in"), "a port read was not all-ones:\n%s", r.out);
	EXPECT_OUT("ports: mmio8 read 0x0");
}

Test(qemu, multiboot_sees_cmdline_and_modules)
{
	char d[] = "/tmp/cove-mbq-XXXXXX", m1[64], m2[64], mods[256];
	cr_assert(mkdtemp(d));
	snprintf(m1, sizeof(m1), "%s/one", d);
	snprintf(m2, sizeof(m2), "%s/two", d);
	write_file(m1, "MODULE-ONE-DATA", 15);
	write_file(m2, "\x01\x02\x03", 3);
	snprintf(mods, sizeof(mods), "%s first,%s second", m1, m2);
	QEMU_RUN("pc", "-m", "64M", "-append", "mb=1 x", "-initrd", mods, "-kernel", (char *)guest("multiboot.elf"));
	unlink(m1);
	unlink(m2);
	rmdir(d);
	EXPECT_OUT("mb=1 x\"\n");
	EXPECT_OUT("15 bytes: 4d 4f 44 55 4c 45 2d 4f\n");
	EXPECT_OUT("3 bytes: 01 02 03\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

Test(qemu, guest_page_fault_is_reported)
{
	QEMU_RUN("microvm", "-m", "64M", "-append", "fault=pf", "-kernel", (char *)guest("exits.elf"));
	EXPECT_OUT("rt: exception 14 error 0x4 rip 0x");
	EXPECT_OUT("cr2 0x100000000\n");
	EXPECT_STATUS((0x7e << 1) | 1);
}

Test(qemu, exitcost_reports_every_figure)
{
	QEMU_RUN("microvm", "-m", "64M", "-append", "n=200", "-kernel", (char *)guest("exitcost.elf"));
	EXPECT_OUT("exitcost: cycles per exit (n=200): outb ");
	EXPECT_OUT(" lapic-read ");
	EXPECT_STATUS(QEMU_POWEROFF);
}

Test(qemu, hostile_device_accesses_leave_vm_working)
{
	QEMU_RUN("microvm", "-m", "64M", "-append", "seed=1 n=3000", "-kernel", (char *)guest("fuzz.elf"));
	EXPECT_OUT("fuzz: survived 3000 accesses\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

Test(qemu, console_input_reaches_the_guest)
{
	char path[] = "/tmp/cove-stdin-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "hello cove\n", 11), 11);
	close(fd);
	run_stdin = path;
	QEMU_RUN("microvm", "-m", "64M", "-kernel", (char *)guest("echo.elf"));
	run_stdin = NULL;
	unlink(path);
	EXPECT_OUT("echo: hello cove\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

Test(qemu, guest_exit_code_passes_through)
{
	QEMU_RUN("microvm", "-m", "64M", "-append", "code=33", "-kernel", (char *)guest("exits.elf"));
	EXPECT_STATUS((33 << 1) | 1);
}

/* A raw real-mode image as a boot sector: SeaBIOS loads it at 0x7c00 and
 * enters it with DL = 0x80, as cove's --raw does. */
static void make_boot_disk(const char *image, char *disk, size_t len)
{
	unsigned char sector[512] = {0};
	FILE *f = fopen(image, "rb");
	cr_assert(f, "%s: %s", image, strerror(errno));
	size_t n = fread(sector, 1, 510, f);
	cr_assert(n > 0 && feof(f), "%s does not fit a boot sector", image);
	fclose(f);
	sector[510] = 0x55;
	sector[511] = 0xaa;
	snprintf(disk, len, "/tmp/cove-boot-XXXXXX");
	int fd = mkstemp(disk);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, sector, sizeof(sector)), (ssize_t)sizeof(sector));
	close(fd);
}

static void qemu_boot_sector(const char *image, const char *accel)
{
	char disk[64], drive[128];
	make_boot_disk(image, disk, sizeof(disk));
	snprintf(drive, sizeof(drive), "file=%s,format=raw,if=ide", disk);
	QEMU_RUN_ACCEL("pc", accel, "-m", "16M", "-drive", drive);
	unlink(disk);
}

Test(qemu, realmode_hello_boots_as_boot_sector)
{
	qemu_boot_sector(guest("realmode-hello.bin"), "kvm");
	EXPECT_OUT("Hello from real mode\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

Test(qemu, realmode_legacy_finds_the_pic_and_pit)
{
	qemu_boot_sector(guest("realmode-legacy.bin"), "kvm");
	EXPECT_OUT("legacy: pic yes, pit yes\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

Test(qemu, realmode_regs_reports_boot_sector_entry)
{
	qemu_boot_sector(guest("realmode-regs.bin"), "kvm");
	EXPECT_OUT("regs: dl=80 cs=0000 ip=7c00\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

/* KVM has no A20 gate (QEMU under KVM never wraps), so the peer for this
 * one is QEMU's own emulator. */
Test(qemu, a20_gate_off_wraps_at_1mib_and_on_does_not)
{
	qemu_boot_sector(guest("a20.bin"), "tcg");
	EXPECT_OUT("a20: off wraps 0x100600 to 0x600, on keeps them apart: ok\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}

Test(qemu, a20_gate_through_the_i8042_output_port)
{
	qemu_boot_sector(guest("a20-kbc.bin"), "tcg");
	EXPECT_OUT("a20: off wraps 0x100600 to 0x600, on keeps them apart: ok\n");
	EXPECT_STATUS(QEMU_POWEROFF);
}
