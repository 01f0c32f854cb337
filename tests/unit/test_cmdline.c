/* vmm/cmdline.c: defaults, every option's value, and the one-line reason
 * for each bad command line. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "vmm/vmm.h"

static struct vm_config cfg;
static enum cmdline_action action;
static char err[256];
static char argbuf[32][256];

/* argv from a NULL-terminated list; copies, since the parser may write
 * into its arguments (--disk FILE,ro splits at the comma). */
static int parse_list(const char *const *args)
{
	char *argv[33];
	int argc = 0;

	argv[argc++] = "cove";
	for (; *args; args++, argc++) {
		cr_assert_lt(argc, 32);
		snprintf(argbuf[argc], sizeof(argbuf[argc]), "%s", *args);
		argv[argc] = argbuf[argc];
	}
	argv[argc] = NULL;
	err[0] = '\0';
	return cmdline_parse(argc, argv, &cfg, &action, err, sizeof(err));
}

#define PARSE(...) parse_list((const char *const[]){__VA_ARGS__, NULL})
#define PARSE0()   parse_list((const char *const[]){NULL})

/* A refused command line: -EINVAL, and a single line that contains want. */
#define REFUSED(want, ...)                                                                                   \
	do {                                                                                                 \
		int r_ = PARSE(__VA_ARGS__);                                                                 \
		cr_assert_eq(r_, -EINVAL, "accepted, want an error naming '%s'", want);                      \
		cr_assert(strstr(err, want), "error '%s' does not name '%s'", err, want);                    \
		cr_assert_null(strchr(err, '\n'), "error '%s' is more than one line", err);                  \
	} while (0)

Test(cmdline, no_arguments_give_the_documented_defaults)
{
	cr_assert_eq(PARSE0(), 0, "%s", err);
	cr_assert_eq(action, CMDLINE_RUN);
	cr_assert_null(cfg.kernel);
	cr_assert_null(cfg.raw);
	cr_assert_eq(cfg.mem_size, 64ULL << 20);
	cr_assert_eq(cfg.cpus, 1u);
	cr_assert_eq(cfg.serial, VM_SERIAL_STDIO);
	cr_assert_eq(cfg.seccomp, VM_SECCOMP_STRICT);
	cr_assert_eq(cfg.uid, 65534u);
	cr_assert_eq(cfg.gid, 65534u);
	cr_assert_eq(cfg.timeout_sec, 0u);
	cr_assert_eq(cfg.ndisks, 0u);
	cr_assert_not(cfg.jail || cfg.stats || cfg.console || cfg.rng);
}

Test(cmdline, positional_image_is_the_kernel)
{
	cr_assert_eq(PARSE("-a", "console=ttyS0", "vmlinuz"), 0, "%s", err);
	cr_assert_str_eq(cfg.kernel, "vmlinuz");
	cr_assert_str_eq(cfg.cmdline, "console=ttyS0");
}

Test(cmdline, mem_suffixes_scale)
{
	cr_assert_eq(PARSE("--mem", "512K"), 0, "%s", err);
	cr_assert_eq(cfg.mem_size, 512ULL << 10);
	cr_assert_eq(PARSE("-m", "3M"), 0, "%s", err);
	cr_assert_eq(cfg.mem_size, 3ULL << 20);
	cr_assert_eq(PARSE("-m", "1g"), 0, "%s", err);
	cr_assert_eq(cfg.mem_size, 1ULL << 30);
	cr_assert_eq(PARSE("-m", "16"), 0, "%s", err);
	cr_assert_eq(cfg.mem_size, 16ULL << 20, "a bare number is MiB");
}

Test(cmdline, bad_mem_sizes_are_refused)
{
	REFUSED("greater than zero", "--mem", "0");
	REFUSED("greater than zero", "--mem", "0G");
	REFUSED("not a number", "--mem", "lots");
	REFUSED("not a number", "--mem", "-5M");
	REFUSED("trailing", "--mem", "64MB");
	REFUSED("trailing", "--mem", "64X");
	REFUSED("too large", "--mem", "99999999999999999999999");
	REFUSED("too large", "--mem", "17179869184G");
	REFUSED("host's RAM", "--mem", "16777215G");
}

Test(cmdline, mem_must_be_whole_4k_pages)
{
	REFUSED("--mem '1K': not a multiple of 4 KiB", "--mem", "1K");
	REFUSED("--mem '63K': not a multiple of 4 KiB", "-m", "63K");
	REFUSED("--mem '1001K': not a multiple of 4 KiB", "-m", "1001K");
	REFUSED("--mem '4097K': not a multiple of 4 KiB", "-m", "4097K");
	cr_assert_eq(PARSE("-m", "4K"), 0, "%s", err);
	cr_assert_eq(cfg.mem_size, 4096u);
	cr_assert_eq(PARSE("-m", "1028K"), 0, "%s", err);
	cr_assert_eq(cfg.mem_size, 1028u << 10);
}

Test(cmdline, cpus_parse_and_zero_is_refused)
{
	cr_assert_eq(PARSE("--cpus", "4"), 0, "%s", err);
	cr_assert_eq(cfg.cpus, 4u);
	REFUSED("at least 1", "--cpus", "0");
	REFUSED("not a number", "-c", "two");
	REFUSED("not a number", "-c", "2x");
	REFUSED("larger than", "-c", "99999999999");
}

Test(cmdline, raw_defaults_and_parameters)
{
	cr_assert_eq(PARSE("--raw", "boot.bin"), 0, "%s", err);
	cr_assert_str_eq(cfg.raw, "boot.bin");
	cr_assert_eq(cfg.raw_load, 0x7c00u);
	cr_assert_eq(cfg.raw_seg, 0);
	cr_assert_eq(cfg.raw_off, 0x7c00);

	cr_assert_eq(PARSE("--raw", "bios.bin,load=0xf0000,entry=f000:fff0"), 0, "%s", err);
	cr_assert_eq(cfg.raw_load, 0xf0000u);
	cr_assert_eq(cfg.raw_seg, 0xf000);
	cr_assert_eq(cfg.raw_off, 0xfff0);

	cr_assert_eq(PARSE("--raw", "x.bin,load=0x20000"), 0, "%s", err);
	cr_assert_eq(((unsigned)cfg.raw_seg << 4) + cfg.raw_off, 0x20000u, "entry follows load=");
}

Test(cmdline, bad_raw_parameters_are_refused)
{
	REFUSED("load", "--raw", "x.bin,load=0x100000");
	REFUSED("load", "--raw", "x.bin,load=banana");
	REFUSED("SEG:OFF", "--raw", "x.bin,entry=7c00");
	REFUSED("SEG:OFF", "--raw", "x.bin,entry=10000:0");
	REFUSED("unknown parameter", "--raw", "x.bin,speed=fast");
	REFUSED("missing file name", "--raw", ",load=0x1000");
}

Test(cmdline, raw_and_a_kernel_exclude_each_other)
{
	REFUSED("exclude", "--raw", "boot.bin", "vmlinuz");
	REFUSED("exclude", "--raw", "boot.bin", "-k", "vmlinuz");
	REFUSED("--raw takes no", "--raw", "boot.bin", "--initrd", "initrd.img");
}

Test(cmdline, unknown_options_and_missing_arguments_are_named)
{
	REFUSED("unknown option '--frobnicate'", "--frobnicate");
	REFUSED("unknown option '-z'", "-z");
	REFUSED("needs an argument", "--mem");
	REFUSED("'--kernel' needs an argument", "--kernel");
	REFUSED("option '-m' needs an argument", "-m");
	REFUSED("option '-c' needs an argument", "-c");
	REFUSED("option '-k' needs an argument", "-k");
	REFUSED("option '-m' needs an argument", "-hm");
	REFUSED("option '-a' needs an argument", "vmlinuz", "-a");
	REFUSED("option '--mem' needs an argument", "--me");
	REFUSED("option '--rng' takes no argument", "--rng=1");
	REFUSED("option '--help' takes no argument", "--help=x");
	REFUSED("ambiguous option '--se'", "--se");
	REFUSED("unknown option '--seccomp-x=1'", "--seccomp-x=1");
	REFUSED("more than one IMAGE", "a.elf", "b.elf");
	REFUSED("both --kernel", "-k", "a.elf", "b.elf");
}

Test(cmdline, disks_up_to_the_limit_and_ro)
{
	cr_assert_eq(PARSE("--disk", "a.img", "--disk", "b.img,ro"), 0, "%s", err);
	cr_assert_eq(cfg.ndisks, 2u);
	cr_assert_str_eq(cfg.disks[0].path, "a.img");
	cr_assert_not(cfg.disks[0].readonly);
	cr_assert_str_eq(cfg.disks[1].path, "b.img");
	cr_assert(cfg.disks[1].readonly);
	REFUSED("unknown flag 'rw'", "--disk", "a.img,rw");
	REFUSED("too many disks", "--disk", "1", "--disk", "2", "--disk", "3", "--disk", "4", "--disk", "5",
		"--disk", "6", "--disk", "7", "--disk", "8", "--disk", "9");
}

Test(cmdline, net_tap_and_mac)
{
	cr_assert_eq(PARSE("--net", "tap=tap0,mac=52:54:00:12:34:AB"), 0, "%s", err);
	cr_assert_eq(cfg.nnets, 1u);
	cr_assert_str_eq(cfg.nets[0].tap, "tap0");
	cr_assert(cfg.nets[0].has_mac);
	cr_assert_eq(cfg.nets[0].mac[0], 0x52);
	cr_assert_eq(cfg.nets[0].mac[5], 0xab);
	REFUSED("missing tap", "--net", "mac=52:54:00:12:34:56");
	REFUSED("mac", "--net", "tap=t,mac=52:54:00:12:34");
	REFUSED("mac", "--net", "tap=t,mac=01:00:00:00:00:01");
	REFUSED("1 to 15", "--net", "tap=abcdefghijklmnopq");
	REFUSED("too many network", "--net", "tap=a", "--net", "tap=b", "--net", "tap=c", "--net", "tap=d",
		"--net", "tap=e");
}

Test(cmdline, modules_keep_their_strings)
{
	cr_assert_eq(PARSE("-k", "mb.elf", "--module", "m1,arg one,two", "--module", "m2"), 0, "%s", err);
	cr_assert_eq(cfg.nmodules, 2u);
	cr_assert_str_eq(cfg.modules[0].path, "m1");
	cr_assert_str_eq(cfg.modules[0].cmdline, "arg one,two");
	cr_assert_null(cfg.modules[1].cmdline);
}

Test(cmdline, serial_seccomp_and_flags)
{
	cr_assert_eq(PARSE("--serial", "out.txt", "--seccomp", "log", "--stats", "--rng", "--console",
			   "--jail", "--uid", "1000", "--gid", "100", "--timeout", "5"),
		     0, "%s", err);
	cr_assert_eq(cfg.serial, VM_SERIAL_FILE);
	cr_assert_str_eq(cfg.serial_path, "out.txt");
	cr_assert_eq(cfg.seccomp, VM_SECCOMP_LOG);
	cr_assert(cfg.stats && cfg.rng && cfg.console && cfg.jail);
	cr_assert_eq(cfg.uid, 1000u);
	cr_assert_eq(cfg.gid, 100u);
	cr_assert_eq(cfg.timeout_sec, 5u);
	cr_assert_eq(PARSE("--serial", "none"), 0);
	cr_assert_eq(cfg.serial, VM_SERIAL_NONE);
	REFUSED("not strict, log or off", "--seccomp", "loose");
	REFUSED("not a number", "--timeout", "soon");
	REFUSED("larger than", "--timeout", "99999999");
	REFUSED("not a number", "--uid", "-1");
	REFUSED("not vcpu, io or main", "--seccomp-test-trigger", "gpu");
	/* The main role is --jail's waiting parent: no process has it without. */
	REFUSED("--jail's waiting parent", "--seccomp-test-trigger", "main");
	cr_assert_eq(PARSE("--jail", "--seccomp-test-trigger", "main"), 0);
	cr_assert_str_eq(cfg.seccomp_trigger, "main");
}

Test(cmdline, informational_options_set_the_action)
{
	cr_assert_eq(PARSE("--help"), 0);
	cr_assert_eq(action, CMDLINE_HELP);
	cr_assert_eq(PARSE("--version"), 0);
	cr_assert_eq(action, CMDLINE_VERSION);
	cr_assert_eq(PARSE("--print-seccomp"), 0);
	cr_assert_eq(action, CMDLINE_PRINT_SECCOMP);
	cr_assert_eq(PARSE("--seccomp-test-trigger", "io"), 0);
	cr_assert_str_eq(cfg.seccomp_trigger, "io");
}

Test(cmdline, usage_lists_every_exit_status)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *want[] = {"  0 ",	   "  2 ",  "  4 ",   "  6 ",	      "  8 ",  "  10 ",
			      "  124 ",	   "128+N", "SIGSYS", "(v << 1) | 1", "--raw", "--print-seccomp",
			      "--timeout", "--net"};

	cmdline_usage(f);
	fclose(f);
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert(strstr(buf, want[i]), "--help does not mention '%s'", want[i]);
	free(buf);
}
