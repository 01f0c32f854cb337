/* devices/pic8259: the PIC pair programmed as a PC BIOS and Linux's
 * init_8259A do, then driven by device lines and INTA cycles. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "devices/legacy.h"

static struct bus *bus;
static struct pic *pic;
static atomic_uint intr_calls;

static void ev_intr(void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&intr_calls, 1);
}

static struct vm_events ev = {.pic_intr = ev_intr};

static void outb(uint16_t port, uint8_t v)
{
	cr_assert_eq(bus_write(bus, BUS_PIO, port, &v, 1), 0, "port %#x", port);
}

static uint8_t inb(uint16_t port)
{
	uint8_t v = 0;
	cr_assert_eq(bus_read(bus, BUS_PIO, port, &v, 1), 0, "port %#x", port);
	return v;
}

/* Linux init_8259A(auto_eoi); here auto EOI applies to both chips */
static void init_pics(bool aeoi)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	outb(0x20, 0x11);		/* ICW1: edge, cascade, ICW4 */
	outb(0x21, 0x30);		/* ICW2: vectors 0x30-0x37 */
	outb(0x21, 1u << 2);		/* ICW3: slave on IR2 */
	outb(0x21, aeoi ? 0x03 : 0x01); /* ICW4: 8086, (auto) EOI */
	outb(0xa0, 0x11);
	outb(0xa1, 0x38);
	outb(0xa1, 0x02);
	outb(0xa1, aeoi ? 0x03 : 0x01);
	outb(0x21, 0x00);
	outb(0xa1, 0x00);
}

static void setup(void)
{
	bus = bus_new();
	pic = pic_new(bus, &ev);
	cr_assert_not_null(pic);
	atomic_store(&intr_calls, 0);
}

static void teardown(void)
{
	pic_free(pic);
	bus_free(bus);
}

TestSuite(pic, .init = setup, .fini = teardown);

Test(pic, edge_irq_gives_its_vector_and_isr_until_eoi)
{
	init_pics(false);
	cr_assert_not(pic_intr(pic));
	pic_set_irq(pic, 4, true);
	cr_assert(pic_intr(pic));
	cr_assert_eq(atomic_load(&intr_calls), 1);
	outb(0x20, 0x0a); /* OCW3: read IRR */
	cr_assert_eq(inb(0x20), 0x10);
	cr_assert_eq(pic_ack(pic), 0x34);
	cr_assert_not(pic_intr(pic));
	outb(0x20, 0x0b); /* read ISR */
	cr_assert_eq(inb(0x20), 0x10);
	pic_set_irq(pic, 4, false);
	pic_set_irq(pic, 4, true);
	cr_assert_not(pic_intr(pic), "same IR is blocked while in service");
	outb(0x20, 0x20); /* non-specific EOI */
	cr_assert_eq(inb(0x20), 0x00, "ISR clear after EOI");
	cr_assert(pic_intr(pic), "the second edge was remembered in IRR");
	cr_assert_eq(pic_ack(pic), 0x34);
}

Test(pic, edge_held_high_is_one_interrupt)
{
	init_pics(true);
	pic_set_irq(pic, 3, true);
	cr_assert_eq(pic_ack(pic), 0x33);
	pic_set_irq(pic, 3, true);
	cr_assert_not(pic_intr(pic), "no new edge");
	cr_assert_eq(pic_ack(pic), 0x37, "INTA with nothing pending is spurious IR7");
}

Test(pic, priority_lower_ir_first_and_nesting)
{
	init_pics(false);
	pic_set_irq(pic, 5, true);
	pic_set_irq(pic, 1, true);
	cr_assert_eq(pic_ack(pic), 0x31);
	cr_assert_not(pic_intr(pic), "IR5 waits for IR1's EOI");
	pic_set_irq(pic, 0, true);
	cr_assert(pic_intr(pic), "IR0 nests over IR1");
	cr_assert_eq(pic_ack(pic), 0x30);
	outb(0x20, 0x20); /* ends IR0 (highest in service) */
	outb(0x20, 0x0b);
	cr_assert_eq(inb(0x20), 0x02);
	outb(0x20, 0x20);
	cr_assert_eq(pic_ack(pic), 0x35);
}

Test(pic, specific_eoi_clears_only_that_ir)
{
	init_pics(false);
	pic_set_irq(pic, 6, true);
	cr_assert_eq(pic_ack(pic), 0x36);
	pic_set_irq(pic, 1, true);
	cr_assert_eq(pic_ack(pic), 0x31);
	outb(0x20, 0x60 | 6); /* specific EOI IR6 */
	outb(0x20, 0x0b);
	cr_assert_eq(inb(0x20), 0x02);
}

Test(pic, masked_irq_waits_in_irr)
{
	init_pics(false);
	outb(0x21, 0x10);
	cr_assert_eq(inb(0x21), 0x10, "IMR reads back");
	pic_set_irq(pic, 4, true);
	cr_assert_not(pic_intr(pic));
	outb(0x21, 0x00);
	cr_assert(pic_intr(pic));
	cr_assert_eq(pic_ack(pic), 0x34);
}

Test(pic, slave_irq_cascades_through_ir2)
{
	init_pics(false);
	pic_set_irq(pic, 12, true);
	cr_assert(pic_intr(pic));
	cr_assert_eq(pic_ack(pic), 0x3c);
	outb(0x20, 0x0b);
	cr_assert_eq(inb(0x20), 0x04, "master has IR2 in service");
	outb(0xa0, 0x0b);
	cr_assert_eq(inb(0xa0), 0x10, "slave has IR4 in service");
	/* a second slave request after both EOIs is a new interrupt */
	pic_set_irq(pic, 14, true);
	cr_assert_not(pic_intr(pic));
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	cr_assert(pic_intr(pic));
	cr_assert_eq(pic_ack(pic), 0x3e);
}

Test(pic, two_slave_requests_in_auto_eoi_both_arrive)
{
	init_pics(true);
	pic_set_irq(pic, 9, true);
	pic_set_irq(pic, 11, true);
	cr_assert_eq(pic_ack(pic), 0x39);
	cr_assert(pic_intr(pic), "IR11 still pending on the slave");
	cr_assert_eq(pic_ack(pic), 0x3b);
	cr_assert_not(pic_intr(pic));
}

Test(pic, slave_mask_blocks_cascade)
{
	init_pics(false);
	outb(0xa1, 0x01);
	pic_set_irq(pic, 8, true);
	cr_assert_not(pic_intr(pic));
	outb(0x21, 0x04); /* mask the cascade */
	outb(0xa1, 0x00);
	cr_assert_not(pic_intr(pic));
	outb(0x21, 0x00);
	cr_assert_eq(pic_ack(pic), 0x38);
}

Test(pic, level_mode_per_elcr)
{
	init_pics(false);
	outb(0x4d1, 0x08); /* IRQ11 level */
	cr_assert_eq(inb(0x4d1), 0x08);
	pic_set_irq(pic, 11, true);
	cr_assert_eq(pic_ack(pic), 0x3b);
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	cr_assert(pic_intr(pic), "a level line still high asks again after EOI");
	cr_assert_eq(pic_ack(pic), 0x3b);
	pic_set_irq(pic, 11, false);
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	cr_assert_not(pic_intr(pic), "line low: no request");
	/* level dropped before INTA: the request is gone */
	pic_set_irq(pic, 11, true);
	pic_set_irq(pic, 11, false);
	cr_assert_not(pic_intr(pic));
}

Test(pic, elcr_keeps_timer_keyboard_cascade_and_rtc_edge)
{
	outb(0x4d0, 0xff);
	outb(0x4d1, 0xff);
	cr_assert_eq(inb(0x4d0), 0xf8);
	cr_assert_eq(inb(0x4d1), 0xde);
	uint16_t w = 0;
	cr_assert_eq(bus_read(bus, BUS_PIO, 0x4d0, &w, 2), 0);
	cr_assert_eq(w, 0xdef8);
}

Test(pic, rotate_on_nonspecific_eoi_changes_priority)
{
	init_pics(false);
	pic_set_irq(pic, 0, true);
	cr_assert_eq(pic_ack(pic), 0x30);
	outb(0x20, 0xa0); /* rotate on non-specific EOI: IR0 becomes lowest */
	pic_set_irq(pic, 0, false);
	pic_set_irq(pic, 0, true);
	pic_set_irq(pic, 5, true);
	cr_assert_eq(pic_ack(pic), 0x35, "after rotation IR5 beats IR0");
	outb(0x20, 0xc0 | 7); /* set priority: IR7 lowest, IR0 highest again */
	outb(0x20, 0x60 | 5);
	cr_assert_eq(pic_ack(pic), 0x30);
}

Test(pic, poll_mode_reads_and_acks)
{
	init_pics(false);
	outb(0x20, 0x0c); /* OCW3 poll */
	cr_assert_eq(inb(0x20), 0x00, "nothing pending");
	pic_set_irq(pic, 6, true);
	outb(0x20, 0x0c);
	cr_assert_eq(inb(0x20), 0x86);
	outb(0x20, 0x0b);
	cr_assert_eq(inb(0x20), 0x40, "poll read put IR6 in service");
}

Test(pic, icw1_resets_state_and_vector_base_from_icw2)
{
	init_pics(false);
	outb(0x21, 0xaa);
	pic_set_irq(pic, 0, true);
	pic_ack(pic);
	outb(0x20, 0x11);
	outb(0x21, 0x08);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	cr_assert_eq(inb(0x21), 0x00, "ICW1 cleared IMR");
	outb(0x20, 0x0b);
	cr_assert_eq(inb(0x20), 0x00, "and ISR");
	pic_set_irq(pic, 0, false);
	pic_set_irq(pic, 0, true);
	cr_assert_eq(pic_ack(pic), 0x08, "BIOS vector base 8");
}

Test(pic, hostile_sequences_do_not_break_it)
{
	for (unsigned v = 0; v < 256; v++) {
		outb(0x20, (uint8_t)v);
		outb(0x21, (uint8_t)~v);
		outb(0xa0, (uint8_t)(v * 7));
		outb(0xa1, (uint8_t)v);
		(void)inb(0x20);
		(void)inb(0xa1);
		pic_set_irq(pic, v & 15, v & 1);
		int vec = pic_ack(pic);
		cr_assert(vec >= 0 && vec <= 255);
	}
	pic_set_irq(pic, 16, true);
	pic_set_irq(pic, 1000, true);
	pic_set_irq(pic, 2, true);
	uint32_t d;
	cr_assert_eq(bus_read(bus, BUS_PIO, 0x20, &d, 4), -ENOENT);
	uint16_t w = 0x1111;
	cr_assert_eq(bus_write(bus, BUS_PIO, 0x20, &w, 2), 0, "a word write is ICW1 then ICW2");
	cr_assert_eq(bus_read(bus, BUS_PIO, 0xa0, &w, 2), 0);
}

static void *raiser(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		pic_set_irq(pic, 1, true);
		pic_set_irq(pic, 1, false);
	}
	return NULL;
}

Test(pic, iothread_raises_while_vcpu_acks)
{
	init_pics(true);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, raiser, NULL), 0);
	unsigned got = 0;
	for (int i = 0; i < 20000; i++) {
		int v = pic_ack(pic);
		cr_assert(v == 0x31 || v == 0x37, "vector %#x", v);
		got += v == 0x31;
	}
	pthread_join(t, NULL);
	while (pic_intr(pic))
		got += pic_ack(pic) == 0x31;
	cr_assert_gt(got, 0);
	cr_assert_leq(got, 20000, "no more interrupts than edges");
}

static void count_pic(const struct bus_entry *e, void *arg)
{
	unsigned *n = arg;
	if (e->info.acpi_hid || e->info.fdt_compatible) {
		cr_assert_eq(e->base, 0x20);
		(*n)++;
	}
}

Test(pic, described_once_on_the_master)
{
	unsigned n = 0;
	bus_foreach(bus, count_pic, &n);
	cr_assert_eq(n, 1);
}
