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

Test(linux_boot, debian_kernel_boots_to_userspace_with_two_cpus_disk_and_rng, .timeout = 1500)
{
	fetch();
	const char *cove = getenv("COVE");
	cr_assert(cove, "COVE is not set");

	char disk[] = "/tmp/cove-linux-disk-XXXXXX";
	int fd = mkstemp(disk);
	cr_assert_geq(fd, 0);
	char sector[4096] = MARKER;
	for (int i = 0; i < 256; i++)
		cr_assert_eq(write(fd, sector, sizeof(sector)), (ssize_t)sizeof(sector));
	close(fd);

	char kernel[600], initrd[600], diskarg[600];
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", cache);
	snprintf(initrd, sizeof(initrd), "%s/initramfs.cpio.gz", cache);
	snprintf(diskarg, sizeof(diskarg), "%s", disk);
	char *argv[] = {(char *)cove, "-k", kernel, "-i", initrd, "-a",
			"console=ttyS0 earlyprintk=ttyS0 panic=-1 quiet loglevel=4 cove_test=1",
			"--disk", diskarg, "--rng", "--cpus", "2", "--mem", "512M", "--timeout", "1400",
			"--stats", NULL};
	struct run r = run_cove(argv);
	unlink(disk);

	cr_assert(strstr(r.out, "cove-linux: userspace"), "Linux did not reach userspace:\n%s", r.out);
	cr_assert(strstr(r.out, "nproc=2 "), "Linux did not bring both CPUs up:\n%s", r.out);
	cr_assert(strstr(r.out, "marker=" MARKER), "the disk marker was not read:\n%s", r.out);
	cr_assert(strstr(r.out, "rng=virtio_rng"), "virtio-rng is not the current hwrng:\n%s", r.out);
	cr_assert(strstr(r.out, "entropy=32 "), "no entropy from /dev/hwrng:\n%s", r.out);
	cr_assert(strstr(r.out, "usable=") && !strstr(r.out, "usable=0"), "no usable e820 RAM:\n%s", r.out);
	cr_assert(strstr(r.out, "cove-linux: done"), "init did not finish:\n%s", r.out);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
		  "poweroff -f must end cove with status 0 (powered off), got %#x:\n%s", r.status, r.out);
	free(r.out);
}
