/* The bzImage loader: a hand-built setup header, every refusal, and (when
 * the test set-up has fetched it) Debian's cloud kernel. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/load_bzimage.h"

#define MiB (1024ULL * 1024)

static struct mem_map mem;
static struct bus *bus;
static char err[256];

static void setup(void)
{
	cr_assert_eq(mem_init(&mem, 256 * MiB), 0);
	bus = bus_new();
	cr_assert(bus);
}

static void teardown(void)
{
	bus_free(bus);
	mem_destroy(&mem);
}

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t r32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t r64(const uint8_t *p)
{
	return r32(p) | (uint64_t)r32(p + 4) << 32;
}

/* A minimal well-formed bzImage: 4 setup sectors, a 64 KiB "kernel". */
static uint8_t *fake_kernel(size_t *len)
{
	size_t n = 5 * 512 + 65536;
	uint8_t *k = calloc(1, n);
	k[0x1f1] = 4;
	w16(k + 0x1fe, 0xaa55);
	k[0x200] = 0xeb;
	k[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(k + 0x202, "HdrS", 4);
	w16(k + 0x206, 0x020f);
	k[0x211] = 0x01;                 /* LOADED_HIGH */
	w32(k + 0x22c, 0x7fffffff);      /* initrd_addr_max */
	w32(k + 0x230, 0x200000);        /* kernel_alignment */
	k[0x234] = 1;                    /* relocatable */
	w16(k + 0x236, 0x3);             /* XLF_KERNEL_64 | above 4G */
	w32(k + 0x238, 2048);            /* cmdline_size */
	w32(k + 0x258, 0x1000000);       /* pref_address */
	w32(k + 0x25c, 0);
	w32(k + 0x260, 4 * MiB);         /* init_size */
	for (size_t i = 5 * 512; i < n; i++)
		k[i] = (uint8_t)(i * 7);
	*len = n;
	return k;
}

static int load(uint8_t *k, size_t len, struct vm_config *cfg, struct boot_info *info)
{
	struct load_image img = {k, len, "kernel", "bz"};
	return load_bzimage(cfg, &mem, bus, &img, info, err, sizeof(err));
}

TestSuite(bzimage, .init = setup, .fini = teardown);

Test(bzimage, loads_kernel_zero_page_and_long_mode_entry)
{
	size_t len;
	uint8_t *k = fake_kernel(&len);
	struct vm_config cfg = {.mem_size = 256 * MiB, .cpus = 2, .cmdline = "console=ttyS0 quiet"};
	struct boot_info info = {0};
	cr_assert_eq(load(k, len, &cfg, &info), 0, "%s", err);
	cr_assert_eq(info.bsp.mode, BOOT_LONG64);
	cr_assert_eq(info.bsp.rip, 0x1000000 + 0x200, "64-bit entry is load address + 0x200");
	cr_assert_eq(memcmp(mem_gpa_to_hva(&mem, 0x1000000, 65536, false), k + 5 * 512, 65536), 0,
		     "protected-mode kernel copied to pref_address");
	const uint8_t *bp = mem_gpa_to_hva(&mem, info.bsp.rsi, 4096, false);
	cr_assert(bp);
	cr_assert_eq(memcmp(bp + 0x202, "HdrS", 4), 0, "setup header copied into the zero page");
	cr_assert_eq(bp[0x210], 0xff, "type_of_loader");
	const char *cl = mem_gpa_to_hva(&mem, r32(bp + 0x228), 32, false);
	cr_assert(cl);
	cr_assert_str_eq(cl, "console=ttyS0 quiet");
	cr_assert_eq(r64(bp + 0x070), 0xe0000, "acpi_rsdp_addr");
	const uint8_t *rsdp = mem_gpa_to_hva(&mem, 0xe0000, 8, false);
	cr_assert_eq(memcmp(rsdp, "RSD PTR ", 8), 0);
	unsigned n = bp[0x1e8];
	cr_assert_geq(n, 3, "e820 has RAM, the legacy hole and RAM above 1 MiB");
	uint64_t ram = 0;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;
		if (r32(e + 16) == 1)
			ram += r64(e + 8);
		if (r64(e) <= 0xe0000 && r64(e) + r64(e + 8) > 0xe0000)
			cr_assert_eq(r32(e + 16), 2, "the ACPI area is reserved");
	}
	cr_assert_eq(ram, 256 * MiB - (0x100000 - 0xa0000), "all RAM but the legacy hole is usable");
	/* The page tables map 0..4 GiB with 2 MiB pages. */
	const uint8_t *pml4 = mem_gpa_to_hva(&mem, info.bsp.cr3, 4096, false);
	uint64_t pdpt = r64(pml4) & ~0xfffULL;
	const uint8_t *pdp = mem_gpa_to_hva(&mem, pdpt, 4096, false);
	const uint8_t *pd3 = mem_gpa_to_hva(&mem, r64(pdp + 24) & ~0xfffULL, 4096, false);
	/* The reset vector asks the power device for a reset (mov dx, 0x602;
	 * mov al, 1; out dx, al; hlt; jmp $-1). */
	static const uint8_t reset_stub[] = {0xba, 0x02, 0x06, 0xb0, 0x01, 0xee, 0xf4, 0xeb, 0xfd};
	cr_assert_eq(memcmp(mem_gpa_to_hva(&mem, 0xffff0, sizeof(reset_stub), false), reset_stub, sizeof(reset_stub)),
		     0, "no reset stub at F000:FFF0");
	cr_assert_eq(r64(pd3 + 8 * 511) & ~0xfffULL, 0xffe00000ULL, "last 2 MiB page below 4 GiB");
	cr_assert(r64(pd3 + 8 * 511) & 0x80, "PS bit");
	free(k);
}

Test(bzimage, host_words_are_appended_to_the_command_line_within_the_kernel_limit)
{
	size_t len;
	uint8_t *k = fake_kernel(&len);
	struct vm_config cfg = {.mem_size = 256 * MiB, .cpus = 1, .cmdline = "console=ttyS0"};
	struct boot_info info = {.linux_extra = "noxsave"};
	char longline[2048];

	cr_assert_eq(load(k, len, &cfg, &info), 0, "%s", err);
	const uint8_t *bp = mem_gpa_to_hva(&mem, info.bsp.rsi, 4096, false);
	cr_assert_str_eq((const char *)mem_gpa_to_hva(&mem, r32(bp + 0x228), 32, false), "console=ttyS0 noxsave");
	cr_assert_str_eq(info.linux_extra, "noxsave", "linux_extra is an input: the loader keeps it");

	/* No user command line: just the host's words. */
	cfg.cmdline = NULL;
	info = (struct boot_info){.linux_extra = "noxsave"};
	cr_assert_eq(load(k, len, &cfg, &info), 0, "%s", err);
	bp = mem_gpa_to_hva(&mem, info.bsp.rsi, 4096, false);
	cr_assert_str_eq((const char *)mem_gpa_to_hva(&mem, r32(bp + 0x228), 32, false), "noxsave");

	/* A command line at the kernel's limit has no room left: refused. */
	memset(longline, 'a', 2047);
	longline[2047] = '\0';
	cfg.cmdline = longline;
	info = (struct boot_info){.linux_extra = "noxsave"};
	cr_assert_eq(load(k, len, &cfg, &info), -E2BIG);
	cr_assert(strstr(err, "noxsave"), "the error names the host's words: %s", err);
	free(k);
}

Test(bzimage, initrd_is_placed_above_the_kernel_and_described)
{
	size_t len;
	uint8_t *k = fake_kernel(&len);
	char path[] = "/tmp/cove-initrd-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	char data[5000];
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (char)(i ^ 0x5a);
	cr_assert_eq(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	close(fd);
	struct vm_config cfg = {.mem_size = 256 * MiB, .cpus = 1, .initrd = path};
	struct boot_info info = {0};
	cr_assert_eq(load(k, len, &cfg, &info), 0, "%s", err);
	const uint8_t *bp = mem_gpa_to_hva(&mem, info.bsp.rsi, 4096, false);
	uint32_t at = r32(bp + 0x218), size = r32(bp + 0x21c);
	cr_assert_eq(size, sizeof(data));
	cr_assert_geq(at, 0x1000000 + 4 * MiB, "initrd clear of init_size");
	cr_assert_eq(at % 4096, 0);
	cr_assert_eq(memcmp(mem_gpa_to_hva(&mem, at, size, false), data, size), 0);
	unlink(path);
	free(k);
}

Test(bzimage, refuses_what_it_cannot_boot)
{
	size_t len;
	struct vm_config cfg = {.mem_size = 256 * MiB, .cpus = 1};
	struct boot_info info = {0};
	uint8_t *k = fake_kernel(&len);

	w16(k + 0x206, 0x020a);
	cr_assert_lt(load(k, len, &cfg, &info), 0);
	cr_assert(strstr(err, "too old"), "%s", err);
	w16(k + 0x206, 0x020f);

	w16(k + 0x236, 0);
	cr_assert_lt(load(k, len, &cfg, &info), 0);
	cr_assert(strstr(err, "64-bit"), "%s", err);
	w16(k + 0x236, 3);

	w16(k + 0x1fe, 0x1234);
	cr_assert_lt(load(k, len, &cfg, &info), 0);
	cr_assert(strstr(err, "boot flag"), "%s", err);
	w16(k + 0x1fe, 0xaa55);

	cr_assert_lt(load(k, 0x220, &cfg, &info), 0, "truncated setup header");
	cr_assert(strstr(err, "truncated"), "%s", err);
	cr_assert_lt(load(k, 5 * 512, &cfg, &info), 0, "no kernel after the setup sectors");
	cr_assert(strstr(err, "truncated"), "%s", err);

	char longcmd[3000];
	memset(longcmd, 'a', sizeof(longcmd) - 1);
	longcmd[sizeof(longcmd) - 1] = 0;
	cfg.cmdline = longcmd;
	cr_assert_lt(load(k, len, &cfg, &info), 0);
	cr_assert(strstr(err, "at most 2048"), "%s", err);
	cfg.cmdline = NULL;

	/* Needs 16 MiB + 300 MiB: not relocatable, so it cannot move down. */
	w32(k + 0x260, 300 * MiB);
	k[0x234] = 0;
	cr_assert_lt(load(k, len, &cfg, &info), 0);
	cr_assert(strstr(err, "not relocatable"), "%s", err);
	k[0x234] = 1;
	cr_assert_lt(load(k, len, &cfg, &info), 0, "300 MiB does not fit in 256 MiB even relocated");
	cr_assert(strstr(err, "RAM"), "%s", err);
	free(k);
}

Test(bzimage, fuzzed_headers_never_crash)
{
	size_t len;
	uint8_t *k = fake_kernel(&len);
	uint8_t *m = malloc(len);
	struct vm_config cfg = {.mem_size = 256 * MiB, .cpus = 1};
	srand(7);
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(m, k, len);
		for (int f = 0; f < 8; f++)
			m[0x1f0 + rand() % 0x80] = (uint8_t)rand();
		size_t l = iter % 3 ? len : (size_t)rand() % len;
		struct boot_info info = {0};
		int r = load(m, l, &cfg, &info);
		cr_assert(r == 0 || (r < 0 && err[0]), "a refusal names its reason");
	}
	free(m);
	free(k);
}

Test(bzimage, debian_cloud_kernel_header_is_accepted)
{
	char def[512];
	const char *path = getenv("COVE_LINUX_KERNEL");
	if (!path) {
		snprintf(def, sizeof(def), "%s/.cache/cove/linux/vmlinuz", getenv("HOME") ? getenv("HOME") : "/root");
		path = def;
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		cr_skip_test("no Debian kernel at %s (tests/linux/fetch.sh fetches it)", path);
	static uint8_t buf[64 * MiB];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	struct vm_config cfg = {.mem_size = 256 * MiB, .cpus = 2, .cmdline = "console=ttyS0"};
	struct boot_info info = {0};
	cr_assert_eq(load(buf, n, &cfg, &info), 0, "%s", err);
	cr_assert_eq(info.bsp.mode, BOOT_LONG64);
}
