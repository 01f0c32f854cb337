/* devices/ioapic on the real /dev/kvm with a split irqchip: the MSI the
 * IOAPIC computes for a redirection entry must be one KVM's local APIC
 * accepts and turns into the right vector for the guest. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/legacy.h"
#include "mem/mem.h"

static int vmfd;
static unsigned signalled;
static int signal_rc;

static void op_deliver(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	struct kvm_msi msi = {
	    .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32), .data = data};
	signal_rc = ioctl(vmfd, KVM_SIGNAL_MSI, &msi);
	signalled++;
}

static const uint8_t guest_main[] = {
    0xfb,	/* sti */
    0xf4,	/* hlt: waits in KVM's local APIC */
    0xeb, 0xfd, /* jmp hlt */
};

static const uint8_t guest_handler[] = {
    0xb0, 0x42, /* mov al, 0x42 */
    0xe6, 0xf4, /* out 0xf4, al */
    0xf4,
};

Test(ioapic_kvm, rte_msi_reaches_the_guest_as_its_vector, .timeout = 30)
{
	static struct mem_map m;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cr_assert_geq(kvm, 0, "/dev/kvm: %s", strerror(errno));
	vmfd = ioctl(kvm, KVM_CREATE_VM, 0);
	cr_assert_geq(vmfd, 0);
	struct kvm_enable_cap cap = {.cap = KVM_CAP_SPLIT_IRQCHIP, .args = {IOAPIC_PINS}};
	cr_assert_eq(ioctl(vmfd, KVM_ENABLE_CAP, &cap), 0, "split irqchip: %s", strerror(errno));
	cr_assert_eq(mem_init(&m, 1 << 20), 0);
	memcpy(m.ram + 0x1000, guest_main, sizeof(guest_main));
	memcpy(m.ram + 0x1100, guest_handler, sizeof(guest_handler));
	uint16_t ivt[2] = {0x1100, 0};
	memcpy(m.ram + 0x30 * 4, ivt, sizeof(ivt));
	cr_assert_eq(mem_register(&m, vmfd), 0);

	int vcpu = ioctl(vmfd, KVM_CREATE_VCPU, 0);
	cr_assert_geq(vcpu, 0);
	/* software-enable the local APIC, as firmware would */
	struct kvm_lapic_state la;
	cr_assert_eq(ioctl(vcpu, KVM_GET_LAPIC, &la), 0);
	uint32_t svr;
	memcpy(&svr, la.regs + 0xf0, 4);
	svr |= 0x1ff;
	memcpy(la.regs + 0xf0, &svr, 4);
	/* APIC ID 3, so the MSI's destination field is really exercised */
	uint32_t id = 3u << 24;
	memcpy(la.regs + 0x20, &id, 4);
	cr_assert_eq(ioctl(vcpu, KVM_SET_LAPIC, &la), 0);

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

	struct bus *bus = bus_new();
	struct ioapic_ops ops = {.deliver = op_deliver};
	struct ioapic *io = ioapic_new(bus, &ops);
	cr_assert_not_null(io);
	/* the guest's IOAPIC driver: pin 4 -> vector 0x30, APIC 3, fixed, edge */
	uint32_t sel = 0x10 + 2 * 4, lo = 0x30, hi = 3u << 24;
	uint32_t selhi = sel + 1;
	cr_assert_eq(bus_write(bus, BUS_MMIO, IOAPIC_BASE, &selhi, 4), 0);
	cr_assert_eq(bus_write(bus, BUS_MMIO, IOAPIC_BASE + 0x10, &hi, 4), 0);
	cr_assert_eq(bus_write(bus, BUS_MMIO, IOAPIC_BASE, &sel, 4), 0);
	cr_assert_eq(bus_write(bus, BUS_MMIO, IOAPIC_BASE + 0x10, &lo, 4), 0);
	ioapic_set_irq(io, 4, true);
	ioapic_set_irq(io, 4, false);
	cr_assert_eq(signalled, 1);
	cr_assert_eq(signal_rc, 1, "KVM_SIGNAL_MSI delivered to %d APICs (%s)", signal_rc, strerror(errno));

	bool done = false;
	for (int i = 0; i < 10 && !done; i++) {
		cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0, "KVM_RUN: %s", strerror(errno));
		cr_assert_eq(run->exit_reason, KVM_EXIT_IO, "exit %u", run->exit_reason);
		if (run->io.port == 0xf4) {
			cr_assert_eq(*((uint8_t *)run + run->io.data_offset), 0x42);
			done = true;
		}
	}
	cr_assert(done, "the vector 0x30 handler never ran");

	munmap(run, (size_t)sz);
	close(vcpu);
	ioapic_free(io);
	bus_free(bus);
	mem_destroy(&m);
	close(vmfd);
	close(kvm);
}
