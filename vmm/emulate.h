/* vmm: x86emu on a KVM vCPU. When KVM's in-kernel emulator gives up on an
 * instruction (KVM_EXIT_INTERNAL_ERROR, KVM_INTERNAL_ERROR_EMULATION), the
 * vCPU thread emulates it here on the vCPU's real state: registers fetched
 * from KVM on first use (one ioctl per group: GPRs, sregs, XSAVE, XCRs,
 * debug registers), memory through x86emu's walk of the guest's page tables
 * over the checked gpa->hva translation, MMIO and ports on the bus; what
 * changed is written back and the guest resumes after the instruction. */
#ifndef COVE_VMM_EMULATE_H
#define COVE_VMM_EMULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sys/ioctl.h>
/* musl's <sys/ioctl.h> defines the _IO* macros without a guard; the
 * kernel's (the same encoding) replace them. */
#ifndef __GLIBC__
#undef _IOC
#undef _IO
#undef _IOR
#undef _IOW
#undef _IOWR
#endif
#include <linux/kvm.h>

#include "devices/bus.h"
#include "mem/mem.h"

struct vcpu_emu;

/* One per vCPU thread. cpuid (may be NULL) answers an emulated CPUID. */
struct vcpu_emu *vcpu_emu_new(int vcpu_fd, struct mem_map *m, struct bus *b, const struct kvm_cpuid2 *cpuid);
void vcpu_emu_free(struct vcpu_emu *ve);

enum vcpu_emu_result {
	VCPU_EMU_DONE,      /* emulated; KVM_RUN may resume */
	VCPU_EMU_HLT,       /* emulated a hlt: the caller idles the vCPU */
	VCPU_EMU_FAILED,    /* x86emu cannot do it: why says what, bytes below */
};

/* Emulates the instruction at the vCPU's RIP. On VCPU_EMU_FAILED, why
 * holds a one-line reason with the instruction bytes. An exception the
 * instruction raises is injected into the guest (that is DONE). */
enum vcpu_emu_result vcpu_emu_step(struct vcpu_emu *ve, char *why, size_t whylen);

/* The opcode of the instruction in b: after the legacy prefixes and REX,
 * op[] gets the opcode bytes (0f xx, 0f 38 xx, 0f 3a xx), then the ModRM
 * byte of the system groups (0f 01, 0f ae, 0f c7) whole for register
 * forms and as /reg (masked to bits 5:3) for memory forms; *prefix gets the
 * last 66/f2/f3 seen (0 if none). Returns the number of bytes in op (at
 * most 4), 0 when b holds no opcode. */
unsigned vcpu_insn_opcode(const uint8_t *b, unsigned len, uint8_t op[4], uint8_t *prefix);
/* True for what KVM's in-kernel emulator does not execute and x86emu
 * does: SSE/SSSE3/SSE4 and MMX arithmetic and moves, popcnt/lzcnt/tzcnt,
 * cmpxchg8b/16b, clac/stac. */
bool vcpu_insn_kvm_lacks(const uint8_t *b, unsigned len);

/* Instructions emulated so far, and one "  name (map:op) count" line per
 * opcode that ran, for --stats. */
uint64_t vcpu_emu_count(const struct vcpu_emu *ve);
void vcpu_emu_print_stats(const struct vcpu_emu *ve, FILE *out);

#endif
