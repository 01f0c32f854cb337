/* The 64-bit Linux boot protocol (Documentation/arch/x86/boot.rst): the
 * setup header is checked and copied into a zero page, the protected-mode
 * kernel loaded at its preferred address, the initrd and command line
 * placed and described, e820 filled from cove's memory map, ACPI tables
 * installed, and the boot vCPU entered at the 64-bit entry point (load
 * address + 0x200) in long mode with identity page tables, CS = 0x10 and
 * DS = 0x18, RSI = the zero page. */
#include <errno.h>
#include <string.h>

#include "vmm/acpi.h"
#include "vmm/load_bzimage.h"

/* Setup header and boot_params offsets (boot.rst, zero-page.rst). */
#define BP_ACPI_RSDP 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define HDR_SETUP_SECTS 0x1f1
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define BP_SIZE 0x1000

#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x01
#define BZ_MIN_VERSION 0x020c /* 2.12: xloadflags, the 64-bit entry */
#define BZ_DEFAULT_LOAD 0x1000000ULL

/* Where the loader puts the zero page, GDT and page tables: low pages the
 * other boot areas leave free and the kernel copies out of early. */
#define BZ_GDT_GPA 0x0500ULL
#define BZ_ZERO_PAGE_GPA 0x1000ULL
#define BZ_PML4_GPA 0x9000ULL
#define BZ_PDPT_GPA 0xa000ULL
#define BZ_PD_GPA 0xb000ULL /* four pages: 4 GiB of 2 MiB pages */

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

bool bzimage_is_bzimage(const uint8_t *buf, size_t len)
{
	return len >= HDR_MAGIC + 4 && memcmp(buf + HDR_MAGIC, "HdrS", 4) == 0;
}

/* Identity page tables for the first 4 GiB and a GDT with the selectors
 * the protocol asks for. */
static int write_long_mode_tables(struct mem_map *m)
{
	uint8_t *pml4 = mem_gpa_to_hva(m, BZ_PML4_GPA, 0x1000, true);
	uint8_t *pdpt = mem_gpa_to_hva(m, BZ_PDPT_GPA, 0x1000, true);
	uint8_t *pd = mem_gpa_to_hva(m, BZ_PD_GPA, 0x4000, true);
	uint8_t *gdt = mem_gpa_to_hva(m, BZ_GDT_GPA, 32, true);
	if (!pml4 || !pdpt || !pd || !gdt)
		return -ENOMEM;
	memset(pml4, 0, 0x1000);
	memset(pdpt, 0, 0x1000);
	wr64(pml4, BZ_PDPT_GPA | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < 4; i++)
		wr64(pdpt + 8 * i, (BZ_PD_GPA + 0x1000 * i) | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < 2048; i++)
		wr64(pd + 8 * i, (i << 21) | PTE_P | PTE_RW | PTE_PS);
	wr64(gdt, 0);
	wr64(gdt + 8, 0);
	wr64(gdt + 16, 0x00af9b000000ffffULL); /* 0x10: 64-bit code */
	wr64(gdt + 24, 0x00cf93000000ffffULL); /* 0x18: flat data */
	return 0;
}

int load_bzimage(const struct vm_config *cfg, struct mem_map *m, struct bus *bus, const struct load_image *img,
		 struct boot_info *info, char *err, size_t errlen)
{
	const uint8_t *k = img->buf;
	size_t len = img->len;

	if (len < HDR_JUMP + 2 || len < (size_t)HDR_JUMP + 2 + k[HDR_JUMP + 1])
		return load_err(err, errlen, img, -ENOEXEC, "bzImage setup header is truncated");
	if (rd16(k + HDR_BOOT_FLAG) != 0xaa55)
		return load_err(err, errlen, img, -ENOEXEC, "bzImage boot flag is not 0xaa55");
	uint16_t version = rd16(k + HDR_VERSION);
	if (version < BZ_MIN_VERSION)
		return load_err(err, errlen, img, -ENOEXEC,
				"boot protocol %u.%02u is too old (cove needs 2.12, Linux 3.8 or later)",
				version >> 8, version & 0xff);
	size_t hdr_end = (size_t)HDR_JUMP + 2 + k[HDR_JUMP + 1];
	if (hdr_end < HDR_INIT_SIZE + 4 || hdr_end > BP_SIZE || hdr_end > len)
		return load_err(err, errlen, img, -ENOEXEC, "bzImage setup header length %zu is invalid",
				hdr_end - HDR_SETUP_SECTS);
	if (!(k[HDR_LOADFLAGS] & LOADED_HIGH))
		return load_err(err, errlen, img, -ENOEXEC, "zImage kernels (not loaded high) are not supported");
	if (!(rd16(k + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return load_err(err, errlen, img, -ENOEXEC, "kernel has no 64-bit entry point");
	if (cfg->nmodules)
		return load_err(err, errlen, img, -EINVAL, "--module is for PVH and multiboot guests, not Linux");

	unsigned setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
	size_t koff = (size_t)(setup_sects + 1) * 512;
	if (koff >= len)
		return load_err(err, errlen, img, -ENOEXEC, "bzImage is truncated: no kernel after %u setup sectors",
				setup_sects);
	uint64_t ksize = len - koff;
	uint64_t init_size = rd32(k + HDR_INIT_SIZE);
	if (init_size < ksize)
		init_size = ksize;
	uint64_t align = rd32(k + HDR_KERNEL_ALIGNMENT);
	if (align == 0 || (align & (align - 1)))
		align = 0x200000;
	uint64_t load = rd64(k + HDR_PREF_ADDRESS);
	if (load < 0x100000)
		load = BZ_DEFAULT_LOAD;

	uint64_t end;
	if (add_overflow(load, init_size, &end) || end > mem_ram_below_4g(m)) {
		if (!k[HDR_RELOCATABLE])
			return load_err(err, errlen, img, -ENOMEM,
					"kernel is not relocatable and needs RAM at %#llx-%#llx",
					(unsigned long long)load, (unsigned long long)(load + init_size));
		load = (0x100000 + align - 1) & ~(align - 1);
		if (add_overflow(load, init_size, &end) || end > mem_ram_below_4g(m))
			return load_err(err, errlen, img, -ENOMEM,
					"kernel needs %llu MiB of RAM below 4 GiB to decompress",
					(unsigned long long)((load + init_size) >> 20) + 1);
	}
	int r = load_check_range(img, m, load, init_size, "kernel", err, errlen);
	if (r < 0)
		return r;
	r = mem_write(m, load, k + koff, ksize);
	if (r < 0)
		return load_err(err, errlen, img, r, "kernel does not fit at %#llx", (unsigned long long)load);

	/* initrd, command line (and the FDT, which Linux ignores) above it. */
	struct load_module mods[LOAD_MAX_MODULES];
	uint64_t cmdline_gpa = 0;
	r = load_modules(cfg, m, bus, end, mods, &cmdline_gpa, err, errlen);
	if (r < 0)
		return r;
	size_t cmdlen = cfg->cmdline ? strlen(cfg->cmdline) : 0;
	uint32_t cmdline_max = rd32(k + HDR_CMDLINE_SIZE);
	if (cmdlen > cmdline_max)
		return load_err(err, errlen, img, -E2BIG, "command line is %zu bytes; this kernel takes at most %u",
				cmdlen, cmdline_max);
	r = load_cmdline_append(m, info->linux_extra, cmdline_max, img, err, errlen);
	if (r < 0)
		return r;

	uint8_t *bp = mem_gpa_to_hva(m, BZ_ZERO_PAGE_GPA, BP_SIZE, true);
	if (!bp)
		return load_err(err, errlen, img, -ENOMEM, "no RAM for the zero page");
	memset(bp, 0, BP_SIZE);
	memcpy(bp + HDR_SETUP_SECTS, k + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
	bp[HDR_TYPE_OF_LOADER] = 0xff;
	bp[HDR_LOADFLAGS] |= LOADED_HIGH;
	wr32(bp + HDR_CMD_LINE_PTR, (uint32_t)cmdline_gpa);
	wr32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(cmdline_gpa >> 32));
	if (cfg->initrd) {
		uint64_t rd_end = mods[0].gpa + mods[0].size;
		if (rd_end - 1 > rd32(k + HDR_INITRD_ADDR_MAX))
			return load_err(err, errlen, img, -ENOMEM,
					"initrd ends at %#llx, above this kernel's limit %#x",
					(unsigned long long)rd_end, rd32(k + HDR_INITRD_ADDR_MAX));
		wr32(bp + HDR_RAMDISK_IMAGE, (uint32_t)mods[0].gpa);
		wr32(bp + HDR_RAMDISK_SIZE, (uint32_t)mods[0].size);
		wr32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(mods[0].gpa >> 32));
		wr32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(mods[0].size >> 32));
	}

	struct load_range map[LOAD_MAX_MEMMAP];
	unsigned n = load_memmap(m, map, LOAD_MAX_MEMMAP);
	if (n > BP_E820_MAX)
		n = BP_E820_MAX;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = bp + BP_E820_TABLE + 20 * i;
		wr64(e, map[i].addr);
		wr64(e + 8, map[i].size);
		wr32(e + 16, map[i].type);
	}
	bp[BP_E820_ENTRIES] = (uint8_t)n;

	struct acpi_config acfg = {cfg->cpus ? cfg->cpus : 1, false};
	uint64_t rsdp = 0;
	r = acpi_install(m, bus, &acfg, &rsdp);
	if (r < 0)
		return load_err(err, errlen, img, r, "ACPI tables do not fit");
	wr64(bp + BP_ACPI_RSDP, rsdp);

	r = boot_install_reset_stub(m);
	if (r < 0)
		return load_err(err, errlen, img, r, "no RAM for the reset vector");
	r = write_long_mode_tables(m);
	if (r < 0)
		return load_err(err, errlen, img, r, "no RAM for the boot page tables");

	memset(&info->bsp, 0, sizeof(info->bsp));
	info->bsp.mode = BOOT_LONG64;
	info->bsp.rip = load + 0x200;
	info->bsp.rsi = BZ_ZERO_PAGE_GPA;
	info->bsp.rflags = 0x2;
	info->bsp.cr3 = BZ_PML4_GPA;
	info->bsp.gdt_base = BZ_GDT_GPA;
	info->bsp.gdt_limit = 31;
	info->legacy_pc = false;
	info->kind = "bzimage";
	return 0;
}
