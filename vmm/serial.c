/* vmm: where COM1's output goes, and how the bytes a slow reader has not
 * taken yet reach it without a vCPU ever blocking (the UART keeps them and
 * says busy: devices/uart8250.c).
 *
 * A regular file, a block device or /dev/null never blocks: the vCPU writes
 * it and it needs no I/O thread. Anything else (a pipe, FIFO, tty, socket)
 * can, and makes cove start its I/O thread, which drains what waits and
 * gives the guest its THRE interrupt when room is back (a guest that waits
 * for that interrupt, as Linux's tty layer does, would otherwise wait for
 * ever). cove writes such an output through an open file description of
 * its own, opened O_NONBLOCK from /proc/self/fd/1: setting O_NONBLOCK on
 * the inherited description would change it for every process that shares
 * it. The vCPU writes while it takes bytes; the rest the I/O thread sends,
 * POLL_ADD for POLLOUT then WRITE. Where no description of our own can be
 * had (a socket cannot be reopened) no vCPU writes at all: the ring's
 * WRITE waits for room without blocking a thread.
 *
 * At the VM's end the I/O thread goes on draining for at most
 * SERIAL_END_NS, then gives up: a reader that never reads cannot keep cove
 * alive, and what is still waiting then is lost. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "vmm/vm_internal.h"

#define SERIAL_END_NS 1000000000LL

/* Written by the main thread during set-up; then wanted is the only field
 * a vCPU touches (an atomic), the rest is the I/O thread's. */
static struct serial_io {
	struct ev_waiter write_w, poll_w;
	struct vm *vm;
	int fd;
	bool blocks;	    /* the output can block: the I/O thread drains it */
	bool direct;	    /* vCPUs may write it (cove's own O_NONBLOCK description) */
	bool drains;	    /* serial_io_setup handed the UART's waiting bytes to us */
	atomic_bool wanted; /* a vCPU left bytes waiting: start a drain */
	bool busy;	    /* a WRITE or POLL_ADD is in flight */
} serial;

/* Regular files, block devices and /dev/null take every write at once. */
static bool serial_can_block(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		return false;
	return !(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
}

int serial_open(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	int fd = -1;

	serial.vm = vm;
	serial.direct = true;
	if (cfg->serial == VM_SERIAL_FILE) {
		fd = open(cfg->serial_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "cove: --serial '%s': %s\n", cfg->serial_path, strerror(errno));
			return COVE_EXIT_IMAGE;
		}
		/* A FIFO or a tty by name: the description is cove's own. */
		serial.blocks = serial_can_block(fd);
		if (serial.blocks && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
			serial.direct = false;
	} else if (cfg->serial == VM_SERIAL_STDIO && fcntl(STDOUT_FILENO, F_GETFD) >= 0) {
		/* (A closed stdout is no output: fd 1 may become a disk.) */
		fd = STDOUT_FILENO;
		serial.blocks = serial_can_block(fd);
		if (serial.blocks) {
			fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
			if (fd < 0) {
				fd = STDOUT_FILENO;
				serial.direct = false;
			}
		}
	}
	serial.fd = vm->serial_fd = fd;
	return 0;
}

bool serial_needs_io_thread(void)
{
	return serial.blocks;
}

static int64_t serial_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A vCPU, under the UART's lock: bytes started to wait. */
static void serial_wake(void *ctx)
{
	struct vm *vm = ctx;

	atomic_store(&serial.wanted, true);
	evloop_wake(vm->loop);
}

/* I/O thread: sends the next run of waiting bytes, or ends the drain's
 * turn when none wait (the vCPUs write again). */
static void serial_write_next(void)
{
	struct vm *vm = serial.vm;
	struct io_uring_sqe *sqe;
	const void *p;
	size_t n = uart_tx_peek(vm->uart, &p);

	serial.busy = false;
	if (!n)
		return;
	sqe = evloop_sqe(vm->loop, &serial.write_w);
	if (!sqe) {
		/* The ring is full: try again at the loop's next turn. */
		atomic_store(&serial.wanted, true);
		evloop_wake(vm->loop);
		return;
	}
	/* Offset -1: the file position, which pipes, ttys and sockets ignore. */
	io_uring_prep_write(sqe, serial.fd, p, (unsigned)n, (uint64_t)-1);
	serial.busy = true;
}

static void serial_write_done(struct ev_waiter *w, int res, unsigned flags)
{
	struct io_uring_sqe *sqe;

	(void)w;
	(void)flags;
	if (res > 0) {
		uart_tx_sent(serial.vm->uart, (size_t)res);
		serial_write_next();
		return;
	}
	if (res == -EINTR) {
		serial_write_next();
		return;
	}
	if (res == -EAGAIN || res == 0) {
		/* Full: wait until the reader makes room. */
		sqe = evloop_sqe(serial.vm->loop, &serial.poll_w);
		if (sqe) {
			io_uring_prep_poll_add(sqe, serial.fd, POLLOUT);
			return;
		}
		serial_write_next();
		return;
	}
	/* The reader is gone (EPIPE) or the output failed: what waits is
	 * lost, and the vCPUs write (and drop) on their own again. */
	uart_tx_fail(serial.vm->uart);
	serial.busy = false;
}

static void serial_poll_done(struct ev_waiter *w, int res, unsigned flags)
{
	(void)w;
	(void)res;
	(void)flags;
	/* Writable, hung up or failed: the WRITE finds out which. */
	serial_write_next();
}

void serial_io_setup(struct vm *vm)
{
	if (!serial.blocks || !vm->loop || !vm->uart)
		return;
	serial.write_w.fn = serial_write_done;
	serial.poll_w.fn = serial_poll_done;
	serial.drains = true;
	uart_set_tx_drain(vm->uart, serial.direct, serial_wake, vm);
}

void serial_io_wake(struct vm *vm)
{
	(void)vm;
	if (atomic_exchange(&serial.wanted, false) && !serial.busy)
		serial_write_next();
}

bool serial_waiting(struct vm *vm)
{
	return serial.drains && uart_tx_waiting(vm->uart) > 0;
}

void serial_io_end(struct vm *vm)
{
	int64_t end = serial_now_ns() + SERIAL_END_NS, left;

	if (!serial.drains)
		return;
	atomic_store(&serial.wanted, false);
	if (!serial.busy)
		serial_write_next();
	while (serial.busy && (left = end - serial_now_ns()) > 0) {
		int r = evloop_run_once(vm->loop, left);

		if (r < 0 && r != -ETIME)
			break;
	}
}
