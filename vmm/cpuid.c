/* vmm: the CPUID each vCPU sees. KVM's supported set, with the vCPU's own
 * APIC ID (leaves 1, 0xb, 0x1f), the topology for --cpus, the hypervisor
 * bit, and cove's signature at 0x40000000. KVM's own paravirt leaves move to
 * 0x40000100, where Linux still finds them (it scans in 0x100 steps). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/vm_internal.h"

#define CPUID_HV_BASE	       0x40000000u
#define CPUID_KVM_BASE	       0x40000100u
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_HTT	       (1u << 28)
#define CPUID_TOPO_SMT	       1u
#define CPUID_TOPO_CORE	       2u

/* Entries allocated up front; KVM_GET_SUPPORTED_CPUID returns ~80 here. */
#define CPUID_NENT 128

int cpuid_prealloc(struct vm *vm, unsigned ncpus)
{
	size_t sup = sizeof(struct kvm_cpuid2) + CPUID_NENT * sizeof(struct kvm_cpuid_entry2);
	size_t per = sup + sizeof(struct kvm_cpuid_entry2);

	vm->cpuid = calloc(1, sup);
	if (!vm->cpuid)
		return -ENOMEM;
	vm_prefault(vm->cpuid, sup);
	for (unsigned i = 0; i < ncpus; i++) {
		vm->vcpus[i].cpuid = calloc(1, per);
		if (!vm->vcpus[i].cpuid)
			return -ENOMEM;
		vm_prefault(vm->vcpus[i].cpuid, per);
	}
	return 0;
}

int cpuid_init(struct vm *vm, int kvm_fd)
{
	unsigned nent = CPUID_NENT;
	struct kvm_cpuid2 *c = vm->cpuid;

	for (;;) {
		if (!c && !(c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]))))
			return -ENOMEM;
		c->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			vm->cpuid = c;
			return 0;
		}
		free(c);
		c = vm->cpuid = NULL;
		if (errno != E2BIG || nent >= 4096)
			return -errno;
		nent *= 2;
	}
}

/* KVM's paravirt features (Documentation/virt/kvm/x86/cpuid.rst) that a
 * guest keeps on hosts where KVM emulates its kernel code: kvm-clock and
 * its stable bit, and the no-op port 0x80 delay. The others rest on KVM's
 * hypercalls (PV IPIs, PV spinlock kicks, sched yield) or on flags the host
 * writes into guest memory (PV EOI, PV TLB flush, steal time, async page
 * faults). Measured on such a host (kvm_pvm): with them, a 2-vCPU Linux
 * hung in stop_machine, the other CPU halted and never woken for its
 * stopper thread; with only these, it boots. */
#define CPUID_KVM_FEATURES_EMULATED ((1u << 0) | (1u << 1) | (1u << 3) | (1u << 24))

/* Hosts where KVM runs every guest CPL0 instruction through its in-kernel
 * emulator (the kvm_pvm module; HOST.md). */
bool cpuid_host_emulates_cpl0(void)
{
	return access("/sys/module/kvm_pvm", F_OK) == 0;
}

/* Bits needed to number n things. */

static unsigned cpuid_bits(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

static void cpuid_patch(struct kvm_cpuid_entry2 *e, unsigned apic_id, unsigned ncpus)
{
	unsigned shift = cpuid_bits(ncpus);

	switch (e->function) {
	case 1:
		e->ebx = (e->ebx & 0x0000ffffu) | (apic_id << 24) | ((ncpus > 255 ? 255 : ncpus) << 16);
		e->ecx |= CPUID_1_ECX_HYPERVISOR;
		if (ncpus > 1)
			e->edx |= CPUID_1_EDX_HTT;
		break;
	case 0xb:
	case 0x1f:
		/* One thread per core, ncpus cores in one package. */
		if (e->index == 0) {
			e->eax = 0;
			e->ebx = 1;
			e->ecx = (CPUID_TOPO_SMT << 8) | 0;
		} else if (e->index == 1) {
			e->eax = shift;
			e->ebx = ncpus;
			e->ecx = (CPUID_TOPO_CORE << 8) | 1;
		} else {
			e->eax = 0;
			e->ebx = 0;
			e->ecx = e->index;
		}
		e->edx = apic_id;
		break;
	case 4:
		/* Cores per package - 1 in bits 31:26. */
		e->eax = (e->eax & 0x03ffffffu) | (((ncpus - 1) & 0x3f) << 26);
		break;
	}
}

int cpuid_setup(struct vm *vm, struct vcpu *v, unsigned ncpus)
{
	const struct kvm_cpuid2 *s = vm->cpuid;
	/* The preallocated one holds CPUID_NENT + 1 entries. */
	struct kvm_cpuid2 *c = s->nent <= CPUID_NENT ? v->cpuid : NULL;
	unsigned n = 0;

	if (!c) {
		free(v->cpuid);
		v->cpuid = c = calloc(1, sizeof(*c) + (s->nent + 1) * sizeof(c->entries[0]));
		if (!c)
			return -ENOMEM;
	}
	for (unsigned i = 0; i < s->nent; i++) {
		struct kvm_cpuid_entry2 e = s->entries[i];

		if (e.function >= CPUID_HV_BASE && e.function < CPUID_HV_BASE + 0x100) {
			/* KVM's leaves, moved up by 0x100; eax of the base leaf
			 * is the range's last leaf, so it moves too. */
			e.function += CPUID_KVM_BASE - CPUID_HV_BASE;
			if (e.function == CPUID_KVM_BASE && e.eax >= CPUID_HV_BASE)
				e.eax += CPUID_KVM_BASE - CPUID_HV_BASE;
		}
		cpuid_patch(&e, v->id, ncpus);
		if (e.function == CPUID_KVM_BASE + 1 && vm->cpl0_emulated)
			e.eax &= CPUID_KVM_FEATURES_EMULATED;
		c->entries[n++] = e;
	}
	c->entries[n++] = (struct kvm_cpuid_entry2){
	    .function = CPUID_HV_BASE,
	    .eax = CPUID_HV_BASE,
	    .ebx = 0x65766f63, /* "cove" */
	    .ecx = 0x65766f63,
	    .edx = 0x65766f63,
	};
	c->nent = n;
	return ioctl(v->fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
}
