/* vmm: the I/O thread's event loop, one io_uring (liburing). Every request
 * carries a pointer to the struct ev_waiter that waits for it (user_data);
 * its completion calls waiter->fn on the I/O thread. Other threads never
 * touch the ring: they call evloop_wake() (an eventfd the loop reads) or
 * evloop_stop(). */
#ifndef COVE_VMM_EVLOOP_H
#define COVE_VMM_EVLOOP_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>

struct ev_waiter {
	/* res/flags are the CQE's. Runs on the I/O thread. */
	void (*fn)(struct ev_waiter *w, int res, unsigned flags);
};

struct evloop;

/* A source the loop may busy-poll before it sleeps: a virtqueue whose
 * driver was asked not to notify. Notifications cost an exit each (tens of
 * microseconds on hosts that emulate guest I/O); a guest that posts its
 * next request within the window pays none. The window adapts (see
 * evloop.c: EVLOOP_POLL_MAX_NS, at most 32 us after the last work): it
 * grows while polling finds work, halves each time it ends empty, and
 * stays 0 for a guest whose work comes slower than that (an idle or
 * sparse guest, or one whose vCPU does not run while the loop spins), with
 * a short probe now and then. An idle guest costs nothing: polling starts
 * only after a notification. */
struct ev_poller {
	/* Looks for work and does it; true if there was some. I/O thread. */
	bool (*poll)(struct ev_poller *p);
	/* The loop stops polling p before it sleeps: p turns its
	 * notifications back on and takes what arrived meanwhile (it may
	 * call evloop_poll_start again). I/O thread. */
	void (*stop)(struct ev_poller *p);
	struct ev_poller *next; /* the loop's */
	bool active;		/* the loop's: between poll_start and stop */
};

/* entries: ring size. 0 or -errno. */
int evloop_new(struct evloop **out, unsigned entries);
/* The same with the ring created IORING_SETUP_R_DISABLED: SQEs may be
 * queued, but nothing reaches the kernel until the ring is enabled, by
 * evloop_enable() or by seccomp_restrict_ring() with its restrictions. */
int evloop_new_disabled(struct evloop **out, unsigned entries);
int evloop_enable(struct evloop *l);
void evloop_free(struct evloop *l);
/* An SQE whose completion goes to w (submitted at the next loop turn), or
 * NULL if the ring is full even after a submit. I/O thread only (and the
 * main thread before evloop_run starts). */
struct io_uring_sqe *evloop_sqe(struct evloop *l, struct ev_waiter *w);
/* Runs until evloop_stop(); returns 0 or -errno. */
int evloop_run(struct evloop *l);
/* One turn, stopped or not: submits, waits up to timeout_ns for a
 * completion, runs the waiters of those there. 0, -ETIME when none came,
 * or -errno. For work after the end (the serial port's last bytes). */
int evloop_run_once(struct evloop *l, int64_t timeout_ns);
/* Any thread: makes evloop_run return after the current completions. */
void evloop_stop(struct evloop *l);
/* Any thread: the hook set by evloop_on_wake() runs on the I/O thread soon
 * (several wakes may merge into one call). Async-signal-safe. */
void evloop_wake(struct evloop *l);
/* Sets the hook evloop_wake() runs (res and flags 0); NULL for none. Call
 * before evloop_run() or on the I/O thread. */
void evloop_on_wake(struct evloop *l, struct ev_waiter *w);
/* Any thread: evloop_stop() was called. */
bool evloop_stopped(struct evloop *l);
/* I/O thread: p has just suppressed its notifications; the loop polls it
 * (or, when polling does not pay, calls p->stop at once) before it
 * sleeps. A no-op while p is active. */
void evloop_poll_start(struct evloop *l, struct ev_poller *p);
/* Does this loop poll at all (the kernel shows it pending task work
 * without a system call: IORING_SETUP_TASKRUN_FLAG, Linux 5.19)? */
bool evloop_can_poll(const struct evloop *l);
/* The ring's fd, e.g. for IORING_REGISTER_RESTRICTIONS by seccomp/. */
struct io_uring *evloop_ring(struct evloop *l);

#endif
