/* devices: virtio-rng (entropy device), virtio 1.2 section 5.4. Each
 * writable buffer the driver posts is filled by an io_uring readv from the
 * host source (/dev/urandom), opened at set-up. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtq.h"

struct virtio_rng;

struct rng_req {
	struct ev_waiter w; /* first */
	struct virtio_rng *rng;
	struct rng_req *next_free;
	uint32_t generation;
	uint16_t head;
	unsigned niov;
	struct iovec iov[VIRTQ_MAX_IOV];
};

struct virtio_rng {
	struct virtio_mmio t; /* first */
	int fd;
	bool stalled;
	struct rng_req *free;
	struct virtq_elem elem;
	struct rng_req reqs[VIRTQ_MAX_SIZE];
};

static void rng_queue_notify(void *dev, unsigned qi);

static void rng_put(struct virtio_rng *g, struct rng_req *r)
{
	r->next_free = g->free;
	g->free = r;
}

static void rng_done(struct ev_waiter *w, int res, unsigned flags)
{
	struct rng_req *r = (struct rng_req *)w;
	struct virtio_rng *g = r->rng;

	(void)flags;
	pthread_mutex_lock(&g->t.lock);
	if (r->generation == g->t.generation && virtio_mmio_live(&g->t)) {
		virtq_push(&g->t.vq[0], r->head, res > 0 ? (uint32_t)res : 0);
		virtio_mmio_notify_used(&g->t, 0);
	}
	rng_put(g, r);
	if (g->stalled && virtio_mmio_live(&g->t))
		rng_queue_notify(g, 0);
	pthread_mutex_unlock(&g->t.lock);
}

static void rng_queue_notify(void *dev, unsigned qi)
{
	struct virtio_rng *g = dev;
	struct virtq *q = &g->t.vq[qi];

	g->stalled = false;
	for (;;) {
		struct rng_req *r = g->free;
		struct io_uring_sqe *sqe;
		int n;

		if (!r) {
			g->stalled = true;
			break;
		}
		n = virtq_pop(q, &g->elem);
		if (n < 0) {
			virtio_mmio_needs_reset(&g->t);
			return;
		}
		if (n == 0) {
			if (virtq_arm_notify(q))
				continue;
			break;
		}
		/* 5.4.6.1: buffers are device-writable; a readable one is a driver bug. */
		if (g->elem.nout) {
			virtio_mmio_needs_reset(&g->t);
			return;
		}
		if (g->elem.nin == 0) {
			virtq_push(q, g->elem.head, 0);
			continue;
		}
		sqe = evloop_sqe(g->t.env.loop, &r->w);
		if (!sqe) {
			virtq_unpop(q);
			g->stalled = true;
			break;
		}
		g->free = r->next_free;
		r->head = g->elem.head;
		r->generation = g->t.generation;
		r->niov = g->elem.nin;
		memcpy(r->iov, g->elem.iov, sizeof(r->iov[0]) * r->niov);
		io_uring_prep_readv(sqe, g->fd, r->iov, r->niov, 0);
	}
	virtio_mmio_notify_used(&g->t, qi);
}

static void rng_reset(void *dev)
{
	((struct virtio_rng *)dev)->stalled = false;
}

static const struct virtio_dev_ops rng_ops = {
	.queue_notify = rng_queue_notify,
	.reset = rng_reset,
};

int virtio_rng_new(const struct virtio_env *env, uint64_t base, unsigned gsi, const char *rng_path,
		   struct virtio_mmio **out, char *err, size_t errlen)
{
	struct virtio_rng *g = calloc(1, sizeof(*g));
	const char *p = rng_path ? rng_path : "/dev/urandom";
	int r;

	if (!g) {
		snprintf(err, errlen, "rng: out of memory");
		return -ENOMEM;
	}
	g->fd = open(p, O_RDONLY | O_CLOEXEC);
	if (g->fd < 0) {
		r = -errno;
		snprintf(err, errlen, "rng '%s': %s", p, strerror(errno));
		free(g);
		return r;
	}
	for (unsigned i = 0; i < VIRTQ_MAX_SIZE; i++) {
		g->reqs[i].w.fn = rng_done;
		g->reqs[i].rng = g;
		rng_put(g, &g->reqs[i]);
	}
	r = virtio_mmio_init(&g->t, env, base, gsi, VIRTIO_ID_RNG,
			     (1ULL << VIRTIO_F_INDIRECT_DESC) | (1ULL << VIRTIO_F_EVENT_IDX), 0, 1, &rng_ops, g);
	if (r < 0) {
		snprintf(err, errlen, "rng: virtio-mmio set-up: %s", strerror(-r));
		close(g->fd);
		free(g);
		return r;
	}
	*out = &g->t;
	return 0;
}
