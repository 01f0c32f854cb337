/* vmm: /dev/kvm, the capabilities cove relies on, and the VM itself (split
 * irqchip: local APICs in KVM, IOAPIC/PIC/PIT in cove; HOST.md says why).
 * KVM API: Documentation/virt/kvm/api.rst. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/vm_internal.h"

/* Just below the firmware ROM at 0xfffc0000: three pages of TSS and the
 * identity-map page that VMX needs for real mode; in the hole, never RAM. */
#define KVM_TSS_GPA   0xfffbd000ULL
#define KVM_IDMAP_GPA 0xfffbc000ULL

static const struct {
	int cap;
	const char *name;
} kvm_needed_caps[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
    {KVM_CAP_SPLIT_IRQCHIP, "KVM_CAP_SPLIT_IRQCHIP"},
    {KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING"},
    {KVM_CAP_IRQFD, "KVM_CAP_IRQFD"},
    {KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD"},
    {KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI"},
    {KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM"},
    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
    {KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE"},
    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
    {KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"},
    {KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR"},
};

int kvm_check_caps(int (*check)(void *ctx, int cap), void *ctx, char *err, size_t errlen)
{
	for (unsigned i = 0; i < sizeof(kvm_needed_caps) / sizeof(kvm_needed_caps[0]); i++) {
		if (check(ctx, kvm_needed_caps[i].cap) <= 0) {
			snprintf(err, errlen, "KVM lacks %s, which cove needs", kvm_needed_caps[i].name);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static int kvm_check_extension(void *ctx, int cap)
{
	return ioctl(*(int *)ctx, KVM_CHECK_EXTENSION, cap);
}

/* Opens /dev/kvm, checks the API and capabilities, creates the VM with the
 * split irqchip. Prints the one line; returns 0 or COVE_EXIT_HOST. */
int kvm_open_vm(struct vm *vm)
{
	int r;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			fprintf(stderr, "cove: /dev/kvm: not found (is KVM enabled?)\n");
		else if (errno == EACCES || errno == EPERM)
			fprintf(stderr,
				"cove: /dev/kvm: permission denied (add the user to the kvm group)\n");
		else
			fprintf(stderr, "cove: /dev/kvm: %s\n", strerror(errno));
		return COVE_EXIT_HOST;
	}
	r = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (r < 0) {
		fprintf(stderr, "cove: /dev/kvm: not a KVM device (KVM_GET_API_VERSION: %s)\n",
			strerror(errno));
		return COVE_EXIT_HOST;
	}
	if (r != KVM_API_VERSION) {
		fprintf(stderr, "cove: /dev/kvm: API version %d, cove needs %d\n", r, KVM_API_VERSION);
		return COVE_EXIT_HOST;
	}
	char err[128];
	if (kvm_check_caps(kvm_check_extension, &vm->kvm_fd, err, sizeof(err))) {
		fprintf(stderr, "cove: %s\n", err);
		return COVE_EXIT_HOST;
	}
	vm->max_vcpus = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (vm->max_vcpus <= 0)
		vm->max_vcpus = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (vm->max_vcpus <= 0)
		vm->max_vcpus = 1;
	if (vm->max_vcpus > VM_MAX_CPUS)
		vm->max_vcpus = VM_MAX_CPUS;

	do
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0) {
		fprintf(stderr, "cove: KVM_CREATE_VM: %s\n", strerror(errno));
		return COVE_EXIT_HOST;
	}
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_GPA) < 0) {
		fprintf(stderr, "cove: KVM_SET_TSS_ADDR: %s\n", strerror(errno));
		return COVE_EXIT_HOST;
	}
	uint64_t idmap = KVM_IDMAP_GPA;
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0) {
		fprintf(stderr, "cove: KVM_SET_IDENTITY_MAP_ADDR: %s\n", strerror(errno));
		return COVE_EXIT_HOST;
	}
	struct kvm_enable_cap cap = {.cap = KVM_CAP_SPLIT_IRQCHIP, .args = {IOAPIC_PINS}};
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		fprintf(stderr, "cove: KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): %s\n", strerror(errno));
		return COVE_EXIT_HOST;
	}
	return 0;
}

/* --cpus against KVM's limit: the user's mistake, so a usage error. */
int kvm_check_cpus(struct vm *vm, unsigned cpus)
{
	if (cpus > (unsigned)vm->max_vcpus) {
		fprintf(stderr, "cove: --cpus %u: more than KVM's limit of %d vCPUs\n", cpus, vm->max_vcpus);
		return COVE_EXIT_USAGE;
	}
	return 0;
}
