/* Unit tests for the guest runtime's parsing and formatting (guests/rt/rt.c),
 * run on the host: the file is included whole so its boot-time state (start
 * info, FDT, command line, heap) can be set up from here. Nothing here does
 * port I/O. */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>

uint64_t rt_start_info_paddr;
uint64_t rt_pdpt[512];
#define main rt_guest_main_unused
int main(void);
#include "guests/rt/rt.c"
#undef main
int rt_guest_main_unused(void)
{
	return 0;
}

static char *fmt(const char *f, ...)
{
	static char buf[128];
	va_list ap;
	va_start(ap, f);
	rt_vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	return buf;
}

Test(rt_printf, formats_each_conversion)
{
	cr_assert_str_eq(fmt("%s|%d|%u|%x|%c|%%", "ab", -42, 42u, 0xbeefu, 'z'), "ab|-42|42|beef|z|%");
	cr_assert_str_eq(fmt("%lx %lu %ld", 0x123456789abcUL, 18446744073709551615UL, -9000000000L),
			 "123456789abc 18446744073709551615 -9000000000");
	cr_assert_str_eq(fmt("%p", (void *)0x1000), "0x1000");
	cr_assert_str_eq(fmt("%s", (char *)NULL), "(null)");
}

Test(rt_printf, pads_to_width_with_spaces_or_zeros)
{
	cr_assert_str_eq(fmt("[%5d][%05d][%08x][%3s]", 42, -42, 0xabcu, "x"), "[   42][-0042][00000abc][  x]");
	cr_assert_str_eq(fmt("%d", (int)-2147483647 - 1), "-2147483648");
	cr_assert_str_eq(fmt("%ld", (long)INT64_MIN), "-9223372036854775808");
}

Test(rt_printf, truncates_but_returns_the_full_length)
{
	char small[6];
	int n = rt_snprintf(small, sizeof(small), "hello world %d", 7);
	cr_assert_eq(n, 13);
	cr_assert_str_eq(small, "hello");
	cr_assert_eq(rt_snprintf(NULL, 0, "%s", "abc"), 3);
}

Test(rt_printf, keeps_unknown_conversions_and_a_trailing_percent)
{
	cr_assert_str_eq(fmt("%q %"), "%q ");
}

Test(rt_args, finds_values_bare_keys_and_misses)
{
	cmdline_set("  expect_mem=64M  spin cpus=2 key=a=b");
	cr_assert_str_eq(rt_cmdline(), "  expect_mem=64M  spin cpus=2 key=a=b");
	cr_assert_str_eq(rt_getarg("expect_mem"), "64M");
	cr_assert_str_eq(rt_getarg("spin"), "");
	cr_assert_str_eq(rt_getarg("key"), "a=b");
	cr_assert_null(rt_getarg("expect"), "a prefix of a key is not the key");
	cr_assert_null(rt_getarg("sp"));
	cr_assert_null(rt_getarg("absent"));
	cr_assert_eq(rt_getarg_u64("cpus", 1), 2);
	cr_assert_eq(rt_getarg_u64("absent", 7), 7);
	cr_assert_eq(rt_getarg_u64("spin", 9), 9, "a bare key has no number");
}

Test(rt_args, empty_and_overlong_command_lines)
{
	cmdline_set("");
	cr_assert_str_eq(rt_cmdline(), "");
	cr_assert_null(rt_getarg("x"));
	char *big = malloc(4000);
	memset(big, 'a', 3999);
	big[3999] = '\0';
	memcpy(big + 3990, " z=1", 4);
	cmdline_set(big);
	cr_assert_eq(strlen(rt_cmdline()), CMDLINE_MAX - 1, "cut to the buffer");
	cr_assert_null(rt_getarg("z"), "a word past the cut is gone");
	free(big);
}

Test(rt_args, parses_sizes_and_rejects_junk)
{
	uint64_t v;
	cr_assert(!rt_parse_u64("64M", &v) && v == 64ULL << 20);
	cr_assert(!rt_parse_u64("1G", &v) && v == 1ULL << 30);
	cr_assert(!rt_parse_u64("4k", &v) && v == 4096);
	cr_assert(!rt_parse_u64("0xd0000000", &v) && v == 0xd0000000ULL);
	cr_assert(!rt_parse_u64("123", &v) && v == 123);
	cr_assert(rt_parse_u64("12Q", &v));
	cr_assert(rt_parse_u64("64MB", &v));
	cr_assert(rt_parse_u64("", &v));
	cr_assert(rt_parse_u64("-1", &v));
	cr_assert(rt_parse_u64(NULL, &v));
}

static struct hvm_memmap_entry map[4];
static struct hvm_start_info si;

static void memmap_setup(void)
{
	map[0] = (struct hvm_memmap_entry){0, 0x9fc00, 1, 0};
	map[1] = (struct hvm_memmap_entry){0x9fc00, 0x60400, 2, 0};
	map[2] = (struct hvm_memmap_entry){0x100000, 0x3f00000, 1, 0};
	map[3] = (struct hvm_memmap_entry){0xc0000000, 0x40000000, 2, 0};
	si = (struct hvm_start_info){.magic = HVM_START_MAGIC, .version = 1, .memmap_paddr = (uintptr_t)map,
				     .memmap_entries = 4};
	start_info = &si;
	fdt = NULL;
}

Test(rt_memmap, sums_ram_entries_only)
{
	memmap_setup();
	cr_assert_eq(rt_mem_size(), 0x9fc00 + 0x3f00000);
	uint64_t a, s;
	uint32_t t;
	cr_assert(!rt_memmap(3, &a, &s, &t) && a == 0xc0000000 && t == 2);
	cr_assert_eq(rt_memmap(4, &a, &s, &t), -1);
}

Test(rt_memmap, version_0_start_info_has_no_map)
{
	memmap_setup();
	si.version = 0;
	uint64_t a, s;
	uint32_t t;
	cr_assert_eq(rt_memmap(0, &a, &s, &t), -1);
	cr_assert_eq(rt_mem_size(), 0);
}

Test(rt_alloc, hands_out_zeroed_pages_until_ram_ends)
{
	static uint8_t pool[5 * 4096] __attribute__((aligned(4096)));
	memset(pool, 0xaa, sizeof(pool));
	heap_next = (uintptr_t)pool;
	heap_end = heap_next + 4 * 4096;
	uint8_t *a = rt_alloc_pages(3);
	cr_assert_eq(a, pool);
	for (size_t i = 0; i < 3 * 4096; i++)
		cr_assert_eq(a[i], 0, "byte %zu not zeroed", i);
	cr_assert_null(rt_alloc_pages(2), "only one page is left");
	cr_assert_eq(rt_alloc_pages(1), pool + 3 * 4096);
	cr_assert_null(rt_alloc_pages(1));
	cr_assert_null(rt_alloc_pages(0));
	cr_assert_null(rt_alloc_pages(SIZE_MAX / 2), "size overflow is refused");
	cr_assert_eq(pool[4 * 4096], 0xaa, "nothing past the end was touched");
}

Test(rt_alloc, map_high_adds_2m_pages_above_4g)
{
	static uint8_t pool[3 * 4096] __attribute__((aligned(4096)));
	heap_next = (uintptr_t)pool;
	heap_end = heap_next + sizeof(pool);
	memset(rt_pdpt, 0, sizeof(rt_pdpt));
	cr_assert_eq(rt_map_high(6ULL << 30), 0);
	cr_assert_eq(rt_pdpt[4], (uintptr_t)pool | 7);
	cr_assert_eq(rt_pdpt[5], (uintptr_t)(pool + 4096) | 7);
	cr_assert_eq(rt_pdpt[6], 0, "nothing mapped past the top");
	uint64_t *pd5 = (uint64_t *)(pool + 4096);
	cr_assert_eq(pd5[0], (5ULL << 30) | 0x87);
	cr_assert_eq(pd5[511], (5ULL << 30) + (511ULL << 21) + 0x87);
	cr_assert_eq(rt_map_high(6ULL << 30), 0, "mapped already: no new pages");
	cr_assert_eq(rt_map_high(8ULL << 30), -1, "one page left, two needed");
	cr_assert_eq(rt_map_high(600ULL << 30), -1, "beyond one PDPT");
}

/* An FDT as cove builds it (vmm/fdt.c's layout). */
static char blob[8192];

static void fdt_build(unsigned ncpus)
{
	cr_assert_eq(fdt_create(blob, sizeof(blob)), 0);
	fdt_finish_reservemap(blob);
	fdt_begin_node(blob, "");
	fdt_property_u32(blob, "#address-cells", 2);
	fdt_property_u32(blob, "#size-cells", 2);
	fdt_begin_node(blob, "chosen");
	fdt_property_string(blob, "bootargs", "from=fdt");
	fdt_end_node(blob);
	fdt_begin_node(blob, "memory@0");
	fdt_property_string(blob, "device_type", "memory");
	fdt32_t reg[] = {0, 0, 0, cpu_to_fdt32(0x9fc00), 0, cpu_to_fdt32(0x100000), 0, cpu_to_fdt32(0x3f00000)};
	fdt_property(blob, "reg", reg, sizeof(reg));
	fdt_end_node(blob);
	fdt_begin_node(blob, "cpus");
	for (unsigned i = 0; i < ncpus; i++) {
		char name[16];
		snprintf(name, sizeof(name), "cpu@%u", i);
		fdt_begin_node(blob, name);
		fdt_property_u32(blob, "reg", i * 2);
		fdt_end_node(blob);
	}
	fdt_end_node(blob);
	fdt_begin_node(blob, "uart@2f8");
	fdt_property_string(blob, "compatible", "ns16550a");
	fdt32_t ureg[] = {0, cpu_to_fdt32(0x2f8), 0, cpu_to_fdt32(8)};
	fdt_property(blob, "reg", ureg, sizeof(ureg));
	fdt_property_u32(blob, "interrupts", 3);
	fdt_property(blob, "cove,pio", NULL, 0);
	fdt_end_node(blob);
	for (unsigned i = 0; i < 2; i++) {
		char name[32];
		snprintf(name, sizeof(name), "virtio@%x", 0xd0000000u + i * 0x1000);
		fdt_begin_node(blob, name);
		fdt_property_string(blob, "compatible", "virtio,mmio");
		fdt32_t vreg[] = {0, cpu_to_fdt32(0xd0000000u + i * 0x1000), 0, cpu_to_fdt32(0x1000)};
		fdt_property(blob, "reg", vreg, sizeof(vreg));
		fdt_property_u32(blob, "interrupts", 5 + i);
		fdt_end_node(blob);
	}
	fdt_end_node(blob);
	cr_assert_eq(fdt_finish(blob), 0);
}

static struct hvm_modlist_entry mods[2];

static void boot_with_fdt(const char *last_name, uint64_t size)
{
	memmap_setup();
	mods[0] = (struct hvm_modlist_entry){.paddr = (uintptr_t)"x", .size = 1, .cmdline_paddr = (uintptr_t)"first"};
	mods[1] = (struct hvm_modlist_entry){.paddr = (uintptr_t)blob, .size = size, .cmdline_paddr = (uintptr_t)last_name};
	si.nr_modules = 2;
	si.modlist_paddr = (uintptr_t)mods;
	fdt = NULL;
	uart_port = UART_DEFAULT_PORT;
	fdt_init();
	devices_init();
}

Test(rt_fdt, found_as_the_last_module_and_read)
{
	fdt_build(3);
	boot_with_fdt("cove-fdt", sizeof(blob));
	cr_assert_eq(rt_fdt(), blob);
	cr_assert_eq(uart_port, 0x2f8, "the console port comes from the FDT");
	cr_assert_eq(rt_cpu_count(), 3);
	cr_assert_eq(rt_cpu_apic_id(2), 4);
	cr_assert_eq(fdt_mem_size(), 0x9fc00 + 0x3f00000);
	struct rt_device d;
	cr_assert(!rt_fdt_device("virtio,mmio", 1, &d));
	cr_assert(d.base == 0xd0001000 && d.size == 0x1000 && d.irq == 6 && !d.pio);
	cr_assert_eq(rt_fdt_device("virtio,mmio", 2, &d), -1);
	cr_assert(!rt_fdt_device("ns16550a", 0, &d) && d.pio && d.irq == 3);
	cr_assert_eq(rt_fdt_device("cove,power", 0, &d), -1);
}

Test(rt_fdt, cpu_count_is_every_cpu_node_past_the_runtime_limit)
{
	fdt_build(RT_MAX_CPUS + 6);
	boot_with_fdt("cove-fdt", sizeof(blob));
	cr_assert_eq(rt_cpu_count(), RT_MAX_CPUS + 6);
	cr_assert_eq(rt_cpu_apic_id(RT_MAX_CPUS + 5), (RT_MAX_CPUS + 5) * 2);
}

Test(rt_fdt, ignored_unless_named_cove_fdt_and_whole)
{
	fdt_build(1);
	boot_with_fdt("initrd", sizeof(blob));
	cr_assert_null(rt_fdt());
	boot_with_fdt("cove-fdt", 16);
	cr_assert_null(rt_fdt(), "a module shorter than the blob's own size");
	memset(blob, 0, 64);
	boot_with_fdt("cove-fdt", sizeof(blob));
	cr_assert_null(rt_fdt(), "no FDT magic");
	cr_assert_eq(uart_port, UART_DEFAULT_PORT);
}

Test(rt_fdt, cpu_count_falls_back_to_the_command_line)
{
	fdt = NULL;
	cmdline_set("cpus=4");
	cr_assert_eq(rt_cpu_count(), 4);
	cmdline_set("cpus=0");
	cr_assert_eq(rt_cpu_count(), 1);
	cmdline_set("cpus=70");
	cr_assert_eq(rt_cpu_count(), 70, "more than the runtime starts is still the count");
	cmdline_set("cpus=100000");
	cr_assert_eq(rt_cpu_count(), 1);
	cr_assert_eq(rt_cpu_apic_id(3), 3);
}
