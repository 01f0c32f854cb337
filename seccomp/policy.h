/* seccomp: the policy tables and the filter builder, shared by the filter
 * installer, --print-seccomp and the tests. Private to seccomp/. */
#ifndef COVE_SECCOMP_POLICY_H
#define COVE_SECCOMP_POLICY_H

#include <linux/filter.h>
#include <stdint.h>

#include "seccomp/seccomp.h"

/* How one argument is checked. Only the low 32 bits are compared: every
 * argument cove restricts (ioctl request, mmap prot, fds, pids, signals)
 * is truncated to 32 bits by the kernel itself. */
enum seccomp_arg_kind {
	SECCOMP_ARG_ANY,     /* no check: ends a rule's list of checks */
	SECCOMP_ARG_IN,	     /* args[arg] is one of values[] */
	SECCOMP_ARG_NO_BITS, /* args[arg] has none of values[0].v's bits set */
};

/* Where a value comes from: a constant, or a pid known only when the
 * filter is built (struct seccomp_ids). */
enum seccomp_value_kind {
	SECCOMP_VALUE_CONST,
	SECCOMP_VALUE_OWN_PID,	 /* the process's own pid, as it sees it */
	SECCOMP_VALUE_CHILD_PID, /* the jailed child the main role waits for */
};

struct seccomp_value {
	uint32_t v;
	const char *name;
	enum seccomp_value_kind kind;
};

struct seccomp_check {
	enum seccomp_arg_kind kind;
	unsigned arg;	      /* 0..5 */
	const char *arg_name; /* as the man page names it */
	const struct seccomp_value *values;
	unsigned nvalues;
};

/* A rule allows syscall nr when every check holds. */
#define SECCOMP_MAX_CHECKS 2

struct seccomp_rule {
	int nr;
	const char *name;
	struct seccomp_check checks[SECCOMP_MAX_CHECKS];
};

struct seccomp_table {
	const char *role; /* "main", "vcpu", "io": also the trigger's name */
	const char *what; /* which thread has it, for --print-seccomp */
	const struct seccomp_rule *rules;
	unsigned nrules;
};

/* The pids a filter is built with. A pid <= 0 matches nothing: a rule's
 * value that stands for it is left out of the program. */
struct seccomp_ids {
	int own;   /* getpid() of the process that installs the filter */
	int child; /* the main role: the jailed child; else 0 */
};

/* The table the role's filter is built from. The filter finds a rule by a
 * binary search on the syscall number, so the order is the reader's. */
const struct seccomp_table *seccomp_table(enum seccomp_role role);
/* The rule for syscall nr in role's table, or NULL. */
const struct seccomp_rule *seccomp_find_rule(enum seccomp_role role, int nr);
/* The number value stands for under ids; false if it stands for none. */
bool seccomp_value_of(const struct seccomp_value *value, const struct seccomp_ids *ids, uint32_t *out);

/* The longest program seccomp_build writes. */
#define SECCOMP_PROG_MAX 512
/* The most rules one role's table may have. */
#define SECCOMP_MAX_RULES 64

/* Writes role's BPF program for mode (strict or log) and ids into prog;
 * returns its length or -errno (-EINVAL for mode off, -E2BIG if it does
 * not fit). */
int seccomp_build(enum seccomp_role role, enum vm_seccomp mode, const struct seccomp_ids *ids,
		  struct sock_filter *prog, unsigned max);
/* seccomp_install with the pids given (jail.c: the main role). */
int seccomp_install_ids(enum seccomp_role role, enum vm_seccomp mode, const struct seccomp_ids *ids);

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
