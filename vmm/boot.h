/* vmm: the boot loaders' interface to the rest of vmm/. A loader reads the
 * image (from a file or the built-in hello), writes it and its boot
 * information (start info, e820, FDT, zero page, ACPI, page tables) into
 * guest memory and says how the boot vCPU starts. */
#ifndef COVE_VMM_BOOT_H
#define COVE_VMM_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"
#include "mem/mem.h"
#include "vmm/vmm.h"

enum boot_mode {
	BOOT_REAL16, /* real mode: cs:ip = seg:rip, ds = es = ss = ds below */
	BOOT_FLAT32, /* 32-bit protected mode, flat 4 GiB segments, no paging (PVH, multiboot) */
	BOOT_LONG64, /* 64-bit long mode with the loader's page tables at cr3 (bzImage) */
};

struct boot_cpu {
	enum boot_mode mode;
	uint64_t rip, rsp, rflags;
	uint64_t rax, rbx, rcx, rdx, rsi, rdi;
	uint16_t cs, ds; /* BOOT_REAL16 segment values */
	uint64_t cr3;    /* BOOT_LONG64 */
	uint64_t gdt_base; /* BOOT_LONG64/BOOT_FLAT32: a GDT the loader wrote, 0 for none */
	uint16_t gdt_limit;
};

struct boot_info {
	/* In: words vm.c adds to a Linux kernel's command line for this host
	 * (vm.c: VM_LINUX_HOST_ARGS), or NULL. */
	const char *linux_extra;
	/* Out: */
	struct boot_cpu bsp;
	bool legacy_pc;    /* real-mode or firmware guest: wants the PIC and PIT */
	const char *kind;  /* "pvh", "multiboot", "raw", "bzimage", for messages and --stats */
};

/* Where the loaders put what they write (below 1 MiB, away from 0x7c00). */
#define BOOT_START_INFO_GPA 0x6000ULL
#define BOOT_CMDLINE_GPA 0x20000ULL
#define BOOT_CMDLINE_MAX 0x10000ULL
#define BOOT_FDT_GPA 0x30000ULL
#define BOOT_FDT_MAX 0x10000ULL
/* PVH and multiboot guests get the FDT as the last module of the module
 * list, with this string (vmm/fdt.c). It is at BOOT_FDT_GPA unless a very
 * long command line makes it larger than BOOT_FDT_MAX. */
#define BOOT_FDT_MODULE_CMDLINE "cove-fdt"

/* The x86 reset vector, F000:FFF0 (physical 0xffff0, the top of the BIOS
 * area that every cove memory map reserves). Guests without firmware that
 * reset by jumping there (Linux's last-resort BIOS reboot: on a
 * hardware-reduced ACPI machine without EFI, Linux 6.x tries EFI and then
 * that, before the ACPI reset register or the i8042) find a stub that asks
 * cove's power device for the reset. */
#define BOOT_RESET_VECTOR_GPA 0xffff0ULL
int boot_install_reset_stub(struct mem_map *m);

/* Loads the image cfg names (cfg->raw, cfg->kernel, or the built-in hello
 * when both are NULL) into m and fills info. Devices are on bus already, so
 * the FDT/ACPI describe them. Returns 0, or a negative errno with a
 * one-line reason in err ("kernel 'x': ELF segment at 0x... is outside
 * RAM"); vm_run prints it and exits COVE_EXIT_IMAGE. */
int boot_load(const struct vm_config *cfg, struct mem_map *m, struct bus *bus, struct boot_info *info,
	      char *err, size_t errlen);

#endif
