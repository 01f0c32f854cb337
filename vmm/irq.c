/* vmm: interrupts. With the split irqchip the local APICs are in KVM; the
 * IOAPIC (devices/) tells us each pin's MSI, which we keep as the GSI
 * routing table (so irqfds and KVM's EOI exits follow the guest's
 * programming). The legacy PIC's INTR goes to the boot vCPU through
 * KVM_INTERRUPT, which KVM takes while LINT0 is ExtINT. */
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vmm/vm_internal.h"

/* ISA IRQ 0 (the PIT) is wired to IOAPIC pin 2, as the MADT's override says. */
static unsigned irq_isa_to_pin(unsigned irq)
{
	return irq == 0 ? 2 : irq;
}

/* Set on the I/O thread by irq_io_thread_start(). */
static __thread bool irq_on_io_thread;

void irq_io_thread_start(struct vm *vm)
{
	(void)vm;
	irq_on_io_thread = true;
}

void irq_init(struct vm *vm)
{
	pthread_mutex_init(&vm->irq.lock, NULL);
}

static int irq_commit(struct vm *vm)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[IOAPIC_PINS];
	} t;
	unsigned n = 0;

	memset(&t, 0, sizeof(t));
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		if (vm->irq.valid[i])
			t.e[n++] = vm->irq.pins[i];
	t.hdr.nr = n;
	return ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, &t) < 0 ? -errno : 0;
}

/* Commits the table under the lock; 0 or -errno, printed and fatal here. */
static void irq_commit_locked(struct vm *vm)
{
	int r;

	pthread_mutex_lock(&vm->irq.lock);
	r = irq_commit(vm);
	pthread_mutex_unlock(&vm->irq.lock);
	/* Only ENOMEM can make a table of at most 24 valid entries fail: the
	 * host is out of memory, and the guest would lose interrupts. */
	if (r < 0)
		vm_endf(vm, COVE_EXIT_HOST, "cove: KVM_SET_GSI_ROUTING: %s\n", strerror(-r));
}

/* I/O thread (its wake hook): commits the table for vCPUs that asked. */
void irq_service(struct vm *vm)
{
	int want = atomic_load(&vm->irq.gen_req);

	if (atomic_load(&vm->irq.gen_done) == want)
		return;
	irq_commit_locked(vm);
	atomic_store(&vm->irq.gen_done, want);
	syscall(SYS_futex, &vm->irq.gen_done, FUTEX_WAKE_PRIVATE, VM_MAX_CPUS, NULL, NULL, 0);
}

/* The guest rewrote a redirection entry (on a vCPU thread, or during
 * set-up). When the I/O thread runs, a vCPU hands the commit to it and
 * waits for it: the guest's next instruction sees the new route, as on
 * hardware. Before the threads run, or when there is no I/O thread (no
 * virtio, no stdin), the caller commits itself (the vCPU filter allows
 * KVM_SET_GSI_ROUTING for that). */
void irq_ioapic_route(void *ctx, unsigned pin, uint64_t msi_addr, uint32_t msi_data, bool masked)
{
	struct vm *vm = ctx;
	int gen;

	if (pin >= IOAPIC_PINS)
		return;
	pthread_mutex_lock(&vm->irq.lock);
	vm->irq.pins[pin] = (struct kvm_irq_routing_entry){
	    .gsi = pin,
	    .type = KVM_IRQ_ROUTING_MSI,
	    .u.msi = {.address_lo = (uint32_t)msi_addr, .address_hi = msi_addr >> 32, .data = msi_data},
	};
	vm->irq.valid[pin] = !masked;
	pthread_mutex_unlock(&vm->irq.lock);
	if (!atomic_load(&vm->irq.io_serves) || irq_on_io_thread) {
		irq_commit_locked(vm);
		return;
	}
	gen = atomic_fetch_add(&vm->irq.gen_req, 1) + 1;
	evloop_wake(vm->loop);
	/* Generations only grow; the VM's end stops the I/O thread, so a
	 * waiter gives up then (the timeout bounds the check). */
	while (atomic_load(&vm->irq.gen_done) - gen < 0 && !vm_ended(vm)) {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 10000000};
		int seen = atomic_load(&vm->irq.gen_done);

		if (seen - gen >= 0)
			break;
		syscall(SYS_futex, &vm->irq.gen_done, FUTEX_WAIT_PRIVATE, seen, &ts, NULL, 0);
	}
}

void irq_ioapic_deliver(void *ctx, uint64_t msi_addr, uint32_t msi_data)
{
	struct vm *vm = ctx;
	struct kvm_msi msi = {
	    .address_lo = (uint32_t)msi_addr, .address_hi = msi_addr >> 32, .data = msi_data};

	/* 0 means the guest blocked it (no APIC matched): not an error. */
	if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0 && errno != EINVAL)
		vm_endf(vm, COVE_EXIT_HOST, "cove: KVM_SIGNAL_MSI: %s\n", strerror(errno));
}

int irq_irqfd(void *ctx, unsigned gsi, int efd)
{
	struct vm *vm = ctx;
	struct kvm_irqfd f = {.fd = (uint32_t)efd, .gsi = irq_isa_to_pin(gsi)};

	if (gsi >= IOAPIC_PINS)
		return -EINVAL;
	return ioctl(vm->vm_fd, KVM_IRQFD, &f) < 0 ? -errno : 0;
}

void irq_set(void *ctx, unsigned gsi, bool level)
{
	struct vm *vm = ctx;

	if (vm->ioapic && irq_isa_to_pin(gsi) < IOAPIC_PINS)
		ioapic_set_irq(vm->ioapic, irq_isa_to_pin(gsi), level);
	if (vm->pic && gsi < 16)
		pic_set_irq(vm->pic, gsi, level);
}

void irq_pic_intr(void *ctx)
{
	struct vm *vm = ctx;

	/* The boot vCPU checks the PIC before each KVM_RUN; the kick makes it
	 * leave KVM_RUN (or a halt) to do so. Its own exits need no kick. */
	if (vm->vcpus && atomic_load(&vm->vcpus[0].started) &&
	    !pthread_equal(pthread_self(), vm->vcpus[0].self))
		vcpu_kick(&vm->vcpus[0]);
}

void irq_pic_inject(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct pic *pic = v->vm->pic;

	if (!pic_intr(pic)) {
		run->request_interrupt_window = 0;
		return;
	}
	if (run->ready_for_interrupt_injection) {
		struct kvm_interrupt irq = {.irq = (uint32_t)pic_ack(pic)};

		/* EEXIST: KVM still holds the last vector; the window exit
		 * brings us back once it is delivered. */
		if (ioctl(v->fd, KVM_INTERRUPT, &irq) < 0 && errno != EEXIST)
			return;
		run->request_interrupt_window = pic_intr(pic);
		return;
	}
	run->request_interrupt_window = 1;
}
