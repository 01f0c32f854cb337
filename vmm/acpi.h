/* vmm: ACPI tables for Linux guests: RSDP (in the BIOS area, where Linux
 * scans for it), XSDT, FADT (hardware-reduced, sleep and reset registers on
 * cove's power device), MADT (a local APIC per vCPU, the IOAPIC, ISA
 * overrides) and a DSDT that names every bus range with an ACPI HID. */
#ifndef COVE_VMM_ACPI_H
#define COVE_VMM_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"
#include "mem/mem.h"

/* The tables live in [ACPI_BASE_GPA, ACPI_BASE_GPA + ACPI_MAX_SIZE): the
 * 0xe0000 BIOS area, reserved in every memory map cove gives. */
#define ACPI_BASE_GPA 0xe0000ULL
#define ACPI_MAX_SIZE 0x1f000ULL /* the last page holds the reset vector (boot.h) */

struct acpi_config {
	unsigned ncpus;
	bool legacy_pic; /* a PIC and PIT are attached: PCAT_COMPAT, IRQ0 override */
};

/* Builds the tables into buf (len bytes, to be placed at base) from the
 * bus's ranges. Returns the bytes used, or -ENOSPC. The RSDP is at offset 0. */
long acpi_build(uint8_t *buf, size_t len, uint64_t base, struct bus *bus, const struct acpi_config *cfg);
/* acpi_build into guest memory at ACPI_BASE_GPA; 0 or -errno. */
int acpi_install(struct mem_map *m, struct bus *bus, const struct acpi_config *cfg, uint64_t *rsdp_gpa);

#endif
