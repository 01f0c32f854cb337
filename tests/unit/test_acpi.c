/* ACPI tables: structure, checksums, and what Debian's iasl makes of them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/bus.h"
#include "vmm/acpi.h"

static void nop_read(void *o, uint64_t off, void *d, unsigned len)
{
	(void)o;
	(void)off;
	memset(d, 0, len);
}

static void nop_write(void *o, uint64_t off, const void *d, unsigned len)
{
	(void)o;
	(void)off;
	(void)d;
	(void)len;
}

static const struct bus_ops nop_ops = {nop_read, nop_write};

#define BASE 0xe0000ULL
static uint8_t tables[0x20000];

static struct bus *machine_bus(void)
{
	struct bus *b = bus_new();
	cr_assert(b);
	struct bus_dev_info uart = {"serial", "ns16550a", "PNP0501", 4};
	struct bus_dev_info v0 = {"virtio_mmio", "virtio,mmio", "LNRO0005", 5};
	struct bus_dev_info v1 = {"virtio_mmio", "virtio,mmio", "LNRO0005", 6};
	struct bus_dev_info plain = {"power", "cove,power", NULL, -1};
	cr_assert_eq(bus_register(b, BUS_PIO, 0x3f8, 8, &nop_ops, NULL, &uart), 0);
	cr_assert_eq(bus_register(b, BUS_PIO, 0x600, 3, &nop_ops, NULL, &plain), 0);
	cr_assert_eq(bus_register(b, BUS_MMIO, 0xd0000000, 0x1000, &nop_ops, NULL, &v0), 0);
	cr_assert_eq(bus_register(b, BUS_MMIO, 0xd0001000, 0x1000, &nop_ops, NULL, &v1), 0);
	return b;
}

static long build(unsigned ncpus, bool legacy)
{
	struct bus *b = machine_bus();
	struct acpi_config cfg = {ncpus, legacy};
	long n = acpi_build(tables, sizeof(tables), BASE, b, &cfg);
	bus_free(b);
	return n;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s += *p++;
	return s;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The table a guest address points to, checked to lie inside what was built. */
static const uint8_t *table_at(uint64_t gpa, long built, const char *sig)
{
	cr_assert(gpa >= BASE && gpa + 36 <= BASE + (uint64_t)built, "%s at %#lx is outside the tables", sig,
		  (unsigned long)gpa);
	const uint8_t *t = tables + (gpa - BASE);
	cr_assert(memcmp(t, sig, 4) == 0, "expected %s at %#lx", sig, (unsigned long)gpa);
	cr_assert(gpa + le32(t + 4) <= BASE + (uint64_t)built, "%s runs past the end", sig);
	cr_assert_eq(sum(t, le32(t + 4)), 0, "%s checksum is wrong", sig);
	return t;
}

Test(acpi, rsdp_xsdt_and_every_checksum_are_valid)
{
	long n = build(2, false);
	cr_assert_gt(n, 0);
	cr_assert(memcmp(tables, "RSD PTR ", 8) == 0);
	cr_assert_eq(sum(tables, 20), 0, "RSDP 1.0 checksum");
	cr_assert_eq(sum(tables, 36), 0, "RSDP extended checksum");
	cr_assert_eq(tables[15], 2, "RSDP revision must be 2 for an XSDT");
	const uint8_t *xsdt = table_at(le64(tables + 24), n, "XSDT");
	cr_assert_eq(le32(xsdt + 4), 36 + 16, "XSDT has two entries");
	const uint8_t *fadt = table_at(le64(xsdt + 36), n, "FACP");
	table_at(le64(xsdt + 44), n, "APIC");
	cr_assert_eq(le32(fadt + 4), 276, "FADT revision 6 length");
	table_at(le64(fadt + 140), n, "DSDT");
	cr_assert_eq(le32(fadt + 40), (uint32_t)le64(fadt + 140), "DSDT and X_DSDT agree");
	cr_assert(le32(fadt + 112) & (1u << 20), "HW_REDUCED_ACPI set");
	cr_assert(le32(fadt + 112) & (1u << 10), "RESET_REG_SUP set");
	cr_assert_eq(fadt[116], 1, "reset register in system I/O space");
	cr_assert_eq(le64(fadt + 120), 0x602);
	cr_assert_eq(le64(fadt + 248), 0x600, "sleep control register");
	cr_assert_eq(le64(fadt + 260), 0x601, "sleep status register");
}

Test(acpi, madt_has_one_lapic_per_vcpu_and_the_ioapic)
{
	long n = build(3, true);
	cr_assert_gt(n, 0);
	const uint8_t *xsdt = table_at(le64(tables + 24), n, "XSDT");
	const uint8_t *madt = table_at(le64(xsdt + 44), n, "APIC");
	cr_assert_eq(le32(madt + 36), 0xfee00000);
	cr_assert_eq(le32(madt + 40), 1, "PCAT_COMPAT with a legacy PIC");
	unsigned lapics = 0, ioapics = 0, isos = 0;
	for (uint32_t off = 44; off < le32(madt + 4);) {
		uint8_t type = madt[off], len = madt[off + 1];
		cr_assert_gt(len, 1, "MADT entry length");
		if (type == 0) {
			cr_assert_eq(madt[off + 3], lapics, "APIC IDs follow vCPU indexes");
			cr_assert_eq(le32(madt + off + 4), 1, "enabled");
			lapics++;
		} else if (type == 1) {
			cr_assert_eq(le32(madt + off + 4), 0xfec00000);
			ioapics++;
		} else if (type == 2) {
			cr_assert_eq(madt[off + 3], 0, "IRQ0 override");
			cr_assert_eq(le32(madt + off + 4), 2, "to GSI 2");
			isos++;
		}
		off += len;
	}
	cr_assert_eq(lapics, 3);
	cr_assert_eq(ioapics, 1);
	cr_assert_eq(isos, 1);
}

Test(acpi, too_small_buffer_is_refused)
{
	struct bus *b = machine_bus();
	struct acpi_config cfg = {1, false};
	cr_assert_eq(acpi_build(tables, 200, BASE, b, &cfg), -ENOSPC);
	cr_assert_eq(acpi_build(tables, 10, BASE, b, &cfg), -ENOSPC);
	bus_free(b);
}

/* Writes one table to dir/name.dat, disassembles it with iasl and returns
 * the .dsl text (malloc'd). */
static char *iasl_disassemble(const char *dir, const char *name, const uint8_t *t)
{
	char path[512], cmd[1200];
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(t, 1, le32(t + 4), f), le32(t + 4));
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d %s.dat > %s.log 2>&1", dir, name, name);
	cr_assert_eq(system(cmd), 0, "iasl -d %s failed (is acpica-tools installed?)", name);
	snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
	f = fopen(path, "r");
	cr_assert(f, "iasl wrote no %s", path);
	char *text = calloc(1, 1 << 20);
	size_t got = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	text[got] = 0;
	return text;
}

Test(acpi, iasl_reads_every_table_without_complaint)
{
	long n = build(2, false);
	cr_assert_gt(n, 0);
	char dir[] = "/tmp/cove-acpi-XXXXXX";
	cr_assert(mkdtemp(dir));
	const uint8_t *xsdt = table_at(le64(tables + 24), n, "XSDT");
	const uint8_t *fadt = table_at(le64(xsdt + 36), n, "FACP");
	const uint8_t *madt = table_at(le64(xsdt + 44), n, "APIC");
	const uint8_t *dsdt = table_at(le64(fadt + 140), n, "DSDT");

	char *f = iasl_disassemble(dir, "facp", fadt);
	cr_assert(strstr(f, "Hardware Reduced (V5) : 1"), "FADT:\n%s", f);
	cr_assert(strstr(f, "Reset Register Supported (V2) : 1"), "FADT:\n%s", f);
	cr_assert(strstr(f, "Sleep Control Register"), "FADT:\n%s", f);
	cr_assert(!strstr(f, "Incorrect checksum"), "FADT:\n%s", f);
	free(f);

	char *m = iasl_disassemble(dir, "apic", madt);
	cr_assert(strstr(m, "Local Apic ID : 00"), "MADT:\n%s", m);
	cr_assert(strstr(m, "Local Apic ID : 01"), "MADT:\n%s", m);
	cr_assert(strstr(m, "I/O Apic ID"), "MADT:\n%s", m);
	cr_assert(!strstr(m, "Incorrect checksum"), "MADT:\n%s", m);
	free(m);

	char *d = iasl_disassemble(dir, "dsdt", dsdt);
	cr_assert(strstr(d, "EisaId (\"PNP0501\")"), "DSDT:\n%s", d);
	cr_assert(strstr(d, "\"LNRO0005\""), "DSDT:\n%s", d);
	cr_assert(strstr(d, "0xD0001000"), "second virtio window, DSDT:\n%s", d);
	cr_assert(strstr(d, "0x03F8,"), "COM1 port, DSDT:\n%s", d);
	cr_assert(strstr(d, "Name (\\_S5, Package"), "DSDT:\n%s", d);
	cr_assert(!strstr(d, "power"), "devices without a HID are not described");
	free(d);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
