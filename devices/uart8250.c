/* devices: 16550A UART (National Semiconductor PC16550D datasheet).
 *
 * Transmit: a THR byte goes into a host-side FIFO (UART_TX_RING) and on to
 * out_fd with a write() from the vCPU while out_fd takes it (cove gives the
 * UART a non-blocking fd when its output can block). What out_fd does not
 * take waits in the FIFO, and the transmitter reports busy as a real one
 * does while its line is slow: THRE clears once fewer than 16 bytes (the
 * 16550A's FIFO) fit, TEMT while anything waits. A guest that honours THRE
 * waits in the guest, never in cove, and loses nothing; one that ignores it
 * overruns the FIFO and those bytes are dropped (counted). The waiting
 * bytes drain through uart_tx_peek/uart_tx_sent on the I/O thread when a
 * drain is set (uart_set_tx_drain), or else at the guest's next THR write
 * or LSR read; when THRE comes back the THRE interrupt fires.
 *
 * Receive is fed by uart_input() from the I/O thread into a host-side ring
 * larger than the 16-byte FIFO, so pasted input is not lost while the guest
 * drains it; the guest sees the FIFO semantics (DR, trigger level,
 * RDA/timeout IIR codes). Wider accesses are split into byte accesses at
 * consecutive ports, as an ISA bus does. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"

#define UART_RBR  0 /* read, DLAB=0 */
#define UART_THR  0 /* write, DLAB=0 */
#define UART_DLL  0 /* DLAB=1 */
#define UART_IER  1 /* DLAB=0 */
#define UART_DLM  1 /* DLAB=1 */
#define UART_IIR  2 /* read */
#define UART_FCR  2 /* write */
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define UART_MSR  6
#define UART_SCR  7
#define UART_REGS 8

#define UART_IER_RDI  0x01 /* received data available */
#define UART_IER_THRI 0x02 /* transmitter holding register empty */
#define UART_IER_RLSI 0x04 /* receiver line status */
#define UART_IER_MSI  0x08 /* modem status */

#define UART_IIR_NO_INT	      0x01
#define UART_IIR_MSI	      0x00
#define UART_IIR_THRI	      0x02
#define UART_IIR_RDI	      0x04
#define UART_IIR_RLSI	      0x06
#define UART_IIR_TIMEOUT      0x0c
#define UART_IIR_FIFO_ENABLED 0xc0

#define UART_FCR_ENABLE_FIFO   0x01
#define UART_FCR_CLEAR_RCVR    0x02
#define UART_FCR_CLEAR_XMIT    0x04
#define UART_FCR_TRIGGER_SHIFT 6

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80

#define UART_FIFO_SIZE 16
#define UART_RX_RING   4096
#define UART_TX_RING   4096

struct uart {
	pthread_mutex_t lock; /* vCPU threads (registers) and the I/O thread (input) */
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t msr;	   /* status bits and deltas */
	bool oe;	   /* overrun since the last LSR read */
	bool thri_pending; /* THRE interrupt latched until IIR read or THR write */
	bool irq_level;
	uint8_t rx[UART_RX_RING];
	unsigned rx_head, rx_count;
	/* Bytes the guest sent that out_fd has not taken yet. Only the side
	 * that drains advances tx_head, so a write the I/O thread has in
	 * flight from tx[tx_head..] is never overwritten. */
	uint8_t tx[UART_TX_RING];
	unsigned tx_head, tx_count;
	/* tx_busy: bytes wait and the drain (uart_tx_peek) owns out_fd until
	 * it finds the FIFO empty; without a drain: out_fd said EAGAIN. */
	bool tx_busy;
	bool tx_direct; /* a vCPU may write out_fd itself (it never blocks) */
	void (*tx_wake)(void *ctx);
	void *tx_wake_ctx;
	int out_fd;
	unsigned gsi;
	const struct vm_events *ev;
	uint64_t tx_dropped, rx_dropped;
};

static const unsigned uart_trigger[4] = {1, 4, 8, 14};

static bool uart_fifo_on(const struct uart *u)
{
	return u->fcr & UART_FCR_ENABLE_FIFO;
}

/* What the guest sees queued: at most the FIFO, or one holding register. */
static unsigned uart_rx_visible(const struct uart *u)
{
	unsigned cap = uart_fifo_on(u) ? UART_FIFO_SIZE : 1;

	return u->rx_count < cap ? u->rx_count : cap;
}

/* THRE: the 16 bytes a driver may write at once (its FIFO) fit. */
static bool uart_thre(const struct uart *u)
{
	return UART_TX_RING - u->tx_count >= UART_FIFO_SIZE;
}

static uint8_t uart_iir(const struct uart *u)
{
	uint8_t fifo = uart_fifo_on(u) ? UART_IIR_FIFO_ENABLED : 0;

	if ((u->ier & UART_IER_RLSI) && u->oe)
		return fifo | UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count) {
		/* Without a character timer, data below the trigger level is
		 * reported as the timeout interrupt at once. */
		if (uart_fifo_on(u) && uart_rx_visible(u) < uart_trigger[u->fcr >> UART_FCR_TRIGGER_SHIFT])
			return fifo | UART_IIR_TIMEOUT;
		return fifo | UART_IIR_RDI;
	}
	if ((u->ier & UART_IER_THRI) && u->thri_pending)
		return fifo | UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & 0x0f))
		return fifo | UART_IIR_MSI;
	return fifo | UART_IIR_NO_INT;
}

/* Called with the lock held after every state change. */
static void uart_update_irq(struct uart *u)
{
	bool level = !(uart_iir(u) & UART_IIR_NO_INT);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->ev && u->ev->set_irq)
		u->ev->set_irq(u->ev->ctx, u->gsi, level);
}

static void uart_rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count == UART_RX_RING) {
		u->oe = true;
		u->rx_dropped++;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_RX_RING] = c;
	u->rx_count++;
}

static uint8_t uart_rx_pop(struct uart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_RX_RING;
	u->rx_count--;
	return c;
}

/* MSR in loopback follows MCR: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2. Out of
 * loopback the line is always ready (DCD, DSR, CTS). Changes set deltas. */
static void uart_update_msr(struct uart *u)
{
	uint8_t old = u->msr, now;

	if (u->mcr & UART_MCR_LOOP) {
		now = 0;
		if (u->mcr & UART_MCR_RTS)
			now |= UART_MSR_CTS;
		if (u->mcr & UART_MCR_DTR)
			now |= UART_MSR_DSR;
		if (u->mcr & UART_MCR_OUT1)
			now |= UART_MSR_RI;
		if (u->mcr & UART_MCR_OUT2)
			now |= UART_MSR_DCD;
	} else {
		now = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	}
	now |= old & 0x0f;
	if ((old ^ now) & UART_MSR_CTS)
		now |= UART_MSR_DCTS;
	if ((old ^ now) & UART_MSR_DSR)
		now |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		now |= UART_MSR_TERI; /* trailing edge only */
	if ((old ^ now) & UART_MSR_DCD)
		now |= UART_MSR_DDCD;
	u->msr = now;
}

/* Writes waiting bytes to out_fd until it would block. Called on the side
 * that owns out_fd: a vCPU when no drain is busy, else the drain. */
static void uart_tx_write(struct uart *u)
{
	while (u->tx_count) {
		unsigned run = UART_TX_RING - u->tx_head;
		ssize_t n;

		if (run > u->tx_count)
			run = u->tx_count;
		n = write(u->out_fd, u->tx + u->tx_head, run);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			/* The output is gone (EPIPE, EIO, ENOSPC): what
			 * waits can never be sent. */
			u->tx_dropped += u->tx_count;
			u->tx_count = 0;
			return;
		}
		u->tx_head = (u->tx_head + (unsigned)n) % UART_TX_RING;
		u->tx_count -= (unsigned)n;
	}
}

/* After bytes left the FIFO: THRE coming back is the THRE interrupt. */
static void uart_tx_drained(struct uart *u, bool thre_before)
{
	if (!thre_before && uart_thre(u))
		u->thri_pending = true;
}

/* A vCPU touched the UART: without a drain, retry what out_fd refused. */
static void uart_tx_retry(struct uart *u)
{
	bool thre = uart_thre(u);

	if (!u->tx_count || !u->tx_direct || u->tx_wake)
		return;
	uart_tx_write(u);
	u->tx_busy = u->tx_count != 0;
	uart_tx_drained(u, thre);
}

static void uart_transmit(struct uart *u, uint8_t c)
{
	bool busy;

	if (u->mcr & UART_MCR_LOOP) {
		uart_rx_push(u, c);
		return;
	}
	if (u->out_fd < 0)
		return;
	if (u->tx_count == UART_TX_RING) {
		/* Written while THRE was clear: an overrun, as on the chip. */
		u->tx_dropped++;
		return;
	}
	u->tx[(u->tx_head + u->tx_count) % UART_TX_RING] = c;
	u->tx_count++;
	if (u->tx_busy && u->tx_wake)
		return; /* the drain takes it, in order */
	if (u->tx_direct)
		uart_tx_write(u);
	busy = u->tx_busy;
	u->tx_busy = u->tx_count != 0;
	if (u->tx_busy && !busy && u->tx_wake)
		u->tx_wake(u->tx_wake_ctx);
}

static uint8_t uart_read_reg(struct uart *u, unsigned reg)
{
	uint8_t v;

	switch (reg) {
	case UART_RBR:
		if (u->lcr & UART_LCR_DLAB)
			return u->dll;
		return uart_rx_pop(u);
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB)
			return u->dlm;
		return u->ier;
	case UART_IIR:
		v = uart_iir(u);
		/* Reading IIR while it reports THRE acknowledges it. */
		if ((v & 0x0f) == UART_IIR_THRI)
			u->thri_pending = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		/* A guest that polls LSR drains what out_fd refused. */
		uart_tx_retry(u);
		v = 0;
		if (uart_thre(u))
			v |= UART_LSR_THRE;
		if (!u->tx_count)
			v |= UART_LSR_TEMT;
		if (u->rx_count)
			v |= UART_LSR_DR;
		if (u->oe)
			v |= UART_LSR_OE;
		u->oe = false;
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= 0xf0;
		return v;
	default:
		return u->scr;
	}
}

static void uart_write_reg(struct uart *u, unsigned reg, uint8_t v)
{
	switch (reg) {
	case UART_THR:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = v;
			return;
		}
		uart_tx_retry(u);
		uart_transmit(u, v);
		/* A THR write clears the THRE interrupt; it is back at once
		 * if the byte left THR for the host at once. */
		u->thri_pending = uart_thre(u);
		return;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB) {
			u->dlm = v;
			return;
		}
		/* Enabling THRE with THR empty raises it (PC16550D, IER). */
		if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI) && uart_thre(u))
			u->thri_pending = true;
		u->ier = v & 0x0f;
		return;
	case UART_FCR:
		/* CLEAR_XMIT drops nothing: the bytes behind THRE already left
		 * the guest's 16-byte FIFO as far as the guest can tell. */
		if ((v ^ u->fcr) & UART_FCR_ENABLE_FIFO)
			v |= UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT; /* mode change empties FIFOs */
		if (v & UART_FCR_CLEAR_RCVR)
			u->rx_head = u->rx_count = 0;
		u->fcr = v & (UART_FCR_ENABLE_FIFO | 0xc0);
		if (!uart_fifo_on(u))
			u->fcr = 0;
		return;
	case UART_LCR:
		u->lcr = v;
		return;
	case UART_MCR:
		u->mcr = v & 0x1f;
		uart_update_msr(u);
		return;
	case UART_LSR:
	case UART_MSR:
		return; /* factory test registers: writes ignored */
	default:
		u->scr = v;
		return;
	}
}

static void uart_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct uart *u = opaque;
	uint8_t *d = data;
	unsigned i;

	pthread_mutex_lock(&u->lock);
	for (i = 0; i < len; i++)
		d[i] = off + i < UART_REGS ? uart_read_reg(u, (unsigned)(off + i)) : 0xff;
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static void uart_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	struct uart *u = opaque;
	const uint8_t *d = data;
	unsigned i;

	pthread_mutex_lock(&u->lock);
	for (i = 0; i < len; i++)
		if (off + i < UART_REGS)
			uart_write_reg(u, (unsigned)(off + i), d[i]);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static const struct bus_ops uart_ops = {uart_read, uart_write};

size_t uart_write_bytes(struct uart *u, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t n = 0;

	pthread_mutex_lock(&u->lock);
	/* Only what fits: the rest would be an overrun. */
	for (; n < len && (u->tx_count < UART_TX_RING || (u->mcr & UART_MCR_LOOP) || u->out_fd < 0); n++)
		uart_transmit(u, p[n]);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}

void uart_input(struct uart *u, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;

	pthread_mutex_lock(&u->lock);
	for (i = 0; i < len; i++)
		uart_rx_push(u, p[i]);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

void uart_set_tx_drain(struct uart *u, bool direct, void (*wake)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&u->lock);
	u->tx_direct = direct;
	u->tx_wake = wake;
	u->tx_wake_ctx = ctx;
	pthread_mutex_unlock(&u->lock);
}

size_t uart_tx_peek(struct uart *u, const void **buf)
{
	size_t run;

	pthread_mutex_lock(&u->lock);
	run = UART_TX_RING - u->tx_head;
	if (run > u->tx_count)
		run = u->tx_count;
	*buf = u->tx + u->tx_head;
	/* Empty: out_fd goes back to the vCPUs. */
	if (!run)
		u->tx_busy = false;
	pthread_mutex_unlock(&u->lock);
	return run;
}

void uart_tx_sent(struct uart *u, size_t n)
{
	bool thre;

	pthread_mutex_lock(&u->lock);
	thre = uart_thre(u);
	if (n > u->tx_count)
		n = u->tx_count;
	u->tx_head = (u->tx_head + (unsigned)n) % UART_TX_RING;
	u->tx_count -= (unsigned)n;
	uart_tx_drained(u, thre);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

void uart_tx_fail(struct uart *u)
{
	bool thre;

	pthread_mutex_lock(&u->lock);
	thre = uart_thre(u);
	u->tx_dropped += u->tx_count;
	u->tx_head = (u->tx_head + u->tx_count) % UART_TX_RING;
	u->tx_count = 0;
	u->tx_busy = false; /* the drain's turn ends */
	uart_tx_drained(u, thre);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

size_t uart_tx_waiting(struct uart *u)
{
	size_t n;

	pthread_mutex_lock(&u->lock);
	n = u->tx_count;
	pthread_mutex_unlock(&u->lock);
	return n;
}

uint64_t uart_tx_dropped(struct uart *u)
{
	uint64_t n;

	pthread_mutex_lock(&u->lock);
	n = u->tx_dropped;
	pthread_mutex_unlock(&u->lock);
	return n;
}

uint64_t uart_rx_dropped(struct uart *u)
{
	uint64_t n;

	pthread_mutex_lock(&u->lock);
	n = u->rx_dropped;
	pthread_mutex_unlock(&u->lock);
	return n;
}

static void uart_free(void *p)
{
	struct uart *u = p;

	pthread_mutex_destroy(&u->lock);
	free(u);
}

struct uart *uart_new(struct bus *b, uint16_t base, unsigned gsi, int out_fd, const struct vm_events *ev)
{
	struct bus_dev_info info = {"serial", "ns16550a", "PNP0501", (int)gsi};
	struct uart *u = calloc(1, sizeof(*u));
	int rc;

	if (!u)
		return NULL;
	pthread_mutex_init(&u->lock, NULL);
	u->out_fd = out_fd;
	u->tx_direct = true;
	u->gsi = gsi;
	u->ev = ev;
	u->lcr = 0x03; /* 8N1, what firmware leaves behind */
	u->dll = 0x01; /* 115200 baud */
	uart_update_msr(u);
	u->msr &= 0xf0; /* no deltas at power-on */
	rc = bus_register(b, BUS_PIO, base, UART_REGS, &uart_ops, u, &info);
	if (rc == 0) {
		rc = bus_adopt(b, u, uart_free);
		if (rc < 0)
			bus_unregister(b, BUS_PIO, base);
	}
	if (rc < 0) {
		uart_free(u);
		errno = -rc;
		return NULL;
	}
	return u;
}
