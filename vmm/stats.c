/* vmm: --stats. At the VM's end, one line per KVM exit reason seen (summed
 * over vCPUs), the bus's unclaimed port and MMIO accesses, and the opcodes
 * cove's own emulator executed. */
#include <stdio.h>
#include <string.h>

#include "vmm/vm_internal.h"

static const char *const stats_exit_names[] = {
    [KVM_EXIT_UNKNOWN] = "unknown",
    [KVM_EXIT_EXCEPTION] = "exception",
    [KVM_EXIT_IO] = "io",
    [KVM_EXIT_HYPERCALL] = "hypercall",
    [KVM_EXIT_DEBUG] = "debug",
    [KVM_EXIT_HLT] = "hlt",
    [KVM_EXIT_MMIO] = "mmio",
    [KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
    [KVM_EXIT_SHUTDOWN] = "shutdown",
    [KVM_EXIT_FAIL_ENTRY] = "fail_entry",
    [KVM_EXIT_INTR] = "intr",
    [KVM_EXIT_SET_TPR] = "set_tpr",
    [KVM_EXIT_TPR_ACCESS] = "tpr_access",
    [KVM_EXIT_NMI] = "nmi",
    [KVM_EXIT_INTERNAL_ERROR] = "internal_error",
    [KVM_EXIT_OSI] = "osi",
    [KVM_EXIT_WATCHDOG] = "watchdog",
    [KVM_EXIT_EPR] = "epr",
    [KVM_EXIT_SYSTEM_EVENT] = "system_event",
    [KVM_EXIT_IOAPIC_EOI] = "ioapic_eoi",
    [KVM_EXIT_HYPERV] = "hyperv",
    [KVM_EXIT_X86_RDMSR] = "x86_rdmsr",
    [KVM_EXIT_X86_WRMSR] = "x86_wrmsr",
    [KVM_EXIT_DIRTY_RING_FULL] = "dirty_ring_full",
    [KVM_EXIT_X86_BUS_LOCK] = "x86_bus_lock",
};

const char *stats_exit_name(unsigned reason)
{
	if (reason < sizeof(stats_exit_names) / sizeof(stats_exit_names[0]) && stats_exit_names[reason])
		return stats_exit_names[reason];
	return "other";
}

void stats_count_opcode(struct vm *vm, unsigned opcode)
{
	if (opcode < VM_STAT_OPCODES)
		atomic_fetch_add_explicit(&vm->emu_opcodes[opcode], 1, memory_order_relaxed);
}

/* The opcode of an instruction KVM could not emulate (vcpu_insn_opcode:
 * 0f and the next byte for two-byte opcodes, and the ModRM byte of the
 * system groups, where it names the instruction: 0f 01 f9 is rdtscp,
 * 0f c7 /1 cmpxchg8b/16b). */
void stats_count_kvm_failure(struct vcpu *v, const uint8_t *bytes, unsigned len)
{
	struct vm_stat_fail key = {0};
	uint8_t prefix;

	key.len = (uint8_t)vcpu_insn_opcode(bytes, len, key.op, &prefix);
	for (unsigned k = 0; k < VM_STAT_FAILS; k++) {
		struct vm_stat_fail *f = &v->fails[k];

		if (f->n && (f->len != key.len || memcmp(f->op, key.op, sizeof(key.op))))
			continue;
		if (!f->n)
			*f = key;
		f->n++;
		return;
	}
}

static void stats_print_fails(struct vm *vm, FILE *out)
{
	for (unsigned i = 0; i < vm->ncpus; i++)
		for (unsigned k = 0; k < VM_STAT_FAILS && vm->vcpus[i].fails[k].n; k++) {
			const struct vm_stat_fail *f = &vm->vcpus[i].fails[k];
			char b[16] = "";
			size_t o = 0;

			for (unsigned j = 0; j < f->len && o < sizeof(b); j++)
				o += (size_t)snprintf(b + o, sizeof(b) - o, "%s%02x", j ? " " : "", f->op[j]);
			fprintf(out, "cove: stats: vCPU %u: KVM gave up on %-8s %llu times\n", i,
				b[0] ? b : "?", (unsigned long long)f->n);
		}
}

void stats_print(struct vm *vm, FILE *out)
{
	uint64_t total = 0, eintr = 0;

	for (unsigned r = 0; r < VM_STAT_EXITS; r++) {
		uint64_t n = 0;

		for (unsigned i = 0; i < vm->ncpus; i++)
			n += vm->vcpus[i].exits[r];
		total += n;
		if (n)
			fprintf(out, "cove: stats: exit %-16s %llu\n",
				r == VM_STAT_EXITS - 1 ? "other" : stats_exit_name(r), (unsigned long long)n);
	}
	for (unsigned i = 0; i < vm->ncpus; i++)
		eintr += vm->vcpus[i].run_eintr;
	fprintf(out, "cove: stats: exits total %llu, KVM_RUN interrupted %llu\n", (unsigned long long)total,
		(unsigned long long)eintr);
	if (vm->bus)
		fprintf(out, "cove: stats: unclaimed port accesses %llu, unclaimed MMIO accesses %llu\n",
			(unsigned long long)bus_unknown_count(vm->bus, BUS_PIO),
			(unsigned long long)bus_unknown_count(vm->bus, BUS_MMIO));
	stats_print_fails(vm, out);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		if (vm->vcpus[i].emu && vcpu_emu_count(vm->vcpus[i].emu)) {
			fprintf(out, "cove: stats: vCPU %u: %llu instructions emulated by x86emu\n", i,
				(unsigned long long)vcpu_emu_count(vm->vcpus[i].emu));
			vcpu_emu_print_stats(vm->vcpus[i].emu, out);
		}
	}
	for (unsigned op = 0; op < VM_STAT_OPCODES; op++) {
		uint64_t n = atomic_load_explicit(&vm->emu_opcodes[op], memory_order_relaxed);

		if (n)
			fprintf(out, "cove: stats: emulated opcode %s%02x %llu\n", op >= 256 ? "0f " : "",
				op & 0xff, (unsigned long long)n);
	}
}
