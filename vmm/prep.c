/* vmm: the vCPU preparation thread. On a host that runs KVM nested, each
 * CPUID instruction the host kernel executes is an exit to the outer
 * hypervisor, and KVM_GET_SUPPORTED_CPUID and KVM_SET_CPUID2 execute many:
 * together they were the longest part of a VM's set-up here (~0.4-0.6 ms
 * of the tiny blob's ~2 ms, tests/bench/bench_core.sh). They depend on
 * nothing the main thread does but the vCPU fds, so one short-lived thread
 * does them while the main thread creates the VM, its vCPUs and memslots,
 * loads the image and installs its seccomp filter:
 *
 *   prep thread: open /dev/kvm, KVM_GET_SUPPORTED_CPUID, then for each
 *                vCPU as the main thread creates it KVM_SET_CPUID2, then,
 *                once the image is loaded, the boot vCPU's registers and
 *                LAPIC (KVM checks EFER.LME against the vCPU's CPUID, so
 *                they come after it);
 *   main thread: guest RAM, devices, prep_start, the VM, vCPUs
 *                (prep_vcpu_created), memslots, the loaded image
 *                (prep_boot_ready), its filter, prep_join before the
 *                guest's first instruction; the APs' threads prep_wait.
 *
 * Where it starts was measured: started before guest RAM and the devices
 * exist, the blob's median went from ~1.6 to ~3 ms (the two threads' page
 * faults and KVM ioctls then meet, and each slows the other); started after
 * them, ~15% below the single-threaded set-up (README, Status).
 *
 * The thread runs without a seccomp filter and is joined, gone, before any
 * guest instruction runs. Its stack is static, so neither creating nor
 * joining it maps or unmaps memory. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm/vm_internal.h"

/* Its deepest frames are the ioctls' argument structs and the C library's
 * (ASan's in the sanitizer build) own. */
#define PREP_STACK (128u << 10)
/* What it uses of it outside the sanitizer build (its top pages). */
#define PREP_STACK_USED (16u << 10)
static unsigned char prep_stack[PREP_STACK] __attribute__((aligned(64)));

/* A wait looks at its word in a short busy loop (~20 us) before it sleeps
 * on it: the other side is often that close, and a CPU that went idle is
 * slow to wake on this host (itself a VM). Measured with bench_core, a
 * ~1 ms spin with PAUSE (which exits to the outer hypervisor) gave the
 * same median and a worse tail. */
#define PREP_SPINS 20000

/* Until *word >= n. */
static void prep_wait_for(atomic_int *word, int n)
{
	for (unsigned i = 0; i < PREP_SPINS; i++)
		if (atomic_load(word) >= n)
			return;
	vm_word_wait(word, n);
}

static void prep_fail(struct vm_prep *p, int err, const char *fmt, unsigned id)
{
	char what[64];

	snprintf(what, sizeof(what), fmt, id);
	snprintf(p->msg, sizeof(p->msg), "%s: %s", what, strerror(err));
	p->err = -err;
}

static void *prep_thread(void *arg)
{
	struct vm *vm = arg;
	struct vm_prep *p = &vm->prep;
	unsigned ncpus = vm->cfg->cpus;
	int fd, r;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		prep_fail(p, errno, "/dev/kvm", 0);
		goto out;
	}
	r = cpuid_init(vm, fd);
	close(fd);
	if (r < 0) {
		prep_fail(p, -r, "KVM_GET_SUPPORTED_CPUID", 0);
		goto out;
	}
	for (unsigned i = 0; i < ncpus; i++) {
		prep_wait_for(&p->created, (int)i + 1);
		r = cpuid_setup(vm, &vm->vcpus[i], ncpus);
		if (r < 0) {
			prep_fail(p, -r, "vCPU %u: KVM_SET_CPUID2", i);
			goto out;
		}
	}
	prep_wait_for(&p->boot_ready, 1);
	r = vcpu_setup_bsp(&vm->vcpus[0], &vm->boot.bsp, vm->legacy);
	if (r < 0)
		prep_fail(p, -r, "boot vCPU registers", 0);
out:
	vm_word_set(&p->done, 1);
	return NULL;
}

/* A new thread is queued on its creator's CPU, and the scheduler may leave
 * it there while that CPU is busy and another idles: measured here, the
 * prep thread then started only when the main thread first blocked
 * (~0.3 ms in, inside KVM_SET_USER_MEMORY_REGION), and the two ran in
 * turns. Allowed any CPU of the process's but the main thread's, it runs
 * at once; with one CPU it stays where it is. Best effort: a failure only
 * costs time. */
static void prep_move_away(pthread_t t)
{
	cpu_set_t set;
	int me = sched_getcpu();

	if (me < 0 || sched_getaffinity(0, sizeof(set), &set) < 0 || !CPU_ISSET(me, &set) ||
	    CPU_COUNT(&set) < 2)
		return;
	CPU_CLR(me, &set);
	pthread_setaffinity_np(t, sizeof(set), &set);
}

int prep_start(struct vm *vm)
{
	pthread_attr_t attr;
	int r;

	/* Whatever the thread writes is in place before it runs: a page fault
	 * there takes the mmap lock, which KVM_CREATE_VM on the main thread
	 * holds for writing while it walks every mapping (mmu notifier set-up:
	 * mm_take_all_locks); measured, each then waited for the other and
	 * KVM_CREATE_VM took up to 1.4 ms instead of 0.2. */
	r = cpuid_prealloc(vm, vm->cfg->cpus);
	if (r < 0)
		return r;
	vm_prefault(prep_stack + PREP_STACK - PREP_STACK_USED, PREP_STACK_USED);
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, prep_stack, sizeof(prep_stack));
	r = pthread_create(&vm->prep.thread, &attr, prep_thread, vm);
	pthread_attr_destroy(&attr);
	if (r)
		return -r;
	vm->prep.started = true;
	prep_move_away(vm->prep.thread);
	return 0;
}

void prep_vcpu_created(struct vm *vm, unsigned n)
{
	vm_word_set(&vm->prep.created, (int)n);
}

void prep_boot_ready(struct vm *vm)
{
	vm_word_set(&vm->prep.boot_ready, 1);
}

int prep_join(struct vm *vm, const char **msg)
{
	struct vm_prep *p = &vm->prep;

	if (p->started && !p->joined) {
		prep_wait_for(&p->done, 1);
		pthread_join(p->thread, NULL);
		p->joined = true;
	}
	*msg = p->msg;
	return p->err;
}

int prep_wait(struct vm *vm)
{
	prep_wait_for(&vm->prep.done, 1);
	return vm->prep.err;
}
