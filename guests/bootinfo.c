/* guests/bootinfo: prints what the boot protocol handed over, one fact a
 * line, so the tests can hold cove's loader to the PVH contract: the start
 * info, its modules (cove's FDT last, string "cove-fdt"), the FDT's
 * /chosen bootargs, CPUs and every device node. */
#include <libfdt.h>

#include "rt.h"

static uint64_t cells2(const fdt32_t *p)
{
	return ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
}

int main(void)
{
	const struct hvm_start_info *si = rt_start_info();
	if (!si) {
		rt_printf("bootinfo: no start info (bad magic)\n");
		return 1;
	}
	rt_printf("bootinfo: start info version %u modules %u memmap %u\n", si->version, si->nr_modules,
		  si->memmap_entries);
	const struct hvm_modlist_entry *m = (const void *)(uintptr_t)si->modlist_paddr;
	for (uint32_t i = 0; m && i < si->nr_modules; i++) {
		const char *s = m[i].cmdline_paddr ? (const char *)(uintptr_t)m[i].cmdline_paddr : "";
		rt_printf("bootinfo: module %u \"%s\" %lu bytes\n", i, s, m[i].size);
	}
	const void *fdt = rt_fdt();
	if (!fdt) {
		rt_printf("bootinfo: no fdt\n");
		return 0;
	}
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *bootargs = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
	rt_printf("bootinfo: fdt bootargs \"%s\" cpus %u\n", bootargs ? bootargs : "(none)", rt_cpu_count());
	for (int node = fdt_first_subnode(fdt, 0); node >= 0; node = fdt_next_subnode(fdt, node)) {
		int len;
		const char *compat = fdt_getprop(fdt, node, "compatible", &len);
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		if (!compat || !reg || len < 16)
			continue;
		const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", NULL);
		bool pio = fdt_getprop(fdt, node, "cove,pio", NULL) != NULL;
		rt_printf("bootinfo: device %s %s 0x%lx+0x%lx irq %d\n", compat, pio ? "pio" : "mmio", cells2(reg),
			  cells2(reg + 2), irq ? (int)fdt32_to_cpu(irq[0]) : -1);
	}
	return 0;
}
