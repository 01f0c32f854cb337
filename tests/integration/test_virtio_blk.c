/* build/cove with --disk on the blktest guest: the guest's pattern reaches
 * the image file through virtio-blk, also with INDIRECT_DESC and EVENT_IDX
 * negotiated; a read-only disk refuses the write; a bad image is refused
 * with one line before the guest runs; SIGTERM and SIGINT flush the disk
 * (fdatasync, seen with strace) before cove exits. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
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

static void expect_pattern(void)
{
	unsigned char buf[4096];
	int fd = open(img, O_RDONLY);

	cr_assert_eq(read(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	close(fd);
	for (unsigned i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], (unsigned char)(i * 13 + 1), "file byte %u is the guest's pattern", i);
}

/* The guest's driver negotiates the feature, uses it for every request
 * (one indirect descriptor each; notifications only when avail_event asks)
 * and checks the device's side of EVENT_IDX; the data must be right. */
Test(virtio_blk_guest, indirect_desc_and_event_idx_are_negotiated_and_the_data_is_right)
{
	static const char *const words[] = {"indirect", "event_idx", "indirect event_idx"};
	static const char *const said[] = {"(features: indirect_desc)", "(features: event_idx)",
					   "(features: indirect_desc event_idx)"};
	char a[1024], want[128];

	for (unsigned i = 0; i < 3; i++) {
		mkimg(1 << 20);
		snprintf(a, sizeof(a), "--disk %s -a '%s'", img, words[i]);
		/* 6: refused; 7: avail_event not kept; 8: used_event ignored;
		 * 9: no interrupt when used_event asked for one. */
		cr_assert_eq(run(a), 0, "with '%s': cove exit status 0; output:\n%s", words[i], out);
		snprintf(want, sizeof(want), "blktest: ok %s", said[i]);
		cr_assert(strstr(out, want), "with '%s' the guest says '%s':\n%s", words[i], want, out);
		expect_pattern();
		unlink(img);
	}
}

/* Lines of the strace log at path that show an fdatasync of the image. */
static unsigned image_syncs(const char *path)
{
	char line[1024], want[128];
	unsigned n = 0;
	FILE *f = fopen(path, "r");

	cr_assert(f, "strace log %s", path);
	snprintf(want, sizeof(want), "<%s>) = 0", img);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "fdatasync(") && strstr(line, want))
			n++;
	fclose(f);
	return n;
}

/* cove runs under strace; the guest writes without a flush and spins, then
 * cove gets sig. The only fdatasync(2) cove makes is virtio_shutdown's (a
 * guest FLUSH is an io_uring request, which strace does not see). */
static void flush_on_signal(int sig)
{
	char log[] = "/tmp/covetest_strace_XXXXXX", elf[512], line[256], path[64], kids[64];
	int fd, p[2], st;
	pid_t tracer, cove = 0;
	FILE *f;

	fd = mkstemp(log);
	cr_assert(fd >= 0);
	close(fd);
	mkimg(1 << 20);
	snprintf(elf, sizeof(elf), "%s/guests/virtio/blktest.elf", getenv("COVE_BUILD"));
	cr_assert_eq(pipe(p), 0);
	tracer = fork();
	if (tracer == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execlp("strace", "strace", "-f", "-qq", "-y", "-e", "trace=fdatasync", "-o", log,
		       getenv("COVE"), "--timeout", "60", "--disk", img, "-a", "hold=1", elf, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	cr_assert(fgets(line, sizeof(line), f) && strstr(line, "blktest: written"),
		  "the guest wrote its pattern (is strace installed? scripts/setup.sh installs it)");
	cr_assert_eq(image_syncs(log), 0, "no fdatasync before the signal: the guest sent no FLUSH");
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)tracer, (int)tracer);
	fd = open(path, O_RDONLY);
	cr_assert(fd >= 0 && read(fd, kids, sizeof(kids) - 1) > 0, "cove's pid under strace");
	close(fd);
	cove = (pid_t)atoi(kids);
	cr_assert_gt(cove, 0);
	cr_assert_eq(kill(cove, sig), 0);
	while (fgets(line, sizeof(line), f))
		;
	fclose(f);
	cr_assert_eq(waitpid(tracer, &st, 0), tracer);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 128 + sig, "cove ended by signal %d: status 0x%x", sig,
		  st);
	cr_assert_eq(image_syncs(log), 1, "one fdatasync of the disk on the way out after signal %d", sig);
	expect_pattern();
	unlink(log);
}

Test(virtio_blk_guest, sigterm_flushes_the_disk_before_cove_exits)
{
	flush_on_signal(SIGTERM);
}

Test(virtio_blk_guest, sigint_flushes_the_disk_before_cove_exits)
{
	flush_on_signal(SIGINT);
}
