/* vmm: the PVH boot protocol (Xen's docs/misc/pvh.pandoc and
 * public/arch-x86/hvm/start_info.h, version 1): an ELF with a
 * XEN_ELFNOTE_PHYS32_ENTRY note, entered in flat 32-bit protected mode with
 * EBX = struct hvm_start_info. The FDT is the last module ("cove-fdt").
 * ACPI tables are there too (rsdp_paddr), for kernels that boot through
 * PVH and learn the machine from ACPI, as Linux's vmlinux does. */
#include <errno.h>

#include "vmm/acpi.h"
#include "vmm/load_internal.h"

#define HVM_START_MAGIC	  0x336ec578u
#define HVM_START_VERSION 1u

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(LOAD_MODLIST_GPA + LOAD_MAX_MODULES * sizeof(struct hvm_modlist_entry) <= LOAD_MEMMAP_GPA,
	       "modlist fits below the memmap");
_Static_assert(LOAD_MEMMAP_GPA + LOAD_MAX_MEMMAP * sizeof(struct hvm_memmap_table_entry) <= LOAD_STRINGS_GPA,
	       "memmap fits below the strings");

static bool entry_in_segment(const struct elf_image *elf, uint64_t entry)
{
	for (unsigned i = 0; i < elf->nseg; i++)
		if (entry >= elf->seg[i].paddr && entry - elf->seg[i].paddr < elf->seg[i].memsz)
			return true;
	return false;
}

int load_pvh(const struct vm_config *cfg, struct mem_map *m, struct bus *bus, const struct load_image *img,
	     const struct elf_image *elf, struct boot_info *info, char *err, size_t errlen)
{
	struct load_module mods[LOAD_MAX_MODULES];
	struct hvm_modlist_entry ml[LOAD_MAX_MODULES];
	struct load_range map[LOAD_MAX_MEMMAP];
	struct hvm_memmap_table_entry mm[LOAD_MAX_MEMMAP];
	struct hvm_start_info si = {0};
	uint64_t top, cmdline;
	unsigned nmap;
	int r, nmods;

	r = elf_load(img, elf, m, &top, err, errlen);
	if (r < 0)
		return r;
	if (!entry_in_segment(elf, elf->pvh_entry))
		return load_err(err, errlen, img, -ENOEXEC, "PVH entry 0x%llx is not inside a loaded segment",
				(unsigned long long)elf->pvh_entry);
	nmods = load_modules(cfg, m, bus, top, mods, &cmdline, err, errlen);
	if (nmods < 0)
		return nmods;
	/* Linux's x86 COMMAND_LINE_SIZE. */
	if (elf->is_linux && (r = load_cmdline_append(m, info->linux_extra, 2048, img, err, errlen)) < 0)
		return r;

	for (int i = 0; i < nmods; i++)
		ml[i] = (struct hvm_modlist_entry){mods[i].gpa, mods[i].size, mods[i].cmdline_gpa, 0};
	nmap = load_memmap(m, map, LOAD_MAX_MEMMAP);
	for (unsigned i = 0; i < nmap; i++)
		mm[i] = (struct hvm_memmap_table_entry){map[i].addr, map[i].size, map[i].type, 0};

	si.magic = HVM_START_MAGIC;
	si.version = HVM_START_VERSION;
	si.nr_modules = (uint32_t)nmods;
	si.modlist_paddr = LOAD_MODLIST_GPA;
	si.cmdline_paddr = cmdline;
	/* Best effort: a unikernel in too little RAM for the tables still
	 * boots, with rsdp_paddr 0 and its FDT. */
	struct acpi_config acfg = {cfg->cpus ? cfg->cpus : 1, false};
	if (acpi_install(m, bus, &acfg, &si.rsdp_paddr) < 0)
		si.rsdp_paddr = 0;
	boot_install_reset_stub(m); /* best effort too: below 1 MiB of RAM there is none */
	si.memmap_paddr = LOAD_MEMMAP_GPA;
	si.memmap_entries = nmap;
	if (mem_write(m, LOAD_MODLIST_GPA, ml, (size_t)nmods * sizeof(ml[0])) < 0 ||
	    mem_write(m, LOAD_MEMMAP_GPA, mm, nmap * sizeof(mm[0])) < 0 ||
	    mem_write(m, BOOT_START_INFO_GPA, &si, sizeof(si)) < 0)
		return load_err(err, errlen, img, -ENOSPC,
				"guest RAM (%llu KiB) has no room for the start info",
				(unsigned long long)(m->ram_size >> 10));

	info->bsp = (struct boot_cpu){
	    .mode = BOOT_FLAT32,
	    .rip = elf->pvh_entry,
	    .rbx = BOOT_START_INFO_GPA,
	    .rflags = 0x2,
	};
	info->legacy_pc = false;
	info->kind = "pvh";
	return 0;
}
