/* ACPI tables, after ACPI 6.4: 5.2.5 RSDP, 5.2.8 XSDT, 5.2.9 FADT (with
 * HW_REDUCED_ACPI, 4.1), 5.2.12 MADT, and a DSDT in AML (20, 6.4 resource
 * descriptors). The machine is hardware-reduced: no PM timer, no GPEs, no
 * SCI; power-off and reset go through cove's power device (devices.h). */
#include <errno.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/legacy.h"
#include "vmm/acpi.h"

#define ACPI_OEM_ID "COVE  "
#define ACPI_OEM_TABLE "COVEVM  "
#define SDT_HEADER_LEN 36
#define RSDP_LEN 36
#define FADT_LEN 276
#define LAPIC_BASE 0xfee00000u

/* FADT flags (5.2.9, table 5.10) and IA-PC boot architecture flags. */
#define FADT_F_PWR_BUTTON (1u << 4)
#define FADT_F_SLP_BUTTON (1u << 5)
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_HW_REDUCED_ACPI (1u << 20)
#define IAPC_8042 (1u << 1)
#define IAPC_VGA_NOT_PRESENT (1u << 2)
#define IAPC_MSI_NOT_SUPPORTED (1u << 3)
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1

/* MADT structure types and flags (5.2.12). */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_NMI 4
#define MADT_PCAT_COMPAT 1u
#define MADT_LAPIC_ENABLED 1u

/* AML opcodes (20.2). */
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE 0x0a
#define AML_WORD 0x0b
#define AML_DWORD 0x0c
#define AML_STRING 0x0d
#define AML_QWORD 0x0e
#define AML_SCOPE 0x10
#define AML_BUFFER 0x11
#define AML_PACKAGE 0x12
#define AML_EXT 0x5b
#define AML_DEVICE 0x82
#define AML_ROOT '\\'

/* Resource descriptors (6.4). */
#define RES_IO 0x47
#define RES_END 0x79
#define RES_MEM32_FIXED 0x86
#define RES_EXT_IRQ 0x89
#define RES_IRQ_CONSUMER 0x01
#define RES_IRQ_EDGE 0x02

/* A bounded byte buffer: writes past the end are dropped and remembered. */
struct abuf {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

static void ab_put(struct abuf *b, const void *data, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void ab_u8(struct abuf *b, uint8_t v)
{
	ab_put(b, &v, 1);
}

static void ab_u16(struct abuf *b, uint16_t v)
{
	uint8_t x[2] = {v, v >> 8};
	ab_put(b, x, 2);
}

static void ab_u32(struct abuf *b, uint32_t v)
{
	uint8_t x[4] = {v, v >> 8, v >> 16, v >> 24};
	ab_put(b, x, 4);
}

static void ab_u64(struct abuf *b, uint64_t v)
{
	ab_u32(b, (uint32_t)v);
	ab_u32(b, (uint32_t)(v >> 32));
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

static void sdt_header(struct abuf *b, const char sig[4], uint8_t rev)
{
	ab_put(b, sig, 4);
	ab_u32(b, 0); /* length, set by sdt_finish */
	ab_u8(b, rev);
	ab_u8(b, 0); /* checksum, set by sdt_finish */
	ab_put(b, ACPI_OEM_ID, 6);
	ab_put(b, ACPI_OEM_TABLE, 8);
	ab_u32(b, 1);
	ab_put(b, "COVE", 4);
	ab_u32(b, 1);
}

static void sdt_finish(struct abuf *b, size_t start)
{
	if (b->overflow)
		return;
	uint8_t *t = b->p + start;
	size_t len = b->len - start;
	put_le32(t + 4, (uint32_t)len);
	t[9] = 0;
	t[9] = checksum(t, len);
}

static void ab_align(struct abuf *b, size_t a)
{
	while (!b->overflow && b->len % a)
		ab_u8(b, 0);
}

static void gas_io(struct abuf *b, uint16_t port)
{
	ab_u8(b, GAS_SYSTEM_IO);
	ab_u8(b, 8);
	ab_u8(b, 0);
	ab_u8(b, GAS_ACCESS_BYTE);
	ab_u64(b, port);
}

static void gas_none(struct abuf *b)
{
	ab_u32(b, 0);
	ab_u64(b, 0);
}

/* ---- AML ---- */

/* PkgLength (20.2.4): the length counts its own encoding bytes. */
static void aml_pkglen(struct abuf *b, size_t body)
{
	size_t n = body + 1 < 0x40 ? 1 : body + 2 < 0x1000 ? 2 : body + 3 < 0x100000 ? 3 : 4;
	size_t len = body + n;
	if (n == 1) {
		ab_u8(b, (uint8_t)len);
		return;
	}
	ab_u8(b, (uint8_t)(((n - 1) << 6) | (len & 0xf)));
	for (size_t i = 1; i < n; i++)
		ab_u8(b, (uint8_t)(len >> (4 + 8 * (i - 1))));
}

/* op [ext] PkgLength body: wraps a finished body. */
static void aml_wrap(struct abuf *b, int ext, uint8_t op, const struct abuf *body)
{
	if (body->overflow) {
		b->overflow = true;
		return;
	}
	if (ext)
		ab_u8(b, AML_EXT);
	ab_u8(b, op);
	aml_pkglen(b, body->len);
	ab_put(b, body->p, body->len);
}

static void aml_nameseg(struct abuf *b, const char *s)
{
	char seg[4] = {'_', '_', '_', '_'};
	for (int i = 0; i < 4 && s[i]; i++)
		seg[i] = s[i];
	ab_put(b, seg, 4);
}

static void aml_int(struct abuf *b, uint64_t v)
{
	if (v == 0) {
		ab_u8(b, AML_ZERO);
	} else if (v == 1) {
		ab_u8(b, AML_ONE);
	} else if (v <= 0xff) {
		ab_u8(b, AML_BYTE);
		ab_u8(b, (uint8_t)v);
	} else if (v <= 0xffff) {
		ab_u8(b, AML_WORD);
		ab_u16(b, (uint16_t)v);
	} else if (v <= 0xffffffff) {
		ab_u8(b, AML_DWORD);
		ab_u32(b, (uint32_t)v);
	} else {
		ab_u8(b, AML_QWORD);
		ab_u64(b, v);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A 7-character "PNP0501"-style ID as a compressed EISA ID, or -1. */
static int64_t eisa_id(const char *s)
{
	if (strlen(s) != 7)
		return -1;
	uint32_t id = 0;
	for (int i = 0; i < 3; i++) {
		if (s[i] < 'A' || s[i] > 'Z')
			return -1;
		id |= (uint32_t)((s[i] - 0x40) & 0x1f) << (26 - 5 * i);
	}
	for (int i = 3; i < 7; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		id |= (uint32_t)h << (4 * (6 - i));
	}
	return __builtin_bswap32(id);
}

static void aml_name_int(struct abuf *b, const char *name, uint64_t v)
{
	ab_u8(b, AML_NAME);
	aml_nameseg(b, name);
	aml_int(b, v);
}

static void aml_name_hid(struct abuf *b, const char *hid)
{
	ab_u8(b, AML_NAME);
	aml_nameseg(b, "_HID");
	int64_t eisa = eisa_id(hid);
	if (eisa >= 0) {
		ab_u8(b, AML_DWORD);
		ab_u32(b, (uint32_t)eisa);
	} else {
		ab_u8(b, AML_STRING);
		ab_put(b, hid, strlen(hid) + 1);
	}
}

/* Name(_CRS, ResourceTemplate() { IO or Memory32Fixed, Interrupt }) */
static void aml_crs(struct abuf *b, const struct bus_entry *e)
{
	uint8_t rbuf[64];
	struct abuf r = {rbuf, 0, sizeof(rbuf), false};
	if (e->space == BUS_PIO) {
		ab_u8(&r, RES_IO);
		ab_u8(&r, 1); /* 16-bit decode */
		ab_u16(&r, (uint16_t)e->base);
		ab_u16(&r, (uint16_t)e->base);
		ab_u8(&r, 1);
		ab_u8(&r, (uint8_t)(e->len > 0xff ? 0xff : e->len));
	} else {
		ab_u8(&r, RES_MEM32_FIXED);
		ab_u16(&r, 9);
		ab_u8(&r, 1); /* read-write */
		ab_u32(&r, (uint32_t)e->base);
		ab_u32(&r, (uint32_t)e->len);
	}
	if (e->info.irq >= 0) {
		ab_u8(&r, RES_EXT_IRQ);
		ab_u16(&r, 6);
		ab_u8(&r, RES_IRQ_CONSUMER | RES_IRQ_EDGE);
		ab_u8(&r, 1);
		ab_u32(&r, (uint32_t)e->info.irq);
	}
	ab_u8(&r, RES_END);
	ab_u8(&r, 0); /* checksum 0: treated as valid */

	uint8_t bbuf[80];
	struct abuf body = {bbuf, 0, sizeof(bbuf), false};
	aml_int(&body, r.len);
	ab_put(&body, r.p, r.len);
	if (r.overflow)
		body.overflow = true;

	ab_u8(b, AML_NAME);
	aml_nameseg(b, "_CRS");
	aml_wrap(b, 0, AML_BUFFER, &body);
}

struct dsdt_walk {
	struct abuf *sb;
	unsigned ndev;
};

static void dsdt_device(const struct bus_entry *e, void *arg)
{
	struct dsdt_walk *w = arg;
	if (!e->info.acpi_hid)
		return;
	uint8_t dbuf[256];
	struct abuf d = {dbuf, 0, sizeof(dbuf), false};
	char name[5];
	unsigned n = w->ndev++;
	name[0] = 'D';
	name[1] = "0123456789ABCDEF"[(n >> 8) & 0xf];
	name[2] = "0123456789ABCDEF"[(n >> 4) & 0xf];
	name[3] = "0123456789ABCDEF"[n & 0xf];
	name[4] = 0;
	aml_nameseg(&d, name);
	aml_name_hid(&d, e->info.acpi_hid);
	aml_name_int(&d, "_UID", n);
	aml_crs(&d, e);
	aml_wrap(w->sb, 1, AML_DEVICE, &d);
}

static void build_dsdt(struct abuf *b, struct bus *bus)
{
	uint8_t sbbuf[8192];
	struct abuf sb = {sbbuf, 0, sizeof(sbbuf), false};
	ab_u8(&sb, AML_ROOT);
	aml_nameseg(&sb, "_SB_");
	struct dsdt_walk w = {&sb, 0};
	bus_foreach(bus, dsdt_device, &w);

	size_t start = b->len;
	sdt_header(b, "DSDT", 2);
	aml_wrap(b, 0, AML_SCOPE, &sb);
	/* \_S5: SLP_TYP for the power device (POWER_SLP_TYP_S5). */
	uint8_t pbuf[16];
	struct abuf pkg = {pbuf, 0, sizeof(pbuf), false};
	ab_u8(&pkg, 4);
	aml_int(&pkg, POWER_SLP_TYP_S5);
	aml_int(&pkg, POWER_SLP_TYP_S5);
	aml_int(&pkg, 0);
	aml_int(&pkg, 0);
	ab_u8(b, AML_NAME);
	ab_u8(b, AML_ROOT);
	aml_nameseg(b, "_S5_");
	aml_wrap(b, 0, AML_PACKAGE, &pkg);
	sdt_finish(b, start);
}

static void build_fadt(struct abuf *b, uint64_t dsdt)
{
	size_t start = b->len;
	sdt_header(b, "FACP", 6);
	ab_u32(b, 0);                 /* FIRMWARE_CTRL */
	ab_u32(b, (uint32_t)dsdt);    /* DSDT */
	ab_u8(b, 0);                  /* reserved */
	ab_u8(b, 0);                  /* preferred PM profile: unspecified */
	ab_u16(b, 0);                 /* SCI_INT */
	ab_u32(b, 0);                 /* SMI_CMD */
	for (int i = 0; i < 4; i++)   /* ACPI_ENABLE .. PSTATE_CNT */
		ab_u8(b, 0);
	for (int i = 0; i < 8; i++)   /* PM1a_EVT_BLK .. GPE1_BLK */
		ab_u32(b, 0);
	for (int i = 0; i < 8; i++)   /* PM1_EVT_LEN .. CST_CNT */
		ab_u8(b, 0);
	ab_u16(b, 0);                 /* P_LVL2_LAT */
	ab_u16(b, 0);                 /* P_LVL3_LAT */
	ab_u16(b, 0);                 /* FLUSH_SIZE */
	ab_u16(b, 0);                 /* FLUSH_STRIDE */
	for (int i = 0; i < 4; i++)   /* DUTY_OFFSET .. MON_ALRM */
		ab_u8(b, 0);
	ab_u8(b, 0x32);               /* CENTURY: the CMOS century byte */
	ab_u16(b, IAPC_8042 | IAPC_VGA_NOT_PRESENT | IAPC_MSI_NOT_SUPPORTED);
	ab_u8(b, 0);                  /* reserved */
	ab_u32(b, FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON | FADT_F_RESET_REG_SUP | FADT_F_HW_REDUCED_ACPI);
	gas_io(b, POWER_RESET_PORT);  /* RESET_REG */
	ab_u8(b, POWER_RESET_VALUE);  /* RESET_VALUE */
	ab_u16(b, 0);                 /* ARM_BOOT_ARCH */
	ab_u8(b, 4);                  /* FADT minor version */
	ab_u64(b, 0);                 /* X_FIRMWARE_CTRL */
	ab_u64(b, dsdt);              /* X_DSDT */
	for (int i = 0; i < 8; i++)   /* X_PM1a_EVT_BLK .. X_GPE1_BLK */
		gas_none(b);
	gas_io(b, POWER_SLEEP_CTL_PORT);
	gas_io(b, POWER_SLEEP_STS_PORT);
	ab_put(b, "COVEKVM ", 8);     /* hypervisor vendor identity */
	sdt_finish(b, start);
}

static void build_madt(struct abuf *b, const struct acpi_config *cfg)
{
	size_t start = b->len;
	sdt_header(b, "APIC", 5);
	ab_u32(b, LAPIC_BASE);
	ab_u32(b, cfg->legacy_pic ? MADT_PCAT_COMPAT : 0);
	for (unsigned i = 0; i < cfg->ncpus; i++) {
		if (i < 255) {
			ab_u8(b, MADT_LAPIC);
			ab_u8(b, 8);
			ab_u8(b, (uint8_t)i); /* ACPI processor UID */
			ab_u8(b, (uint8_t)i); /* APIC ID: vCPU index */
			ab_u32(b, MADT_LAPIC_ENABLED);
		}
	}
	ab_u8(b, MADT_IOAPIC);
	ab_u8(b, 12);
	ab_u8(b, (uint8_t)(cfg->ncpus < 255 ? cfg->ncpus : 254)); /* IOAPIC ID after the LAPICs */
	ab_u8(b, 0);
	ab_u32(b, (uint32_t)IOAPIC_BASE);
	ab_u32(b, 0); /* GSI base */
	if (cfg->legacy_pic) {
		/* The PIT's IRQ0 is wired to IOAPIC pin 2, as on every PC. */
		ab_u8(b, MADT_ISO);
		ab_u8(b, 10);
		ab_u8(b, 0);
		ab_u8(b, 0);
		ab_u32(b, 2);
		ab_u16(b, 0);
	}
	ab_u8(b, MADT_LAPIC_NMI);
	ab_u8(b, 6);
	ab_u8(b, 0xff); /* all processors */
	ab_u16(b, 0);
	ab_u8(b, 1); /* LINT1 */
	sdt_finish(b, start);
}

long acpi_build(uint8_t *buf, size_t len, uint64_t base, struct bus *bus, const struct acpi_config *cfg)
{
	struct abuf b = {buf, 0, len, false};
	memset(buf, 0, len);

	/* RSDP now; the XSDT address is fixed, its checksums at the end. */
	b.len = RSDP_LEN;
	ab_align(&b, 16);
	size_t xsdt = b.len;
	sdt_header(&b, "XSDT", 1);
	size_t xsdt_entries = b.len;
	ab_u64(&b, 0); /* FADT */
	ab_u64(&b, 0); /* MADT */
	sdt_finish(&b, xsdt);
	size_t xsdt_len = b.len - xsdt;

	ab_align(&b, 16);
	size_t dsdt = b.len;
	build_dsdt(&b, bus);
	ab_align(&b, 16);
	size_t fadt = b.len;
	build_fadt(&b, base + dsdt);
	ab_align(&b, 16);
	size_t madt = b.len;
	build_madt(&b, cfg);
	if (b.overflow || len < RSDP_LEN)
		return -ENOSPC;

	for (int i = 0; i < 8; i++) {
		buf[xsdt_entries + i] = (uint8_t)((base + fadt) >> (8 * i));
		buf[xsdt_entries + 8 + i] = (uint8_t)((base + madt) >> (8 * i));
	}
	buf[xsdt + 9] = 0;
	buf[xsdt + 9] = checksum(buf + xsdt, xsdt_len);

	uint8_t *r = buf;
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, ACPI_OEM_ID, 6);
	r[15] = 2; /* revision: ACPI 2.0+, XSDT */
	put_le32(r + 16, 0);
	put_le32(r + 20, RSDP_LEN);
	for (int i = 0; i < 8; i++)
		r[24 + i] = (uint8_t)((base + xsdt) >> (8 * i));
	r[8] = checksum(r, 20);
	r[32] = checksum(r, RSDP_LEN);
	return (long)b.len;
}

int acpi_install(struct mem_map *m, struct bus *bus, const struct acpi_config *cfg, uint64_t *rsdp_gpa)
{
	uint8_t *p = mem_gpa_to_hva(m, ACPI_BASE_GPA, ACPI_MAX_SIZE, true);
	if (!p)
		return -EFAULT;
	long n = acpi_build(p, ACPI_MAX_SIZE, ACPI_BASE_GPA, bus, cfg);
	if (n < 0)
		return (int)n;
	*rsdp_gpa = ACPI_BASE_GPA;
	return 0;
}
