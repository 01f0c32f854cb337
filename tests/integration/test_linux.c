/* Boots Debian's cloud kernel under cove: 2 vCPUs, a virtio-blk disk with a
 * marker, a virtio-rng, the test initramfs (tests/linux/init), once as the
 * bzImage and once as the vmlinux inside it, through its PVH note.
 *
 * Where the host delivers SYSCALL from guest user mode to the guest's kernel
 * (every VMX/SVM host), init runs: it loads the virtio modules, reads the
 * marker, checks nproc and the e820 map, and powers off. On the kvm_pvm hosts
 * of HOST.md it cannot (guests/syscall.c shows it, under cove and QEMU
 * alike): SYSCALL lands at LSTAR still at CPL3, so init dies at its first
 * system call. There the test asserts everything up to that point from the
 * kernel's own log (cove's command-line words, e820, ACPI, both CPUs, the
 * hand-over to init), that the failure is exactly that one, and that the
 * kernel's panic reboot ends cove with the reset status. Every guest kernel
 * instruction is emulated by KVM on such a host: this takes minutes. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARKER "cove-marker-5b2e"
#define STATUS_RESET 8

static char cache[512];

/* Runs tests/linux/fetch.sh and remembers the cache folder it prints. */
static void fetch(void)
{
	FILE *p = popen("tests/linux/fetch.sh", "r");
	cr_assert(p, "cannot run tests/linux/fetch.sh");
	char line[512] = "";
	while (fgets(line, sizeof(line), p))
		snprintf(cache, sizeof(cache), "%s", line);
	cr_assert_eq(pclose(p), 0, "tests/linux/fetch.sh failed (apt-get download of the kernel?)");
	cache[strcspn(cache, "\n")] = 0;
	cr_assert(cache[0]);
}

struct run {
	int status;
	char *out;
	size_t len;
};

/* Runs cove with argv, output to a file, and waits. */
static struct run run_cove(char *const argv[])
{
	char outpath[] = "/tmp/cove-linux-out-XXXXXX";
	int fd = mkstemp(outpath);
	cr_assert_geq(fd, 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	struct run r = {0};
	cr_assert_eq(waitpid(pid, &r.status, 0), pid);
	off_t n = lseek(fd, 0, SEEK_END);
	r.out = calloc(1, (size_t)n + 1);
	cr_assert_eq(pread(fd, r.out, (size_t)n, 0), n);
	r.len = (size_t)n;
	close(fd);
	unlink(outpath);
	return r;
}

static const char *const e820_lines[] = {
    "0x0000000000000000-0x000000000009ffff] usable",
    "0x00000000000a0000-0x00000000000fffff] reserved",
    "0x0000000000100000-0x000000001fffffff] usable",
    "0x00000000c0000000-0x00000000ffffffff] reserved",
};

/* Whether this host enters the guest's kernel on SYSCALL from user mode:
 * guests/syscall.elf exits 0 when it does, with debug-exit code 3 (status
 * 7) when the call arrives at CPL3. */
static bool host_delivers_syscalls(const char *cove)
{
	const char *b = getenv("COVE_BUILD");
	char elf[600];
	char *argv[] = {(char *)cove, "-k", elf, NULL};

	snprintf(elf, sizeof(elf), "%s/guests/syscall.elf", b ? b : "build");
	struct run r = run_cove(argv);
	int st = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
	cr_assert(st == 0 || st == 7, "guests/syscall.elf: unexpected status %d:\n%s", st, r.out);
	free(r.out);
	return st == 0;
}

/* What init prints once it has checked the machine; the e820 map is the one
 * cove builds for 512 MiB (mem/: RAM below the legacy hole and from 1 MiB,
 * the BIOS area reserved, the MMIO window below 4 GiB reserved). */
static void expect_userspace(const struct run *r, const char *how)
{
	char want[128];

	cr_assert(strstr(r->out, "cove-linux: userspace"), "%s: Linux did not reach userspace:\n%s", how, r->out);
	cr_assert(strstr(r->out, "nproc=2 "), "%s: Linux did not bring both CPUs up:\n%s", how, r->out);
	cr_assert(strstr(r->out, "marker=" MARKER), "%s: the disk marker was not read:\n%s", how, r->out);
	cr_assert(strstr(r->out, "rng=virtio_rng"), "%s: virtio-rng is not the current hwrng:\n%s", how, r->out);
	cr_assert(strstr(r->out, "entropy=32"), "%s: no entropy from /dev/hwrng:\n%s", how, r->out);
	for (unsigned i = 0; i < sizeof(e820_lines) / sizeof(e820_lines[0]); i++) {
		snprintf(want, sizeof(want), "cove-linux: e820 %s", e820_lines[i]);
		*strchr(want, ']') = ' '; /* init prints "A-B type", the kernel "[mem A-B] type" */
		cr_assert(strstr(r->out, want), "%s: e820 lacks '%s':\n%s", how, want, r->out);
	}
	cr_assert(strstr(r->out, "cove-linux: done"), "%s: init did not finish:\n%s", how, r->out);
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
		  "%s: poweroff -f must end cove with status 0 (powered off), got %#x:\n%s", how, r->status, r->out);
}

/* Does the line of out that contains start (its first) also contain word
 * after it? The kernel's console ends its lines with "\r\n". */
static bool line_has(const char *out, const char *start, const char *word)
{
	const char *p = strstr(out, start);
	if (!p)
		return false;
	size_t n = strcspn(p, "\r\n");
	const char *w = strstr(p, word);
	return w && (size_t)(w - p) + strlen(word) <= n;
}

/* The kernel's own account, up to init's first system call, on a host that
 * cannot deliver it (see the top of this file). */
static void expect_kernel_until_init(const struct run *r, const char *how)
{
	char want[128];

	cr_assert(strstr(r->out, "Linux version 6."), "%s: no kernel output:\n%s", how, r->out);
	cr_assert(line_has(r->out, "Command line: console=ttyS0 panic=-1", " noxsave"),
		  "%s: the kernel did not get cove's command line with its host words:\n%s", how, r->out);
	for (unsigned i = 0; i < sizeof(e820_lines) / sizeof(e820_lines[0]); i++) {
		snprintf(want, sizeof(want), "BIOS-e820: [mem %s", e820_lines[i]);
		cr_assert(strstr(r->out, want), "%s: e820 lacks '%s':\n%s", how, want, r->out);
	}
	cr_assert(strstr(r->out, "ACPI: RSDP 0x00000000000E0000") && strstr(r->out, "ACPI: APIC") &&
		      strstr(r->out, "COVE"),
		  "%s: the kernel did not find cove's ACPI tables:\n%s", how, r->out);
	cr_assert(strstr(r->out, "smp: Brought up 1 node, 2 CPUs"), "%s: not both CPUs:\n%s", how, r->out);
	cr_assert(strstr(r->out, "Run /init as init process"), "%s: the kernel never started init:\n%s", how,
		  r->out);
	cr_assert(strstr(r->out, "init[1]: segfault at ") && strstr(r->out, "RIP: 0033:entry_SYSCALL_64"),
		  "%s: init did not die where this host's SYSCALL leaves it:\n%s", how, r->out);
	cr_assert(strstr(r->out, "Kernel panic - not syncing: Attempted to kill init!"),
		  "%s: no panic after init died:\n%s", how, r->out);
	cr_assert(strstr(r->out, "instructions emulated by x86emu"),
		  "%s: x86emu never ran (KVM gives up on some of the kernel's instructions here):\n%s", how, r->out);
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == STATUS_RESET,
		  "%s: the panic's reboot must end cove with status 8 (reset), got %#x:\n%s", how, r->status, r->out);
}

/* Boots kernel (a file in the cache) with the test initramfs, 2 vCPUs,
 * 512 MiB, a disk with the marker and a virtio-rng. The command line keeps
 * the guest's own work small (no speculation mitigations, no zeroing of
 * every allocation, no lockup watchdog, no crypto self-tests, whose RSA
 * private-key vectors alone take many minutes): on hosts where KVM emulates
 * every guest kernel instruction each of them costs minutes. The kernel's
 * log stays on (console loglevel 7): on a host where init cannot run it is
 * the only account of the boot. panic=-1: a panic reboots at once. */
static struct run boot(const char *cove, const char *kernel_name)
{
	char disk[] = "/tmp/cove-linux-disk-XXXXXX";
	int fd = mkstemp(disk);
	cr_assert_geq(fd, 0);
	char sector[4096] = MARKER;
	for (int i = 0; i < 256; i++)
		cr_assert_eq(write(fd, sector, sizeof(sector)), (ssize_t)sizeof(sector));
	close(fd);

	char kernel[600], initrd[600];
	snprintf(kernel, sizeof(kernel), "%s/%s", cache, kernel_name);
	snprintf(initrd, sizeof(initrd), "%s/initramfs.cpio", cache);
	char *argv[] = {(char *)cove,
			"-k",
			kernel,
			"-i",
			initrd,
			"-a",
			"console=ttyS0 panic=-1 mitigations=off init_on_alloc=0 nowatchdog cryptomgr.notests",
			"--disk",
			disk,
			"--rng",
			"--cpus",
			"2",
			"--mem",
			"512M",
			"--timeout",
			"2400",
			"--stats",
			NULL};
	struct run r = run_cove(argv);
	unlink(disk);
	return r;
}

static void boot_and_check(const char *kernel_name, const char *how)
{
	const char *cove = getenv("COVE");
	cr_assert(cove, "COVE is not set");
	fetch();
	bool userspace = host_delivers_syscalls(cove);
	struct run r = boot(cove, kernel_name);

	if (userspace)
		expect_userspace(&r, how);
	else
		expect_kernel_until_init(&r, how);
	free(r.out);
}

Test(linux_boot, debian_bzimage_boots_with_two_cpus_disk_and_rng, .timeout = 2700)
{
	boot_and_check("vmlinuz", "bzImage");
}

/* The same kernel's uncompressed vmlinux (fetch.sh takes it out of the
 * bzImage), entered through its PVH note: ACPI comes through the start
 * info's rsdp_paddr, the memory map through its memmap. */
Test(linux_boot, debian_vmlinux_boots_through_pvh, .timeout = 2700)
{
	boot_and_check("vmlinux", "vmlinux (PVH)");
}
