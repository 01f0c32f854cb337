/* vmm: the I/O thread's event loop over one io_uring (liburing 2.3).
 *
 * A request's user_data is the struct ev_waiter that waits for it; the loop
 * calls waiter->fn for each completion. Other threads reach the loop only
 * through one eventfd: evloop_wake() and evloop_stop() write it, the loop
 * keeps a read armed on it. Submission is batched: SQEs queued by callbacks
 * go to the kernel with the next io_uring_submit_and_wait().
 *
 * Before it sleeps, the loop may busy-poll the sources that asked for it
 * (struct ev_poller: virtqueues whose driver was told not to notify) for a
 * short adaptive window, and the ring with them; then it stops them, which
 * turns their notifications back on, and sleeps. */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vmm/evloop.h"

/* The polling window: how long the loop spins after the last work before
 * it sleeps. It doubles (from the minimum) each time a poller finds work
 * in it and halves each time it ends empty, to 0 below the minimum; at 0,
 * one start in EVLOOP_POLL_PROBE polls for the whole maximum, so that a
 * guest that has become fast again is noticed: a probe of the minimum
 * never caught a guest whose exit back from its notify takes longer (tens
 * of microseconds where guest I/O is emulated), and polling, once off,
 * stayed off. 32 us is QEMU's poll-max-ns. */
#define EVLOOP_POLL_MAX_NS 32000
#define EVLOOP_POLL_MIN_NS 4000
#define EVLOOP_POLL_PROBE  16

struct evloop {
	struct io_uring ring;
	int efd;
	uint64_t ebuf;		  /* the armed eventfd read's buffer */
	struct ev_waiter efd_w;	  /* its completion */
	struct ev_waiter *wake_w; /* evloop_on_wake's hook, or NULL */
	atomic_bool stop;
	bool efd_armed;
	bool can_poll;		   /* the ring has IORING_SETUP_TASKRUN_FLAG */
	struct ev_poller *polling; /* the active pollers */
	int64_t poll_ns;	   /* the window, 0 .. EVLOOP_POLL_MAX_NS */
	unsigned poll_probe;	   /* starts since the window went to 0 */
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
	 * kernel need not interrupt the thread to run task work. TASKRUN_FLAG
	 * (5.19) shows in the SQ ring when such work waits, which a polling
	 * loop needs to see without a system call. Older kernels reject the
	 * flags: fall back to fewer, and to no polling. */
	r = io_uring_queue_init(entries ? entries : 64, &l->ring,
				IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | flags);
	l->can_poll = r == 0;
	if (r == -EINVAL)
		r = io_uring_queue_init(entries ? entries : 64, &l->ring, IORING_SETUP_COOP_TASKRUN | flags);
	if (r == -EINVAL)
		r = io_uring_queue_init(entries ? entries : 64, &l->ring, flags);
	if (r < 0) {
		close(l->efd);
		free(l);
		return r;
	}
	l->efd_w.fn = evloop_efd_done;
	l->poll_ns = EVLOOP_POLL_MAX_NS;
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

void evloop_poll_start(struct evloop *l, struct ev_poller *p)
{
	if (p->active)
		return;
	p->active = true;
	p->next = l->polling;
	l->polling = p;
}

bool evloop_can_poll(const struct evloop *l)
{
	return l->can_poll;
}

static int64_t evloop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* This session's window: the adaptive one, or now and then a probe. */
static int64_t evloop_poll_window(struct evloop *l)
{
	if (!l->can_poll)
		return 0;
	if (l->poll_ns)
		return l->poll_ns;
	if (++l->poll_probe < EVLOOP_POLL_PROBE)
		return 0;
	l->poll_probe = 0;
	return EVLOOP_POLL_MAX_NS;
}

/* While polling: submits what is queued, has the kernel run the task work
 * that holds completions back (IORING_SQ_TASKRUN), and runs the waiters
 * of the completions there. True if there were any. */
static bool evloop_poll_ring(struct evloop *l)
{
	if (io_uring_sq_ready(&l->ring))
		io_uring_submit(&l->ring);
	else if (IO_URING_READ_ONCE(*l->ring.sq.kflags) & IORING_SQ_TASKRUN)
		io_uring_get_events(&l->ring);
	if (!io_uring_cq_ready(&l->ring))
		return false;
	evloop_reap(l);
	return true;
}

/* Spins over the active pollers and the ring until neither has had work
 * for the window. Work a poller finds (the guest posted within the window)
 * grows the window; a window that ends empty halves it. Completions keep
 * the loop spinning but say nothing about the guest. */
static void evloop_poll(struct evloop *l)
{
	int64_t win = evloop_poll_window(l), deadline;

	if (win == 0)
		return;
	deadline = evloop_now() + win;
	while (!atomic_load_explicit(&l->stop, memory_order_relaxed)) {
		bool found = false;
		int64_t now;

		if (evloop_poll_ring(l))
			deadline = evloop_now() + win;
		for (struct ev_poller *p = l->polling; p; p = p->next)
			found |= p->poll(p);
		now = evloop_now();
		if (found) {
			/* poll_ns is 0 or within [MIN, MAX] */
			l->poll_ns = l->poll_ns ? l->poll_ns * 2 : EVLOOP_POLL_MIN_NS;
			if (l->poll_ns > EVLOOP_POLL_MAX_NS)
				l->poll_ns = EVLOOP_POLL_MAX_NS;
			win = l->poll_ns;
			deadline = now + win;
			continue;
		}
		if (now >= deadline) {
			l->poll_ns = l->poll_ns / 2 < EVLOOP_POLL_MIN_NS ? 0 : l->poll_ns / 2;
			return;
		}
		__builtin_ia32_pause();
	}
}

/* Ends polling before the loop sleeps: each poller turns its
 * notifications back on and takes what came meanwhile. */
static void evloop_poll_stop(struct evloop *l)
{
	struct ev_poller *p = l->polling;

	l->polling = NULL;
	while (p) {
		struct ev_poller *next = p->next;

		p->active = false;
		p->stop(p);
		p = next;
	}
}

int evloop_run(struct evloop *l)
{
	if (!l->efd_armed)
		evloop_arm_efd(l);
	while (!atomic_load(&l->stop)) {
		int r;

		if (l->polling) {
			evloop_poll(l);
			evloop_poll_stop(l);
			/* Polling may have reaped evloop_stop's wake: none
			 * comes again to end the wait below. */
			if (atomic_load(&l->stop))
				break;
		}
		r = io_uring_submit_and_wait(&l->ring, 1);

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
	if (l->polling)
		evloop_poll_stop(l);
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
