/* devices: debug exit (0xf4) and the power device (0x600-0x602). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "devices/devices.h"

struct evlog {
	unsigned poweroffs, resets, exits;
	unsigned last_exit;
};

static void ev_poweroff(void *ctx)
{
	((struct evlog *)ctx)->poweroffs++;
}
static void ev_reset(void *ctx)
{
	((struct evlog *)ctx)->resets++;
}
static void ev_exit(void *ctx, unsigned v)
{
	struct evlog *l = ctx;
	l->exits++;
	l->last_exit = v;
}

static struct evlog log_;
static struct vm_events ev = {
    .ctx = &log_, .poweroff = ev_poweroff, .reset = ev_reset, .debug_exit = ev_exit};
static struct bus *bus;

static void setup(void)
{
	bus = bus_new();
	cr_assert_not_null(bus);
	cr_assert_eq(debugexit_new(bus, &ev), 0);
	cr_assert_eq(power_new(bus, &ev), 0);
}

static void teardown(void)
{
	bus_free(bus);
}

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

TestSuite(devices, .init = setup, .fini = teardown);

Test(devices, debugexit_byte_write_passes_the_value)
{
	outb(DEBUGEXIT_PORT, 0x10);
	cr_assert_eq(log_.exits, 1);
	cr_assert_eq(log_.last_exit, 0x10);
}

Test(devices, debugexit_word_and_dword_writes_pass_the_whole_value)
{
	uint16_t w = 0x1234;
	cr_assert_eq(bus_write(bus, BUS_PIO, DEBUGEXIT_PORT, &w, 2), 0);
	cr_assert_eq(log_.last_exit, 0x1234);
	uint32_t d = 0xcafe0001;
	cr_assert_eq(bus_write(bus, BUS_PIO, DEBUGEXIT_PORT, &d, 4), 0);
	cr_assert_eq(log_.last_exit, 0xcafe0001);
	cr_assert_eq(log_.exits, 2);
}

Test(devices, debugexit_reads_all_ones_and_padding_ports_do_nothing)
{
	cr_assert_eq(inb(DEBUGEXIT_PORT), 0xff);
	uint32_t d = 0;
	cr_assert_eq(bus_read(bus, BUS_PIO, DEBUGEXIT_PORT, &d, 4), 0);
	cr_assert_eq(d, 0xffffffff);
	outb(DEBUGEXIT_PORT + 1, 1);
	outb(DEBUGEXIT_PORT + 3, 1);
	cr_assert_eq(log_.exits, 0);
	uint64_t q = 0;
	cr_assert_eq(bus_write(bus, BUS_PIO, DEBUGEXIT_PORT, &q, 8), -ENOENT,
		     "8 bytes straddle the 4-port range");
	cr_assert_eq(log_.exits, 0);
}

Test(devices, debugexit_without_handler_is_harmless)
{
	struct bus *b2 = bus_new();
	cr_assert_eq(debugexit_new(b2, NULL), 0);
	uint8_t v = 1;
	cr_assert_eq(bus_write(b2, BUS_PIO, DEBUGEXIT_PORT, &v, 1), 0);
	cr_assert_eq(debugexit_new(b2, NULL), -EEXIST);
	bus_free(b2);
}

Test(devices, power_s5_powers_off)
{
	outb(POWER_SLEEP_CTL_PORT, POWER_SLP_EN | (POWER_SLP_TYP_S5 << POWER_SLP_TYP_SHIFT));
	cr_assert_eq(log_.poweroffs, 1);
	cr_assert_eq(log_.resets, 0);
}

Test(devices, power_needs_slp_en)
{
	outb(POWER_SLEEP_CTL_PORT, POWER_SLP_TYP_S5 << POWER_SLP_TYP_SHIFT);
	cr_assert_eq(log_.poweroffs, 0, "SLP_TYP alone must not power off");
}

Test(devices, power_other_sleep_states_wake_at_once)
{
	cr_assert_eq(inb(POWER_SLEEP_STS_PORT), 0);
	outb(POWER_SLEEP_CTL_PORT, POWER_SLP_EN | (3 << POWER_SLP_TYP_SHIFT)); /* S3 */
	cr_assert_eq(log_.poweroffs, 0);
	cr_assert_eq(inb(POWER_SLEEP_STS_PORT), 0x80, "WAK_STS so a waiting guest carries on");
	outb(POWER_SLEEP_STS_PORT, 0x80);
	cr_assert_eq(inb(POWER_SLEEP_STS_PORT), 0, "WAK_STS is write-1-to-clear");
}

Test(devices, power_reset_needs_the_reset_value)
{
	outb(POWER_RESET_PORT, 0x2);
	cr_assert_eq(log_.resets, 0);
	outb(POWER_RESET_PORT, POWER_RESET_VALUE);
	cr_assert_eq(log_.resets, 1);
	cr_assert_eq(inb(POWER_RESET_PORT), 0);
	cr_assert_eq(inb(POWER_SLEEP_CTL_PORT), 0, "SLP_EN reads 0");
}

Test(devices, power_wide_write_splits_into_registers)
{
	/* a 2-byte write at 0x601 hits the status then the reset register */
	uint16_t w = (uint16_t)(POWER_RESET_VALUE << 8);
	cr_assert_eq(bus_write(bus, BUS_PIO, POWER_SLEEP_STS_PORT, &w, 2), 0);
	cr_assert_eq(log_.resets, 1);
	uint32_t d;
	cr_assert_eq(bus_read(bus, BUS_PIO, POWER_SLEEP_CTL_PORT, &d, 4), -ENOENT,
		     "4 bytes straddle 3 ports");
}

static void find_power(const struct bus_entry *e, void *arg)
{
	if (e->base == POWER_SLEEP_CTL_PORT)
		*(const struct bus_dev_info **)arg = &e->info;
}

Test(devices, power_describes_itself)
{
	const struct bus_dev_info *i = NULL;
	bus_foreach(bus, find_power, &i);
	cr_assert_not_null(i);
	cr_assert_str_eq(i->name, "power");
	cr_assert_str_eq(i->fdt_compatible, "cove,power");
	cr_assert_null(i->acpi_hid);
	cr_assert_eq(i->irq, -1);
}
