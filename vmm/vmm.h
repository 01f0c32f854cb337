/* vmm: the VM's lifecycle. main.c fills a struct vm_config (pure data, no
 * file opened yet) and calls vm_run(), whose return value is cove's exit
 * status. */
#ifndef COVE_VMM_H
#define COVE_VMM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* cove's exit status: how the VM ended. Odd values are the guest's own,
 * written to the debug-exit port 0xf4 (QEMU isa-debug-exit: (v << 1) | 1).
 * Even values are cove's. A seccomp violation kills the process with SIGSYS
 * (a shell reports 159). Keep in step with --help and README.md. */
enum cove_status {
	COVE_EXIT_POWEROFF = 0, /* guest powered off (ACPI S5, power port) */
	COVE_EXIT_USAGE = 2,    /* bad command line */
	COVE_EXIT_IMAGE = 4,    /* image or other input file unreadable or malformed */
	COVE_EXIT_HOST = 6,     /* host problem: no /dev/kvm, permission, capability, memory */
	COVE_EXIT_RESET = 8,    /* guest asked for a reset (cove does not reboot it) */
	COVE_EXIT_CRASH = 10,   /* triple fault, KVM internal error, unemulatable instruction */
	COVE_EXIT_TIMEOUT = 124, /* --timeout expired (as timeout(1)) */
};

#define VM_MAX_DISKS 8
#define VM_MAX_NETS 4
#define VM_MAX_MODULES 8
#define VM_MAX_CPUS 1024

enum vm_serial { VM_SERIAL_STDIO, VM_SERIAL_FILE, VM_SERIAL_NONE };
enum vm_seccomp { VM_SECCOMP_STRICT, VM_SECCOMP_LOG, VM_SECCOMP_OFF };

struct vm_disk_config {
	const char *path;
	bool readonly;
};

struct vm_net_config {
	const char *tap; /* tap interface name */
	uint8_t mac[6];
	bool has_mac;
};

struct vm_module_config {
	const char *path;
	const char *cmdline; /* multiboot module string; may be NULL */
};

struct vm_config {
	const char *kernel;  /* -k or IMAGE: PVH ELF, multiboot ELF or bzImage; NULL with no raw: built-in hello */
	const char *initrd;  /* -i */
	const char *cmdline; /* -a; NULL: empty */
	struct vm_module_config modules[VM_MAX_MODULES]; /* --module FILE[,STRING] */
	unsigned nmodules;

	const char *raw;      /* --raw FILE: real-mode image */
	uint64_t raw_load;    /* load=ADDR (default 0x7c00) */
	uint16_t raw_seg;     /* entry=SEG:OFF (default 0000:7c00) */
	uint16_t raw_off;

	uint64_t mem_size; /* bytes, > 0 */
	unsigned cpus;     /* 1..KVM's max */

	enum vm_serial serial;
	const char *serial_path; /* VM_SERIAL_FILE */

	unsigned timeout_sec; /* 0: none */
	bool stats;           /* --stats: exit and emulation counts at exit */

	struct vm_disk_config disks[VM_MAX_DISKS];
	unsigned ndisks;
	struct vm_net_config nets[VM_MAX_NETS];
	unsigned nnets;
	bool console; /* --console: virtio-console on stdin/stdout */
	bool rng;     /* --rng: virtio-rng */

	enum vm_seccomp seccomp;
	bool jail;
	uid_t uid; /* --uid, with --jail (default: nobody) */
	gid_t gid;
	const char *seccomp_trigger; /* test only: a role whose thread makes a forbidden call */
};

/* Runs the VM to its end; returns an enum cove_status or a debug-exit code.
 * Prints one line on stderr saying why when it is not the guest's doing. */
int vm_run(const struct vm_config *cfg);

/* Exit statuses cove gives for a host signal: 128 + signo, as a shell
 * reports a process killed by it (SIGTERM 143, SIGINT 130, SIGHUP 129),
 * after a clean shutdown (disks flushed). */
#define COVE_EXIT_SIGNAL_BASE 128

/* The command line (vmm/cmdline.c; main.c calls it). */
enum cmdline_action { CMDLINE_RUN, CMDLINE_HELP, CMDLINE_VERSION, CMDLINE_PRINT_SECCOMP };
/* Fills cfg (defaults first) from argv. 0 with *action saying what to do, or
 * -EINVAL with a one-line reason in err (without "cove: "). Pure: opens no
 * file. Resets getopt, so it can be called more than once. */
int cmdline_parse(int argc, char **argv, struct vm_config *cfg, enum cmdline_action *action, char *err,
		  size_t errlen);
/* --help: every option and the exit statuses. */
void cmdline_usage(FILE *out);
#define COVE_VERSION "0.1"

#endif
