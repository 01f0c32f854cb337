/* seccomp: the policy tables and the filter builder, shared by the filter
 * installer, --print-seccomp and the tests. Private to seccomp/. */
#ifndef COVE_SECCOMP_POLICY_H
#define COVE_SECCOMP_POLICY_H

#include <linux/filter.h>
#include <stdint.h>

#include "seccomp/seccomp.h"

/* How one syscall's arguments are checked. Only the low 32 bits of the
 * argument are compared: every argument cove restricts (ioctl request,
 * mmap/mprotect prot) is truncated to 32 bits by the kernel itself. */
enum seccomp_arg_kind {
	SECCOMP_ARG_ANY,     /* any arguments */
	SECCOMP_ARG_IN,	     /* args[arg] is one of values[] */
	SECCOMP_ARG_NO_BITS, /* args[arg] has none of values[0].v's bits set */
};

struct seccomp_value {
	uint32_t v;
	const char *name;
};

struct seccomp_rule {
	int nr;
	const char *name;
	enum seccomp_arg_kind kind;
	unsigned arg;	      /* 0..5 */
	const char *arg_name; /* as the man page names it */
	const struct seccomp_value *values;
	unsigned nvalues;
};

struct seccomp_table {
	const char *role; /* "main", "vcpu", "io": also the trigger's name */
	const struct seccomp_rule *rules;
	unsigned nrules;
};

/* The table the role's filter is built from; rules are matched in order,
 * so the hot ones come first. */
const struct seccomp_table *seccomp_table(enum seccomp_role role);
/* The rule for syscall nr in role's table, or NULL. */
const struct seccomp_rule *seccomp_find_rule(enum seccomp_role role, int nr);

/* The longest program seccomp_build writes. */
#define SECCOMP_PROG_MAX 512

/* Writes role's BPF program for mode (strict or log) into prog; returns
 * its length or -errno (-EINVAL for mode off, -E2BIG if it does not fit). */
int seccomp_build(enum seccomp_role role, enum vm_seccomp mode, struct sock_filter *prog, unsigned max);

/* The opcodes the I/O thread's ring may submit (IORING_OP_*). */
struct seccomp_ring_op {
	uint8_t op;
	const char *name;
};
extern const struct seccomp_ring_op seccomp_ring_ops[];
extern const unsigned seccomp_nring_ops;
/* The SQE flags (IOSQE_*) the ring accepts. */
extern const uint8_t seccomp_ring_sqe_flags;

/* x86-64 syscall names by number (generated from asm/unistd_64.h); an entry
 * may be NULL where the number is unused. */
extern const char *const seccomp_syscall_names[];
extern const unsigned seccomp_nsyscall_names;

#endif
