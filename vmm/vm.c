/* vmm: vm_run, a VM from start to end (DESIGN.md, "How a VM runs", steps
 * 2-9), the vm_events devices call, the host's signals and --timeout (a
 * handler on the vCPU threads), the PIT's IRQ0 timer (on the boot vCPU),
 * and the I/O thread: stdin to the UART, virtio. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifdef COVE_SANITIZE
#include <sanitizer/lsan_interface.h>
#endif

#include "devices/virtio.h"
#include "seccomp/seccomp.h"
#include "vmm/vm_internal.h"

#define VM_RING_ENTRIES 64
#define VM_STDIN_CHUNK	256
#define VM_JAIL_FDS	1024

/* One VM per process; static so nothing of it is allocated per run and
 * everything stays reachable until exit. Shared between threads through
 * its atomics (status, started) and the devices' own locks. */
static struct vm the_vm;

/* I/O thread state. Touched only by the I/O thread once it runs (and by
 * the main thread before it starts). */
static struct vm_io {
	struct ev_waiter stdin_w;
	struct ev_waiter wake_w;
} vm_io;

/* fds open when vm_run started, which --jail closes. */
static unsigned char vm_inherited_fds[VM_JAIL_FDS / 8];
static bool vm_io_started;

static bool vm_has_virtio(const struct vm_config *cfg)
{
	return cfg->ndisks || cfg->nnets || cfg->console || cfg->rng;
}

/* stdin can bring the UART input: it is open and not /dev/null. */
static bool vm_stdin_live(void)
{
	struct stat st;

	if (fstat(STDIN_FILENO, &st) < 0)
		return false;
	return !(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
}

/* The I/O thread (and its ring) serves virtio devices, stdin and serial
 * output that can block (serial.c), nothing else: signals, --timeout and
 * the PIT are the vCPUs' own. A guest with none of those runs on its vCPU
 * threads alone, which saves a thread's start, its filter and its
 * scheduling on every VM start. */
static bool vm_needs_io_thread(const struct vm_config *cfg)
{
	return vm_has_virtio(cfg) || vm_stdin_live() || serial_needs_io_thread();
}

bool vm_ended(struct vm *vm)
{
	return atomic_load_explicit(&vm->status, memory_order_acquire) != -1;
}

bool vm_claim(struct vm *vm, int status)
{
	int expected = -1;

	if (!atomic_compare_exchange_strong(&vm->status, &expected, status))
		return false;
	for (unsigned i = 0; i < vm->ncpus; i++)
		if (vm->vcpus[i].run &&
		    !(atomic_load(&vm->vcpus[i].started) && pthread_equal(pthread_self(), vm->vcpus[i].self)))
			vcpu_kick(&vm->vcpus[i]);
	if (vm->loop)
		evloop_stop(vm->loop);
	return true;
}

/* Only the main thread waits on it. */
void vm_release(struct vm *vm)
{
	atomic_store(&vm->released, 1);
	syscall(SYS_futex, &vm->released, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

bool vm_end(struct vm *vm, int status)
{
	if (!vm_claim(vm, status))
		return false;
	vm_release(vm);
	return true;
}

void vm_endf(struct vm *vm, int status, const char *fmt, ...)
{
	va_list ap;

	if (!vm_claim(vm, status))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	vm_release(vm);
}

void vm_word_wait(atomic_int *word, int n)
{
	int v;

	while ((v = atomic_load(word)) < n)
		syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void vm_word_wake(atomic_int *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

void vm_word_set(atomic_int *word, int n)
{
	atomic_store(word, n);
	vm_word_wake(word);
}

void vm_wait_filtered(struct vm *vm)
{
	if (vm_io_started)
		vm_word_wait(&vm->io_filtered, 1);
	vm_word_wait(&vm->aps_filtered, (int)vm->ncpus - 1);
}

void vm_ap_filtered(struct vm *vm)
{
	atomic_fetch_add(&vm->aps_filtered, 1);
	vm_word_wake(&vm->aps_filtered);
}

/* Main thread: until the VM's end is decided and reported. */
static void vm_wait_released(struct vm *vm)
{
	vm_word_wait(&vm->released, 1);
}

/* The last act of a thread other than main: says it is done, then sleeps
 * until exit_group. Never returning keeps thread exit (and whatever a C or
 * sanitizer runtime does then) out of the filtered threads' syscalls. */
void vm_thread_done(atomic_int *done)
{
	atomic_store(done, 1);
	syscall(SYS_futex, done, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	/* Nothing sets *done back: this waits for exit_group. (Written as a
	 * loop the compiler cannot prove endless, so the call is not treated
	 * as noreturn; see vm_internal.h.) */
	while (atomic_load(done) == 1)
		syscall(SYS_futex, done, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
}

static void ev_poweroff(void *ctx)
{
	vm_end(ctx, COVE_EXIT_POWEROFF);
}

static void ev_reset(void *ctx)
{
	vm_end(ctx, COVE_EXIT_RESET);
}

static void ev_debug_exit(void *ctx, unsigned value)
{
	/* QEMU isa-debug-exit: the status is (v << 1) | 1, 8 bits of it. */
	vm_end(ctx, ((value << 1) | 1) & 0xff);
}

static void ev_set_a20(void *ctx, bool enabled)
{
	struct vm *vm = ctx;
	int r = mem_set_a20(&vm->mem, enabled);

	if (r < 0)
		vm_endf(vm, COVE_EXIT_HOST, "cove: A20 %s: %s\n", enabled ? "on" : "off", strerror(-r));
}

static bool ev_get_a20(void *ctx)
{
	return mem_a20_enabled(&((struct vm *)ctx)->mem);
}

static int64_t vm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The PIT's IRQ0 is served by the boot vCPU, whose PIC takes it: a POSIX
 * timer sends that thread the kick (SIGUSR1) at counter 0's next edge, and
 * the vCPU, out of KVM_RUN, pulses IRQ0 and re-arms (vm_pit_tick). The
 * kernel's sigevent, so both C libraries fill it the same way. */
struct vm_ksigevent {
	union sigval value;
	int signo;
	int notify;
	int tid;
	int pad[11];
};

/* Set-up, on the main thread, which runs the boot vCPU. */
static int vm_pit_timer_init(struct vm *vm)
{
	struct vm_ksigevent sev = {
	    .signo = SIGUSR1,
	    .notify = SIGEV_THREAD_ID,
	    .tid = (int)syscall(SYS_gettid),
	};

	if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &vm->pit_timer) < 0)
		return -errno;
	vm->pit_deadline = -1;
	return 0;
}

/* The guest reprogrammed counter 0 (any vCPU thread): the boot vCPU
 * re-reads the schedule before it next enters the guest. */
static void vm_pit_reprogrammed(void *ctx)
{
	struct vm *vm = ctx;

	atomic_store(&vm->pit_reprogrammed, true);
	if (vm->vcpus && atomic_load(&vm->vcpus[0].started) &&
	    !pthread_equal(pthread_self(), vm->vcpus[0].self))
		vcpu_kick(&vm->vcpus[0]);
}

void vm_pit_tick(struct vm *vm)
{
	struct itimerspec its = {{0, 0}, {0, 0}};
	int64_t now, next;

	if (!atomic_exchange(&vm->pit_reprogrammed, false)) {
		if (vm->pit_deadline < 0)
			return;
		now = vm_now_ns();
		if (now < vm->pit_deadline)
			return;
	} else {
		now = vm_now_ns();
	}
	pit_advance(vm->pit, now);
	next = pit_next_event(vm->pit);
	if (next == vm->pit_deadline)
		return;
	if (next >= 0) {
		its.it_value.tv_sec = next / 1000000000;
		its.it_value.tv_nsec = next % 1000000000;
	}
	/* Only EINVAL is possible, on a timer id cove made: a broken
	 * invariant, and the guest would lose its clock. */
	if (syscall(SYS_timer_settime, vm->pit_timer, TIMER_ABSTIME, &its, NULL) < 0) {
		vm_endf(vm, COVE_EXIT_HOST, "cove: PIT timer: %s\n", strerror(errno));
		return;
	}
	vm->pit_deadline = next;
}

static void io_wake(struct ev_waiter *w, int res, unsigned flags)
{
	(void)w;
	(void)res;
	(void)flags;
	irq_service(&the_vm);
	serial_io_wake(&the_vm);
}

static void io_arm_stdin(struct vm *vm)
{
	struct io_uring_sqe *sqe = evloop_sqe(vm->loop, &vm_io.stdin_w);

	if (sqe)
		io_uring_prep_poll_add(sqe, STDIN_FILENO, POLLIN);
}

/* stdin is polled through the ring and read with read(2) once readable, so
 * an idle terminal costs no kernel worker thread. EOF or an error ends it. */
static void io_stdin_done(struct ev_waiter *w, int res, unsigned flags)
{
	char buf[VM_STDIN_CHUNK];
	ssize_t n;

	(void)w;
	(void)flags;
	if (res < 0)
		return;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n > 0) {
		uart_input(the_vm.uart, buf, n);
		io_arm_stdin(&the_vm);
	} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		io_arm_stdin(&the_vm);
	}
}

static const char *vm_signame(int sig)
{
	switch (sig) {
	case SIGTERM:
		return "SIGTERM";
	case SIGINT:
		return "SIGINT";
	case SIGHUP:
		return "SIGHUP";
	}
	return "signal";
}

/* The handler of SIGTERM, SIGINT, SIGHUP and --timeout's SIGALRM, on a vCPU
 * thread (every other thread blocks them): the first one is kept, and
 * that vCPU, out of KVM_RUN, ends the VM (vm_check_signal). */
void vm_signal_arrived(int sig)
{
	int none = 0;

	atomic_compare_exchange_strong(&the_vm.signal, &none, sig);
}

void vm_dump_requested(void)
{
	atomic_fetch_add(&the_vm.dump_req, 1);
}

bool vm_check_signal(struct vm *vm)
{
	int sig = atomic_load_explicit(&vm->signal, memory_order_relaxed);

	if (!sig)
		return false;
	if (sig == SIGALRM)
		vm_endf(vm, COVE_EXIT_TIMEOUT, "cove: timeout after %u s\n", vm->cfg->timeout_sec);
	else
		vm_endf(vm, COVE_EXIT_SIGNAL_BASE + sig, "cove: %s: shutting down\n", vm_signame(sig));
	return true;
}

/* --timeout: SIGALRM after that many seconds (ITIMER_REAL), from when the
 * guest is about to start. */
static int vm_arm_timeout(struct vm *vm)
{
	struct itimerval it = {.it_value = {.tv_sec = vm->cfg->timeout_sec}};

	if (!vm->cfg->timeout_sec)
		return 0;
	return setitimer(ITIMER_REAL, &it, NULL) < 0 ? -errno : 0;
}

/* Queues the I/O thread's own requests; they are submitted when its loop
 * starts. */
static int vm_io_setup(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;

	vm_io.stdin_w.fn = io_stdin_done;
	vm_io.wake_w.fn = io_wake;

	if (vm->uart && !cfg->console)
		io_arm_stdin(vm);
	serial_io_setup(vm);
	evloop_on_wake(vm->loop, &vm_io.wake_w);
	return 0;
}

static void *vm_io_thread(void *arg)
{
	struct vm *vm = arg;
	int r;

	irq_io_thread_start(vm);
	r = seccomp_install(SECCOMP_ROLE_IO, vm->cfg->seccomp);

	if (r < 0) {
		vm_endf(vm, COVE_EXIT_HOST, "cove: I/O thread: seccomp filter: %s\n", strerror(-r));
		vm_word_set(&vm->io_filtered, 1);
		vm_thread_done(&vm->io_done);
	}
	/* Under its filter, so they inherit it: the ring's kernel workers,
	 * before --jail allows no new task (jail_no_new_tasks). */
	if (vm->cfg->jail && (r = jail_ring_workers(evloop_ring(vm->loop))) < 0)
		vm_endf(vm, COVE_EXIT_HOST, "cove: I/O thread: io_uring workers: %s\n", strerror(-r));
	vm_word_set(&vm->io_filtered, 1);
	seccomp_test_trigger(SECCOMP_ROLE_IO, vm->cfg->seccomp_trigger);
	r = evloop_run(vm->loop);
	if (r < 0)
		vm_endf(vm, COVE_EXIT_HOST, "cove: event loop: %s\n", strerror(-r));
	/* The guest's last serial bytes first: disk writes that complete
	 * meanwhile are still covered by virtio_shutdown's flush. */
	serial_io_end(vm);
	virtio_shutdown();
	vm_thread_done(&vm->io_done);
	return NULL;
}

static int vm_legacy_devices(struct vm *vm)
{
	vm->pic = pic_new(vm->bus, &vm->ev);
	if (!vm->pic) {
		fprintf(stderr, "cove: 8259 PIC: %s\n", strerror(errno));
		return COVE_EXIT_HOST;
	}
	vm->pit = pit_new(vm->bus, &vm->ev);
	if (!vm->pit) {
		fprintf(stderr, "cove: 8254 PIT: %s\n", strerror(errno));
		return COVE_EXIT_HOST;
	}
	int r = vm_pit_timer_init(vm);
	if (r < 0) {
		fprintf(stderr, "cove: 8254 PIT: timer_create: %s\n", strerror(-r));
		return COVE_EXIT_HOST;
	}
	pit_set_notify(vm->pit, vm_pit_reprogrammed, vm);
	return 0;
}

static int vm_devices(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	const char *what;
	int r;

	vm->bus = bus_new();
	if (!vm->bus) {
		fprintf(stderr, "cove: I/O bus: %s\n", strerror(errno));
		return COVE_EXIT_HOST;
	}
	vm->uart = uart_new(vm->bus, UART_COM1_BASE, UART_COM1_IRQ, vm->serial_fd, &vm->ev);
	if (!vm->uart) {
		what = "uart";
		r = -errno;
		goto fail;
	}
	what = "debug-exit";
	if ((r = debugexit_new(vm->bus, &vm->ev)) < 0)
		goto fail;
	what = "console port";
	if ((r = conport_new(vm->bus, &vm->mem, vm->uart)) < 0)
		goto fail;
	what = "i8042";
	if ((r = i8042_new(vm->bus, &vm->ev)) < 0)
		goto fail;
	what = "cmos";
	if ((r = cmos_new(vm->bus, mem_ram_below_4g(&vm->mem), mem_ram_above_4g(&vm->mem))) < 0)
		goto fail;
	what = "power";
	if ((r = power_new(vm->bus, &vm->ev)) < 0)
		goto fail;
	vm->ioapic_ops =
	    (struct ioapic_ops){.ctx = vm, .route = irq_ioapic_route, .deliver = irq_ioapic_deliver};
	vm->ioapic = ioapic_new(vm->bus, &vm->ioapic_ops);
	if (!vm->ioapic) {
		what = "ioapic";
		r = -errno;
		goto fail;
	}
	/* The PIC and PIT are for real-mode guests only; the FDT does not
	 * describe them, so they can be decided before the loader runs. */
	if (cfg->raw) {
		vm->legacy = true;
		return vm_legacy_devices(vm);
	}
	return 0;
fail:
	fprintf(stderr, "cove: device %s: %s\n", what, strerror(-r));
	return COVE_EXIT_HOST;
}

static bool vm_fd_bit(int fd)
{
	return fd >= 0 && fd < VM_JAIL_FDS && (vm_inherited_fds[fd / 8] & (1u << (fd % 8)));
}

/* Remembers the fds cove was started with, beyond stdin/out/err: --jail
 * closes them, and keeps everything cove opened itself. */
static void vm_snapshot_fds(bool set_mode, int *keep, unsigned *nkeep)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end || e->d_name[0] == '.' || fd < 0 || fd >= VM_JAIL_FDS || fd == dirfd(d))
			continue;
		if (set_mode) {
			if (fd > STDERR_FILENO)
				vm_inherited_fds[fd / 8] |= 1u << (fd % 8);
		} else if (!vm_fd_bit(fd) && *nkeep < VM_JAIL_FDS) {
			keep[(*nkeep)++] = fd;
		}
	}
	closedir(d);
}

/* The I/O thread and the APs' threads, detached (they never return; see
 * vm_thread_done); the boot vCPU stays on this one. */
static int vm_start_threads(struct vm *vm)
{
	pthread_attr_t attr;
	int r;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (vm->loop) {
		r = pthread_create(&vm->io_thread, &attr, vm_io_thread, vm);
		if (r) {
			vm_endf(vm, COVE_EXIT_HOST, "cove: I/O thread: %s\n", strerror(r));
			return -r;
		}
		vm_io_started = true;
		atomic_store(&vm->irq.io_serves, true);
	}
	for (unsigned i = 1; i < vm->ncpus; i++) {
		r = pthread_create(&vm->vcpus[i].thread, &attr, vcpu_thread, &vm->vcpus[i]);
		if (r) {
			vm_endf(vm, COVE_EXIT_HOST, "cove: vCPU %u thread: %s\n", i, strerror(r));
			return -r;
		}
		vm->vcpus[i].joinable = true;
	}
	return 0;
}

static int vm_setup(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	char err[256];
	int r;

	vm->cpl0_emulated = cpuid_host_emulates_cpl0();
	if (vm->cpl0_emulated)
		vm->boot.linux_extra = VM_LINUX_HOST_ARGS;
	/* What needs no KVM first: guest RAM, serial, the devices. Their
	 * first allocations and page faults happen while cove has one thread
	 * (prep.c says why): a fault that breaks a copy-on-write page costs a
	 * TLB-flush IPI to every other CPU running cove (measured here: 2.3 us
	 * a fault alone, 12.7 us with a second thread running). */
	vm->mem.vmfd = -1;
	r = mem_init(&vm->mem, cfg->mem_size);
	if (r < 0) {
		fprintf(stderr, "cove: guest RAM of %llu MiB: %s\n",
			(unsigned long long)(cfg->mem_size >> 20), strerror(-r));
		return COVE_EXIT_HOST;
	}
	r = serial_open(vm);
	if (r)
		return r;
	if (vm_needs_io_thread(cfg)) {
		r = evloop_new_disabled(&vm->loop, VM_RING_ENTRIES);
		if (r < 0) {
			fprintf(stderr, "cove: io_uring: %s\n", strerror(-r));
			return COVE_EXIT_HOST;
		}
	}
	irq_init(vm);
	r = vm_devices(vm);
	if (r)
		return r;
	vm->vcpus = calloc(cfg->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		fprintf(stderr, "cove: %u vCPUs: %s\n", cfg->cpus, strerror(ENOMEM));
		return COVE_EXIT_HOST;
	}
	/* The CPUID set-up, on its own thread from here (prep.c). */
	r = prep_start(vm);
	if (r < 0) {
		fprintf(stderr, "cove: vCPU preparation thread: %s\n", strerror(-r));
		return COVE_EXIT_HOST;
	}
	r = kvm_open_vm(vm);
	if (r)
		return r;
	r = kvm_check_cpus(vm, cfg->cpus);
	if (r)
		return r;
	for (unsigned i = 0; i < cfg->cpus; i++) {
		r = vcpu_create(vm, &vm->vcpus[i], i);
		if (r < 0) {
			fprintf(stderr, "cove: vCPU %u: %s\n", i, strerror(-r));
			return COVE_EXIT_HOST;
		}
		/* Counted as created, so vm_end kicks it. */
		vm->ncpus = i + 1;
		prep_vcpu_created(vm, i + 1);
	}
	/* One KVM_RUN that returns at once (immediate_exit): KVM makes its
	 * per-VM worker task on a VM's first KVM_RUN, and once the guest runs
	 * --jail allows no new task (RLIMIT_NPROC 0). No guest code runs, and
	 * KVM still takes KVM_SET_CPUID2 after it (it refuses one only once
	 * the vCPU has entered the guest). Done now, while the prep thread
	 * waits for KVM's CPUID. */
	vm->vcpus[0].run->immediate_exit = 1;
	if (ioctl(vm->vcpus[0].fd, KVM_RUN, 0) == 0 || (errno != EINTR && errno != EAGAIN)) {
		fprintf(stderr, "cove: first KVM_RUN: %s\n", strerror(errno));
		return COVE_EXIT_HOST;
	}
	vm->vcpus[0].run->immediate_exit = 0;
	r = mem_register(&vm->mem, vm->vm_fd);
	if (r < 0) {
		fprintf(stderr, "cove: guest RAM memslots: %s\n", strerror(-r));
		return COVE_EXIT_HOST;
	}

	struct virtio_env env = {
	    .bus = vm->bus,
	    .mem = &vm->mem,
	    .loop = vm->loop,
	    .vmfd = vm->vm_fd,
	    .irqfd = irq_irqfd,
	    .ev = &vm->ev,
	    .ctx = vm,
	};
	err[0] = '\0';
	if (virtio_attach(cfg, &env, err, sizeof(err)) < 0) {
		fprintf(stderr, "cove: %s\n", err[0] ? err : "virtio devices: set-up failed");
		return COVE_EXIT_IMAGE;
	}
	err[0] = '\0';
	if (boot_load(cfg, &vm->mem, vm->bus, &vm->boot, err, sizeof(err)) < 0) {
		fprintf(stderr, "cove: %s\n", err[0] ? err : "image: loading failed");
		return COVE_EXIT_IMAGE;
	}
	if (vm->boot.legacy_pc && !vm->pic) {
		vm->legacy = true;
		r = vm_legacy_devices(vm);
		if (r)
			return r;
	}

	/* The prep thread sets the boot vCPU's registers from here. */
	prep_boot_ready(vm);
	r = vm->loop ? vm_io_setup(vm) : 0;
	if (r < 0) {
		fprintf(stderr, "cove: I/O thread set-up: %s\n", strerror(-r));
		return COVE_EXIT_HOST;
	}
	/* The VM and vCPU fds are all cove needs of KVM from here on. */
	close(vm->kvm_fd);
	vm->kvm_fd = -1;
	/* --jail: every task cove needs must exist before its limits, and
	 * the prep thread gone before it locks down (no thread may hold
	 * anything it takes away). Without it the boot vCPU joins the prep
	 * thread only after its own filter is in (vcpu.c), so its set-up
	 * overlaps the filter's. The sanitizer build's leak check below
	 * wants the prep thread's allocations finished too. */
	bool join_now = cfg->jail;
#ifdef COVE_SANITIZE
	join_now = join_now || cfg->seccomp != VM_SECCOMP_OFF;
#endif
	if (join_now) {
		const char *msg;

		if (prep_join(vm, &msg) < 0) {
			fprintf(stderr, "cove: %s\n", msg);
			return COVE_EXIT_HOST;
		}
	}
#ifdef COVE_SANITIZE
	/* LeakSanitizer's check at exit stops the world with clone and ptrace,
	 * which no thread's filter (nor --jail's rlimits) allows: with filters
	 * on, check now, the last moment the process may make any call (everything set-up
	 * allocated is checked; the check at exit is then skipped). */
	if (cfg->seccomp != VM_SECCOMP_OFF)
		__lsan_do_leak_check();
#endif
	if (cfg->jail && vm->loop && (r = jail_ring_limit(evloop_ring(vm->loop))) < 0) {
		fprintf(stderr, "cove: --jail: io_uring workers: %s\n", strerror(-r));
		return COVE_EXIT_HOST;
	}
	/* io_uring requests bypass seccomp: the ring gets its own list of
	 * opcodes, and then no io_uring_register() at all. */
	if (!vm->loop)
		r = 0;
	else if (cfg->seccomp != VM_SECCOMP_OFF)
		r = seccomp_restrict_ring(evloop_ring(vm->loop));
	else
		r = evloop_enable(vm->loop);
	if (r < 0) {
		fprintf(stderr, "cove: io_uring: cannot %s the ring: %s\n",
			cfg->seccomp != VM_SECCOMP_OFF ? "restrict" : "enable", strerror(-r));
		return COVE_EXIT_HOST;
	}
	if (cfg->jail) {
		static int keep[VM_JAIL_FDS];
		unsigned nkeep = 0;

		vm_snapshot_fds(false, keep, &nkeep);
		r = jail_lockdown(cfg, keep, nkeep);
		if (r < 0) {
			fprintf(stderr, "cove: --jail: %s\n", strerror(-r));
			return COVE_EXIT_HOST;
		}
	}
	return 0;
}

int vm_run(const struct vm_config *cfg)
{
	struct vm *vm = &the_vm;
	sigset_t set;
	int r;

	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = -1;
	atomic_store(&vm->status, -1);
	vm->ev = (struct vm_events){
	    .ctx = vm,
	    .poweroff = ev_poweroff,
	    .reset = ev_reset,
	    .debug_exit = ev_debug_exit,
	    .set_a20 = ev_set_a20,
	    .get_a20 = ev_get_a20,
	    .set_irq = irq_set,
	    .pic_intr = irq_pic_intr,
	};

	if (cfg->jail) {
		/* The waiting parent never returns from jail_unshare. */
		vm_snapshot_fds(true, NULL, NULL);
		r = jail_unshare(cfg);
		if (r < 0) {
			fprintf(stderr, "cove: --jail: %s\n", strerror(-r));
			return COVE_EXIT_HOST;
		}
	}

	/* Every thread inherits this mask: the host's signals, SIGALRM and the
	 * kick (SIGUSR1) reach only vCPU threads, which unblock them once
	 * they are about to run the guest (vcpu.c); until then they wait. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	vcpu_signals_init();

	r = vm_setup(vm);
	if (r)
		return r;
	r = vm_arm_timeout(vm);
	if (r < 0) {
		fprintf(stderr, "cove: --timeout: %s\n", strerror(-r));
		return COVE_EXIT_HOST;
	}
	/* The main thread becomes the boot vCPU's thread, with its filter. */
	if (vm_start_threads(vm) == 0) {
		/* Every task cove needs exists now, the I/O thread's ring
		 * workers once it is filtered: no more, before the guest runs. */
		if (cfg->jail) {
			vm_wait_filtered(vm);
			r = jail_no_new_tasks();
			if (r < 0)
				vm_endf(vm, COVE_EXIT_HOST, "cove: --jail: RLIMIT_NPROC: %s\n", strerror(-r));
		}
		vcpu_run_on_main(&vm->vcpus[0]);
	}
	vm_wait_released(vm);
	/* The end is decided and reported. What is left to wait for: the I/O
	 * thread's virtio_shutdown (disks flushed) when there are virtio
	 * devices, its last serial drain when the guest's bytes wait for a
	 * slow reader (at most 1 s), and the vCPUs' last counts for --stats.
	 * Otherwise the process exits now: exit_group ends the kicked
	 * threads, which waiting for would only add scheduling delays. */
	if (vm_io_started && (vm_has_virtio(cfg) || serial_waiting(vm)))
		vm_word_wait(&vm->io_done, 1);
	if (cfg->stats)
		for (unsigned i = 1; i < vm->ncpus; i++)
			if (vm->vcpus[i].joinable)
				vm_word_wait(&vm->vcpus[i].done, 1);
	if (cfg->stats)
		stats_print(vm, stderr);
	return atomic_load(&vm->status);
}
