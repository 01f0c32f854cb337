/* Nothing lost: cove is killed with SIGKILL while the guest (blktest
 * loop=1) writes sector n = n and flushes, over and over; every n the guest
 * printed as acknowledged after its flush completed must be in the file.
 *
 * On a regular file that holds even if FLUSH did nothing: the page cache
 * outlives the process. The second test makes it count: the disk is a loop
 * device over a file, and after the kill the test reads the file under the
 * loop device, which holds only what reached the device below the page
 * cache, as after a power cut. The test keeps the loop device open meanwhile,
 * so cove's exit is not its last close (the kernel writes a block device's
 * dirty pages back at that one). Only a FLUSH (fdatasync) or the kernel's own
 * write-back, which waits until a page is dirty_expire_centisecs old (30 s by
 * default, far longer than the run), moves the guest's writes down there. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs blktest loop=1 on disk, kills cove once the guest acknowledged 300
 * flushed writes; returns the last n acknowledged. */
static unsigned long kill_mid_loop(const char *disk)
{
	char elf[512], line[64];
	unsigned long acked = 0, n;
	int p[2], st;
	FILE *f;
	pid_t pid;

	snprintf(elf, sizeof(elf), "%s/guests/virtio/blktest.elf", getenv("COVE_BUILD"));
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execl(getenv("COVE"), "cove", "--timeout", "60", "--disk", disk, "-a", "loop=1", elf,
		      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "acked %lu", &n) == 1 && strchr(line, '\n'))
			acked = n;
		if (acked == 300)
			break;
	}
	kill(pid, SIGKILL);
	/* Lines already in the pipe were printed before the kill: count them. */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "acked %lu", &n) == 1 && strchr(line, '\n'))
			acked = n;
	fclose(f);
	waitpid(pid, &st, 0);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "cove was killed mid-loop (status %x)", st);
	cr_assert_geq(acked, 300, "the guest acknowledged 300 flushed writes first");
	return acked;
}

static void expect_acked_in(const char *file, unsigned long acked)
{
	int fd = open(file, O_RDONLY);

	cr_assert_geq(fd, 0);
	for (unsigned long s = 1; s <= acked; s++) {
		unsigned long v = 0;

		cr_assert_eq(pread(fd, &v, sizeof(v), (off_t)s * 512), (ssize_t)sizeof(v));
		cr_assert_eq(v, s, "acknowledged write %lu is in the file (found %lu)", s, v);
	}
	close(fd);
}

Test(virtio_blk_guest, sigkill_mid_write_flush_loop_loses_no_acknowledged_write)
{
	char img[] = "/tmp/covetest_kill_XXXXXX";
	int fd;

	cr_assert(getenv("COVE") && getenv("COVE_BUILD"), "run through scripts/test.sh (COVE, COVE_BUILD)");
	fd = mkstemp(img);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, 64 << 20), 0);
	close(fd);
	expect_acked_in(img, kill_mid_loop(img));
	unlink(img);
}

static char loop_img[] = "/tmp/covetest_killdev_XXXXXX", loop_dev[64];
static int loop_hold = -1;

/* Also when an assertion ended the test early. */
static void loop_cleanup(void)
{
	char cmd[128];

	if (loop_hold >= 0)
		close(loop_hold);
	if (loop_dev[0]) {
		snprintf(cmd, sizeof(cmd), "losetup -d %s", loop_dev);
		if (system(cmd) != 0)
			fprintf(stderr, "test: %s failed\n", cmd);
	}
	unlink(loop_img);
}

Test(virtio_blk_guest, sigkill_on_a_block_device_every_acknowledged_write_reached_the_device,
     .fini = loop_cleanup)
{
	char *img = loop_img, *dev = loop_dev, cmd[128];
	unsigned long acked;
	FILE *p;
	int fd;

	cr_assert(getenv("COVE") && getenv("COVE_BUILD"), "run through scripts/test.sh (COVE, COVE_BUILD)");
	fd = mkstemp(img);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, 16 << 20), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "losetup --find --show %s", img);
	p = popen(cmd, "r");
	cr_assert(p && fgets(dev, sizeof(loop_dev), p), "losetup (needs root and loop devices)");
	pclose(p);
	dev[strcspn(dev, "\n")] = '\0';
	cr_assert(strncmp(dev, "/dev/loop", 9) == 0, "losetup gave '%s'", dev);
	loop_hold = open(dev, O_RDONLY);
	cr_assert_geq(loop_hold, 0, "%s", dev);
	acked = kill_mid_loop(dev);
	/* Beneath the loop device's page cache, before anything else writes
	 * it back (closing loop_hold will). */
	expect_acked_in(img, acked);
}
