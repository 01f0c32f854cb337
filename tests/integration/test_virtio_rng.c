/* build/cove --rng on the rngtest guest: the guest finds the entropy device
 * in the FDT (after a disk, so not in slot 0) and gets fresh bytes each run. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int run(const char *args, char *out, size_t len)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "timeout 60 %s --timeout 30 %s %s/guests/virtio/rngtest.elf 2>&1", getenv("COVE"), args,
		 getenv("COVE_BUILD"));
	p = popen(cmd, "r");
	cr_assert(p);
	n = fread(out, 1, len - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(virtio_rng_guest, guest_reads_different_entropy_each_run)
{
	char a[512], b[512];

	cr_assert(getenv("COVE") && getenv("COVE_BUILD"), "run through scripts/test.sh (COVE, COVE_BUILD)");
	cr_assert_eq(system("truncate -s 64K /tmp/covetest_rng.img"), 0);
	cr_assert_eq(run("--disk /tmp/covetest_rng.img --rng", a, sizeof(a)), 0, "output:\n%s", a);
	cr_assert(strstr(a, "rngtest: ok "), "%s", a);
	cr_assert_eq(run("--rng", b, sizeof(b)), 0, "output:\n%s", b);
	cr_assert_str_neq(a, b, "two runs got the same bytes");
	remove("/tmp/covetest_rng.img");
}

Test(virtio_rng_guest, without_rng_the_guest_finds_no_device)
{
	char a[512];

	cr_assert(getenv("COVE") && getenv("COVE_BUILD"), "run through scripts/test.sh (COVE, COVE_BUILD)");
	/* rngtest returns 1: debug exit (1 << 1) | 1. */
	cr_assert_eq(run("", a, sizeof(a)), 3, "output:\n%s", a);
	cr_assert(strstr(a, "no virtio-rng device"), "%s", a);
}
