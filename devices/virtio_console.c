/* devices: virtio-console, virtio 1.2 section 5.3, one port (no
 * MULTIPORT): receiveq 0 gets what cove reads from in_fd, transmitq 1 goes
 * to out_fd. Both directions are io_uring requests on the I/O thread; input
 * waits in one bounce buffer until the driver posts receive buffers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtq.h"

#define CON_RXQ 0
#define CON_TXQ 1
#define CON_BUF 4096

struct virtio_console;

struct con_tx {
	struct ev_waiter w; /* first */
	struct virtio_console *con;
	struct con_tx *next_free;
	uint32_t generation;
	uint16_t head;
	unsigned niov;
	struct iovec iov[VIRTQ_MAX_IOV];
};

struct virtio_console {
	struct virtio_mmio t; /* first */
	int in_fd, out_fd;
	struct ev_waiter rx_w;
	bool rx_armed, rx_eof;
	uint8_t rx_buf[CON_BUF];
	size_t rx_len, rx_off; /* bytes read and not yet delivered */
	bool tx_stalled;
	bool tx_busy; /* a write is in flight */
	struct con_tx *free;
	struct virtq_elem elem;
	struct con_tx tx[VIRTQ_MAX_SIZE];
};

static void con_queue_notify(void *dev, unsigned qi);

static void con_arm_rx(struct virtio_console *c)
{
	struct io_uring_sqe *sqe;

	if (c->rx_armed || c->rx_eof || c->in_fd < 0 || !c->t.env.loop)
		return;
	sqe = evloop_sqe(c->t.env.loop, &c->rx_w);
	if (!sqe)
		return;
	io_uring_prep_read(sqe, c->in_fd, c->rx_buf, sizeof(c->rx_buf), (uint64_t)-1);
	c->rx_armed = true;
}

/* Moves buffered input into posted receive buffers. Lock held. */
static void con_deliver(struct virtio_console *c)
{
	struct virtq *q = &c->t.vq[CON_RXQ];

	while (c->rx_off < c->rx_len && virtio_mmio_live(&c->t) && q->ready) {
		size_t n;
		int r = virtq_pop(q, &c->elem);

		if (r < 0 || (r > 0 && c->elem.nout)) {
			virtio_mmio_needs_reset(&c->t);
			return;
		}
		if (r == 0) {
			if (virtq_arm_notify(q))
				continue;
			break;
		}
		n = iov_from_buf(c->elem.iov, c->elem.nin, 0, c->rx_buf + c->rx_off, c->rx_len - c->rx_off);
		c->rx_off += n;
		virtq_push(q, c->elem.head, (uint32_t)n);
	}
	virtio_mmio_notify_used(&c->t, CON_RXQ);
	if (c->rx_off == c->rx_len) {
		c->rx_off = c->rx_len = 0;
		con_arm_rx(c);
	}
}

static void con_rx_done(struct ev_waiter *w, int res, unsigned flags)
{
	struct virtio_console *c = (struct virtio_console *)((char *)w - offsetof(struct virtio_console, rx_w));

	(void)flags;
	pthread_mutex_lock(&c->t.lock);
	c->rx_armed = false;
	if (res <= 0) {
		c->rx_eof = res == 0 || (res != -EINTR && res != -EAGAIN);
		con_arm_rx(c);
	} else {
		c->rx_len = (size_t)res;
		c->rx_off = 0;
		con_deliver(c);
	}
	pthread_mutex_unlock(&c->t.lock);
}

static void con_put(struct virtio_console *c, struct con_tx *x)
{
	x->next_free = c->free;
	c->free = x;
}

static void con_tx_done(struct ev_waiter *w, int res, unsigned flags)
{
	struct con_tx *x = (struct con_tx *)w;
	struct virtio_console *c = x->con;

	(void)res;
	(void)flags;
	pthread_mutex_lock(&c->t.lock);
	if (x->generation == c->t.generation && virtio_mmio_live(&c->t)) {
		virtq_push(&c->t.vq[CON_TXQ], x->head, 0);
		virtio_mmio_notify_used(&c->t, CON_TXQ);
	}
	con_put(c, x);
	c->tx_busy = false;
	if (c->tx_stalled && virtio_mmio_live(&c->t))
		con_queue_notify(c, CON_TXQ);
	pthread_mutex_unlock(&c->t.lock);
}

static void con_tx(struct virtio_console *c)
{
	struct virtq *q = &c->t.vq[CON_TXQ];

	c->tx_stalled = false;
	for (;;) {
		struct con_tx *x = c->free;
		struct io_uring_sqe *sqe;
		int r;

		if (!x || c->tx_busy) {
			c->tx_stalled = true;
			break;
		}
		r = virtq_pop(q, &c->elem);
		if (r < 0 || (r > 0 && c->elem.nin)) {
			virtio_mmio_needs_reset(&c->t);
			return;
		}
		if (r == 0) {
			if (virtq_arm_notify(q))
				continue;
			break;
		}
		if (c->elem.nout == 0 || c->out_fd < 0) {
			virtq_push(q, c->elem.head, 0);
			continue;
		}
		sqe = evloop_sqe(c->t.env.loop, &x->w);
		if (!sqe) {
			virtq_unpop(q);
			c->tx_stalled = true;
			break;
		}
		c->free = x->next_free;
		x->head = c->elem.head;
		x->generation = c->t.generation;
		x->niov = c->elem.nout;
		memcpy(x->iov, c->elem.iov, sizeof(x->iov[0]) * x->niov);
		/* Offset -1: the fd's own position, so pipes and ttys work. */
		io_uring_prep_writev(sqe, c->out_fd, x->iov, x->niov, (uint64_t)-1);
		/* One write at a time keeps the guest's byte order on a pipe. */
		c->tx_busy = true;
		break;
	}
	virtio_mmio_notify_used(&c->t, CON_TXQ);
}

static void con_queue_notify(void *dev, unsigned qi)
{
	struct virtio_console *c = dev;

	if (qi == CON_RXQ)
		con_deliver(c);
	else
		con_tx(c);
}

static void con_reset(void *dev)
{
	struct virtio_console *c = dev;

	/* Input read before the reset is kept for the next driver. */
	c->tx_stalled = false;
}

static const struct virtio_dev_ops con_ops = {
	.queue_notify = con_queue_notify,
	.reset = con_reset,
};

int virtio_console_new(const struct virtio_env *env, uint64_t base, unsigned gsi, int in_fd, int out_fd,
		       struct virtio_mmio **out, char *err, size_t errlen)
{
	struct virtio_console *c = calloc(1, sizeof(*c));
	int r;

	if (!c) {
		snprintf(err, errlen, "console: out of memory");
		return -ENOMEM;
	}
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->rx_w.fn = con_rx_done;
	for (unsigned i = 0; i < VIRTQ_MAX_SIZE; i++) {
		c->tx[i].w.fn = con_tx_done;
		c->tx[i].con = c;
		con_put(c, &c->tx[i]);
	}
	r = virtio_mmio_init(&c->t, env, base, gsi, VIRTIO_ID_CONSOLE,
			     (1ULL << VIRTIO_F_INDIRECT_DESC) | (1ULL << VIRTIO_F_EVENT_IDX), 0, 2, &con_ops, c);
	if (r < 0) {
		snprintf(err, errlen, "console: virtio-mmio set-up: %s", strerror(-r));
		free(c);
		return r;
	}
	pthread_mutex_lock(&c->t.lock);
	con_arm_rx(c);
	pthread_mutex_unlock(&c->t.lock);
	*out = &c->t;
	return 0;
}
