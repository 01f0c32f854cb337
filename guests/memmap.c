/* guests/memmap: the PVH memory map and the FDT memory nodes must describe
 * the same RAM, match "expect_mem=SIZE" from the command line, and RAM must
 * be usable up to its last byte below the top. Prints the map and a verdict
 * line; exits 0 (power off) when it holds, debug-exit code 3 (status 7)
 * when it does not. */
#include <libfdt.h>

#include "rt.h"

#define MEMMAP_EXIT_BAD 3
#define PROBE_PATTERN 0x5aa5c33c0ff0e11eULL

static uint64_t fdt_cells(const fdt32_t *p)
{
	return ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
}

/* Sum of the FDT memory nodes' reg sizes, printing each; -1 without FDT. */
static int64_t fdt_ram(uint64_t *top)
{
	const void *fdt = rt_fdt();
	if (!fdt)
		return -1;
	uint64_t total = 0;
	for (int node = fdt_first_subnode(fdt, 0); node >= 0; node = fdt_next_subnode(fdt, node)) {
		int len;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		if (!type || strcmp(type, "memory"))
			continue;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		for (int i = 0; reg && i + 16 <= len; i += 16) {
			uint64_t a = fdt_cells(reg + i / 4), s = fdt_cells(reg + i / 4 + 2);
			rt_printf("memmap: fdt %s 0x%lx-0x%lx\n", fdt_get_name(fdt, node, NULL), a, a + s - 1);
			total += s;
			if (a + s > *top)
				*top = a + s;
		}
	}
	return (int64_t)total;
}

/* Writes and reads back the last 8 bytes of the page below top. */
static bool probe(uint64_t top)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)(top - sizeof(uint64_t));
	uint64_t old = *p;
	*p = PROBE_PATTERN;
	bool ok = *p == PROBE_PATTERN;
	*p = ~PROBE_PATTERN;
	ok = ok && *p == ~PROBE_PATTERN;
	*p = old;
	return ok;
}

int main(void)
{
	uint64_t addr, size, e820_total = 0, e820_top = 0, fdt_top = 0;
	uint32_t type;
	bool ok = true;
	for (unsigned i = 0; !rt_memmap(i, &addr, &size, &type); i++) {
		if (size == 0) /* QEMU ends its map with an empty entry */
			continue;
		rt_printf("memmap: e820 0x%lx-0x%lx type %u\n", addr, addr + size - 1, type);
		if (type != HVM_MEMMAP_TYPE_RAM)
			continue;
		e820_total += size;
		if (addr + size > e820_top)
			e820_top = addr + size;
	}
	int64_t fdt_total = fdt_ram(&fdt_top);
	/* The PVH map hides the legacy holes (VGA, BIOS) that the FDT need not:
	 * they must agree on the top and to within 1 MiB on the total. */
	if (fdt_total >= 0) {
		uint64_t diff = (uint64_t)fdt_total > e820_total ? (uint64_t)fdt_total - e820_total
								 : e820_total - (uint64_t)fdt_total;
		if (fdt_top != e820_top || diff >= (1ULL << 20)) {
			rt_printf("memmap: e820 has 0x%lx bytes up to 0x%lx, fdt 0x%lx up to 0x%lx\n", e820_total,
				  e820_top, (uint64_t)fdt_total, fdt_top);
			ok = false;
		}
	}
	uint64_t expect;
	const char *arg = rt_getarg("expect_mem");
	if (arg) {
		if (rt_parse_u64(arg, &expect)) {
			rt_printf("memmap: bad expect_mem=%s\n", arg);
			ok = false;
		} else if (e820_total > expect || expect - e820_total >= (1ULL << 20)) {
			rt_printf("memmap: expected %lu MiB, e820 has %lu KiB\n", expect >> 20, e820_total >> 10);
			ok = false;
		}
	}
	if (!e820_top) {
		rt_printf("memmap: no RAM in the memory map\n");
		ok = false;
	} else if (e820_top > (1ULL << 32) && rt_map_high(e820_top)) {
		rt_printf("memmap: cannot map RAM up to 0x%lx\n", e820_top);
		ok = false;
	} else {
		bool usable = probe(e820_top);
		rt_printf("memmap: last page 0x%lx %s\n", e820_top - RT_PAGE_SIZE, usable ? "usable" : "NOT usable");
		ok = ok && usable;
	}
	rt_printf("memmap: %lu MiB %s\n", (e820_total + (1 << 20) - 1) >> 20, ok ? "ok" : "BAD");
	return ok ? 0 : MEMMAP_EXIT_BAD;
}
