/* Boots Debian's cloud kernel under cove: 2 vCPUs, a virtio-blk disk with a
 * marker, a virtio-rng, the test initramfs (tests/linux/init). On this host
 * every guest CPL0 instruction is emulated by KVM, so this takes minutes. */
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

/* What init prints once it has checked the machine; the e820 map is the one
 * cove builds for 512 MiB (mem/: RAM below the legacy hole and from 1 MiB,
 * the BIOS area reserved, the MMIO window below 4 GiB reserved). */
static void expect_machine(const struct run *r, const char *how)
{
	static const char *const e820[] = {
	    "cove-linux: e820 0x0000000000000000-0x000000000009ffff usable\n",
	    "cove-linux: e820 0x00000000000a0000-0x00000000000fffff reserved\n",
	    "cove-linux: e820 0x0000000000100000-0x000000001fffffff usable\n",
	    "cove-linux: e820 0x00000000c0000000-0x00000000ffffffff reserved\n",
	};

	cr_assert(strstr(r->out, "cove-linux: userspace"), "%s: Linux did not reach userspace:\n%s", how, r->out);
	cr_assert(strstr(r->out, "nproc=2 "), "%s: Linux did not bring both CPUs up:\n%s", how, r->out);
	cr_assert(strstr(r->out, "marker=" MARKER), "%s: the disk marker was not read:\n%s", how, r->out);
	cr_assert(strstr(r->out, "rng=virtio_rng"), "%s: virtio-rng is not the current hwrng:\n%s", how, r->out);
	cr_assert(strstr(r->out, "entropy=32"), "%s: no entropy from /dev/hwrng:\n%s", how, r->out);
	for (unsigned i = 0; i < sizeof(e820) / sizeof(e820[0]); i++)
		cr_assert(strstr(r->out, e820[i]), "%s: e820 lacks '%s':\n%s", how, e820[i], r->out);
	cr_assert(strstr(r->out, "cove-linux: done"), "%s: init did not finish:\n%s", how, r->out);
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
		  "%s: poweroff -f must end cove with status 0 (powered off), got %#x:\n%s", how, r->status, r->out);
}

/* Boots kernel (a file in the cache) with the test initramfs, 2 vCPUs,
 * 512 MiB, a disk with the marker and a virtio-rng. The command line keeps
 * the guest's own work small (quiet console, no speculation mitigations, no
 * zeroing of every allocation, no lockup watchdog, no crypto self-tests,
 * whose RSA private-key vectors alone take many minutes): on hosts where
 * KVM emulates every guest kernel instruction each of them costs minutes. */
static struct run boot(const char *kernel_name)
{
	const char *cove = getenv("COVE");
	cr_assert(cove, "COVE is not set");
	fetch();

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
			"console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off init_on_alloc=0 nowatchdog cryptomgr.notests cove_test=1",
			"--disk",
			disk,
			"--rng",
			"--cpus",
			"2",
			"--mem",
			"512M",
			"--timeout",
			"3000",
			"--stats",
			NULL};
	struct run r = run_cove(argv);
	unlink(disk);
	return r;
}

Test(linux_boot, debian_bzimage_boots_to_userspace_with_two_cpus_disk_and_rng, .timeout = 3300)
{
	struct run r = boot("vmlinuz");

	expect_machine(&r, "bzImage");
	free(r.out);
}

/* The same kernel's uncompressed vmlinux (fetch.sh takes it out of the
 * bzImage), entered through its PVH note: ACPI comes through the start
 * info's rsdp_paddr, the memory map through its memmap. */
Test(linux_boot, debian_vmlinux_boots_through_pvh_to_userspace, .timeout = 3300)
{
	struct run r = boot("vmlinux");

	expect_machine(&r, "vmlinux (PVH)");
	free(r.out);
}
