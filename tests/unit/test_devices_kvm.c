/* devices + mem on the real /dev/kvm: a real-mode guest drives the UART,
 * gates A20 through port 0x92 and the i8042 output port, and leaves through
 * the debug exit. Port I/O exits go through bus_read/bus_write exactly as
 * the VM core dispatches them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/devices.h"
#include "mem/mem.h"

struct vmctx {
	struct mem_map mem;
	bool exited;
	unsigned exit_value;
	unsigned a20_changes;
};

static void ev_exit(void *ctx, unsigned v)
{
	struct vmctx *c = ctx;
	c->exited = true;
	c->exit_value = v;
}

static void ev_set_a20(void *ctx, bool on)
{
	struct vmctx *c = ctx;
	cr_assert_eq(mem_set_a20(&c->mem, on), 0);
	c->a20_changes++;
}

static bool ev_get_a20(void *ctx)
{
	return mem_a20_enabled(&((struct vmctx *)ctx)->mem);
}

static const uint8_t guest[] = {
    0xba, 0xf8, 0x03, /* mov dx, 0x3f8 */
    0xb0, 'A',	      /* mov al, 'A' */
    0xee,	      /* out dx, al */
    0xe4, 0x92,	      /* in al, 0x92 */
    0x24, 0xfd,	      /* and al, ~2: A20 off */
    0xe6, 0x92,	      /* out 0x92, al */
    0xb8, 0xff, 0xff, /* mov ax, 0xffff */
    0x8e, 0xd8,	      /* mov ds, ax */
    0xa0, 0x10, 0x01, /* mov al, [0x0110]: gpa 0x100100, or 0x100 with A20 off */
    0xee,	      /* out dx, al */
    0xb0, 0xd1,	      /* mov al, 0xd1: write output port */
    0xe6, 0x64,	      /* out 0x64, al */
    0xb0, 0xdf,	      /* mov al, 0xdf: A20 on */
    0xe6, 0x60,	      /* out 0x60, al */
    0xa0, 0x10, 0x01, /* mov al, [0x0110] */
    0xee,	      /* out dx, al */
    0xb0, 0x21,	      /* mov al, 0x21 */
    0xe6, 0xf4,	      /* out 0xf4, al */
    0xf4,	      /* hlt */
};

Test(devices_kvm, real_mode_guest_uart_a20_and_debug_exit, .timeout = 30)
{
	static struct vmctx c;
	struct vm_events ev = {
	    .ctx = &c, .debug_exit = ev_exit, .set_a20 = ev_set_a20, .get_a20 = ev_get_a20};
	int pfd[2];
	cr_assert_eq(pipe(pfd), 0);

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cr_assert_geq(kvm, 0, "/dev/kvm: %s", strerror(errno));
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	cr_assert_geq(vm, 0);
	cr_assert_eq(mem_init(&c.mem, 4 << 20), 0);
	memcpy(c.mem.ram + 0x1000, guest, sizeof(guest));
	c.mem.ram[0x100] = 'L';
	c.mem.ram[0x100100] = 'H';
	cr_assert_eq(mem_register(&c.mem, vm), 0);

	struct bus *bus = bus_new();
	cr_assert_not_null(uart_new(bus, UART_COM1_BASE, UART_COM1_IRQ, pfd[1], &ev));
	cr_assert_eq(i8042_new(bus, &ev), 0);
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
	cr_assert_eq(ioctl(vcpu, KVM_SET_SREGS, &s), 0);
	struct kvm_regs r = {.rip = 0x1000, .rflags = 2};
	cr_assert_eq(ioctl(vcpu, KVM_SET_REGS, &r), 0);

	for (int i = 0; i < 100 && !c.exited; i++) {
		cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0, "KVM_RUN: %s", strerror(errno));
		cr_assert_eq(run->exit_reason, KVM_EXIT_IO, "exit %u", run->exit_reason);
		uint8_t *d = (uint8_t *)run + run->io.data_offset;
		for (unsigned k = 0; k < run->io.count; k++, d += run->io.size) {
			if (run->io.direction == KVM_EXIT_IO_OUT)
				bus_write(bus, BUS_PIO, run->io.port, d, run->io.size);
			else
				bus_read(bus, BUS_PIO, run->io.port, d, run->io.size);
		}
	}
	cr_assert(c.exited, "the guest never reached the debug exit");
	cr_assert_eq(c.exit_value, 0x21);
	cr_assert_eq(c.a20_changes, 2);
	cr_assert(mem_a20_enabled(&c.mem));
	cr_assert_eq(bus_unknown_count(bus, BUS_PIO), 0);
	char out[8] = {0};
	cr_assert_eq(read(pfd[0], out, sizeof(out) - 1), 3);
	cr_assert_str_eq(out, "ALH", "A20 off must alias 1 MiB onto 0 (got \"%s\")", out);

	munmap(run, (size_t)sz);
	close(vcpu);
	bus_free(bus);
	mem_destroy(&c.mem);
	close(vm);
	close(kvm);
	close(pfd[0]);
	close(pfd[1]);
}
