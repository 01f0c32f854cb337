/* Unit tests for the device tree builder (vmm/fdt.c): a tree built for a
 * known bus and memory map is read back with libfdt, node by node. */
#include <criterion/criterion.h>
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "devices/bus.h"
#include "mem/mem.h"
#include "vmm/boot.h"
#include "vmm/fdt.h"

static void dev_read(void *o, uint64_t off, void *d, unsigned l)
{
	(void)o, (void)off;
	memset(d, 0, l);
}
static void dev_write(void *o, uint64_t off, const void *d, unsigned l)
{
	(void)o, (void)off, (void)d, (void)l;
}
static const struct bus_ops ops = {dev_read, dev_write};

static struct bus *bus;
static uint8_t buf[16384];
static const struct load_range map[] = {
    {0, 0xa0000, LOAD_E820_RAM},
    {0xa0000, 0x60000, LOAD_E820_RESERVED},
    {0x100000, 0xbff00000, LOAD_E820_RAM},
    {MEM_HOLE_START, MEM_HOLE_END - MEM_HOLE_START, LOAD_E820_RESERVED},
    {0x100000000ULL, 0x40000000, LOAD_E820_RAM},
};

static void setup(void)
{
	struct bus_dev_info uart = {.name = "serial", .fdt_compatible = "ns16550a", .irq = 4};
	struct bus_dev_info power = {.name = "power", .fdt_compatible = "cove,power", .irq = -1};
	struct bus_dev_info vio = {.name = "virtio_mmio", .fdt_compatible = "virtio,mmio", .irq = 5};
	struct bus_dev_info hidden = {.name = "cmos", .fdt_compatible = NULL, .irq = 8};

	bus = bus_new();
	cr_assert_not_null(bus);
	cr_assert_eq(bus_register(bus, BUS_PIO, 0x3f8, 8, &ops, NULL, &uart), 0);
	cr_assert_eq(bus_register(bus, BUS_PIO, 0x600, 3, &ops, NULL, &power), 0);
	cr_assert_eq(bus_register(bus, BUS_PIO, 0x70, 2, &ops, NULL, &hidden), 0);
	cr_assert_eq(bus_register(bus, BUS_MMIO, 0xd0000000, 0x1000, &ops, NULL, &vio), 0);
}

static void teardown(void)
{
	bus_free(bus);
}

TestSuite(fdt, .init = setup, .fini = teardown);

static uint64_t be64_at(const void *p, int idx)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)p + 8 * idx, 8);
	return fdt64_to_cpu(v);
}

static void assert_reg(const void *fdt, const char *path, uint64_t base, uint64_t size)
{
	int len = 0, off = fdt_path_offset(fdt, path);
	const void *reg;

	cr_assert_geq(off, 0, "node %s exists", path);
	reg = fdt_getprop(fdt, off, "reg", &len);
	cr_assert_not_null(reg, "%s has reg", path);
	cr_assert_eq(len, 16, "%s reg is <2 cells base, 2 cells size>", path);
	cr_assert_eq(be64_at(reg, 0), base, "%s base", path);
	cr_assert_eq(be64_at(reg, 1), size, "%s size", path);
}

static uint32_t u32_prop(const void *fdt, const char *path, const char *name)
{
	int len = 0;
	const fdt32_t *p = fdt_getprop(fdt, fdt_path_offset(fdt, path), name, &len);

	cr_assert_not_null(p, "%s has %s", path, name);
	cr_assert_eq(len, 4);
	return fdt32_to_cpu(*p);
}

Test(fdt, tree_describes_root_chosen_memory_cpus_and_every_compatible_device)
{
	struct vmfdt_params p = {.cmdline = "root=none x=1", .map = map, .nmap = 5, .ncpus = 3, .bus = bus};
	long n = vmfdt_build(buf, sizeof(buf), &p);
	int len;

	cr_assert_gt(n, 0, "build: %ld", n);
	cr_assert_eq(fdt_check_header(buf), 0);
	cr_assert_eq(fdt_totalsize(buf), (uint32_t)n);

	cr_assert_eq(u32_prop(buf, "/", "#address-cells"), 2);
	cr_assert_eq(u32_prop(buf, "/", "#size-cells"), 2);
	cr_assert_str_eq(fdt_getprop(buf, 0, "compatible", NULL), "cove,vm");
	cr_assert_str_eq(fdt_getprop(buf, fdt_path_offset(buf, "/chosen"), "bootargs", NULL),
			 "root=none x=1");

	assert_reg(buf, "/memory@0", 0, 0xa0000);
	assert_reg(buf, "/memory@100000", 0x100000, 0xbff00000);
	assert_reg(buf, "/memory@100000000", 0x100000000ULL, 0x40000000);
	cr_assert_lt(fdt_path_offset(buf, "/memory@a0000"), 0, "reserved ranges are not memory");
	cr_assert_str_eq(fdt_getprop(buf, fdt_path_offset(buf, "/memory@0"), "device_type", NULL), "memory");

	for (unsigned i = 0; i < 3; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
		cr_assert_eq(u32_prop(buf, path, "reg"), i);
		cr_assert_str_eq(fdt_getprop(buf, fdt_path_offset(buf, path), "device_type", NULL), "cpu");
	}
	cr_assert_lt(fdt_path_offset(buf, "/cpus/cpu@3"), 0, "exactly ncpus cpus");

	assert_reg(buf, "/serial@3f8", 0x3f8, 8);
	cr_assert_str_eq(fdt_getprop(buf, fdt_path_offset(buf, "/serial@3f8"), "compatible", NULL),
			 "ns16550a");
	cr_assert_eq(u32_prop(buf, "/serial@3f8", "interrupts"), 4);
	cr_assert_not_null(fdt_getprop(buf, fdt_path_offset(buf, "/serial@3f8"), "cove,pio", &len));
	cr_assert_eq(len, 0, "cove,pio is empty");

	assert_reg(buf, "/power@600", 0x600, 3);
	cr_assert_str_eq(fdt_getprop(buf, fdt_path_offset(buf, "/power@600"), "compatible", NULL),
			 "cove,power");
	cr_assert_null(fdt_getprop(buf, fdt_path_offset(buf, "/power@600"), "interrupts", NULL),
		       "irq -1: none");

	assert_reg(buf, "/virtio_mmio@d0000000", 0xd0000000, 0x1000);
	cr_assert_eq(u32_prop(buf, "/virtio_mmio@d0000000", "interrupts"), 5);
	cr_assert_null(fdt_getprop(buf, fdt_path_offset(buf, "/virtio_mmio@d0000000"), "cove,pio", NULL),
		       "MMIO ranges are not ports");

	cr_assert_lt(fdt_path_offset(buf, "/cmos@70"), 0, "no compatible: no node");
}

Test(fdt, empty_command_line_and_no_bus_still_give_a_valid_tree)
{
	struct vmfdt_params p = {.cmdline = NULL, .map = map, .nmap = 1, .ncpus = 1, .bus = NULL};
	long n = vmfdt_build(buf, sizeof(buf), &p);

	cr_assert_gt(n, 0);
	cr_assert_str_eq(fdt_getprop(buf, fdt_path_offset(buf, "/chosen"), "bootargs", NULL), "");
	cr_assert_geq(fdt_path_offset(buf, "/cpus/cpu@0"), 0);
}

Test(fdt, too_small_buffer_is_a_clean_enospc_at_every_size)
{
	struct vmfdt_params p = {.cmdline = "a b c", .map = map, .nmap = 5, .ncpus = 2, .bus = bus};
	long full = vmfdt_build(buf, sizeof(buf), &p);

	cr_assert_gt(full, 0);
	for (long len = 0; len < full; len++) {
		uint8_t *small = malloc(len ? (size_t)len : 1);

		cr_assert_eq(vmfdt_build(small, (size_t)len, &p), -ENOSPC, "buffer of %ld bytes", len);
		free(small);
	}
	cr_assert_eq(vmfdt_build(buf, (size_t)full, &p), full, "exactly enough is enough");
}

Test(fdt, install_writes_the_blob_into_guest_memory_and_refuses_a_small_limit)
{
	struct mem_map m;
	struct vmfdt_params p = {.cmdline = "in guest", .map = map, .nmap = 5, .ncpus = 1, .bus = bus};
	uint64_t size = 0;

	cr_assert_eq(mem_init(&m, 16 << 20), 0);
	cr_assert_eq(vmfdt_install(&m, &p, BOOT_FDT_GPA, BOOT_FDT_MAX, &size), 0);
	const void *fdt = mem_gpa_to_hva(&m, BOOT_FDT_GPA, size, false);
	cr_assert_not_null(fdt);
	cr_assert_eq(fdt_check_header(fdt), 0);
	cr_assert_eq(fdt_totalsize(fdt), size);
	cr_assert_str_eq(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "bootargs", NULL), "in guest");
	cr_assert_eq(vmfdt_install(&m, &p, BOOT_FDT_GPA, 64, &size), -ENOSPC);
	cr_assert_eq(vmfdt_install(&m, &p, (16 << 20) - 16, BOOT_FDT_MAX, &size), -EFAULT,
		     "a tree that would leave RAM is refused");
	mem_destroy(&m);
}
