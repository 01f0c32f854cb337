/* vmm: the flattened device tree for unikernel guests (devicetree
 * specification v0.4, built with libfdt's sequential-write API).
 *
 * How a guest finds it: cove passes the FDT as the LAST module of the boot
 * protocol's module list (PVH hvm_start_info modlist, multiboot v1 mods),
 * and that module's command-line string is "cove-fdt". It is placed at
 * BOOT_FDT_GPA when it fits in BOOT_FDT_MAX bytes (it does unless the
 * command line is very long), else page aligned after the other modules.
 *
 * What it holds:
 *   /                 #address-cells = <2>, #size-cells = <2>, compatible = "cove,vm"
 *   /chosen           bootargs = the kernel command line
 *   /memory@ADDR      device_type = "memory", reg = <addr size>, one per RAM range
 *                     of the memory map (the same ranges as the e820/memmap)
 *   /cpus/cpu@N       device_type = "cpu", reg = <N>, one per vCPU
 *   /NAME@BASE        one per bus range with an fdt_compatible: compatible,
 *                     reg = <base size>, interrupts = <gsi> when it has one,
 *                     and the empty property "cove,pio" when reg is a range
 *                     of I/O ports rather than physical addresses.
 */
#include "vmm/fdt.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fdt_walk {
	void *fdt;
	int err; /* the first libfdt error */
};

static void fdt_walk_dev(const struct bus_entry *e, void *arg)
{
	struct fdt_walk *w = arg;
	char name[64];
	uint64_t reg[2];

	if (w->err || !e->info.fdt_compatible)
		return;
	snprintf(name, sizeof(name), "%s@%llx", e->info.name ? e->info.name : "device",
		 (unsigned long long)e->base);
	reg[0] = cpu_to_fdt64(e->base);
	reg[1] = cpu_to_fdt64(e->len);
	w->err = fdt_begin_node(w->fdt, name);
	if (!w->err)
		w->err = fdt_property_string(w->fdt, "compatible", e->info.fdt_compatible);
	if (!w->err)
		w->err = fdt_property(w->fdt, "reg", reg, sizeof(reg));
	if (!w->err && e->info.irq >= 0)
		w->err = fdt_property_u32(w->fdt, "interrupts", (uint32_t)e->info.irq);
	if (!w->err && e->space == BUS_PIO)
		w->err = fdt_property(w->fdt, "cove,pio", NULL, 0);
	if (!w->err)
		w->err = fdt_end_node(w->fdt);
}

/* The tree itself; returns 0 or a libfdt error. */
static int fdt_emit(void *fdt, const struct vmfdt_params *p)
{
	char name[64];
	int r;

	/* Sequential-write calls; the first failure ends the build. */
#define TRY(call)                                                                                            \
	do {                                                                                                 \
		r = (call);                                                                                  \
		if (r)                                                                                       \
			return r;                                                                            \
	} while (0)

	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "cove,vm"));
	TRY(fdt_property_string(fdt, "model", "cove"));

	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(fdt_property_string(fdt, "bootargs", p->cmdline ? p->cmdline : ""));
	TRY(fdt_end_node(fdt));

	for (unsigned i = 0; i < p->nmap; i++) {
		uint64_t reg[2];

		if (p->map[i].type != LOAD_E820_RAM)
			continue;
		snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)p->map[i].addr);
		reg[0] = cpu_to_fdt64(p->map[i].addr);
		reg[1] = cpu_to_fdt64(p->map[i].size);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "memory"));
		TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
		TRY(fdt_end_node(fdt));
	}

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned i = 0; i < p->ncpus; i++) {
		snprintf(name, sizeof(name), "cpu@%x", i);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_u32(fdt, "reg", i));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));

	if (p->bus) {
		struct fdt_walk w = {.fdt = fdt, .err = 0};

		bus_foreach(p->bus, fdt_walk_dev, &w);
		if (w.err)
			return w.err;
	}

	TRY(fdt_end_node(fdt));
	TRY(fdt_finish(fdt));
#undef TRY
	return 0;
}

long vmfdt_build(void *buf, size_t len, const struct vmfdt_params *p)
{
	int r;

	if (!buf || !p || (p->nmap && !p->map))
		return -EINVAL;
	/* libfdt sizes are ints; a device tree is never near that. */
	if (len > (size_t)INT32_MAX)
		len = INT32_MAX;
	r = fdt_create(buf, (int)len);
	if (!r)
		r = fdt_emit(buf, p);
	if (r == -FDT_ERR_NOSPACE)
		return -ENOSPC;
	if (r)
		return -EINVAL;
	return (long)fdt_totalsize(buf);
}

int vmfdt_install(struct mem_map *m, const struct vmfdt_params *p, uint64_t gpa, uint64_t max, uint64_t *size)
{
	/* Built in host memory first so only the pages the blob needs are
	 * touched in guest RAM (fdt_create clears its whole buffer). Start
	 * small: most trees are well under 4 KiB. */
	size_t cap = 4096;
	void *buf = NULL;
	long n;

	for (;;) {
		void *nb = realloc(buf, cap);

		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		n = vmfdt_build(buf, cap > max ? (size_t)max : cap, p);
		if (n != -ENOSPC || cap >= max)
			break;
		cap *= 2;
	}
	if (n >= 0 && mem_write(m, gpa, buf, (size_t)n) < 0)
		n = -EFAULT;
	free(buf);
	if (n < 0)
		return (int)n;
	*size = (uint64_t)n;
	return 0;
}
