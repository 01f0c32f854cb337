/* devices: PIC and PIT on the real /dev/kvm. A real-mode guest programs
 * both, then counts IRQ0s in a handler while it halts; the host side does
 * what the VM core does for a legacy guest: pit_next_event, pit_advance,
 * pic_intr, pic_ack, KVM_INTERRUPT. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "devices/legacy.h"
#include "mem/mem.h"

static struct pic *pic;
static bool exited;
static unsigned exit_value;

static void ev_exit(void *ctx, unsigned v)
{
	(void)ctx;
	exited = true;
	exit_value = v;
}

static void ev_set_irq(void *ctx, unsigned gsi, bool level)
{
	(void)ctx;
	pic_set_irq(pic, gsi, level);
}

static const uint8_t guest_main[] = {
    0xfa,				/* cli */
    0xb0, 0x11, 0xe6, 0x20,		/* ICW1 */
    0xb0, 0x08, 0xe6, 0x21,		/* ICW2: vectors 8-15 */
    0xb0, 0x04, 0xe6, 0x21,		/* ICW3 */
    0xb0, 0x01, 0xe6, 0x21,		/* ICW4 */
    0xb0, 0xfe, 0xe6, 0x21,		/* OCW1: only IRQ0 */
    0xb0, 0x34, 0xe6, 0x43,		/* PIT counter 0, lo/hi, mode 2 */
    0xb0, 0xa9, 0xe6, 0x40,		/* 1193 = 1 ms */
    0xb0, 0x04, 0xe6, 0x40, 0x31, 0xdb, /* xor bx, bx */
    0xfb,				/* loop: sti */
    0xf4,				/* hlt */
    0x83, 0xfb, 0x05,			/* cmp bx, 5 */
    0x72, 0xf9,				/* jb loop */
    0x88, 0xd8,				/* mov al, bl */
    0xe6, 0xf4,				/* out 0xf4, al */
    0xf4,
};

static const uint8_t guest_irq0[] = {
    0x43,		    /* inc bx */
    0xb0, 0x20, 0xe6, 0x20, /* EOI */
    0xcf,		    /* iret */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

Test(pit_kvm, real_mode_guest_counts_timer_interrupts, .timeout = 30)
{
	static struct mem_map m;
	struct vm_events ev = {.debug_exit = ev_exit, .set_irq = ev_set_irq};
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cr_assert_geq(kvm, 0, "/dev/kvm: %s", strerror(errno));
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	cr_assert_geq(vm, 0);
	cr_assert_eq(mem_init(&m, 1 << 20), 0);
	memcpy(m.ram + 0x1000, guest_main, sizeof(guest_main));
	memcpy(m.ram + 0x1100, guest_irq0, sizeof(guest_irq0));
	uint16_t ivt8[2] = {0x1100, 0};
	memcpy(m.ram + 8 * 4, ivt8, sizeof(ivt8));
	cr_assert_eq(mem_register(&m, vm), 0);

	struct bus *bus = bus_new();
	pic = pic_new(bus, &ev);
	struct pit *pit = pit_new(bus, &ev);
	cr_assert(pic && pit);
	cr_assert_eq(debugexit_new(bus, &ev), 0);

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	cr_assert_geq(vcpu, 0);
	int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	cr_assert_neq(run, MAP_FAILED);
	struct kvm_sregs s;
	cr_assert_eq(ioctl(vcpu, KVM_GET_SREGS, &s), 0);
	s.cs.base = 0;
	s.cs.selector = 0;
	s.ss.base = 0;
	s.ss.selector = 0;
	cr_assert_eq(ioctl(vcpu, KVM_SET_SREGS, &s), 0);
	struct kvm_regs r = {.rip = 0x1000, .rsp = 0x8000, .rflags = 2};
	cr_assert_eq(ioctl(vcpu, KVM_SET_REGS, &r), 0);

	unsigned injected = 0, halts = 0;
	for (int i = 0; i < 2000 && !exited; i++) {
		cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0, "KVM_RUN: %s", strerror(errno));
		if (run->exit_reason == KVM_EXIT_IO) {
			uint8_t *d = (uint8_t *)run + run->io.data_offset;
			for (unsigned k = 0; k < run->io.count; k++, d += run->io.size) {
				if (run->io.direction == KVM_EXIT_IO_OUT)
					bus_write(bus, BUS_PIO, run->io.port, d, run->io.size);
				else
					bus_read(bus, BUS_PIO, run->io.port, d, run->io.size);
			}
			continue;
		}
		cr_assert_eq(run->exit_reason, KVM_EXIT_HLT, "exit %u", run->exit_reason);
		halts++;
		/* the I/O thread's timer: sleep to the next edge, advance */
		int64_t next = pit_next_event(pit);
		cr_assert_geq(next, 0, "the guest programmed a periodic timer");
		struct timespec ts = {next / 1000000000LL, next % 1000000000LL};
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		pit_advance(pit, now_ns());
		cr_assert(pic_intr(pic), "IRQ0 reached the PIC's INTR");
		cr_assert(run->ready_for_interrupt_injection);
		struct kvm_interrupt irq = {.irq = (uint32_t)pic_ack(pic)};
		cr_assert_eq(irq.irq, 8, "IRQ0 is vector 8 after ICW2 0x08");
		cr_assert_eq(ioctl(vcpu, KVM_INTERRUPT, &irq), 0, "KVM_INTERRUPT: %s", strerror(errno));
		injected++;
	}
	cr_assert(exited, "the guest never finished (%u halts, %u interrupts)", halts, injected);
	cr_assert_eq(exit_value, 5, "the handler ran once per interrupt");
	cr_assert_eq(injected, 5);

	munmap(run, (size_t)sz);
	close(vcpu);
	pit_free(pit);
	pic_free(pic);
	bus_free(bus);
	mem_destroy(&m);
	close(vm);
	close(kvm);
}
