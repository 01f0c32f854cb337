/* Nothing lost: cove is killed with SIGKILL while the guest (blktest
 * loop=1) writes sector n = n and flushes, over and over; every n the guest
 * printed as acknowledged after its flush completed must be in the file. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

Test(virtio_blk_guest, sigkill_mid_write_flush_loop_loses_no_acknowledged_write)
{
	char img[] = "/tmp/covetest_kill_XXXXXX", elf[512], line[64];
	unsigned long acked = 0, n;
	int fd, p[2], st;
	FILE *f;
	pid_t pid;

	cr_assert(getenv("COVE") && getenv("COVE_BUILD"), "run through scripts/test.sh (COVE, COVE_BUILD)");
	fd = mkstemp(img);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, 64 << 20), 0);
	close(fd);
	snprintf(elf, sizeof(elf), "%s/guests/virtio/blktest.elf", getenv("COVE_BUILD"));
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		char disk[64];

		snprintf(disk, sizeof(disk), "%s", img);
		dup2(p[1], 1);
		close(p[0]);
		execl(getenv("COVE"), "cove", "--timeout", "60", "--disk", disk, "-a", "loop=1", elf, (char *)NULL);
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
	fd = open(img, O_RDONLY);
	for (unsigned long s = 1; s <= acked; s++) {
		unsigned long v = 0;

		cr_assert_eq(pread(fd, &v, sizeof(v), (off_t)s * 512), (ssize_t)sizeof(v));
		cr_assert_eq(v, s, "acknowledged write %lu is in the file (found %lu)", s, v);
	}
	close(fd);
	unlink(img);
}
