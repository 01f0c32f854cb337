/* vmm: the flattened device tree cove gives unikernel guests (PVH and
 * multiboot). See the top of vmm/fdt.c for what it holds and how a guest
 * finds it. */
#ifndef COVE_VMM_FDT_H
#define COVE_VMM_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"
#include "mem/mem.h"
#include "vmm/load_internal.h"

struct vmfdt_params {
	const char *cmdline;	      /* /chosen bootargs; NULL: empty */
	const struct load_range *map; /* memory map; its LOAD_E820_RAM entries become /memory nodes */
	unsigned nmap;
	unsigned ncpus;
	struct bus *bus; /* every range with fdt_compatible gets a node; may be NULL */
};

/* Builds the tree into buf (len bytes). Returns its size in bytes, or
 * -ENOSPC when it does not fit, -EINVAL on bad parameters. */
long vmfdt_build(void *buf, size_t len, const struct vmfdt_params *p);
/* vmfdt_build into guest memory at gpa, at most max bytes; *size gets the
 * blob's size. 0 or -errno (-ENOSPC: larger than max). */
int vmfdt_install(struct mem_map *m, const struct vmfdt_params *p, uint64_t gpa, uint64_t max,
		  uint64_t *size);

#endif
