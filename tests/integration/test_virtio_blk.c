/* build/cove with --disk on the blktest guest: the guest's pattern reaches
 * the image file through virtio-blk, a read-only disk refuses the write,
 * and a bad image is refused with one line before the guest runs. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char img[64];
static char out[4096];

/* Runs cove with args; returns its exit status, output (stdout+stderr) in out. */
static int run(const char *args)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "timeout 60 %s --timeout 30 %s %s/guests/virtio/blktest.elf 2>&1", getenv("COVE"), args,
		 getenv("COVE_BUILD"));
	p = popen(cmd, "r");
	cr_assert(p, "popen");
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void mkimg(off_t size)
{
	int fd;

	strcpy(img, "/tmp/covetest_blk_XXXXXX");
	fd = mkstemp(img);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, size), 0);
	close(fd);
}

static void fini(void)
{
	unlink(img);
}

TestSuite(virtio_blk_guest, .fini = fini);

Test(virtio_blk_guest, pattern_written_and_flushed_by_the_guest_is_in_the_file)
{
	char a[1024];
	unsigned char buf[4096];
	int fd;

	cr_assert(getenv("COVE") && getenv("COVE_BUILD"), "run through scripts/test.sh (COVE, COVE_BUILD)");
	mkimg(1 << 20);
	snprintf(a, sizeof(a), "--disk %s", img);
	cr_assert_eq(run(a), 0, "cove exit status 0; output:\n%s", out);
	cr_assert(strstr(out, "blktest: ok"), "guest said ok:\n%s", out);
	fd = open(img, O_RDONLY);
	cr_assert_eq(read(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fd);
	for (unsigned i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], (unsigned char)(i * 13 + 1), "file byte %u is the guest's pattern", i);
}

Test(virtio_blk_guest, read_only_disk_fails_the_guest_write_and_keeps_the_file)
{
	char a[1024], buf[4096], zero[4096] = {0};
	int fd;

	mkimg(1 << 20);
	snprintf(a, sizeof(a), "--disk %s,ro", img);
	/* blktest exits 2 when the write is not OK: status (2 << 1) | 1. */
	cr_assert_eq(run(a), 5, "the write failed in the guest; output:\n%s", out);
	fd = open(img, O_RDONLY);
	cr_assert_eq(read(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fd);
	cr_assert_eq(memcmp(buf, zero, sizeof(buf)), 0, "the image is untouched");
}

Test(virtio_blk_guest, image_size_not_a_multiple_of_512_is_refused_in_one_line)
{
	char a[1024], want[256];

	mkimg(1000);
	snprintf(a, sizeof(a), "--disk %s", img);
	cr_assert_eq(run(a), 4, "COVE_EXIT_IMAGE; output:\n%s", out);
	snprintf(want, sizeof(want), "cove: disk '%s': size 1000 is not a multiple of 512\n", img);
	cr_assert_str_eq(out, want);
}
