/* build/cove --console on the contest guest: lines on cove's stdin reach
 * the guest through virtio-console and come back on stdout, in order. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int run(const char *input, const char *args, char *out, size_t len)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "printf '%s' | timeout 60 %s --timeout 30 %s %s/guests/virtio/contest.elf 2>&1", input,
		 getenv("COVE"), args, getenv("COVE_BUILD"));
	p = popen(cmd, "r");
	cr_assert(p);
	n = fread(out, 1, len - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(virtio_console_guest, stdin_lines_are_echoed_by_the_guest_in_order)
{
	char out[1024];

	cr_assert(getenv("COVE") && getenv("COVE_BUILD"), "run through scripts/test.sh (COVE, COVE_BUILD)");
	cr_assert_eq(run("one\\ntwo two\\nthree\\nquit\\n", "--console", out, sizeof(out)), 0, "output:\n%s", out);
	cr_assert_str_eq(out, "echo: one\necho: two two\necho: three\necho: quit\n");
}

Test(virtio_console_guest, without_console_the_guest_finds_no_device)
{
	char out[1024];

	cr_assert(getenv("COVE") && getenv("COVE_BUILD"), "run through scripts/test.sh (COVE, COVE_BUILD)");
	cr_assert_eq(run("x\\n", "", out, sizeof(out)), 3, "output:\n%s", out);
	cr_assert(strstr(out, "no virtio-console device"), "%s", out);
}
