/* seccomp: per-thread syscall filters and the jail. Each thread of cove has
 * a role; its filter is installed after all set-up, before the guest's first
 * instruction, and is built from the same tables --print-seccomp prints. */
#ifndef COVE_SECCOMP_H
#define COVE_SECCOMP_H

#include <stdio.h>

#include "vmm/vmm.h"

/* MAIN is the main thread of --jail's waiting parent (jail_unshare installs
 * it); without --jail the main thread runs the boot vCPU, with VCPU. */
enum seccomp_role { SECCOMP_ROLE_MAIN, SECCOMP_ROLE_VCPU, SECCOMP_ROLE_IO, SECCOMP_NROLES };

/* Installs role's filter on the calling thread (mode strict or log; off
 * does nothing), built for the calling process's pid (getpid() now, so
 * inside --jail's PID namespace after jail_unshare). Sets no_new_privs.
 * 0 or -errno. */
int seccomp_install(enum seccomp_role role, enum vm_seccomp mode);
/* Test only: if trigger names this role ("vcpu", "io", "main"), the calling
 * thread now makes a syscall outside its list. */
void seccomp_test_trigger(enum seccomp_role role, const char *trigger);
/* --print-seccomp: every role's allowed syscalls and argument rules. */
void seccomp_print(FILE *out);

/* Call order for the VM core (vm_run):
 *   jail_unshare()            first, with --jail, before /dev/kvm is opened
 *   ... open every file, tap, socket; make the VM, memory, vCPU fds ...
 *   evloop ring created with IORING_SETUP_R_DISABLED, then
 *   jail_ring_limit()         with --jail
 *   seccomp_restrict_ring()   before the I/O thread starts (any mode)
 *   jail_lockdown()           with --jail, before any other thread starts
 *   in each new thread:       seccomp_install(role, cfg->seccomp);
 *                             seccomp_test_trigger(role, cfg->seccomp_trigger);
 *   I/O thread, after that:   jail_ring_workers(), with --jail, before the
 *                             boot vCPU may run the guest
 *   main thread, after the last thread started and the I/O thread's step
 *   above: jail_no_new_tasks() with --jail; then, as the boot vCPU,
 *                             seccomp_install(SECCOMP_ROLE_VCPU, ...)
 * Filters stack: a thread created after its creator installed a filter
 * runs under both, so the main thread installs its own last.
 * In log mode a violation prints one line on stderr,
 *   cove: seccomp: <role> thread called <syscall> (nr N); denied
 * and the call fails with ENOSYS; the VM goes on. */

struct io_uring;
/* Restricts the I/O thread's ring to the opcodes the event loop submits
 * (read, write, readv, writev, fsync, fallocate, poll_add, poll_remove,
 * async_cancel, nop; no register operations) and
 * enables it. The ring must have been created with IORING_SETUP_R_DISABLED
 * (else -EBADFD) and nothing may be submitted before this call. Needed in
 * every seccomp mode: io_uring requests bypass seccomp. 0 or -errno. */
int seccomp_restrict_ring(struct io_uring *ring);

/* --jail. jail_unshare() runs first in vm_run, before the VM exists (a KVM
 * VM belongs to the process that made it): it enters new mount, PID, IPC,
 * UTS (and, with no tap, network) namespaces. For the PID namespace it
 * forks; the parent never returns: it waits for the child and ends as the
 * child did (its exit status, or killed by the same signal, so a SIGSYS
 * in the jail still reads 159 in a shell), forwarding SIGTERM, SIGINT,
 * SIGHUP and SIGQUIT to it meanwhile. Once the child has dropped its
 * privileges the parent locks itself down too: an empty root of its own,
 * the child's ids, no capabilities, no fd but stderr, no_new_privs and
 * the main role's filter. The child returns 0 and goes on.
 * After every file, device and the VM are set up and before any other
 * thread starts, jail_lockdown() pivots into an empty root, sets
 * no_new_privs, drops to cfg->uid/gid and all capabilities, sets rlimits
 * (an fd limit, no core dumps) and closes every fd but keep[0..nkeep).
 * Once every task cove needs exists (its threads, KVM's per-VM worker,
 * the ring's workers: jail_ring_limit, jail_ring_workers),
 * jail_no_new_tasks() sets RLIMIT_NPROC to 0. All return -errno on failure. */
int jail_unshare(const struct vm_config *cfg);
int jail_lockdown(const struct vm_config *cfg, const int *keep, unsigned nkeep);
int jail_no_new_tasks(void);
/* jail_lockdown keeps fds 0, 1 and 2 besides keep[], and sets RLIMIT_NOFILE
 * to one past the highest kept fd: every fd cove needs (vCPU fds too) must
 * exist by then. RLIMIT_NPROC counts every task of the uid, threads, KVM's
 * per-VM worker (made at the first KVM_RUN, Linux 6.13+) and io_uring's
 * io-wq workers included: at 0, KVM_RUN fails with EAGAIN for ever if the
 * worker does not exist yet, and a ring request that blocks is cancelled
 * if no io-wq worker does. The VM core therefore makes them first.
 * The VM core must catch (or block and read) SIGTERM, since the init of a
 * PID namespace ignores signals it has no handler for. */
/* With --jail, before the ring is restricted: the I/O thread may have one
 * io-wq worker of each kind, no more. Then on the I/O thread, once its
 * filter is in: makes those workers now (two IOSQE_ASYNC requests whose
 * completions carry user_data 0). 0 or -errno. */
int jail_ring_limit(struct io_uring *ring);
int jail_ring_workers(struct io_uring *ring);

#endif
