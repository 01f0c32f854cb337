/* seccomp: per-thread syscall filters and the jail. Each thread of cove has
 * a role; its filter is installed after all set-up, before the guest's first
 * instruction, and is built from the same tables --print-seccomp prints. */
#ifndef COVE_SECCOMP_H
#define COVE_SECCOMP_H

#include <stdio.h>

#include "vmm/vmm.h"

enum seccomp_role { SECCOMP_ROLE_MAIN, SECCOMP_ROLE_VCPU, SECCOMP_ROLE_IO, SECCOMP_NROLES };

/* Installs role's filter on the calling thread (mode strict or log; off
 * does nothing). Sets no_new_privs. 0 or -errno. */
int seccomp_install(enum seccomp_role role, enum vm_seccomp mode);
/* Test only: if trigger names this role ("vcpu", "io", "main"), the calling
 * thread now makes a syscall outside its list. */
void seccomp_test_trigger(enum seccomp_role role, const char *trigger);
/* --print-seccomp: every role's allowed syscalls and argument rules. */
void seccomp_print(FILE *out);

/* --jail, in two steps. jail_unshare() runs first in vm_run, before the VM
 * exists (a KVM VM belongs to the process that made it): it enters new
 * mount, PID, IPC, UTS (and, with no tap, network) namespaces. For the PID
 * namespace it forks: the parent only waits, stores the child's exit status
 * in *parent_status and returns 1; the child returns 0 and goes on. Then,
 * after every file, device and the VM are set up and before any other
 * thread starts, jail_lockdown() pivots into an empty root, sets
 * no_new_privs, drops to cfg->uid/gid and all capabilities, sets rlimits
 * (no new processes, an fd limit, no core dumps) and closes every fd but
 * keep[0..nkeep). Both return -errno on failure. */
int jail_unshare(const struct vm_config *cfg, int *parent_status);
int jail_lockdown(const struct vm_config *cfg, const int *keep, unsigned nkeep);

#endif
