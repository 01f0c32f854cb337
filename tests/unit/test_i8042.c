/* devices/i8042: the controller as BIOS POST and Linux's i8042 driver probe
 * it, A20 through the output port and port 0x92, and the reset paths. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "devices/devices.h"

struct evlog {
	unsigned resets, a20_calls;
	bool a20;
	int irq1, irq12;
};

static void ev_reset(void *ctx)
{
	((struct evlog *)ctx)->resets++;
}
static void ev_set_a20(void *ctx, bool on)
{
	struct evlog *l = ctx;
	l->a20 = on;
	l->a20_calls++;
}
static bool ev_get_a20(void *ctx)
{
	return ((struct evlog *)ctx)->a20;
}
static void ev_irq(void *ctx, unsigned gsi, bool level)
{
	struct evlog *l = ctx;
	if (gsi == 1)
		l->irq1 = level;
	else if (gsi == 12)
		l->irq12 = level;
	else
		cr_assert_fail("i8042 raised gsi %u", gsi);
}

static struct evlog log_ = {.a20 = true, .irq1 = -1, .irq12 = -1};
static struct vm_events ev = {
    .ctx = &log_, .reset = ev_reset, .set_a20 = ev_set_a20, .get_a20 = ev_get_a20, .set_irq = ev_irq};
static struct bus *bus;

static void setup(void)
{
	bus = bus_new();
	cr_assert_eq(i8042_new(bus, &ev), 0);
}

static void teardown(void)
{
	bus_free(bus);
}

static void outb(uint16_t port, uint8_t v)
{
	cr_assert_eq(bus_write(bus, BUS_PIO, port, &v, 1), 0);
}

static uint8_t inb(uint16_t port)
{
	uint8_t v = 0;
	cr_assert_eq(bus_read(bus, BUS_PIO, port, &v, 1), 0);
	return v;
}

/* What a driver does: wait for OBF (bounded), then read the data port. */
static int read_reply(void)
{
	for (int i = 0; i < 100; i++)
		if (inb(I8042_CMD_PORT) & 0x01)
			return inb(I8042_DATA_PORT);
	return -1;
}

static bool output_empty(void)
{
	return !(inb(I8042_CMD_PORT) & 0x01);
}

TestSuite(i8042, .init = setup, .fini = teardown);

Test(i8042, self_test_answers_0x55_and_sets_sysflag)
{
	outb(I8042_CMD_PORT, 0xaa);
	cr_assert_eq(read_reply(), 0x55);
	cr_assert(inb(I8042_CMD_PORT) & 0x04, "SYS flag after self-test");
	cr_assert(output_empty());
}

Test(i8042, status_never_shows_input_buffer_full)
{
	for (int i = 0; i < 10; i++)
		outb(I8042_CMD_PORT, 0xaa);
	cr_assert_eq(inb(I8042_CMD_PORT) & 0x02, 0, "a driver waiting for IBF=0 must not hang");
}

Test(i8042, command_byte_reads_back_what_was_written)
{
	outb(I8042_CMD_PORT, 0x20);
	int ctr = read_reply();
	cr_assert_neq(ctr, -1);
	outb(I8042_CMD_PORT, 0x60);
	outb(I8042_DATA_PORT, 0x65);
	outb(I8042_CMD_PORT, 0x20);
	cr_assert_eq(read_reply(), 0x65);
	cr_assert(output_empty(), "writing the command byte produced no reply");
}

Test(i8042, disable_enable_kbd_and_aux_change_the_command_byte)
{
	outb(I8042_CMD_PORT, 0xad);
	outb(I8042_CMD_PORT, 0xa7);
	outb(I8042_CMD_PORT, 0x20);
	cr_assert_eq(read_reply() & 0x30, 0x30);
	outb(I8042_CMD_PORT, 0xae);
	outb(I8042_CMD_PORT, 0xa8);
	outb(I8042_CMD_PORT, 0x20);
	cr_assert_eq(read_reply() & 0x30, 0x00);
}

Test(i8042, interface_tests_pass)
{
	outb(I8042_CMD_PORT, 0xab);
	cr_assert_eq(read_reply(), 0x00);
	outb(I8042_CMD_PORT, 0xa9);
	cr_assert_eq(read_reply(), 0x00);
}

Test(i8042, linux_aux_loopback_returns_byte_as_aux_data)
{
	outb(I8042_CMD_PORT, 0xd3);
	outb(I8042_DATA_PORT, 0x5a);
	cr_assert_eq(inb(I8042_CMD_PORT) & 0x21, 0x21, "OBF and AUXDATA");
	cr_assert_eq(inb(I8042_DATA_PORT), 0x5a);
	/* a byte for the (absent) mouse gets no answer, and does not wedge */
	outb(I8042_CMD_PORT, 0xd4);
	outb(I8042_DATA_PORT, 0xf2);
	cr_assert(output_empty());
}

Test(i8042, keyboard_reset_echo_and_identify)
{
	outb(I8042_DATA_PORT, 0xff);
	cr_assert_eq(read_reply(), 0xfa);
	cr_assert_eq(read_reply(), 0xaa);
	outb(I8042_DATA_PORT, 0xee);
	cr_assert_eq(read_reply(), 0xee);
	outb(I8042_DATA_PORT, 0xf2);
	cr_assert_eq(read_reply(), 0xfa);
	cr_assert_eq(read_reply(), 0xab);
	cr_assert_eq(read_reply(), 0x83);
	cr_assert(output_empty());
}

Test(i8042, keyboard_commands_with_an_argument_ack_twice)
{
	outb(I8042_DATA_PORT, 0xed); /* LEDs */
	cr_assert_eq(read_reply(), 0xfa);
	outb(I8042_DATA_PORT, 0x07);
	cr_assert_eq(read_reply(), 0xfa);
	outb(I8042_DATA_PORT, 0xf0); /* get scan code set */
	cr_assert_eq(read_reply(), 0xfa);
	outb(I8042_DATA_PORT, 0x00);
	cr_assert_eq(read_reply(), 0xfa);
	cr_assert_eq(read_reply(), 2);
	cr_assert(output_empty());
}

Test(i8042, keyboard_irq1_follows_output_buffer)
{
	outb(I8042_DATA_PORT, 0xee);
	cr_assert_eq(log_.irq1, 1, "command byte has KBDINT set by default");
	inb(I8042_DATA_PORT);
	cr_assert_eq(log_.irq1, 0);
	outb(I8042_CMD_PORT, 0x60);
	outb(I8042_DATA_PORT, 0x02); /* AUX interrupts only */
	outb(I8042_CMD_PORT, 0xd3);
	outb(I8042_DATA_PORT, 0x11);
	cr_assert_eq(log_.irq12, 1);
	inb(I8042_DATA_PORT);
	cr_assert_eq(log_.irq12, 0);
}

Test(i8042, output_port_a20_via_d1_and_reads_back_via_d0)
{
	outb(I8042_CMD_PORT, 0xd1);
	outb(I8042_DATA_PORT, 0xdd); /* A20 off, reset line high */
	cr_assert_eq(log_.a20, false);
	cr_assert_eq(log_.resets, 0);
	outb(I8042_CMD_PORT, 0xd0);
	cr_assert_eq(read_reply() & 0x03, 0x01);
	outb(I8042_CMD_PORT, 0xd1);
	outb(I8042_DATA_PORT, 0xdf);
	cr_assert_eq(log_.a20, true);
	outb(I8042_CMD_PORT, 0xd0);
	cr_assert_eq(read_reply() & 0x03, 0x03);
}

Test(i8042, output_port_with_reset_bit_clear_resets)
{
	outb(I8042_CMD_PORT, 0xd1);
	outb(I8042_DATA_PORT, 0x02);
	cr_assert_eq(log_.resets, 1);
}

Test(i8042, pulse_0xfe_resets_and_0xff_does_not)
{
	outb(I8042_CMD_PORT, 0xff);
	cr_assert_eq(log_.resets, 0);
	outb(I8042_CMD_PORT, 0xfe);
	cr_assert_eq(log_.resets, 1);
}

Test(i8042, port92_a20_and_fast_reset)
{
	cr_assert_eq(inb(PORT92_PORT) & 0x02, 0x02, "A20 starts on");
	outb(PORT92_PORT, 0x00);
	cr_assert_eq(log_.a20, false);
	cr_assert_eq(inb(PORT92_PORT) & 0x02, 0);
	cr_assert_eq(log_.resets, 0);
	outb(PORT92_PORT, 0x02);
	cr_assert_eq(log_.a20, true);
	unsigned calls = log_.a20_calls;
	outb(PORT92_PORT, 0x02);
	cr_assert_eq(log_.a20_calls, calls, "no A20 change, no call");
	outb(PORT92_PORT, 0x03);
	cr_assert_eq(log_.resets, 1);
}

Test(i8042, a_new_command_cancels_a_pending_data_byte)
{
	outb(I8042_CMD_PORT, 0xd1);
	outb(I8042_CMD_PORT, 0xaa);
	cr_assert_eq(read_reply(), 0x55);
	outb(I8042_DATA_PORT, 0x00); /* now a keyboard byte, not the output port */
	cr_assert_eq(log_.resets, 0);
	cr_assert_eq(log_.a20, true);
}

Test(i8042, hostile_floods_and_wide_accesses)
{
	for (int i = 0; i < 1000; i++)
		outb(I8042_DATA_PORT, 0xf2); /* 3 reply bytes each, never read */
	int n = 0;
	while (!output_empty() && n < 1000) {
		inb(I8042_DATA_PORT);
		n++;
	}
	cr_assert_lt(n, 1000, "the output queue is bounded");
	cr_assert_eq(inb(I8042_DATA_PORT), inb(I8042_DATA_PORT), "empty: re-reads the last byte");
	for (unsigned c = 0; c < 256; c++)
		if (c != 0xfe && !(c >= 0xf0 && !(c & 1)))
			outb(I8042_CMD_PORT, (uint8_t)c);
	uint32_t d;
	cr_assert_eq(bus_read(bus, BUS_PIO, I8042_DATA_PORT, &d, 4), -ENOENT, "0x60 is one port");
	cr_assert_eq(bus_write(bus, BUS_PIO, I8042_CMD_PORT, &d, 2), -ENOENT);
}

static void count_hids(const struct bus_entry *e, void *arg)
{
	unsigned *n = arg;
	if (e->info.acpi_hid && strcmp(e->info.acpi_hid, "PNP0303") == 0) {
		cr_assert_eq(e->base, I8042_DATA_PORT, "the ACPI device sits on the data port");
		cr_assert_eq(e->info.irq, 1);
		(*n)++;
	}
}

Test(i8042, one_acpi_keyboard_controller_device)
{
	unsigned n = 0;
	bus_foreach(bus, count_hids, &n);
	cr_assert_eq(n, 1, "a second PNP0303 would redirect Linux's data port");
}
