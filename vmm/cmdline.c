/* vmm: cove's command line -> struct vm_config. Pure parsing: no file is
 * opened here (DESIGN.md step 1); every bad value is refused with one line
 * that names the option and what is wrong with it. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "mem/mem.h"
#include "vmm/vmm.h"

#define DEFAULT_MEM	 (64ULL << 20)
#define DEFAULT_RAW_LOAD 0x7c00ULL
#define NOBODY		 65534
/* Real-mode code reaches at most 1 MiB + 64 KiB - 16; the image starts below 1 MiB. */
#define RAW_LOAD_MAX 0xfffffULL

enum {
	OPT_MODULE = 256,
	OPT_RAW,
	OPT_SERIAL,
	OPT_TIMEOUT,
	OPT_DISK,
	OPT_NET,
	OPT_CONSOLE,
	OPT_RNG,
	OPT_STATS,
	OPT_SECCOMP,
	OPT_JAIL,
	OPT_UID,
	OPT_GID,
	OPT_PRINT_SECCOMP,
	OPT_TRIGGER,
	OPT_VERSION,
};

#define CMDLINE_SHORT ":k:i:a:m:c:h"

static const struct option cmdline_opts[] = {
    {"kernel", required_argument, NULL, 'k'},
    {"initrd", required_argument, NULL, 'i'},
    {"cmdline", required_argument, NULL, 'a'},
    {"module", required_argument, NULL, OPT_MODULE},
    {"raw", required_argument, NULL, OPT_RAW},
    {"mem", required_argument, NULL, 'm'},
    {"cpus", required_argument, NULL, 'c'},
    {"serial", required_argument, NULL, OPT_SERIAL},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"disk", required_argument, NULL, OPT_DISK},
    {"net", required_argument, NULL, OPT_NET},
    {"console", no_argument, NULL, OPT_CONSOLE},
    {"rng", no_argument, NULL, OPT_RNG},
    {"stats", no_argument, NULL, OPT_STATS},
    {"seccomp", required_argument, NULL, OPT_SECCOMP},
    {"jail", no_argument, NULL, OPT_JAIL},
    {"uid", required_argument, NULL, OPT_UID},
    {"gid", required_argument, NULL, OPT_GID},
    {"print-seccomp", no_argument, NULL, OPT_PRINT_SECCOMP},
    {"seccomp-test-trigger", required_argument, NULL, OPT_TRIGGER},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {0},
};

void cmdline_usage(FILE *out)
{
	fputs("usage: cove [options] [IMAGE]\n"
	      "Runs one VM on KVM; the exit status says how the guest ended.\n"
	      "IMAGE (or --kernel) is a PVH ELF, multiboot ELF or bzImage; with no image\n"
	      "and no --raw, cove runs its built-in hello guest.\n"
	      "\n"
	      "  -k, --kernel FILE        kernel image (same as IMAGE)\n"
	      "  -i, --initrd FILE        initial ramdisk\n"
	      "  -a, --cmdline STR        kernel command line\n"
	      "      --module FILE[,STR]  multiboot module with its string (repeatable, up to 8)\n"
	      "      --raw FILE[,load=ADDR][,entry=SEG:OFF]\n"
	      "                           real-mode image (default load=0x7c00, entry 0000:7c00;\n"
	      "                           with only load=, the entry is the load address)\n"
	      "  -m, --mem SIZE           guest RAM, suffix K, M or G, a bare number is M; a\n"
	      "                           multiple of 4K (default 64M)\n"
	      "  -c, --cpus N             vCPUs (default 1, at most KVM's limit)\n"
	      "      --serial stdio|FILE|none  where COM1 output goes (default stdio)\n"
	      "      --timeout SECONDS    end the VM with status 124 after SECONDS (0: never)\n"
	      "      --disk FILE[,ro]     virtio-blk disk (repeatable, up to 8)\n"
	      "      --net tap=NAME[,mac=xx:xx:xx:xx:xx:xx]  virtio-net on a tap (up to 4)\n"
	      "      --console            virtio-console on stdin/stdout\n"
	      "      --rng                virtio-rng\n"
	      "      --stats              print exit and emulation counts at the end\n"
	      "      --seccomp strict|log|off  per-thread syscall filters (default strict)\n"
	      "      --jail               run in new namespaces, an empty root, unprivileged\n"
	      "      --uid N, --gid N     the ids --jail drops to (default 65534, nobody)\n"
	      "      --print-seccomp      print every thread role's allowed syscalls and exit\n"
	      "      --seccomp-test-trigger vcpu|io|main  test only: that thread makes a\n"
	      "                           forbidden syscall (main: --jail's waiting parent)\n"
	      "  -h, --help               this text\n"
	      "      --version            cove's version\n"
	      "\n"
	      "exit status:\n"
	      "  0        guest powered off\n"
	      "  odd      guest wrote v to port 0xf4 (debug exit): (v << 1) | 1, 8 bits\n"
	      "  2        bad command line\n"
	      "  4        image or other input file unreadable or malformed\n"
	      "  6        host problem: no /dev/kvm, permission, KVM capability, memory\n"
	      "  8        guest asked for a reset\n"
	      "  10       guest crashed: triple fault, KVM internal error, unemulatable\n"
	      "           instruction (registers on stderr)\n"
	      "  124      --timeout expired\n"
	      "  128+N    ended by host signal N after a clean shutdown (SIGHUP 129,\n"
	      "           SIGINT 130, SIGTERM 143)\n"
	      "  SIGSYS   killed by its seccomp filter (a shell shows 159)\n",
	      out);
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A whole decimal (or 0x hex with base 0) number in [0, max]. */
static int parse_u64(const char *s, int base, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (end == s || *end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_mem(const char *s, uint64_t *out, char *err, size_t errlen)
{
	char *end;
	unsigned long long v;
	unsigned shift = 20; /* a bare number is MiB, as in QEMU and kvmtool */
	struct sysinfo si;

	if (*s < '0' || *s > '9')
		return fail(err, errlen, "--mem '%s': not a number", s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return fail(err, errlen, "--mem '%s': too large", s);
	if (*end) {
		switch (*end) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		default:
			return fail(err, errlen, "--mem '%s': trailing '%s' (use a K, M or G suffix)", s,
				    end);
		}
		if (end[1])
			return fail(err, errlen, "--mem '%s': trailing '%s' after the suffix", s, end + 1);
	}
	if (v == 0)
		return fail(err, errlen, "--mem '%s': size must be greater than zero", s);
	if (v > (UINT64_MAX >> shift))
		return fail(err, errlen, "--mem '%s': too large", s);
	v <<= shift;
	if (v % MEM_PAGE_SIZE)
		return fail(err, errlen, "--mem '%s': not a multiple of %llu KiB (guest RAM is whole pages)",
			    s, MEM_PAGE_SIZE >> 10);
	if (sysinfo(&si) == 0 && si.mem_unit && v / si.mem_unit > si.totalram)
		return fail(err, errlen, "--mem '%s': larger than the host's RAM (%llu MiB)", s,
			    (unsigned long long)si.totalram * si.mem_unit >> 20);
	*out = v;
	return 0;
}

static int parse_uint(const char *opt, const char *s, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	int r = parse_u64(s, 10, max, out);

	if (r == -ERANGE)
		return fail(err, errlen, "%s '%s': larger than %llu", opt, s, (unsigned long long)max);
	if (r)
		return fail(err, errlen, "%s '%s': not a number", opt, s);
	return 0;
}

/* --raw FILE[,load=ADDR][,entry=SEG:OFF] */
static int parse_raw(char *arg, struct vm_config *cfg, char *err, size_t errlen)
{
	char *save = NULL, *tok = strtok_r(arg, ",", &save);
	bool has_entry = false;

	if (!tok || !*arg || *arg == ',')
		return fail(err, errlen, "--raw: missing file name");
	cfg->raw = tok;
	while ((tok = strtok_r(NULL, ",", &save))) {
		uint64_t v;

		if (!strncmp(tok, "load=", 5)) {
			if (parse_u64(tok + 5, 0, RAW_LOAD_MAX, &v))
				return fail(err, errlen, "--raw: load '%s' is not an address below 1 MiB",
					    tok + 5);
			cfg->raw_load = v;
		} else if (!strncmp(tok, "entry=", 6)) {
			char *colon = strchr(tok + 6, ':');
			uint64_t seg, off;

			if (!colon)
				return fail(err, errlen, "--raw: entry '%s' is not SEG:OFF", tok + 6);
			*colon = '\0';
			if (parse_u64(tok + 6, 16, 0xffff, &seg) || parse_u64(colon + 1, 16, 0xffff, &off)) {
				*colon = ':';
				return fail(err, errlen,
					    "--raw: entry '%s' is not SEG:OFF in hex (e.g. 0000:7c00)",
					    tok + 6);
			}
			cfg->raw_seg = seg;
			cfg->raw_off = off;
			has_entry = true;
		} else {
			return fail(err, errlen, "--raw: unknown parameter '%s' (load=ADDR, entry=SEG:OFF)",
				    tok);
		}
	}
	if (!has_entry) {
		cfg->raw_seg = cfg->raw_load > 0xffff ? cfg->raw_load >> 4 : 0;
		cfg->raw_off = cfg->raw_load - ((uint64_t)cfg->raw_seg << 4);
	}
	return 0;
}

static int parse_disk(char *arg, struct vm_config *cfg, char *err, size_t errlen)
{
	char *comma = strchr(arg, ',');
	struct vm_disk_config *d;

	if (cfg->ndisks == VM_MAX_DISKS)
		return fail(err, errlen, "--disk: too many disks (at most %d)", VM_MAX_DISKS);
	d = &cfg->disks[cfg->ndisks];
	if (comma) {
		*comma = '\0';
		if (strcmp(comma + 1, "ro"))
			return fail(err, errlen, "--disk '%s': unknown flag '%s' (only ro)", arg, comma + 1);
		d->readonly = true;
	}
	if (!*arg)
		return fail(err, errlen, "--disk: missing file name");
	d->path = arg;
	cfg->ndisks++;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;

		for (int j = 0; j < 2; j++, s++) {
			int c = *s;

			if (c >= '0' && c <= '9')
				v = v * 16 + (c - '0');
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + (c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v = v * 16 + (c - 'A' + 10);
			else
				return -EINVAL;
		}
		if (*s != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		if (i < 5)
			s++;
		mac[i] = v;
	}
	/* A multicast address cannot be a NIC's. */
	return (mac[0] & 1) ? -EINVAL : 0;
}

/* --net tap=NAME[,mac=xx:xx:xx:xx:xx:xx] */
static int parse_net(char *arg, struct vm_config *cfg, char *err, size_t errlen)
{
	char *save = NULL, *tok;
	struct vm_net_config *n;

	if (cfg->nnets == VM_MAX_NETS)
		return fail(err, errlen, "--net: too many network devices (at most %d)", VM_MAX_NETS);
	n = &cfg->nets[cfg->nnets];
	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "tap=", 4)) {
			/* IFNAMSIZ is 16 with the terminating NUL. */
			if (!tok[4] || strlen(tok + 4) > 15)
				return fail(err, errlen, "--net: tap name '%s' must be 1 to 15 characters",
					    tok + 4);
			n->tap = tok + 4;
		} else if (!strncmp(tok, "mac=", 4)) {
			if (parse_mac(tok + 4, n->mac))
				return fail(err, errlen, "--net: mac '%s' is not a unicast xx:xx:xx:xx:xx:xx",
					    tok + 4);
			n->has_mac = true;
		} else {
			return fail(err, errlen, "--net: unknown parameter '%s' (tap=NAME, mac=MAC)", tok);
		}
	}
	if (!n->tap)
		return fail(err, errlen, "--net: missing tap=NAME");
	cfg->nnets++;
	return 0;
}

static int parse_module(char *arg, struct vm_config *cfg, char *err, size_t errlen)
{
	char *comma = strchr(arg, ',');
	struct vm_module_config *m;

	if (cfg->nmodules == VM_MAX_MODULES)
		return fail(err, errlen, "--module: too many modules (at most %d)", VM_MAX_MODULES);
	m = &cfg->modules[cfg->nmodules];
	if (comma) {
		*comma = '\0';
		m->cmdline = comma + 1;
	}
	if (!*arg)
		return fail(err, errlen, "--module: missing file name");
	m->path = arg;
	cfg->nmodules++;
	return 0;
}

static void cmdline_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->raw_load = DEFAULT_RAW_LOAD;
	cfg->raw_seg = 0;
	cfg->raw_off = DEFAULT_RAW_LOAD;
	cfg->mem_size = DEFAULT_MEM;
	cfg->cpus = 1;
	cfg->serial = VM_SERIAL_STDIO;
	cfg->seccomp = VM_SECCOMP_STRICT;
	cfg->uid = NOBODY;
	cfg->gid = NOBODY;
}

static int cmdline_option(int c, char *arg, struct vm_config *cfg, enum cmdline_action *action, char *err,
			  size_t errlen)
{
	uint64_t v;
	int r;

	switch (c) {
	case 'k':
		if (cfg->kernel)
			return fail(err, errlen, "more than one kernel image ('%s' and '%s')", cfg->kernel,
				    arg);
		cfg->kernel = arg;
		return 0;
	case 'i':
		cfg->initrd = arg;
		return 0;
	case 'a':
		cfg->cmdline = arg;
		return 0;
	case OPT_MODULE:
		return parse_module(arg, cfg, err, errlen);
	case OPT_RAW:
		if (cfg->raw)
			return fail(err, errlen, "--raw given twice");
		return parse_raw(arg, cfg, err, errlen);
	case 'm':
		return parse_mem(arg, &cfg->mem_size, err, errlen);
	case 'c':
		r = parse_uint("--cpus", arg, UINT_MAX, &v, err, errlen);
		if (r)
			return r;
		if (v == 0)
			return fail(err, errlen, "--cpus '%s': at least 1 vCPU is needed", arg);
		cfg->cpus = v;
		return 0;
	case OPT_SERIAL:
		if (!strcmp(arg, "stdio")) {
			cfg->serial = VM_SERIAL_STDIO;
		} else if (!strcmp(arg, "none")) {
			cfg->serial = VM_SERIAL_NONE;
		} else if (!*arg) {
			return fail(err, errlen, "--serial: empty file name (stdio, FILE or none)");
		} else {
			cfg->serial = VM_SERIAL_FILE;
			cfg->serial_path = arg;
		}
		return 0;
	case OPT_TIMEOUT:
		/* A week of seconds fits every timer interface without overflow. */
		r = parse_uint("--timeout", arg, 7 * 24 * 3600, &v, err, errlen);
		if (r)
			return r;
		cfg->timeout_sec = v;
		return 0;
	case OPT_DISK:
		return parse_disk(arg, cfg, err, errlen);
	case OPT_NET:
		return parse_net(arg, cfg, err, errlen);
	case OPT_CONSOLE:
		cfg->console = true;
		return 0;
	case OPT_RNG:
		cfg->rng = true;
		return 0;
	case OPT_STATS:
		cfg->stats = true;
		return 0;
	case OPT_SECCOMP:
		if (!strcmp(arg, "strict"))
			cfg->seccomp = VM_SECCOMP_STRICT;
		else if (!strcmp(arg, "log"))
			cfg->seccomp = VM_SECCOMP_LOG;
		else if (!strcmp(arg, "off"))
			cfg->seccomp = VM_SECCOMP_OFF;
		else
			return fail(err, errlen, "--seccomp '%s': not strict, log or off", arg);
		return 0;
	case OPT_JAIL:
		cfg->jail = true;
		return 0;
	case OPT_UID:
		/* (uid_t)-1 means "unchanged" to setresuid: refuse it. */
		r = parse_uint("--uid", arg, UINT32_MAX - 1, &v, err, errlen);
		if (r)
			return r;
		cfg->uid = v;
		return 0;
	case OPT_GID:
		r = parse_uint("--gid", arg, UINT32_MAX - 1, &v, err, errlen);
		if (r)
			return r;
		cfg->gid = v;
		return 0;
	case OPT_PRINT_SECCOMP:
		*action = CMDLINE_PRINT_SECCOMP;
		return 0;
	case OPT_TRIGGER:
		if (strcmp(arg, "vcpu") && strcmp(arg, "io") && strcmp(arg, "main"))
			return fail(err, errlen, "--seccomp-test-trigger '%s': not vcpu, io or main", arg);
		cfg->seccomp_trigger = arg;
		return 0;
	case 'h':
		*action = CMDLINE_HELP;
		return 0;
	case OPT_VERSION:
		*action = CMDLINE_VERSION;
		return 0;
	}
	return fail(err, errlen, "internal: option %d has no handler", c);
}

/* The name of the option whose value (getopt's optopt) is val, as the user
 * wrote it: "--mem" or "-m". */
static void option_name(int val, bool is_long, char *buf, size_t len)
{
	for (const struct option *o = cmdline_opts; is_long && o->name; o++) {
		if (o->val == val) {
			snprintf(buf, len, "--%s", o->name);
			return;
		}
	}
	snprintf(buf, len, "-%c", val);
}

/* getopt_long's '?' or ':' as one line. Neither libc leaves a reliable
 * argv[optind - 1] behind (musl moves optind past argc after "-m" with no
 * value), so the option is named from optopt and the option table. */
static int cmdline_refuse(int c, int argc, char **argv, char *err, size_t errlen)
{
	char name[32];

	if (c == ':') {
		/* A value can only be missing from the last argument. */
		option_name(optopt, optopt > 0xff || !strncmp(argv[argc - 1], "--", 2), name, sizeof(name));
		return fail(err, errlen, "option '%s' needs an argument", name);
	}
	if (!optopt) { /* an unknown or ambiguous long option: getopt stepped past it */
		const char *arg = argv[optind - 1];
		unsigned matches = 0;

		for (const struct option *o = cmdline_opts; o->name && !strncmp(arg, "--", 2); o++)
			matches += !strncmp(o->name, arg + 2, strcspn(arg + 2, "="));
		return fail(err, errlen, "%s option '%s' (see --help)", matches > 1 ? "ambiguous" : "unknown",
			    arg);
	}
	/* A known option's value in optopt means a long option was given
	 * "=VALUE" it does not take ("--rng=1"; our short options never do). */
	if (optopt > 0xff || (optopt != ':' && strchr(CMDLINE_SHORT, optopt))) {
		option_name(optopt, true, name, sizeof(name));
		return fail(err, errlen, "option '%s' takes no argument", name);
	}
	return fail(err, errlen, "unknown option '-%c' (see --help)", optopt);
}

int cmdline_parse(int argc, char **argv, struct vm_config *cfg, enum cmdline_action *action, char *err,
		  size_t errlen)
{
	const char *image = NULL;
	int c, r;

	cmdline_defaults(cfg);
	*action = CMDLINE_RUN;
	optind = 0; /* a full reset, in glibc and musl alike */
	opterr = 0;
	while ((c = getopt_long(argc, argv, CMDLINE_SHORT, cmdline_opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return cmdline_refuse(c, argc, argv, err, errlen);
		r = cmdline_option(c, optarg, cfg, action, err, errlen);
		if (r)
			return r;
	}
	if (*action != CMDLINE_RUN)
		return 0;
	if (optind < argc) {
		image = argv[optind++];
		if (optind < argc)
			return fail(err, errlen, "more than one IMAGE ('%s' and '%s')", image, argv[optind]);
		if (cfg->kernel)
			return fail(err, errlen, "both --kernel '%s' and IMAGE '%s'", cfg->kernel, image);
		if (!*image)
			return fail(err, errlen, "IMAGE: empty file name");
		cfg->kernel = image;
	}
	if (cfg->raw && cfg->kernel)
		return fail(err, errlen, "--raw '%s' and kernel '%s' exclude each other", cfg->raw,
			    cfg->kernel);
	if (cfg->raw && (cfg->initrd || cfg->nmodules || cfg->cmdline))
		return fail(err, errlen, "--raw takes no --initrd, --module or --cmdline");
	if (cfg->kernel && !*cfg->kernel)
		return fail(err, errlen, "--kernel: empty file name");
	if (cfg->seccomp_trigger && strcmp(cfg->seccomp_trigger, "main") == 0 && !cfg->jail)
		return fail(err, errlen,
			    "--seccomp-test-trigger main: the main role is --jail's waiting parent");
	return 0;
}
