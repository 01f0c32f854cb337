/* devices/uart8250: a 16550A as Linux's 8250 driver and firmware program it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"

#define B UART_COM1_BASE

struct irqlog {
	int level; /* last level seen, -1 none */
	unsigned raises, lowers;
	unsigned gsi;
};

static void rec_irq(void *ctx, unsigned gsi, bool level)
{
	struct irqlog *l = ctx;
	l->gsi = gsi;
	l->level = level;
	if (level)
		l->raises++;
	else
		l->lowers++;
}

static struct bus *bus;
static struct uart *u;
static int pfd[2];
static struct irqlog irq = {.level = -1};
static struct vm_events ev = {.ctx = &irq, .set_irq = rec_irq};

static void setup(void)
{
	bus = bus_new();
	cr_assert_not_null(bus);
	cr_assert_eq(pipe(pfd), 0);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	u = uart_new(bus, B, UART_COM1_IRQ, pfd[1], &ev);
	cr_assert_not_null(u);
}

static void teardown(void)
{
	bus_free(bus);
	close(pfd[0]);
	close(pfd[1]);
}

static uint8_t in(unsigned reg)
{
	uint8_t v = 0;
	cr_assert_eq(bus_read(bus, BUS_PIO, B + reg, &v, 1), 0);
	return v;
}

static void out(unsigned reg, uint8_t v)
{
	cr_assert_eq(bus_write(bus, BUS_PIO, B + reg, &v, 1), 0);
}

TestSuite(uart, .init = setup, .fini = teardown);

Test(uart, scratch_register_holds_what_is_written)
{
	out(7, 0xa5);
	cr_assert_eq(in(7), 0xa5);
	out(7, 0x5a);
	cr_assert_eq(in(7), 0x5a);
}

Test(uart, linux_autoconfig_sees_a_16550a)
{
	/* IER test: 0 reads back 0; 0x0f reads back 0x0f (upper nibble zero) */
	out(1, 0);
	cr_assert_eq(in(1) & 0x0f, 0);
	out(1, 0xff);
	cr_assert_eq(in(1), 0x0f, "16550A keeps only 4 IER bits");
	out(1, 0);
	/* loopback: MSR follows MCR; RTS|OUT2 -> CTS|DCD = 0x90 */
	out(4, 0x10 | 0x0a);
	cr_assert_eq(in(6) & 0xf0, 0x90);
	out(4, 0);
	/* FIFO: IIR bits 7:6 = 3 */
	out(2, 0x01);
	cr_assert_eq(in(2) >> 6, 3, "FIFO enabled must report 0xc0 in IIR");
	out(2, 0);
	cr_assert_eq(in(2) >> 6, 0);
	/* with LCR=0xbf the EFR probe reads IIR, which is not 0 on a 16550A */
	out(3, 0xbf);
	cr_assert_neq(in(2), 0);
	out(3, 0x03);
}

Test(uart, lsr_transmitter_always_empty_and_dr_follows_input)
{
	cr_assert_eq(in(5), 0x60, "THRE|TEMT with nothing received");
	uart_input(u, "x", 1);
	cr_assert_eq(in(5), 0x61);
	cr_assert_eq(in(0), 'x');
	cr_assert_eq(in(5), 0x60);
}

Test(uart, thr_writes_reach_out_fd)
{
	const char *s = "hello\n";
	for (const char *p = s; *p; p++)
		out(0, (uint8_t)*p);
	char buf[16] = {0};
	cr_assert_eq(read(pfd[0], buf, sizeof(buf)), 6);
	cr_assert_str_eq(buf, "hello\n");
}

Test(uart, divisor_latch_does_not_transmit)
{
	out(3, 0x80);
	out(0, 0x0c);
	out(1, 0x00);
	cr_assert_eq(in(0), 0x0c);
	cr_assert_eq(in(1), 0x00);
	out(3, 0x03);
	char c;
	cr_assert_eq(read(pfd[0], &c, 1), -1, "a DLL write must not send a byte");
	cr_assert_eq(errno, EAGAIN);
	cr_assert_eq(in(1), 0, "IER untouched by the DLM write");
}

Test(uart, receive_fifo_in_order_and_trigger_level)
{
	out(2, 0x01 | 0x80); /* FIFO on, trigger 8 */
	out(1, 0x01);	     /* RDA interrupt */
	uart_input(u, "abc", 3);
	cr_assert_eq(in(2) & 0x0f, 0x0c, "below trigger: character timeout");
	cr_assert_eq(irq.level, 1);
	uart_input(u, "defgh", 5);
	cr_assert_eq(in(2) & 0x0f, 0x04, "at trigger: RDA");
	char got[9] = {0};
	for (int i = 0; i < 8; i++)
		got[i] = (char)in(0);
	cr_assert_str_eq(got, "abcdefgh");
	cr_assert_eq(in(2) & 0x0f, 0x01, "drained: no interrupt");
	cr_assert_eq(irq.level, 0);
	cr_assert_eq(irq.gsi, UART_COM1_IRQ);
}

Test(uart, fcr_clears_the_receive_fifo)
{
	out(2, 0x01);
	uart_input(u, "zz", 2);
	out(2, 0x03);
	cr_assert_eq(in(5) & 1, 0);
}

Test(uart, thre_interrupt_on_enable_and_cleared_by_iir_read)
{
	cr_assert_eq(irq.raises, 0);
	out(1, 0x02);
	cr_assert_eq(irq.level, 1, "enabling THRE with THR empty interrupts at once");
	cr_assert_eq(in(2) & 0x0f, 0x02);
	cr_assert_eq(irq.level, 0, "reading IIR acknowledges THRE");
	cr_assert_eq(in(2) & 0x0f, 0x01);
	out(0, 'A');
	cr_assert_eq(irq.level, 1, "sending a byte empties THR again");
	out(1, 0);
	cr_assert_eq(irq.level, 0, "masking lowers the line");
}

Test(uart, rda_outranks_thre)
{
	out(1, 0x03);
	uart_input(u, "q", 1);
	cr_assert_eq(in(2) & 0x0f, 0x04);
	in(0);
	cr_assert_eq(in(2) & 0x0f, 0x02, "THRE shows once RDA is gone");
}

Test(uart, loopback_returns_sent_bytes_and_sends_nothing)
{
	out(4, 0x10);
	out(0, 'L');
	cr_assert_eq(in(5) & 1, 1);
	cr_assert_eq(in(0), 'L');
	char c;
	cr_assert_eq(read(pfd[0], &c, 1), -1);
}

Test(uart, msr_deltas_set_and_clear_on_read)
{
	out(4, 0x10); /* loopback, all outputs low: CTS..DCD drop */
	cr_assert_eq(in(6), 0x0b, "CTS, DSR, DCD fell: DCTS|DDSR|DDCD");
	cr_assert_eq(in(6), 0x00, "deltas clear on read");
	out(1, 0x08);
	out(4, 0x10 | 0x01);
	cr_assert_eq(irq.level, 1, "modem status interrupt");
	cr_assert_eq(in(2) & 0x0f, 0x00);
	cr_assert_eq(in(6), 0x22);
	cr_assert_eq(irq.level, 0);
}

Test(uart, overrun_when_input_ring_full)
{
	static char big[5000];
	memset(big, 'x', sizeof(big));
	uart_input(u, big, sizeof(big));
	cr_assert_eq(uart_rx_dropped(u), sizeof(big) - 4096);
	cr_assert_eq(in(5) & 0x02, 0x02, "OE set");
	cr_assert_eq(in(5) & 0x02, 0, "OE clears on LSR read");
}

/* The transmit tests: out_fd is a non-blocking pipe of one page, as cove's
 * private description of a pipe whose reader stalls. The guest sends
 * i % 251 as its i-th byte, so a lost or repeated byte shows. */
static unsigned small_pipe(void)
{
	cr_assert_eq(fcntl(pfd[1], F_SETFL, O_NONBLOCK), 0);
	cr_assert_geq(fcntl(pfd[1], F_SETPIPE_SZ, 4096), 4096);
	return (unsigned)fcntl(pfd[1], F_GETPIPE_SZ);
}

static uint8_t seq(unsigned i)
{
	return (uint8_t)(i % 251);
}

/* A driver that honours THRE: 16 bytes per THRE, until THRE stays clear. */
static unsigned send_while_thre(unsigned *sent, unsigned limit)
{
	unsigned n = 0;

	while ((in(5) & 0x20) && n < limit)
		for (int i = 0; i < 16; i++, n++)
			out(0, seq((*sent)++));
	return n;
}

/* Reads what the pipe holds, checking it continues the sequence at *got. */
static unsigned read_pipe(unsigned *got)
{
	uint8_t buf[4096];
	unsigned total = 0;
	ssize_t n;

	while ((n = read(pfd[0], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++, (*got)++)
			cr_assert_eq(buf[i], seq(*got), "byte %u is %u, want %u: lost or out of order", *got,
				     buf[i], seq(*got));
		total += (unsigned)n;
	}
	return total;
}

Test(uart, full_output_clears_thre_loses_nothing_and_thre_interrupt_follows_the_drain)
{
	unsigned psize = small_pipe(), sent = 0, got = 0;

	out(2, 0x01); /* FIFO on */
	out(1, 0x02); /* THRE interrupt */
	cr_assert_eq(in(2) & 0x0f, 0x02);
	send_while_thre(&sent, 1 << 20);
	cr_assert_geq(sent, psize + 4096 - 16, "the pipe and the 4 KiB FIFO took %u bytes", sent);
	cr_assert_leq(sent, psize + 4096, "THRE cleared before the FIFO overran (%u bytes)", sent);
	cr_assert_eq(in(5) & 0x60, 0, "THRE and TEMT clear while out_fd is full");
	cr_assert_eq(irq.level, 0, "no THRE interrupt while the transmitter is busy");
	cr_assert_eq(in(2) & 0x0f, 0x01);
	cr_assert_eq(uart_tx_dropped(u), 0);
	cr_assert_eq(uart_tx_waiting(u), sent - psize);
	/* The reader takes a pipe's worth; the guest's next LSR poll drains
	 * the FIFO into the pipe and THRE is back, with its interrupt. */
	cr_assert_eq(read_pipe(&got), psize);
	cr_assert_eq(in(5) & 0x20, 0x20, "THRE once the FIFO drained into the pipe");
	cr_assert_eq(irq.level, 1, "THRE interrupt after draining");
	cr_assert_eq(in(2) & 0x0f, 0x02, "IIR says THRE");
	while (!(in(5) & 0x40))
		read_pipe(&got);
	read_pipe(&got);
	cr_assert_eq(got, sent, "the reader got %u of the %u bytes sent", got, sent);
	cr_assert_eq(uart_tx_dropped(u), 0);
}

static void count_wake(void *ctx)
{
	(*(unsigned *)ctx)++;
}

Test(uart, drain_owns_a_full_output_until_it_is_empty)
{
	unsigned psize = small_pipe(), sent = 0, got = 0, wakes = 0;
	bool thri_seen = false;
	const void *p;
	size_t n;
	char c;

	uart_set_tx_drain(u, true, count_wake, &wakes);
	out(1, 0x02);
	in(2);
	send_while_thre(&sent, 1 << 20);
	cr_assert_eq(wakes, 1u, "the drain is woken once, when bytes start to wait (%u)", wakes);
	cr_assert_eq(read_pipe(&got), psize);
	cr_assert_eq(in(5) & 0x20, 0, "the vCPU leaves waiting bytes to the drain");
	cr_assert_eq(read_pipe(&got), 0, "and writes nothing itself");
	/* Play the I/O thread: peek, write, sent, until peek finds none. */
	while ((n = uart_tx_peek(u, &p)) > 0) {
		ssize_t w = write(pfd[1], p, n);

		if (w < 0) {
			cr_assert_eq(errno, EAGAIN);
			read_pipe(&got);
			continue;
		}
		uart_tx_sent(u, (size_t)w);
		thri_seen = thri_seen || irq.level == 1;
	}
	cr_assert(thri_seen, "THRE interrupt once the drain made room");
	read_pipe(&got);
	cr_assert_eq(got, sent);
	cr_assert_eq(in(5) & 0x60, 0x60);
	out(0, 'z');
	cr_assert_eq(read(pfd[0], &c, 1), 1, "an empty FIFO: the vCPU writes out_fd itself again");
	cr_assert_eq(c, 'z');
	cr_assert_eq(wakes, 1u);
}

Test(uart, without_direct_writes_every_byte_goes_to_the_drain)
{
	unsigned wakes = 0;
	const void *p;
	char c;

	uart_set_tx_drain(u, false, count_wake, &wakes);
	out(0, 'a');
	out(0, 'b');
	cr_assert_eq(wakes, 1u);
	cr_assert_eq(fcntl(pfd[0], F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(read(pfd[0], &c, 1), -1, "no vCPU write to an fd that may block");
	cr_assert_eq(uart_tx_peek(u, &p), 2u);
	cr_assert_eq(memcmp(p, "ab", 2), 0);
	uart_tx_sent(u, 2);
	cr_assert_eq(uart_tx_peek(u, &p), 0u);
	cr_assert_eq(in(5) & 0x60, 0x60);
}

Test(uart, thr_written_while_full_is_an_overrun_and_counted)
{
	unsigned psize = small_pipe(), got = 0;

	for (unsigned i = 0; i < psize + 4096 + 10; i++)
		out(0, seq(i));
	cr_assert_eq(uart_tx_dropped(u), 10, "the 10 bytes past the pipe and the FIFO are dropped");
	while (!(in(5) & 0x40))
		read_pipe(&got);
	read_pipe(&got);
	cr_assert_eq(got, psize + 4096, "the bytes before the overrun all arrive, in order");
}

Test(uart, closed_output_drops_and_never_stalls_the_transmitter)
{
	signal(SIGPIPE, SIG_IGN);
	close(pfd[0]);
	pfd[0] = open("/dev/null", O_RDONLY);
	for (int i = 0; i < 20; i++)
		out(0, 'x');
	cr_assert_eq(uart_tx_dropped(u), 20);
	cr_assert_eq(in(5) & 0x60, 0x60, "THRE and TEMT: nothing can wait for a closed reader");
}

Test(uart, wide_and_odd_accesses_split_into_bytes)
{
	uint16_t w = 0x5a00 | 'W'; /* THR then IER */
	cr_assert_eq(bus_write(bus, BUS_PIO, B, &w, 2), 0);
	char c;
	cr_assert_eq(read(pfd[0], &c, 1), 1);
	cr_assert_eq(c, 'W');
	cr_assert_eq(in(1), 0x0a);
	uint32_t v = 0;
	cr_assert_eq(bus_read(bus, BUS_PIO, B + 4, &v, 4), 0);
	cr_assert_eq((v >> 8) & 0xff, 0x60, "byte 1 of a read at MCR is LSR");
	uint64_t q;
	cr_assert_eq(bus_read(bus, BUS_PIO, B, &q, 8), 0);
	cr_assert_eq(bus_read(bus, BUS_PIO, B + 7, &q, 2), -ENOENT, "past the last register");
	cr_assert_eq(bus_write(bus, BUS_PIO, B + 5, &q, 1), 0, "LSR writes are ignored");
	cr_assert_eq(in(5), 0x60);
}

static void visit(const struct bus_entry *e, void *arg)
{
	if (e->base == B)
		*(const struct bus_dev_info **)arg = &e->info;
}

Test(uart, describes_itself_for_fdt_and_acpi)
{
	const struct bus_dev_info *found = NULL;
	bus_foreach(bus, visit, &found);
	cr_assert_not_null(found);
	cr_assert_str_eq(found->name, "serial");
	cr_assert_str_eq(found->fdt_compatible, "ns16550a");
	cr_assert_str_eq(found->acpi_hid, "PNP0501");
	cr_assert_eq(found->irq, 4);
}

Test(uart, second_uart_on_the_same_ports_is_refused)
{
	cr_assert_null(uart_new(bus, B, 4, -1, NULL));
	cr_assert_eq(errno, EEXIST);
	struct uart *u2 = uart_new(bus, 0x2f8, 3, -1, NULL);
	cr_assert_not_null(u2, "COM2 with no output and no events");
	uint8_t c = 'n';
	cr_assert_eq(bus_write(bus, BUS_PIO, 0x2f8, &c, 1), 0);
	cr_assert_eq(bus_write(bus, BUS_PIO, 0x2f9, &c, 1), 0);
}

Test(uart, linux_startup_thre_probe_sees_no_thre_bug)
{
	/* serial8250_do_startup: THRE must re-assert each time it is enabled */
	out(1, 0);
	out(1, 0x02);
	uint8_t iir1 = in(2);
	out(1, 0);
	out(1, 0x02);
	uint8_t iir = in(2);
	out(1, 0);
	cr_assert_eq(iir1 & 1, 0, "THRE pending after the first enable");
	cr_assert_eq(iir & 1, 0, "and after the second, or Linux flags UART_BUG_THRE");
	cr_assert_eq(irq.level, 0);
}

/* The I/O thread feeds input while a vCPU drains it: every byte arrives
 * once, in order, or is counted as dropped. */
#define FEED_BYTES 200000
static void *feeder(void *arg)
{
	(void)arg;
	uint8_t chunk[64];
	for (unsigned sent = 0; sent < FEED_BYTES; sent += sizeof(chunk)) {
		for (unsigned i = 0; i < sizeof(chunk); i++)
			chunk[i] = (uint8_t)((sent + i) % 251);
		uart_input(u, chunk, sizeof(chunk));
	}
	return NULL;
}

Test(uart, concurrent_input_and_guest_reads_keep_order, .timeout = 60)
{
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, feeder, NULL), 0);
	unsigned got = 0;
	uint64_t pos = 0; /* where in the sent stream the last byte came from */
	bool done = false;
	for (;;) {
		if (in(5) & 1) {
			uint8_t c = in(0);
			/* received bytes are a subsequence of the sent ones: skip
			 * over dropped bytes to this one */
			while (pos < FEED_BYTES && pos % 251 != c)
				pos++;
			cr_assert_lt(pos, FEED_BYTES, "byte %u (%u) is out of order", got, c);
			pos++;
			got++;
			continue;
		}
		if (done)
			break;
		if (pthread_tryjoin_np(t, NULL) == 0)
			done = true; /* drain what is left, then stop */
	}
	cr_assert_eq(got + uart_rx_dropped(u), FEED_BYTES, "received %u + dropped %llu != sent", got,
		     (unsigned long long)uart_rx_dropped(u));
}
