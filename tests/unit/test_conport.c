/* devices/conport: cove's console port. A record's bytes go out through
 * the UART in one write; records that leave guest RAM, or are too long,
 * send nothing; the IN says how many bytes went. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "mem/mem.h"

#define MiB (1024ULL * 1024)

static struct mem_map m;
static struct bus *bus;
static struct uart *u;
static int pfd[2];

static void setup(void)
{
	cr_assert_eq(mem_init(&m, 2 * MiB), 0);
	bus = bus_new();
	cr_assert_not_null(bus);
	cr_assert_eq(pipe(pfd), 0);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	fcntl(pfd[1], F_SETFL, O_NONBLOCK);
	u = uart_new(bus, UART_COM1_BASE, UART_COM1_IRQ, pfd[1], NULL);
	cr_assert_not_null(u);
	cr_assert_eq(conport_new(bus, &m, u), 0);
}

static void teardown(void)
{
	bus_free(bus);
	mem_destroy(&m);
	close(pfd[0]);
	close(pfd[1]);
}

TestSuite(conport, .init = setup, .fini = teardown);

/* A record at gpa: len, then the bytes. */
static void put_record(uint64_t gpa, uint32_t len, const char *bytes)
{
	cr_assert_eq(mem_write(&m, gpa, &len, sizeof(len)), 0);
	if (bytes)
		cr_assert_eq(mem_write(&m, gpa + 4, bytes, strlen(bytes)), 0);
}

static uint32_t send(uint32_t gpa)
{
	uint32_t sent = 0xdead;

	cr_assert_eq(bus_write(bus, BUS_PIO, CONPORT_PORT, &gpa, 4), 0);
	cr_assert_eq(bus_read(bus, BUS_PIO, CONPORT_PORT, &sent, 4), 0);
	return sent;
}

static size_t drain(char *buf, size_t len)
{
	ssize_t n = read(pfd[0], buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

Test(conport, a_record_goes_out_whole_in_one_write)
{
	char got[64];

	put_record(0x8000, 12, "hello, cove\n");
	cr_assert_eq(send(0x8000), 12);
	cr_assert_eq(drain(got, sizeof(got)), 12);
	cr_assert_str_eq(got, "hello, cove\n");
}

Test(conport, records_outside_ram_or_too_long_send_nothing)
{
	char got[64];

	cr_assert_eq(send(0xfffffffe), 0, "a record address past RAM");
	put_record(2 * MiB - 8, 16, NULL); /* its bytes would run past the end */
	cr_assert_eq(send(2 * MiB - 8), 0, "bytes past the end of RAM");
	put_record(0x8000, CONPORT_MAX + 1, "x");
	cr_assert_eq(send(0x8000), 0, "longer than CONPORT_MAX");
	put_record(0x8000, 0xffffffffu, "x");
	cr_assert_eq(send(0x8000), 0, "a length that wraps");
	cr_assert_eq(drain(got, sizeof(got)), 0, "something was sent: %s", got);
}

Test(conport, only_a_whole_32_bit_write_is_a_record)
{
	uint16_t half = 0x8000;
	char got[8];

	put_record(0x8000, 3, "abc");
	cr_assert_eq(bus_write(bus, BUS_PIO, CONPORT_PORT, &half, 2), 0);
	cr_assert_eq(drain(got, sizeof(got)), 0);
	cr_assert_eq(send(0x8000), 3);
	cr_assert_eq(drain(got, sizeof(got)), 3);
	cr_assert_str_eq(got, "abc");
}

Test(conport, a_full_fifo_takes_part_and_says_how_much)
{
	static char big[CONPORT_MAX + 1];
	char sink[65536];
	uint32_t sent, total = 0;

	/* Fill the pipe so the UART keeps what it cannot write. */
	memset(sink, 'p', sizeof(sink));
	while (write(pfd[1], sink, sizeof(sink)) > 0)
		;
	memset(big, 'b', CONPORT_MAX);
	put_record(0x10000, CONPORT_MAX, big);
	for (int i = 0; i < 4; i++) {
		sent = send(0x10000);
		cr_assert_leq(sent, CONPORT_MAX);
		total += sent;
	}
	cr_assert_lt(total, 4 * CONPORT_MAX, "the FIFO took everything although the pipe is full");
	cr_assert_gt(total, 0, "the FIFO took nothing");
	cr_assert_eq(send(0x10000), 0, "a full FIFO still took bytes");
}
