/* vmm/kvm.c: a KVM that lacks a capability cove needs is refused with one
 * line naming it. The answers come from a fake KVM_CHECK_EXTENSION, so every
 * capability can be the missing one; the real /dev/kvm must have them all. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/vm_internal.h"

#define MAX_ASKED 64

struct fake_kvm {
	int missing; /* the capability to answer 0 (or answer<0) for; -1: none */
	int answer;  /* what the missing one gets: 0 (no) or -1 (ioctl error) */
	int asked[MAX_ASKED];
	unsigned nasked;
};

static int fake_check(void *ctx, int cap)
{
	struct fake_kvm *k = ctx;

	if (k->nasked < MAX_ASKED)
		k->asked[k->nasked++] = cap;
	return cap == k->missing ? k->answer : 1;
}

static char err[256];

Test(kvm_caps, all_present_is_accepted)
{
	struct fake_kvm k = {.missing = -1};

	cr_assert_eq(kvm_check_caps(fake_check, &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_geq(k.nasked, 10, "only %u capabilities checked", k.nasked);
}

Test(kvm_caps, split_irqchip_missing_is_named)
{
	struct fake_kvm k = {.missing = KVM_CAP_SPLIT_IRQCHIP, .answer = 0};

	cr_assert_eq(kvm_check_caps(fake_check, &k, err, sizeof(err)), -EOPNOTSUPP);
	cr_assert_str_eq(err, "KVM lacks KVM_CAP_SPLIT_IRQCHIP, which cove needs");
}

Test(kvm_caps, an_ioctl_error_counts_as_missing)
{
	struct fake_kvm k = {.missing = KVM_CAP_IRQFD, .answer = -1};

	cr_assert_eq(kvm_check_caps(fake_check, &k, err, sizeof(err)), -EOPNOTSUPP);
	cr_assert_str_eq(err, "KVM lacks KVM_CAP_IRQFD, which cove needs");
}

/* Each capability cove asks about, when it is the one missing, stops the
 * check there with its own name: no two share a line, none is blank. */
Test(kvm_caps, every_capability_asked_is_named_when_missing)
{
	struct fake_kvm all = {.missing = -1};
	static char lines[MAX_ASKED][256];

	cr_assert_eq(kvm_check_caps(fake_check, &all, err, sizeof(err)), 0);
	for (unsigned i = 0; i < all.nasked; i++) {
		struct fake_kvm k = {.missing = all.asked[i], .answer = 0};

		err[0] = '\0';
		cr_assert_eq(kvm_check_caps(fake_check, &k, err, sizeof(err)), -EOPNOTSUPP,
			     "capability %d missing was accepted", all.asked[i]);
		cr_assert_eq(k.asked[k.nasked - 1], all.asked[i], "the check went on past the missing one");
		cr_assert(!strncmp(err, "KVM lacks KVM_CAP_", 18) && strstr(err, ", which cove needs"),
			  "capability %d: '%s'", all.asked[i], err);
		cr_assert_null(strchr(err, '\n'));
		for (unsigned j = 0; j < i; j++)
			cr_assert_str_neq(lines[j], err, "capabilities %d and %d get the same line '%s'",
					  all.asked[j], all.asked[i], err);
		snprintf(lines[i], sizeof(lines[i]), "%s", err);
	}
}

static int real_check(void *ctx, int cap)
{
	return ioctl(*(int *)ctx, KVM_CHECK_EXTENSION, cap);
}

Test(kvm_caps, this_hosts_kvm_has_them_all)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		cr_skip_test("no /dev/kvm: %s", strerror(errno));
	cr_assert_eq(kvm_check_caps(real_check, &fd, err, sizeof(err)), 0, "%s", err);
	close(fd);
}
