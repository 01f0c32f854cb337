/* vmm: what the boot loaders share with each other (boot.c, load_*.c,
 * fdt.c). Not a public interface: the rest of cove uses vmm/boot.h. */
#ifndef COVE_VMM_LOAD_INTERNAL_H
#define COVE_VMM_LOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"
#include "mem/mem.h"
#include "vmm/boot.h"
#include "vmm/vmm.h"

/* Overflow-checked arithmetic on image and guest values (solo5's
 * add_overflow discipline): true when the result does not fit. */
#define add_overflow(a, b, res) __builtin_add_overflow(a, b, res)
#define mul_overflow(a, b, res) __builtin_mul_overflow(a, b, res)

/* The image being loaded: the whole file in host memory. */
struct load_image {
	const uint8_t *buf;
	size_t len;
	const char *what; /* "kernel", "raw image" or "built-in hello" */
	const char *name; /* the path, or "hello" for the built-in guest */
};

/* Formats "what 'name': <fmt>" into err and returns ret (a -errno). */
int load_err(char *err, size_t errlen, const struct load_image *img, int ret, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Legacy PC hole below 1 MiB: VGA memory, option ROMs, the BIOS (and cove's
 * ACPI tables at 0xe0000). Reserved in every memory map, never loaded into. */
#define LOAD_LEGACY_HOLE_START 0xa0000ULL
#define LOAD_LEGACY_HOLE_END   0x100000ULL

/* The boot data page at BOOT_START_INFO_GPA: start info (PVH) or multiboot
 * info at its base, then the module list, the memory map and the module
 * strings, all ending below the boot-sector address 0x7c00. */
#define LOAD_MODLIST_GPA (BOOT_START_INFO_GPA + 0x100)
#define LOAD_MEMMAP_GPA	 (BOOT_START_INFO_GPA + 0x400)
#define LOAD_STRINGS_GPA (BOOT_START_INFO_GPA + 0x800)
#define LOAD_STRINGS_END 0x7c00ULL
#define LOAD_MAX_MEMMAP	 32
/* initrd, every --module, and the FDT. */
#define LOAD_MAX_MODULES (VM_MAX_MODULES + 2)
#define LOAD_FDT_CMDLINE BOOT_FDT_MODULE_CMDLINE

/* Areas the loaders themselves write; a kernel segment must stay clear. */
struct load_area {
	uint64_t start, end;
	const char *what;
};
extern const struct load_area load_boot_areas[];
extern const unsigned load_nboot_areas;

/* e820 types, as hvm_memmap_table_entry and multiboot use them. */
#define LOAD_E820_RAM	   1
#define LOAD_E820_RESERVED 2

struct load_range {
	uint64_t addr, size;
	uint32_t type;
};

/* The guest's memory map, sorted: RAM from m's RAM regions without the
 * legacy hole, the legacy hole and the MMIO hole reserved. Returns the
 * number of entries (<= max). */
unsigned load_memmap(const struct mem_map *m, struct load_range *out, unsigned max);

/* One parsed ELF image; every offset and size already checked against the
 * buffer. */
#define ELF_MAX_SEGS 16
struct elf_seg {
	uint64_t offset, paddr, vaddr, filesz, memsz;
};
struct elf_image {
	bool is64;
	uint64_t entry;			  /* e_entry */
	struct elf_seg seg[ELF_MAX_SEGS]; /* PT_LOAD with memsz > 0, sorted by paddr */
	unsigned nseg;
	bool has_pvh;
	uint64_t pvh_entry; /* XEN_ELFNOTE_PHYS32_ENTRY */
	bool is_linux;	    /* XEN_ELFNOTE_GUEST_OS says "linux": Linux's vmlinux */
};

bool elf_is_elf(const uint8_t *buf, size_t len);
/* Parses headers, program headers and notes. 0 or -ENOEXEC (bad or
 * truncated), with the reason in err. */
int elf_parse(const struct load_image *img, struct elf_image *elf, char *err, size_t errlen);
/* Checks every segment (RAM, holes, overlap, cove's boot areas) and copies
 * it into guest memory. *top gets the end of the highest segment. */
int elf_load(const struct load_image *img, const struct elf_image *elf, struct mem_map *m, uint64_t *top,
	     char *err, size_t errlen);
/* Checks that [gpa, gpa + len) is loadable: inside one RAM region, not in a
 * hole, clear of cove's boot areas. what names it in the error. */
int load_check_range(const struct load_image *img, const struct mem_map *m, uint64_t gpa, uint64_t len,
		     const char *what, char *err, size_t errlen);

/* A module handed to the guest (initrd, --module, FDT). */
struct load_module {
	uint64_t gpa, size;
	uint64_t cmdline_gpa; /* its string in guest memory, 0 for none */
};

/* Reads the initrd and modules into guest RAM, page aligned from *top up
 * (below the hole), then the FDT, last, with string "cove-fdt". Writes the
 * kernel command line at BOOT_CMDLINE_GPA (*cmdline_gpa). Returns the
 * number of modules in mods, or -errno with err set. */
int load_modules(const struct vm_config *cfg, struct mem_map *m, struct bus *bus, uint64_t top,
		 struct load_module *mods, uint64_t *cmdline_gpa, char *err, size_t errlen);
/* Appends " extra" to the command line load_modules wrote, if extra is
 * non-NULL and the whole still fits in max bytes (the kernel's limit). */
int load_cmdline_append(struct mem_map *m, const char *extra, size_t max, const struct load_image *img, char *err,
			size_t errlen);

/* boot_load() after the file is read: cfg->raw set means a raw image,
 * otherwise the protocol is picked from img's contents. */
int boot_load_image(const struct vm_config *cfg, struct mem_map *m, struct bus *bus,
		    const struct load_image *img, struct boot_info *info, char *err, size_t errlen);

/* The loaders; img is the whole image. */
int load_raw(const struct vm_config *cfg, struct mem_map *m, const struct load_image *img,
	     struct boot_info *info, char *err, size_t errlen);
int load_pvh(const struct vm_config *cfg, struct mem_map *m, struct bus *bus, const struct load_image *img,
	     const struct elf_image *elf, struct boot_info *info, char *err, size_t errlen);
/* mb_off: the multiboot header's offset in the image. elf is NULL when the
 * image is not a valid ELF (then the a.out kludge must be used). */
int load_multiboot(const struct vm_config *cfg, struct mem_map *m, struct bus *bus,
		   const struct load_image *img, size_t mb_off, const struct elf_image *elf,
		   struct boot_info *info, char *err, size_t errlen);
/* The offset of a valid multiboot v1 header in the first 8 KiB, or -1. */
long multiboot_find(const uint8_t *buf, size_t len);

#endif
