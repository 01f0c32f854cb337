/* vmm/evloop.c: completions reach their waiter, batching, stop and wake
 * from other threads. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/evloop.h"

struct counter {
	struct ev_waiter w;
	struct evloop *l;
	int calls;
	int last_res;
	int stop_after; /* evloop_stop once calls reaches it; 0: never */
	int requeue;	/* how many more NOPs fn queues */
};

static void counter_fn(struct ev_waiter *w, int res, unsigned flags)
{
	struct counter *c = (struct counter *)w;

	(void)flags;
	c->calls++;
	c->last_res = res;
	if (c->requeue > 0) {
		c->requeue--;
		io_uring_prep_nop(evloop_sqe(c->l, &c->w));
	}
	if (c->stop_after && c->calls >= c->stop_after)
		evloop_stop(c->l);
}

static struct evloop *loop_new(unsigned entries)
{
	struct evloop *l = NULL;
	int r = evloop_new(&l, entries);

	cr_assert_eq(r, 0, "evloop_new: %s", strerror(-r));
	return l;
}

Test(evloop, completion_calls_its_waiter_with_result)
{
	struct evloop *l = loop_new(8);
	struct counter c = {.w.fn = counter_fn, .l = l, .stop_after = 1};
	int p[2];
	char buf[8] = {0};

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], "hello", 5), 5);
	io_uring_prep_read(evloop_sqe(l, &c.w), p[0], buf, sizeof(buf), 0);
	cr_assert_eq(evloop_run(l), 0);
	cr_assert_eq(c.calls, 1, "waiter called %d times", c.calls);
	cr_assert_eq(c.last_res, 5, "read result %d, want 5", c.last_res);
	cr_assert_str_eq(buf, "hello");
	close(p[0]);
	close(p[1]);
	evloop_free(l);
}

Test(evloop, more_requests_than_ring_entries_all_complete)
{
	struct evloop *l = loop_new(4);
	struct counter c = {.w.fn = counter_fn, .l = l, .stop_after = 20};

	for (int i = 0; i < 20; i++) {
		struct io_uring_sqe *sqe = evloop_sqe(l, &c.w);

		cr_assert_not_null(sqe, "no SQE for request %d of 20 on a 4-entry ring", i);
		io_uring_prep_nop(sqe);
	}
	cr_assert_eq(evloop_run(l), 0);
	cr_assert_eq(c.calls, 20, "%d of 20 completions seen", c.calls);
	evloop_free(l);
}

Test(evloop, callback_can_queue_follow_up_requests)
{
	struct evloop *l = loop_new(4);
	struct counter c = {.w.fn = counter_fn, .l = l, .requeue = 9, .stop_after = 10};

	io_uring_prep_nop(evloop_sqe(l, &c.w));
	cr_assert_eq(evloop_run(l), 0);
	cr_assert_eq(c.calls, 10, "chain of 10 stopped after %d", c.calls);
	evloop_free(l);
}

Test(evloop, timeout_completes_with_etime)
{
	struct evloop *l = loop_new(8);
	struct counter c = {.w.fn = counter_fn, .l = l, .stop_after = 1};
	struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = 1000000};

	io_uring_prep_timeout(evloop_sqe(l, &c.w), &ts, 0, 0);
	cr_assert_eq(evloop_run(l), 0);
	cr_assert_eq(c.calls, 1);
	cr_assert_eq(c.last_res, -ETIME, "timeout result %d, want -ETIME", c.last_res);
	evloop_free(l);
}

static void *stop_later(void *arg)
{
	usleep(20000);
	evloop_stop(arg);
	return NULL;
}

Test(evloop, stop_from_another_thread_ends_an_idle_loop)
{
	struct evloop *l = loop_new(8);
	pthread_t t;

	cr_assert_not(evloop_stopped(l));
	cr_assert_eq(pthread_create(&t, NULL, stop_later, l), 0);
	cr_assert_eq(evloop_run(l), 0, "run did not return 0 after stop");
	cr_assert(evloop_stopped(l));
	pthread_join(t, NULL);
	evloop_free(l);
}

static void *wake_three_times(void *arg)
{
	struct evloop *l = arg;

	for (int i = 0; i < 3; i++) {
		evloop_wake(l);
		usleep(5000);
	}
	return NULL;
}

struct waker {
	struct ev_waiter w;
	struct evloop *l;
	int calls;
};

static void waker_fn(struct ev_waiter *w, int res, unsigned flags)
{
	struct waker *k = (struct waker *)w;

	cr_assert_eq(res, 0);
	cr_assert_eq(flags, 0u);
	if (++k->calls == 3)
		evloop_stop(k->l);
}

Test(evloop, wake_from_another_thread_runs_the_hook_on_the_loop, .timeout = 10)
{
	struct evloop *l = loop_new(8);
	struct waker k = {.w.fn = waker_fn, .l = l};
	pthread_t t;

	evloop_on_wake(l, &k.w);
	cr_assert_eq(pthread_create(&t, NULL, wake_three_times, l), 0);
	cr_assert_eq(evloop_run(l), 0);
	pthread_join(t, NULL);
	cr_assert_eq(k.calls, 3, "hook ran %d times for 3 spaced wakes", k.calls);
	evloop_free(l);
}

Test(evloop, stop_before_run_returns_at_once, .timeout = 5)
{
	struct evloop *l = loop_new(8);

	evloop_stop(l);
	cr_assert_eq(evloop_run(l), 0);
	evloop_free(l);
}

Test(evloop, run_once_times_out_without_completions_and_runs_after_stop)
{
	struct evloop *l = loop_new(8);
	struct counter c = {.w.fn = counter_fn, .l = l};
	struct timespec t0, t1;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(evloop_run_once(l, 20000000), -ETIME, "nothing in flight: -ETIME");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	cr_assert(ms >= 15 && ms < 1000, "waited %.1f ms for a 20 ms timeout", ms);
	/* After evloop_stop the loop still serves one turn at a time. */
	evloop_stop(l);
	io_uring_prep_nop(evloop_sqe(l, &c.w));
	cr_assert_eq(evloop_run_once(l, 1000000000), 0);
	cr_assert_eq(c.calls, 1, "the NOP's waiter ran once (%d)", c.calls);
	evloop_free(l);
}

struct test_poller {
	struct ev_poller p; /* first */
	struct evloop *l;
	int work; /* poll() finds work while this is above 0 */
	int polls, stops;
	bool active_in_stop;
};

static bool test_poll(struct ev_poller *p)
{
	struct test_poller *t = (struct test_poller *)p;

	t->polls++;
	if (t->work <= 0)
		return false;
	t->work--;
	return true;
}

static void test_poll_stop(struct ev_poller *p)
{
	struct test_poller *t = (struct test_poller *)p;

	t->stops++;
	t->active_in_stop = p->active;
}

Test(evloop, poller_is_polled_while_it_finds_work_then_stopped_once, .timeout = 10)
{
	struct evloop *l = loop_new(8);
	struct test_poller t = {.p = {.poll = test_poll, .stop = test_poll_stop}, .l = l, .work = 5};
	pthread_t th;

	evloop_poll_start(l, &t.p);
	evloop_poll_start(l, &t.p); /* a second start while active is a no-op */
	cr_assert(t.p.active);
	cr_assert_eq(pthread_create(&th, NULL, stop_later, l), 0);
	cr_assert_eq(evloop_run(l), 0);
	pthread_join(th, NULL);
	cr_assert_eq(t.stops, 1, "stop ran %d times: once, before the loop slept", t.stops);
	cr_assert_not(t.active_in_stop, "the poller is off the loop's list when stop runs");
	cr_assert_not(t.p.active);
	if (evloop_can_poll(l)) {
		cr_assert_eq(t.work, 0, "all 5 work items were found by polling (%d left)", t.work);
		cr_assert_gt(t.polls, 5, "polled %d times: the work, then at least one empty look", t.polls);
	} else {
		cr_assert_eq(t.polls, 0, "a loop that cannot poll only stops its pollers");
	}
	evloop_free(l);
}

struct stopper {
	struct ev_waiter w;
	struct evloop *l;
};

/* evloop_stop from a completion reaped while the loop polls, with the
 * stop's own wake completed and reaped in the same pass (as when another
 * thread stops the loop just then): no wake is left to end a wait. */
static void stopper_fn(struct ev_waiter *w, int res, unsigned flags)
{
	struct stopper *s = (struct stopper *)w;

	(void)res;
	(void)flags;
	evloop_stop(s->l);
	io_uring_get_events(evloop_ring(s->l));
}

static bool poll_forever(struct ev_poller *p)
{
	(void)p;
	return true;
}

static void poll_nothing_to_stop(struct ev_poller *p)
{
	(void)p;
}

Test(evloop, stop_whose_wake_is_reaped_while_polling_ends_the_loop, .timeout = 10)
{
	struct evloop *l = loop_new(8);
	struct stopper s = {.w.fn = stopper_fn, .l = l};
	struct ev_poller p = {.poll = poll_forever, .stop = poll_nothing_to_stop};

	if (!evloop_can_poll(l))
		cr_skip_test("the kernel lacks IORING_SETUP_TASKRUN_FLAG: no polling");
	evloop_poll_start(l, &p);
	io_uring_prep_nop(evloop_sqe(l, &s.w));
	cr_assert_eq(evloop_run(l), 0, "the loop ended after a stop seen while polling");
	cr_assert_not(p.active);
	evloop_free(l);
}
