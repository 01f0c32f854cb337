/* The raw KVM floor for tests/bench/bench_core: the least a process can do
 * to run a real-mode blob, built static with musl like cove. Creates a VM
 * with the split irqchip (the cheapest set-up here, HOST.md), one 64 MiB
 * memslot, one vCPU; loads FILE at 0x7c00 and enters it at 0000:7c00;
 * writes to port 0x3f8 go to stdout, a write of v to 0xf4 exits with
 * status (v << 1) | 1, as in cove. With --cpuid it also gives the vCPU
 * KVM's supported CPUID (KVM_GET_SUPPORTED_CPUID, KVM_SET_CPUID2), which
 * the blob does not need but any guest that runs CPUID does: without it
 * every leaf reads as zero. Usage: kvmfloor [--cpuid] FILE */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE (64u << 20)
#define LOAD	 0x7c00

static void die(const char *what)
{
	perror(what);
	exit(2);
}

int main(int argc, char **argv)
{
	struct kvm_userspace_memory_region slot = {0};
	struct kvm_enable_cap cap = {.cap = KVM_CAP_SPLIT_IRQCHIP, .args = {24}};
	struct kvm_sregs sregs;
	struct kvm_regs regs = {.rip = LOAD, .rsp = LOAD, .rdx = 0x80, .rflags = 2};
	struct kvm_run *run;
	uint8_t *ram;
	int kvm, vm, vcpu, fd;
	long size;
	ssize_t n;

	bool cpuid = argc == 3 && strcmp(argv[1], "--cpuid") == 0;

	if (argc != 2 && !cpuid) {
		fprintf(stderr, "usage: kvmfloor [--cpuid] FILE\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	if (ioctl(vm, KVM_ENABLE_CAP, &cap) < 0)
		die("KVM_CAP_SPLIT_IRQCHIP");
	ram =
	    mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	fd = open(argv[argc - 1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(argv[argc - 1]);
	n = read(fd, ram + LOAD, MEM_SIZE - LOAD);
	if (n <= 0)
		die("read");
	close(fd);
	slot.memory_size = MEM_SIZE;
	slot.userspace_addr = (uintptr_t)ram;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap vcpu");
	if (cpuid) {
		static struct {
			struct kvm_cpuid2 c;
			struct kvm_cpuid_entry2 e[256];
		} id = {.c.nent = 256};

		if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &id) < 0)
			die("KVM_GET_SUPPORTED_CPUID");
		if (ioctl(vcpu, KVM_SET_CPUID2, &id) < 0)
			die("KVM_SET_CPUID2");
	}
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "kvmfloor: exit reason %u\n", run->exit_reason);
			return 2;
		}
		uint8_t *data = (uint8_t *)run + run->io.data_offset;

		if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == 0x3f8)
			n = write(1, data, (size_t)run->io.size * run->io.count);
		else if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == 0xf4)
			_exit(((data[0] << 1) | 1) & 0xff);
	}
}
