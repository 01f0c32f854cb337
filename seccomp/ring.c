/* seccomp: io_uring requests run in the kernel on the ring's behalf and never
 * pass through the thread's seccomp filter, so the ring itself is
 * restricted (IORING_REGISTER_RESTRICTIONS, Linux 5.10) to the opcodes the
 * event loop submits. Under --jail the ring's kernel workers are also made
 * up front: a request that blocks (fsync, a write the file system cannot
 * do without waiting) runs on an io-wq worker, a task of cove's that counts
 * against RLIMIT_NPROC, which is 0 once the guest runs. */
#include <errno.h>
#include <liburing.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp/policy.h"

static int ring_register(int fd, unsigned op, void *arg, unsigned n)
{
	return syscall(__NR_io_uring_register, fd, op, arg, n) < 0 ? -errno : 0;
}

int seccomp_restrict_ring(struct io_uring *ring)
{
	/* One entry per opcode, one for the SQE flags. No REGISTER_OP entry:
	 * after enable, every io_uring_register() call fails with EACCES. */
	struct io_uring_restriction res[64 + 1];
	unsigned n = 0;
	int r;

	if (!ring || seccomp_nring_ops > 64)
		return -EINVAL;
	for (unsigned i = 0; i < seccomp_nring_ops; i++) {
		res[n] = (struct io_uring_restriction){.opcode = IORING_RESTRICTION_SQE_OP};
		res[n++].sqe_op = seccomp_ring_ops[i].op;
	}
	res[n] = (struct io_uring_restriction){.opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED};
	res[n++].sqe_flags = seccomp_ring_sqe_flags;
	/* -EBADFD here means the ring was not created IORING_SETUP_R_DISABLED.
	 * The raw syscall: Debian's shared liburing 2.3 does not export
	 * io_uring_register_restrictions or io_uring_enable_rings. */
	r = ring_register(ring->ring_fd, IORING_REGISTER_RESTRICTIONS, res, n);
	if (r < 0)
		return r;
	return ring_register(ring->ring_fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
}

/* One io-wq worker of each kind (bound: regular files; unbound: other
 * fds) per submitting thread, never more: io-wq makes a worker only below
 * this limit, and keeps its last one when idle. Applies to the I/O
 * thread's workers when it first submits. Before the ring is restricted. */
int jail_ring_limit(struct io_uring *ring)
{
	unsigned max[2] = {1, 1};

	if (!ring)
		return -EINVAL;
	return ring_register(ring->ring_fd, IORING_REGISTER_IOWQ_MAX_WORKERS, max, 2);
}

int jail_ring_workers(struct io_uring *ring)
{
	struct io_uring_sqe *bound, *unbound;
	int r;

	if (!ring)
		return -EINVAL;
	bound = io_uring_get_sqe(ring);
	unbound = io_uring_get_sqe(ring);
	if (!bound || !unbound)
		return -EBUSY;
	/* IOSQE_ASYNC sends a request straight to io-wq, which makes the
	 * submitter's worker for its kind there and then, inside
	 * io_uring_enter. A NOP is bound work; a read of a file that is
	 * not regular is unbound (the ring's own fd: it fails, harmlessly,
	 * on the worker). user_data 0: the event loop ignores both. */
	io_uring_prep_nop(bound);
	bound->flags |= IOSQE_ASYNC;
	io_uring_sqe_set_data(bound, NULL);
	io_uring_prep_read(unbound, ring->ring_fd, NULL, 0, 0);
	unbound->flags |= IOSQE_ASYNC;
	io_uring_sqe_set_data(unbound, NULL);
	r = io_uring_submit(ring);
	return r < 0 ? r : 0;
}
