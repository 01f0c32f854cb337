/* cove's exit status for each way a guest ends, on tiny real-mode blobs run
 * by $COVE under real KVM: debug exit, power off, reset (i8042 and port
 * 0x92), triple fault, emulation failure, --timeout, host signals, a host
 * without /dev/kvm, too many vCPUs; and that unclaimed ports read as all
 * ones, the UART reaches stdout or --serial FILE, stdin reaches the UART. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct run {
	int status; /* exit status, or -signo when killed */
	char out[16384], err[16384];
	size_t nout, nerr;
};

static const char *cove_path(void)
{
	const char *p = getenv("COVE");

	cr_assert(p && *p, "COVE is not set (scripts/test.sh sets it to the cove under test)");
	return p;
}

/* Writes a blob to a fresh temp file; the caller unlinks it. */
static char *blob_file(const void *bytes, size_t len)
{
	char *path = strdup("/tmp/cove-test-exit-XXXXXX");
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	cr_assert_eq(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	return path;
}

struct child {
	pid_t pid;
	int in, out, err;
};

/* stdin is a pipe (c.in), or /dev/null with null_stdin (c.in -1). */
static struct child spawn_stdin(char *const argv[], bool null_stdin)
{
	int pin[2], pout[2], perr[2];
	struct child c;

	cr_assert_eq(pipe2(pin, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(pout, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(perr, O_CLOEXEC), 0);
	c.pid = fork();
	cr_assert_geq(c.pid, 0);
	if (c.pid == 0) {
		int in = null_stdin ? open("/dev/null", O_RDONLY) : pin[0];

		dup2(in, 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	c.in = pin[1];
	if (null_stdin) {
		close(pin[1]);
		c.in = -1;
	}
	c.out = pout[0];
	c.err = perr[0];
	return c;
}

static struct child spawn(char *const argv[])
{
	return spawn_stdin(argv, false);
}

/* Reads both pipes to EOF, then reaps the child. */
static void finish(struct child *c, struct run *r)
{
	struct pollfd p[2] = {{.fd = c->out, .events = POLLIN}, {.fd = c->err, .events = POLLIN}};
	int open_fds = 2, ws;

	if (c->in >= 0)
		close(c->in);
	r->nout = r->nerr = 0;
	while (open_fds) {
		cr_assert_geq(poll(p, 2, -1), 0);
		for (int i = 0; i < 2; i++) {
			char *buf = i ? r->err : r->out;
			size_t *n = i ? &r->nerr : &r->nout;
			ssize_t k;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			k = read(p[i].fd, buf + *n, sizeof(r->out) - 1 - *n);
			if (k <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			} else {
				*n += k;
			}
		}
	}
	r->out[r->nout] = r->err[r->nerr] = '\0';
	cr_assert_eq(waitpid(c->pid, &ws, 0), c->pid);
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -WTERMSIG(ws);
}

/* Runs $COVE --raw BLOB [extra...] with stdin from stdin_data. */
static void run_blob(struct run *r, const void *blob, size_t len, const char *stdin_data,
		     const char *const *extra)
{
	char *path = blob_file(blob, len);
	char *argv[32];
	int n = 0;
	struct child c;

	argv[n++] = (char *)cove_path();
	argv[n++] = "--raw";
	argv[n++] = path;
	for (; extra && *extra; extra++)
		argv[n++] = (char *)*extra;
	argv[n] = NULL;
	c = spawn(argv);
	if (stdin_data)
		cr_assert_eq(write(c.in, stdin_data, strlen(stdin_data)), (ssize_t)strlen(stdin_data));
	finish(&c, r);
	unlink(path);
	free(path);
}

#define RUN(r, blob, ...) run_blob(r, blob, sizeof(blob), NULL, (const char *const[]){__VA_ARGS__ NULL})

/* mov dx, 0x3f8; mov al, 'H'; out dx, al; mov al, '\n'; out dx, al;
 * mov al, 0x42; out 0xf4, al; hlt */
static const unsigned char hello_blob[] = {0xba, 0xf8, 0x03, 0xb0, 0x48, 0xee, 0xb0,
					   0x0a, 0xee, 0xb0, 0x42, 0xe6, 0xf4, 0xf4};
/* jmp $ */
static const unsigned char spin_blob[] = {0xeb, 0xfe};
/* mov dx, 0x3f8; mov al, 'R'; out dx, al; jmp $: says it runs, then spins */
static const unsigned char ready_spin_blob[] = {0xba, 0xf8, 0x03, 0xb0, 0x52, 0xee, 0xeb, 0xfe};

/* The protected-mode blobs below were assembled with `as --32` from:
 *	.code16; cli; lgdt gdtr; mov %cr0,%eax; or $1,%al; mov %eax,%cr0
 *	ljmp $0x08, $pm; .code32; pm: mov $0x10,%ax; mov %ax,%ds; <test>
 * with a flat GDT (0x08 code, 0x10 data) after the code. */

/* <test> = lidt idtr (limit 0); ud2: the #UD, then #GP and #DF cannot be
 * delivered: a triple fault. */
static const unsigned char triple_fault_blob[] = {
    0xfa, 0x0f, 0x01, 0x16, 0x48, 0x7c, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, 0xea, 0x13,
    0x7c, 0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0x0f, 0x01, 0x1d, 0x23, 0x7c, 0x00, 0x00,
    0x0f, 0x0b, 0xf4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x8d, 0xb4, 0x26, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00, 0x17, 0x00, 0x30, 0x7c, 0x00, 0x00,
};

/* <test> = mov $0xd0000000,%eax; jmp *%eax: CPL0 code is KVM-emulated
 * here, and KVM cannot fetch an instruction from the MMIO hole. */
static const unsigned char jump_to_hole_blob[] = {
    0xfa, 0x0f, 0x01, 0x16, 0x38, 0x7c, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, 0xea, 0x13,
    0x7c, 0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0xb8, 0x00, 0x00, 0x00, 0xd0, 0xff, 0xe0,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00, 0x17, 0x00, 0x20, 0x7c, 0x00, 0x00,
};

/* <test> = aesenc %xmm1,%xmm0 (66 0f 38 dc c1); hlt: an instruction
 * KVM's emulator does not implement. */
static const unsigned char aesenc_blob[] = {
    0xfa, 0x0f, 0x01, 0x16, 0x38, 0x7c, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, 0xea, 0x13,
    0x7c, 0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0x66, 0x0f, 0x38, 0xdc, 0xc1, 0xf4, 0x90,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00, 0x17, 0x00, 0x20, 0x7c, 0x00, 0x00,
};

/* in $0x99,%al; cmp $0xff,%al; jne bad; mov $0x1234,%dx; in %dx,%ax;
 * cmp $0xffff,%ax; jne bad; mov $0x21,%al; out %al,$0xf4;
 * bad: mov $1,%al; out %al,$0xf4 */
static const unsigned char unknown_ports_blob[] = {
    0xe4, 0x99, 0x3c, 0xff, 0x75, 0x0d, 0xba, 0x34, 0x12, 0xed, 0x83, 0xf8,
    0xff, 0x75, 0x04, 0xb0, 0x21, 0xe6, 0xf4, 0xb0, 0x01, 0xe6, 0xf4,
};

/* wait: in LSR; test $1 (data ready); jz wait; in RBR; out %al,$0xf4 */
static const unsigned char uart_echo_blob[] = {
    0xba, 0xfd, 0x03, 0xec, 0xa8, 0x01, 0x74, 0xfb, 0xba, 0xf8, 0x03, 0xec, 0xe6, 0xf4,
};

/* Sets IVT[8] to an ISR that counts in bx and EOIs; programs the PIC
 * (ICW1-4, vectors at 8, only IRQ0 unmasked) and PIT channel 0 (mode 2,
 * divisor 11932, ~100 Hz); sti; hlt until 5 interrupts; out bl to 0xf4. */
static const unsigned char pit_irq0_blob[] = {
    0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x70, 0xc7, 0x06, 0x20, 0x00, 0x44,
    0x7c, 0xc7, 0x06, 0x22, 0x00, 0x00, 0x00, 0xb0, 0x11, 0xe6, 0x20, 0xb0, 0x08, 0xe6, 0x21,
    0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x21, 0xb0, 0xfe, 0xe6, 0x21, 0xb0, 0x34, 0xe6,
    0x43, 0xb0, 0x9c, 0xe6, 0x40, 0xb0, 0x2e, 0xe6, 0x40, 0x31, 0xdb, 0xfb, 0xf4, 0x83, 0xfb,
    0x05, 0x72, 0xfa, 0xfa, 0x88, 0xd8, 0xe6, 0xf4, 0x43, 0xb0, 0x20, 0xe6, 0x20, 0xcf,
};

/* Copies "mov $0x33,%al; out %al,$0xf4" to 0x8000, enters protected mode
 * and sends INIT then SIPI (vector 8: 0x8000) to APIC ID 1 through the
 * LAPIC's ICR at 0xfee00300, then spins: only the AP can end the VM. */
static const unsigned char init_sipi_blob[] = {
    0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xc0, 0xbe, 0x54, 0x7c, 0xbf, 0x00, 0x80, 0xb9, 0x04, 0x00, 0xf3,
    0xa4, 0x0f, 0x01, 0x16, 0x70, 0x7c, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, 0xea, 0x24, 0x7c,
    0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0xc7, 0x05, 0x10, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00,
    0x01, 0xc7, 0x05, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x45, 0x00, 0x00, 0xc7, 0x05, 0x10, 0x03, 0xe0, 0xfe,
    0x00, 0x00, 0x00, 0x01, 0xc7, 0x05, 0x00, 0x03, 0xe0, 0xfe, 0x08, 0x46, 0x00, 0x00, 0xeb, 0xfe, 0xb0,
    0x33, 0xe6, 0xf4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a,
    0xcf, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00, 0x17, 0x00, 0x58, 0x7c, 0x00, 0x00,
};

/* <test> = program IOAPIC pin 4's redirection entry (IOREGSEL 0x18/0x19
 * at 0xfec00000, IOWIN at +0x10: vector 0x30, unmasked), then
 * mov $0x44,%al; out %al,$0xf4. The route update happens on the vCPU's
 * exit; the vCPU's seccomp filter must not be what ends the VM. */
static const unsigned char ioapic_route_blob[] = {
    0xfa, 0x0f, 0x01, 0x16, 0x60, 0x7c, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, 0xea, 0x13, 0x7c,
    0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0xc7, 0x05, 0x00, 0x00, 0xc0, 0xfe, 0x18, 0x00, 0x00,
    0x00, 0xc7, 0x05, 0x10, 0x00, 0xc0, 0xfe, 0x30, 0x00, 0x00, 0x00, 0xc7, 0x05, 0x00, 0x00, 0xc0, 0xfe,
    0x19, 0x00, 0x00, 0x00, 0xc7, 0x05, 0x10, 0x00, 0xc0, 0xfe, 0x00, 0x00, 0x00, 0x00, 0xb0, 0x44, 0xe6,
    0xf4, 0xf4, 0x66, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00,
    0x9a, 0xcf, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00, 0x17, 0x00, 0x48, 0x7c, 0x00, 0x00,
};

/* cpuid 0x40000000: ebx "cove" (else exit 1); 0x40000100: ebx "KVMK", KVM's
 * leaves moved up (else 2); leaf 1: ecx bit 31, the hypervisor bit (else 3);
 * then out 0x20 + the initial APIC ID (leaf 1 ebx[31:24]) to 0xf4. */
static const unsigned char cpuid_blob[] = {
    0x66, 0xb8, 0x00, 0x00, 0x00, 0x40, 0x0f, 0xa2, 0x66, 0x81, 0xfb, 0x63, 0x6f, 0x76, 0x65,
    0x75, 0x2a, 0x66, 0xb8, 0x00, 0x01, 0x00, 0x40, 0x0f, 0xa2, 0x66, 0x81, 0xfb, 0x4b, 0x56,
    0x4d, 0x4b, 0x75, 0x1d, 0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0xa2, 0x66, 0x0f, 0xba,
    0xe1, 0x1f, 0x73, 0x12, 0x66, 0xc1, 0xeb, 0x18, 0x88, 0xd8, 0x04, 0x20, 0xe6, 0xf4, 0xb0,
    0x01, 0xe6, 0xf4, 0xb0, 0x02, 0xe6, 0xf4, 0xb0, 0x03, 0xe6, 0xf4,
};

/* mov eax, 1; cpuid; shr ebx, 16; mov al, bl; out 0xf4, al; hlt: the
 * logical processor count of CPUID.1:EBX[23:16] as the exit value */
static const unsigned char cpu_count_blob[] = {0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0xa2, 0x66,
					       0xc1, 0xeb, 0x10, 0x88, 0xd8, 0xe6, 0xf4, 0xf4};

/* rep outsb of "Hello\n" to 0x3f8; rep insb of 4 bytes from unclaimed port
 * 0x99 to 0x7e00, which must read back as 0xffffffff (else exit 1); exit
 * 0x22. String I/O: one exit carries count items at data_offset. */
static const unsigned char string_io_blob[] = {
    0x31, 0xc0, 0x8e, 0xd8, 0xbe, 0x2f, 0x7c, 0xb9, 0x06, 0x00, 0xba, 0xf8, 0x03, 0xfc,
    0xf3, 0x6e, 0xbf, 0x00, 0x7e, 0x8e, 0xc0, 0xba, 0x99, 0x00, 0xb9, 0x04, 0x00, 0xf3,
    0x6c, 0x66, 0xa1, 0x00, 0x7e, 0x66, 0x83, 0xf8, 0xff, 0x75, 0x04, 0xb0, 0x22, 0xe6,
    0xf4, 0xb0, 0x01, 0xe6, 0xf4, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x0a,
};

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

Test(exit, debug_exit_0x42_gives_0x85_and_uart_reaches_stdout)
{
	struct run r;

	RUN(&r, hello_blob);
	cr_assert_eq(r.status, 0x85, "status %d, want 0x85 = (0x42 << 1) | 1; stderr: %s", r.status, r.err);
	cr_assert_str_eq(r.out, "H\n", "guest's UART output '%s' did not reach stdout", r.out);
	cr_assert_eq(r.nerr, 0u, "a guest's own exit printed on stderr: %s", r.err);
}

Test(exit, debug_exit_keeps_8_bits_like_qemu)
{
	/* mov al, 0xc0; out 0xf4, al: (0xc0 << 1 | 1) & 0xff = 0x81 */
	static const unsigned char blob[] = {0xb0, 0xc0, 0xe6, 0xf4, 0xf4};
	struct run r;

	RUN(&r, blob);
	cr_assert_eq(r.status, 0x81, "status %d, want 0x81", r.status);
}

Test(exit, serial_file_gets_the_uart_output_and_stdout_stays_empty)
{
	char path[] = "/tmp/cove-test-serial-XXXXXX";
	int fd = mkstemp(path);
	char buf[64] = {0};
	struct run r;

	cr_assert_geq(fd, 0);
	close(fd);
	RUN(&r, hello_blob, "--serial", path, );
	cr_assert_eq(r.status, 0x85, "status %d; stderr: %s", r.status, r.err);
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(read(fd, buf, sizeof(buf) - 1), 2);
	close(fd);
	unlink(path);
	cr_assert_str_eq(buf, "H\n", "serial file holds '%s'", buf);
	cr_assert_eq(r.nout, 0u, "stdout got '%s' with --serial FILE", r.out);
}

Test(exit, serial_none_discards_the_output)
{
	struct run r;

	RUN(&r, hello_blob, "--serial", "none", );
	cr_assert_eq(r.status, 0x85);
	cr_assert_eq(r.nout, 0u, "stdout got '%s' with --serial none", r.out);
}

Test(exit, poweroff_through_the_power_port_gives_0)
{
	/* mov dx, 0x600; mov al, SLP_EN | SLP_TYP(5) << 2; out dx, al; jmp $ */
	static const unsigned char blob[] = {0xba, 0x00, 0x06, 0xb0, 0x34, 0xee, 0xeb, 0xfe};
	struct run r;

	RUN(&r, blob, "--timeout", "20", );
	cr_assert_eq(r.status, 0, "status %d, want 0 (powered off); stderr: %s", r.status, r.err);
}

Test(exit, i8042_reset_command_gives_8)
{
	/* mov al, 0xfe; out 0x64, al; jmp $ */
	static const unsigned char blob[] = {0xb0, 0xfe, 0xe6, 0x64, 0xeb, 0xfe};
	struct run r;

	RUN(&r, blob, "--timeout", "20", );
	cr_assert_eq(r.status, 8, "status %d, want 8 (reset); stderr: %s", r.status, r.err);
}

Test(exit, port_0x92_fast_reset_gives_8)
{
	/* mov al, 3 (A20 kept on, fast reset); out 0x92, al; jmp $ */
	static const unsigned char blob[] = {0xb0, 0x03, 0xe6, 0x92, 0xeb, 0xfe};
	struct run r;

	RUN(&r, blob, "--timeout", "20", );
	cr_assert_eq(r.status, 8, "status %d, want 8 (reset); stderr: %s", r.status, r.err);
}

Test(exit, triple_fault_gives_10_with_a_register_dump)
{
	struct run r;

	RUN(&r, triple_fault_blob, "--timeout", "20", );
	cr_assert_eq(r.status, 10, "status %d, want 10 (crash); stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "triple fault"), "stderr does not say triple fault: %s", r.err);
	cr_assert(strstr(r.err, "rip=") && strstr(r.err, "cr0=") && strstr(r.err, "cs=0008"),
		  "no register dump (rip, cr0, cs) on stderr: %s", r.err);
}

Test(exit, emulation_failure_gives_10_with_the_instruction_bytes)
{
	struct run r;

	RUN(&r, aesenc_blob, "--timeout", "20", );
	cr_assert_eq(r.status, 10, "status %d, want 10 (crash); stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "could not emulate"), "stderr does not name the emulation failure: %s",
		  r.err);
	cr_assert(strstr(r.err, "66 0f 38 dc c1"), "stderr lacks the instruction bytes 66 0f 38 dc c1: %s",
		  r.err);
	cr_assert(strstr(r.err, "rip=0000000000007c19"), "register dump lacks the faulting rip: %s", r.err);
}

Test(exit, jump_into_the_mmio_hole_gives_10_not_a_hang)
{
	struct run r;

	RUN(&r, jump_to_hole_blob, "--timeout", "20", );
	cr_assert_eq(r.status, 10, "status %d, want 10 (crash); stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "rip=00000000d0000000"), "register dump lacks rip in the hole: %s", r.err);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(exit, timeout_ends_a_spinning_guest_with_124)
{
	struct run r;
	double t0 = now_s(), dt;

	RUN(&r, spin_blob, "--timeout", "1", );
	dt = now_s() - t0;
	cr_assert_eq(r.status, 124, "status %d, want 124; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "cove: timeout after 1 s"), "stderr: %s", r.err);
	cr_assert_eq(count_lines(r.err), 1u, "stderr is not one line: %s", r.err);
	/* Not a speed figure: it cannot end before its second, and an
	 * ignored timer would run to the Criterion timeout. */
	cr_assert_geq(dt, 0.9, "ended after %.2f s, before the 1 s timeout", dt);
}

/* Starts the guest that prints 'R' and spins, waits for the 'R' (so cove's
 * handlers are in place), sends sig, returns the result. */
static void signal_run(struct run *r, int sig)
{
	char *path = blob_file(ready_spin_blob, sizeof(ready_spin_blob));
	char *argv[] = {(char *)cove_path(), "--raw", path, "--timeout", "30", NULL};
	struct child c = spawn(argv);
	char ch = 0;

	cr_assert_eq(read(c.out, &ch, 1), 1, "guest printed nothing");
	cr_assert_eq(ch, 'R');
	cr_assert_eq(kill(c.pid, sig), 0);
	finish(&c, r);
	unlink(path);
	free(path);
}

Test(exit, sigterm_shuts_down_cleanly_with_143)
{
	struct run r;

	signal_run(&r, SIGTERM);
	cr_assert_eq(r.status, 128 + SIGTERM,
		     "status %d, want 143 (128 + SIGTERM, an exit, not a kill); stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "SIGTERM"), "stderr does not name SIGTERM: %s", r.err);
}

Test(exit, sigint_shuts_down_cleanly_with_130)
{
	struct run r;

	signal_run(&r, SIGINT);
	cr_assert_eq(r.status, 128 + SIGINT, "status %d, want 130; stderr: %s", r.status, r.err);
}

Test(exit, sigquit_prints_every_vcpus_registers_and_the_guest_runs_on)
{
	char *path = blob_file(ready_spin_blob, sizeof(ready_spin_blob));
	char *argv[] = {(char *)cove_path(), "--raw", path, "--cpus", "2", "--timeout", "3", NULL};
	struct child c = spawn(argv);
	struct run r;
	char ch = 0;

	cr_assert_eq(read(c.out, &ch, 1), 1, "guest printed nothing");
	cr_assert_eq(kill(c.pid, SIGQUIT), 0);
	finish(&c, &r);
	cr_assert_eq(r.status, 124, "SIGQUIT must not end the VM: status %d; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "cove: SIGQUIT: vCPU 0 ") && strstr(r.err, "cove: SIGQUIT: vCPU 1 "),
		  "not every vCPU reported: %s", r.err);
	/* The boot vCPU spins in its blob at 0000:7c00 (jmp $ after the out). */
	cr_assert(strstr(r.err, "cove: vCPU 0 registers:\n  rip=0000000000007c0"), "no boot vCPU rip: %s", r.err);
	unlink(path);
	free(path);
}

/* cove's threads: /proc/pid/task without KVM's per-VM worker ("kvm-..."),
 * a task of the process that never runs user code. With unfiltered, also
 * counts those whose status does not say "Seccomp: 2" (a filter). */
static unsigned cove_threads_filtered(pid_t pid, unsigned *unfiltered)
{
	char path[64], comm[64];
	unsigned n = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	cr_assert(d, "cannot list %s", path);
	while ((e = readdir(d))) {
		char cp[400];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(cp, sizeof(cp), "%s/%s/comm", path, e->d_name);
		f = fopen(cp, "r");
		comm[0] = '\0';
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = '\0';
			fclose(f);
		}
		if (strncmp(comm, "kvm-", 4) == 0)
			continue;
		n++;
		if (unfiltered) {
			char line[128];
			bool filtered = false;

			snprintf(cp, sizeof(cp), "%s/%s/status", path, e->d_name);
			f = fopen(cp, "r");
			cr_assert(f, "cannot read %s", cp);
			while (fgets(line, sizeof(line), f))
				if (strncmp(line, "Seccomp:", 8) == 0)
					filtered = strtol(line + 8, NULL, 10) == 2;
			fclose(f);
			*unfiltered += !filtered;
		}
	}
	closedir(d);
	return n;
}

static unsigned cove_threads(pid_t pid)
{
	return cove_threads_filtered(pid, NULL);
}

/* Counts cove's threads once its guest runs, then ends it with sig. */
static unsigned threads_then_signal(struct run *r, bool null_stdin, const char *extra, int sig)
{
	char *path = blob_file(ready_spin_blob, sizeof(ready_spin_blob));
	char *argv[] = {(char *)cove_path(), "--raw", path, "--timeout", "30", (char *)extra, NULL};
	struct child c = spawn_stdin(argv, null_stdin);
	unsigned n;
	char ch = 0;

	cr_assert_eq(read(c.out, &ch, 1), 1, "guest printed nothing");
	cr_assert_eq(ch, 'R');
	n = cove_threads(c.pid);
	cr_assert_eq(kill(c.pid, sig), 0);
	finish(&c, r);
	unlink(path);
	free(path);
	return n;
}

/* The I/O thread serves stdin, virtio devices and serial output that can
 * block (here stdout is a pipe: test_serial.c has the regular file that
 * needs none); signals, --timeout and the PIT are the vCPUs' own. A guest
 * with none of those runs on its one vCPU thread, and ends cleanly on a
 * signal all the same. */
Test(exit, io_thread_runs_only_for_stdin_virtio_or_output_that_can_block)
{
	struct run r;
	unsigned n;

	n = threads_then_signal(&r, true, NULL, SIGTERM);
	cr_expect_eq(n, 2u, "stdin /dev/null, stdout a pipe: %u threads, want the vCPU and I/O threads", n);
	cr_expect_eq(r.status, 128 + SIGTERM, "status %d, want 143; stderr: %s", r.status, r.err);
	cr_expect(strstr(r.err, "cove: SIGTERM: shutting down"), "stderr: %s", r.err);
	n = threads_then_signal(&r, false, NULL, SIGTERM);
	cr_expect_eq(n, 2u, "stdin a pipe: %u threads, want the vCPU and I/O threads", n);
	cr_expect_eq(r.status, 128 + SIGTERM, "status %d, want 143; stderr: %s", r.status, r.err);
	n = threads_then_signal(&r, true, "--rng", SIGTERM);
	cr_expect_eq(n, 2u, "virtio-rng: %u threads, want the vCPU and I/O threads", n);
	cr_expect_eq(r.status, 128 + SIGTERM, "status %d, want 143; stderr: %s", r.status, r.err);
}

/* The vCPU preparation thread (vmm/prep.c: CPUID and the boot vCPU's
 * registers, beside the main thread's set-up) runs without a filter; by the
 * guest's first instruction it is gone and every thread left has its
 * filter, the APs' too (their threads start beside the boot vCPU's; it
 * waits for their filters as for the I/O thread's: this test caught it
 * not waiting). Here the guest's 'R' comes from its first instructions:
 * then the threads are the vCPUs' and the I/O thread (stdout is a pipe). */
Test(exit, prep_thread_is_gone_and_every_thread_filtered_once_the_guest_runs)
{
	static const char *const cpus[] = {"1", "2", "3"};

	for (unsigned i = 0; i < 3; i++) {
		char *path = blob_file(ready_spin_blob, sizeof(ready_spin_blob));
		char *argv[] = {(char *)cove_path(), "--raw", path, "--cpus", (char *)cpus[i], "--timeout", "30", NULL};
		struct child c = spawn_stdin(argv, true);
		unsigned unfiltered = 0, n;
		struct run r;
		char ch = 0;

		cr_assert_eq(read(c.out, &ch, 1), 1, "guest printed nothing");
		cr_assert_eq(ch, 'R');
		n = cove_threads_filtered(c.pid, &unfiltered);
		cr_assert_eq(kill(c.pid, SIGTERM), 0);
		finish(&c, &r);
		cr_expect_eq(n, i + 2, "--cpus %s: %u threads, want %u vCPU threads and the I/O thread", cpus[i], n,
			     i + 1);
		cr_expect_eq(unfiltered, 0u, "--cpus %s: %u of %u threads without a seccomp filter", cpus[i],
			     unfiltered, n);
		cr_expect_eq(r.status, 128 + SIGTERM, "status %d; stderr: %s", r.status, r.err);
		unlink(path);
		free(path);
	}
}

Test(exit, sighup_shuts_down_cleanly_with_129)
{
	struct run r;

	threads_then_signal(&r, true, NULL, SIGHUP);
	cr_assert_eq(r.status, 128 + SIGHUP, "status %d, want 129; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "SIGHUP"), "stderr does not name SIGHUP: %s", r.err);
}

Test(exit, unclaimed_ports_read_all_ones_and_the_vm_goes_on)
{
	struct run r;

	RUN(&r, unknown_ports_blob, "--stats", );
	cr_assert_eq(r.status, 0x43, "status %d: want 0x43 (both reads all ones), 3 means a read was not",
		     r.status);
	cr_assert(strstr(r.err, "unclaimed port accesses 2"),
		  "--stats does not count the 2 unclaimed reads: %s", r.err);
	cr_assert(strstr(r.err, "exit io "), "--stats has no io exit line: %s", r.err);
}

Test(exit, stdin_reaches_the_uart)
{
	char *path = blob_file(uart_echo_blob, sizeof(uart_echo_blob));
	char *argv[] = {(char *)cove_path(), "--raw", path, "--timeout", "20", NULL};
	struct child c = spawn(argv);
	struct run r;

	cr_assert_eq(write(c.in, "A", 1), 1);
	finish(&c, &r);
	unlink(path);
	free(path);
	cr_assert_eq(r.status, (('A' << 1) | 1) & 0xff,
		     "status %d, want the echoed 'A' as (0x41 << 1) | 1; stderr: %s", r.status, r.err);
}

Test(exit, several_vcpus_boot_and_the_bsp_runs_the_image)
{
	struct run r;

	RUN(&r, hello_blob, "--cpus", "4", );
	cr_assert_eq(r.status, 0x85, "status %d with 4 vCPUs; stderr: %s", r.status, r.err);
	cr_assert_str_eq(r.out, "H\n");
}

Test(exit, more_vcpus_than_kvm_allows_is_a_usage_error)
{
	struct run r;

	RUN(&r, hello_blob, "--cpus", "100000", );
	cr_assert_eq(r.status, 2, "status %d, want 2; stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "--cpus 100000") && strstr(r.err, "limit"),
		  "stderr does not name the limit: %s", r.err);
	cr_assert_eq(count_lines(r.err), 1u, "stderr is not one line: %s", r.err);
}

/* Runs cove in a private mount namespace where /dev is replaced: by an
 * empty tmpfs (no /dev/kvm), or with /dev/null bound over /dev/kvm. */
static void run_without_kvm(struct run *r, const char *how)
{
	char *path = blob_file(hello_blob, sizeof(hello_blob));
	char script[512];
	char *argv[] = {"/usr/bin/unshare", "-m", "/bin/sh", "-c", script, NULL};
	struct child c;

	snprintf(script, sizeof(script), "%s || exit 99; exec '%s' --raw '%s'", how, cove_path(), path);
	c = spawn(argv);
	finish(&c, r);
	unlink(path);
	free(path);
	if (r->status == 99)
		cr_skip_test("cannot hide /dev/kvm here (needs root and mount namespaces): %s", r->err);
}

Test(exit, missing_dev_kvm_gives_6_naming_it)
{
	struct run r;

	run_without_kvm(&r, "mount -t tmpfs none /dev");
	cr_assert_eq(r.status, 6, "status %d, want 6 (host problem); stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "cove: /dev/kvm") && strstr(r.err, "not found"), "stderr: %s", r.err);
	cr_assert_eq(count_lines(r.err), 1u, "stderr is not one line: %s", r.err);
}

Test(exit, dev_kvm_that_is_not_kvm_gives_6_naming_it)
{
	struct run r;

	run_without_kvm(&r, "mount --bind /dev/null /dev/kvm");
	cr_assert_eq(r.status, 6, "status %d, want 6 (host problem); stderr: %s", r.status, r.err);
	cr_assert(strstr(r.err, "cove: /dev/kvm"), "stderr: %s", r.err);
	cr_assert_eq(count_lines(r.err), 1u, "stderr is not one line: %s", r.err);
}

Test(exit, pit_irq0_reaches_a_halted_real_mode_guest_through_the_pic)
{
	struct run r;

	RUN(&r, pit_irq0_blob, "--timeout", "20", );
	cr_assert_eq(r.status, (5 << 1) | 1,
		     "status %d, want 11 (5 IRQ0s handled); 124 means no timer interrupt; stderr: %s",
		     r.status, r.err);
}

Test(exit, ap_starts_on_init_sipi_and_its_exit_ends_the_vm)
{
	struct run r;

	RUN(&r, init_sipi_blob, "--cpus", "2", "--timeout", "20", );
	cr_assert_eq(r.status, (0x33 << 1) | 1,
		     "status %d, want 0x67 from the AP; 124 means the AP never started; stderr: %s", r.status,
		     r.err);
}

Test(exit, guest_programming_the_ioapic_keeps_running_under_strict_seccomp)
{
	struct run r;

	RUN(&r, ioapic_route_blob, "--seccomp", "strict", "--timeout", "20", );
	cr_assert_eq(r.status, (0x44 << 1) | 1,
		     "status %d, want 0x89; 159 is SIGSYS from a route update; stderr: %s", r.status, r.err);
}

Test(exit, cpuid_shows_cove_kvm_moved_up_the_hypervisor_bit_and_apic_id_0)
{
	struct run r;

	RUN(&r, cpuid_blob, "--timeout", "20", );
	cr_assert_eq(r.status, (0x20 << 1) | 1,
		     "status %d: 3 = no \"cove\" at 0x40000000, 5 = no KVM leaves at 0x40000100, 7 = no "
		     "hypervisor bit, "
		     "other = wrong APIC ID; stderr: %s",
		     r.status, r.err);
}

/* Every vCPU's CPUID counts all of them, the boot vCPU's too (it gets its
 * CPUID once every vCPU exists). */
Test(exit, cpuid_on_the_boot_vcpu_counts_every_vcpu)
{
	struct run r;

	RUN(&r, cpu_count_blob, "--cpus", "3", "--timeout", "20", );
	cr_assert_eq(r.status, (3 << 1) | 1,
		     "status %d, want 7 (CPUID.1:EBX[23:16] = 3 with --cpus 3); stderr: %s", r.status, r.err);
}

Test(exit, string_port_io_moves_every_item)
{
	struct run r;

	RUN(&r, string_io_blob, "--timeout", "20", );
	cr_assert_eq(r.status, (0x22 << 1) | 1,
		     "status %d, want 0x45; 3 means rep insb did not fill all ones; stderr: %s", r.status,
		     r.err);
	cr_assert_str_eq(r.out, "Hello\n", "rep outsb delivered '%s'", r.out);
}
