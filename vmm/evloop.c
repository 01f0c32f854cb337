/* vmm: the I/O thread's event loop over one io_uring (liburing 2.3).
 *
 * A request's user_data is the struct ev_waiter that waits for it; the loop
 * calls waiter->fn for each completion. Other threads reach the loop only
 * through one eventfd: evloop_wake() and evloop_stop() write it, the loop
 * keeps a read armed on it. Submission is batched: SQEs queued by callbacks
 * go to the kernel with the next io_uring_submit_and_wait(). */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/evloop.h"

struct evloop {
	struct io_uring ring;
	int efd;
	uint64_t ebuf;		  /* the armed eventfd read's buffer */
	struct ev_waiter efd_w;	  /* its completion */
	struct ev_waiter *wake_w; /* evloop_on_wake's hook, or NULL */
	atomic_bool stop;
	bool efd_armed;
};

static void evloop_arm_efd(struct evloop *l)
{
	struct io_uring_sqe *sqe = evloop_sqe(l, &l->efd_w);

	/* Cannot fail: evloop_sqe submits to make room, and this is the
	 * only request in flight that the loop itself owns. */
	if (!sqe)
		return;
	io_uring_prep_read(sqe, l->efd, &l->ebuf, sizeof(l->ebuf), 0);
	l->efd_armed = true;
}

static void evloop_efd_done(struct ev_waiter *w, int res, unsigned flags)
{
	struct evloop *l = (struct evloop *)((char *)w - offsetof(struct evloop, efd_w));

	(void)res;
	(void)flags;
	l->efd_armed = false;
	if (atomic_load(&l->stop))
		return;
	evloop_arm_efd(l);
	if (l->wake_w)
		l->wake_w->fn(l->wake_w, 0, 0);
}

static int evloop_init(struct evloop **out, unsigned entries, unsigned flags)
{
	struct evloop *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	l->efd = eventfd(0, EFD_CLOEXEC);
	if (l->efd < 0) {
		r = -errno;
		free(l);
		return r;
	}
	/* COOP_TASKRUN: completions are only reaped in io_uring_enter, so the
	 * kernel need not interrupt the thread to run task work. Older kernels
	 * reject the flag: fall back to none. */
	r = io_uring_queue_init(entries ? entries : 64, &l->ring, IORING_SETUP_COOP_TASKRUN | flags);
	if (r == -EINVAL)
		r = io_uring_queue_init(entries ? entries : 64, &l->ring, flags);
	if (r < 0) {
		close(l->efd);
		free(l);
		return r;
	}
	l->efd_w.fn = evloop_efd_done;
	*out = l;
	return 0;
}

int evloop_new(struct evloop **out, unsigned entries)
{
	return evloop_init(out, entries, 0);
}

int evloop_new_disabled(struct evloop **out, unsigned entries)
{
	return evloop_init(out, entries, IORING_SETUP_R_DISABLED);
}

int evloop_enable(struct evloop *l)
{
	/* The raw call: Debian's liburing 2.3 has no io_uring_enable_rings. */
	if (syscall(__NR_io_uring_register, l->ring.ring_fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0) < 0)
		return -errno;
	return 0;
}

void evloop_free(struct evloop *l)
{
	if (!l)
		return;
	io_uring_queue_exit(&l->ring);
	close(l->efd);
	free(l);
}

struct io_uring_sqe *evloop_sqe(struct evloop *l, struct ev_waiter *w)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	if (!sqe) {
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
		if (!sqe)
			return NULL;
	}
	io_uring_sqe_set_data(sqe, w);
	return sqe;
}

/* Calls the waiter of every completion that is there. */
static void evloop_reap(struct evloop *l)
{
	struct io_uring_cqe *cqe;
	unsigned head;

	io_uring_for_each_cqe(&l->ring, head, cqe)
	{
		struct ev_waiter *w = io_uring_cqe_get_data(cqe);
		int res = cqe->res;
		unsigned flags = cqe->flags;

		/* Mark it seen before the callback: fn may queue new
		 * requests, and a full CQ would stall them. */
		io_uring_cq_advance(&l->ring, 1);
		if (w)
			w->fn(w, res, flags);
	}
}

int evloop_run(struct evloop *l)
{
	if (!l->efd_armed)
		evloop_arm_efd(l);
	while (!atomic_load(&l->stop)) {
		int r = io_uring_submit_and_wait(&l->ring, 1);

		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY)
			return r;
		evloop_reap(l);
	}
	return 0;
}

int evloop_run_once(struct evloop *l, int64_t timeout_ns)
{
	struct __kernel_timespec ts = {.tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000};
	struct io_uring_cqe *cqe;
	int r;

	/* The wait's timeout rides on io_uring_enter (IORING_FEAT_EXT_ARG,
	 * Linux 5.11); without it liburing would queue a TIMEOUT request,
	 * which the restricted ring refuses. */
	if (!(l->ring.features & IORING_FEAT_EXT_ARG))
		return -EOPNOTSUPP;
	if (timeout_ns < 0)
		ts.tv_sec = ts.tv_nsec = 0;
	r = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
	if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY)
		return r;
	evloop_reap(l);
	return r == -ETIME ? -ETIME : 0;
}

void evloop_stop(struct evloop *l)
{
	uint64_t one = 1;

	atomic_store(&l->stop, true);
	/* A failed write can only be EAGAIN (counter saturated), which means
	 * a wake is already pending. */
	if (write(l->efd, &one, sizeof(one)) < 0)
		return;
}

void evloop_wake(struct evloop *l)
{
	uint64_t one = 1;

	if (write(l->efd, &one, sizeof(one)) < 0)
		return;
}

void evloop_on_wake(struct evloop *l, struct ev_waiter *w)
{
	l->wake_w = w;
}

bool evloop_stopped(struct evloop *l)
{
	return atomic_load(&l->stop);
}

struct io_uring *evloop_ring(struct evloop *l)
{
	return &l->ring;
}
