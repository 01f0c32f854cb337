/* seccomp: io_uring requests run in the kernel on the ring's behalf and never
 * pass through the thread's seccomp filter, so the ring itself is
 * restricted (IORING_REGISTER_RESTRICTIONS, Linux 5.10) to the opcodes the
 * event loop submits. */
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
