/* vmm: the VM core's internal state, shared by vm.c, kvm.c, vcpu.c, irq.c,
 * cpuid.c and stats.c. Not for other modules. */
#ifndef COVE_VMM_VM_INTERNAL_H
#define COVE_VMM_VM_INTERNAL_H

/* First: it includes <linux/kvm.h> past musl's unguarded _IO* macros. */
#include "vmm/emulate.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "devices/bus.h"
#include "devices/devices.h"
#include "devices/legacy.h"
#include "mem/mem.h"
#include "vmm/boot.h"
#include "vmm/evloop.h"
#include "vmm/vmm.h"

/* Exit reasons counted one by one; larger ones share the last slot. */
#define VM_STAT_EXITS 48
/* x86emu fills these: one counter per one-byte opcode and per 0f xx. */
#define VM_STAT_OPCODES 512
/* Distinct instructions KVM gave up on, kept per vCPU for --stats. */
#define VM_STAT_FAILS 32

struct vm_stat_fail {
	uint8_t op[4]; /* vcpu_insn_opcode(): opcode bytes, and ModRM for the system groups */
	uint8_t len;
	uint64_t n;
};

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread; /* written by the main thread */
	pthread_t self;	  /* the same, written by the vCPU thread before started */
	pid_t tid;	  /* its kernel thread id, for the kick; set before started */
	/* Set by the vCPU thread before its first look at the VM's status, so
	 * vm_end either sees it and signals, or the thread sees the end. */
	atomic_bool started;
	bool joinable;	 /* main thread only: the thread was created */
	atomic_int done; /* futex word: the thread left its loop (vm_thread_done) */
	/* Written only by this vCPU's thread; summed at the end. */
	uint64_t exits[VM_STAT_EXITS];
	uint64_t run_eintr;
	struct vm_stat_fail fails[VM_STAT_FAILS];
	atomic_uint dumped; /* the last SIGQUIT dump request this vCPU served (read by other vCPUs) */
	struct kvm_cpuid2 *cpuid; /* what KVM_SET_CPUID2 got; x86emu answers CPUID from it */
	struct vcpu_emu *emu;	  /* cove's emulator on this vCPU (vmm/emulate.h) */
};

struct vm_irq {
	pthread_mutex_t lock; /* the routing table: IOAPIC writes from any vCPU */
	struct kvm_irq_routing_entry pins[IOAPIC_PINS];
	bool valid[IOAPIC_PINS];
	/* vCPUs ask the I/O thread to commit the table (irq_ioapic_route):
	 * gen_req counts requests, gen_done the last one served (futex). */
	atomic_int gen_req, gen_done;
	atomic_bool io_serves; /* the I/O thread exists and will serve */
};

/* The vCPU preparation thread (prep.c). The futex words are written by the
 * main thread (created, boot_ready) or the prep thread (done); err and msg
 * by the prep thread before done. */
struct vm_prep {
	pthread_t thread;
	bool started, joined; /* main thread only */
	atomic_int created;   /* vCPUs created so far */
	atomic_int boot_ready; /* 1: the image is loaded, vm->boot and vm->legacy final */
	atomic_int done;      /* 1: the thread has finished (or failed) */
	int err;	      /* 0 or -errno */
	char msg[160];	      /* what failed, with the reason */
};

struct vm {
	const struct vm_config *cfg;
	int kvm_fd, vm_fd;
	int max_vcpus;
	struct mem_map mem;
	struct bus *bus;
	struct uart *uart;
	struct pic *pic; /* NULL unless legacy */
	struct pit *pit; /* NULL unless legacy */
	/* The PIT's IRQ0 timer (vm.c): a POSIX timer id that signals the boot
	 * vCPU; its armed deadline (CLOCK_MONOTONIC ns, -1: none), touched by
	 * the boot vCPU only; set by any vCPU that reprogrammed counter 0. */
	int pit_timer;
	int64_t pit_deadline;
	atomic_bool pit_reprogrammed;
	struct ioapic *ioapic;
	struct vm_events ev;
	struct ioapic_ops ioapic_ops;
	struct vm_irq irq;
	struct evloop *loop;
	struct boot_info boot;
	bool legacy;
	bool cpl0_emulated; /* KVM emulates every guest CPL0 instruction (cpuid.c) */
	int serial_fd;
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID, patched per vCPU */
	struct vm_prep prep;
	struct vcpu *vcpus;
	unsigned ncpus;
	atomic_int status;   /* -1 while running; the first cause wins */
	atomic_int released; /* futex word: 1 once the winner has reported */
	atomic_int io_done;  /* futex word: the I/O thread flushed virtio */
	/* futex word: the I/O thread has its filter (or gave up), so the boot
	 * vCPU may run the guest's first instruction. */
	atomic_int io_filtered;
	/* futex word: how many APs' threads have their filter (or gave up). */
	atomic_int aps_filtered;
	atomic_uint dump_req; /* SIGQUIT dump requests so far (vm_dump_requested) */
	/* The first of SIGTERM, SIGINT, SIGHUP, SIGALRM (--timeout) that
	 * arrived, 0 for none: set by the handler, acted on by a vCPU. */
	atomic_int signal;
	/* I/O thread state (vm.c). */
	pthread_t io_thread;
	atomic_uint_fast64_t emu_opcodes[VM_STAT_OPCODES];
};

/* What cove adds to a Linux kernel's command line on hosts where KVM
 * emulates guest kernel code (cpuid.c). There the standard CPUID leaves
 * come from the processor and cannot hide a feature, and Linux would use
 * AVX (VEX instructions neither KVM's emulator nor x86emu executes) and
 * XSAVES on every context switch; "noxsave" turns off both, leaving
 * FXSAVE, which KVM emulates in place. */
#define VM_LINUX_HOST_ARGS "noxsave"

/* kvm.c */
int kvm_open_vm(struct vm *vm);
/* Asks check (KVM_CHECK_EXTENSION on /dev/kvm; a fake in the unit test)
 * about every capability cove needs. 0, or -EOPNOTSUPP with the line that
 * names the first one missing in err. */
int kvm_check_caps(int (*check)(void *ctx, int cap), void *ctx, char *err, size_t errlen);
int kvm_check_cpus(struct vm *vm, unsigned cpus);

/* vm.c, any thread. The VM's end: the first cause wins. vm_claim() sets
 * the status unless one is set (true if this call decided), kicks every
 * vCPU and stops the event loop; the winner prints what it has to say and
 * then calls vm_release(), which lets vm_run return (and the process exit:
 * nothing printed after vm_release is sure to appear). vm_end() and
 * vm_endf() are claim, (message,) release. */
bool vm_claim(struct vm *vm, int status);
void vm_release(struct vm *vm);
bool vm_end(struct vm *vm, int status);
void vm_endf(struct vm *vm, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool vm_ended(struct vm *vm);
/* Writes to every page of [p, p + n), n > 0, so no later first touch
 * faults (prep.c says why that matters). */
static inline void vm_prefault(void *p, size_t n)
{
	for (size_t i = 0; i < n; i += 4096)
		((volatile unsigned char *)p)[i] = 0;
	((volatile unsigned char *)p)[n - 1] = 0;
}

/* Futex words: vm_word_wait sleeps until *word >= n; vm_word_set stores n
 * and wakes every waiter. */
void vm_word_wait(atomic_int *word, int n);
void vm_word_set(atomic_int *word, int n);
/* A thread's end: sets *done, wakes the main thread, sleeps until exit. */
/* Not marked noreturn: under ASan a noreturn call runs stack unpoisoning
 * that makes syscalls outside the filters. */
void vm_thread_done(atomic_int *done);
/* The handler of the host's signals and --timeout's SIGALRM (vcpu.c installs
 * it; async-signal-safe); vm_check_signal() ends the VM for the first one
 * that arrived and then returns true. A vCPU calls it before each KVM_RUN. */
void vm_signal_arrived(int sig);
bool vm_check_signal(struct vm *vm);
/* From SIGQUIT's handler: every vCPU prints its registers (vcpu.c). */
void vm_dump_requested(void);
/* The boot vCPU, before each KVM_RUN of a legacy guest: pulses IRQ0 when the
 * PIT's edge is due or its schedule changed, and re-arms the timer. */
void vm_pit_tick(struct vm *vm);
/* The boot vCPU, before the guest's first instruction: until every thread
 * that serves the guest has installed its seccomp filter. An AP's thread
 * says so with vm_ap_filtered once its filter is in (or failed). */
void vm_wait_filtered(struct vm *vm);
void vm_ap_filtered(struct vm *vm);

/* vcpu.c */
int vcpu_create(struct vm *vm, struct vcpu *v, unsigned id);
int vcpu_setup_bsp(struct vcpu *v, const struct boot_cpu *b, bool legacy);
void *vcpu_thread(void *arg);
/* The boot vCPU on the calling (main) thread, until the VM ends. */
void vcpu_run_on_main(struct vcpu *v);
void vcpu_kick(struct vcpu *v);
void vcpu_signals_init(void);
/* An instruction KVM could not emulate goes to x86emu: 0 when it was
 * emulated, or -ENOSYS with a one-line reason in why: the VM crashes with
 * it and the registers on stderr. */
int vcpu_emulate_failed(struct vcpu *v, char *why, size_t whylen);

/* serial.c: COM1's output. serial_open (set-up, before the event loop
 * exists): opens it, sets vm->serial_fd; 0 or an exit status, said on
 * stderr. When it can block (serial_needs_io_thread), the I/O thread
 * drains what the UART keeps: serial_io_setup before its loop runs,
 * serial_io_wake from its wake hook, serial_io_end after its loop, for at
 * most 1 s. serial_waiting: bytes wait for that last drain. */
int serial_open(struct vm *vm);
bool serial_needs_io_thread(void);
void serial_io_setup(struct vm *vm);
void serial_io_wake(struct vm *vm);
void serial_io_end(struct vm *vm);
bool serial_waiting(struct vm *vm);

/* cpuid.c: KVM's supported CPUID through kvm_fd (any /dev/kvm fd) into
 * vm->cpuid; then each vCPU's, for a VM of ncpus vCPUs. */
int cpuid_init(struct vm *vm, int kvm_fd);
/* Allocates vm->cpuid and each vCPU's set for the usual size, with every
 * page written, so cpuid_init and cpuid_setup (prep thread) need no new
 * memory; vm->vcpus exists. 0 or -ENOMEM. */
int cpuid_prealloc(struct vm *vm, unsigned ncpus);
int cpuid_setup(struct vm *vm, struct vcpu *v, unsigned ncpus);
bool cpuid_host_emulates_cpl0(void);

/* prep.c: the vCPU preparation thread (CPUID, the boot vCPU's registers),
 * run alongside the main thread's set-up. prep_start needs vm->cfg and
 * vm->cpl0_emulated; the main thread then calls prep_vcpu_created(n) as
 * vCPUs 0..n-1 exist (vm->vcpus[i].fd and .run set) and prep_boot_ready
 * once vm->boot and vm->legacy are final. prep_join (main thread, once)
 * waits until the thread is gone: 0, or -errno with *msg saying what
 * failed; prep_wait (the APs' threads) waits until it has finished. */
int prep_start(struct vm *vm);
void prep_vcpu_created(struct vm *vm, unsigned n);
void prep_boot_ready(struct vm *vm);
int prep_join(struct vm *vm, const char **msg);
int prep_wait(struct vm *vm);

/* irq.c */
void irq_init(struct vm *vm);
/* I/O thread: marks the calling thread; irq_service() from its wake hook. */
void irq_io_thread_start(struct vm *vm);
void irq_service(struct vm *vm);
int irq_irqfd(void *ctx, unsigned gsi, int efd);
void irq_set(void *ctx, unsigned gsi, bool level);
void irq_pic_intr(void *ctx);
void irq_ioapic_route(void *ctx, unsigned pin, uint64_t msi_addr, uint32_t msi_data, bool masked);
void irq_ioapic_deliver(void *ctx, uint64_t msi_addr, uint32_t msi_data);
/* BSP, legacy: injects the PIC's pending interrupt or asks for a window. */
void irq_pic_inject(struct vcpu *v);

/* stats.c */
void stats_print(struct vm *vm, FILE *out);
const char *stats_exit_name(unsigned reason);
void stats_count_opcode(struct vm *vm, unsigned opcode);
void stats_count_kvm_failure(struct vcpu *v, const uint8_t *bytes, unsigned len);

#endif
