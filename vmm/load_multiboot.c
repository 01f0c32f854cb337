/* vmm: Multiboot Specification 0.6.96 (multiboot v1). The header is in the
 * first 8 KiB; the image loads either from its ELF program headers or, with
 * flag bit 16, from the header's a.out-kludge address fields. Entered in
 * flat 32-bit protected mode with EAX = 0x2BADB002, EBX = multiboot info.
 * The FDT is appended as the last module, string "cove-fdt". */
#include <errno.h>
#include <string.h>

#include "vmm/load_internal.h"

#define MB_HEADER_MAGIC	    0x1BADB002u
#define MB_BOOTLOADER_MAGIC 0x2BADB002u
#define MB_SEARCH	    8192
#define MB_PAGE_ALIGN	    (1u << 0)
#define MB_MEMORY_INFO	    (1u << 1)
#define MB_VIDEO_MODE	    (1u << 2)
#define MB_AOUT_KLUDGE	    (1u << 16)
/* Bits 0-15 are requirements: the loader must refuse ones it lacks. */
#define MB_SUPPORTED_REQUIRED (MB_PAGE_ALIGN | MB_MEMORY_INFO)

#define MB_INFO_MEMORY		 (1u << 0)
#define MB_INFO_CMDLINE		 (1u << 2)
#define MB_INFO_MODS		 (1u << 3)
#define MB_INFO_MEM_MAP		 (1u << 6)
#define MB_INFO_BOOT_LOADER_NAME (1u << 9)

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr; /* flag bit 16 */
};

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
	uint8_t framebuffer[28];
};

struct mb_mod {
	uint32_t mod_start, mod_end, string, reserved;
};

struct __attribute__((packed)) mb_mmap {
	uint32_t size; /* of the rest of the entry: 20 */
	uint64_t base_addr, length;
	uint32_t type;
};

/* The loader name sits in the boot data page after the info. */
#define MB_LOADER_NAME_GPA (BOOT_START_INFO_GPA + 0x80)

_Static_assert(sizeof(struct mb_info) == 116, "multiboot info layout");
_Static_assert(BOOT_START_INFO_GPA + sizeof(struct mb_info) <= MB_LOADER_NAME_GPA, "name after the info");
_Static_assert(sizeof(struct mb_mmap) == 24, "multiboot mmap layout");
_Static_assert(LOAD_MODLIST_GPA + LOAD_MAX_MODULES * sizeof(struct mb_mod) <= LOAD_MEMMAP_GPA, "mods fit");
_Static_assert(LOAD_MEMMAP_GPA + LOAD_MAX_MEMMAP * sizeof(struct mb_mmap) <= LOAD_STRINGS_GPA, "mmap fits");

long multiboot_find(const uint8_t *buf, size_t len)
{
	size_t lim = len < MB_SEARCH ? len : MB_SEARCH;

	for (size_t off = 0; off + 12 <= lim; off += 4) {
		uint32_t h[3];

		memcpy(h, buf + off, sizeof(h));
		if (h[0] == MB_HEADER_MAGIC && (uint32_t)(h[0] + h[1] + h[2]) == 0)
			return (long)off;
	}
	return -1;
}

/* Loads the image through the a.out-kludge fields; *entry and *top out. */
static int mb_load_kludge(const struct load_image *img, struct mem_map *m, size_t off,
			  const struct mb_header *h, uint64_t *entry, uint64_t *top, char *err, size_t errlen)
{
	uint64_t file_off, load_len, load_end, bss_end;
	int r;

	if (off + sizeof(*h) > img->len)
		return load_err(err, errlen, img, -ENOEXEC,
				"truncated: multiboot header address fields are beyond the file");
	if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > off)
		return load_err(err, errlen, img, -ENOEXEC,
				"multiboot header_addr 0x%x and load_addr 0x%x do not match its offset 0x%zx",
				h->header_addr, h->load_addr, off);
	file_off = off - (h->header_addr - h->load_addr);
	if (h->load_end_addr == 0) {
		load_len = img->len - file_off;
	} else {
		if (h->load_end_addr < h->load_addr)
			return load_err(err, errlen, img, -ENOEXEC,
					"multiboot load_end_addr 0x%x is below load_addr 0x%x",
					h->load_end_addr, h->load_addr);
		load_len = h->load_end_addr - h->load_addr;
		if (load_len > img->len - file_off)
			return load_err(err, errlen, img, -ENOEXEC,
					"truncated: multiboot load range 0x%x-0x%x is beyond the file",
					h->load_addr, h->load_end_addr);
	}
	load_end = h->load_addr + load_len;
	bss_end = load_end;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < load_end)
			return load_err(err, errlen, img, -ENOEXEC,
					"multiboot bss_end_addr 0x%x is below the load end 0x%llx",
					h->bss_end_addr, (unsigned long long)load_end);
		bss_end = h->bss_end_addr;
	}
	if (h->entry_addr < h->load_addr || h->entry_addr >= bss_end)
		return load_err(err, errlen, img, -ENOEXEC,
				"multiboot entry 0x%x is not inside the loaded image 0x%x-0x%llx",
				h->entry_addr, h->load_addr, (unsigned long long)bss_end);
	r = load_check_range(img, m, h->load_addr, bss_end - h->load_addr, "multiboot image", err, errlen);
	if (r < 0)
		return r;
	if (mem_write(m, h->load_addr, img->buf + file_off, load_len) < 0)
		return load_err(err, errlen, img, -EFAULT, "multiboot image: write refused");
	*entry = h->entry_addr;
	*top = bss_end;
	return 0;
}

/* The ELF entry as a physical address: e_entry translated through the
 * segment whose virtual range holds it (higher-half kernels). */
static int mb_elf_entry(const struct load_image *img, const struct elf_image *elf, uint64_t *entry, char *err,
			size_t errlen)
{
	for (unsigned i = 0; i < elf->nseg; i++) {
		const struct elf_seg *s = &elf->seg[i];

		if (elf->entry >= s->vaddr && elf->entry - s->vaddr < s->memsz) {
			*entry = s->paddr + (elf->entry - s->vaddr);
			return 0;
		}
	}
	return load_err(err, errlen, img, -ENOEXEC, "ELF entry 0x%llx is not inside a loaded segment",
			(unsigned long long)elf->entry);
}

int load_multiboot(const struct vm_config *cfg, struct mem_map *m, struct bus *bus,
		   const struct load_image *img, size_t mb_off, const struct elf_image *elf,
		   struct boot_info *info, char *err, size_t errlen)
{
	struct mb_header h = {0};
	struct load_module mods[LOAD_MAX_MODULES];
	struct mb_mod mm[LOAD_MAX_MODULES];
	struct load_range map[LOAD_MAX_MEMMAP];
	struct mb_mmap mmap[LOAD_MAX_MEMMAP];
	struct mb_info mi = {0};
	uint64_t entry = 0, top = 0, cmdline;
	size_t hlen = img->len - mb_off < sizeof(h) ? img->len - mb_off : sizeof(h);
	unsigned nmap;
	int r, nmods;
	static const char loader_name[] = "cove";

	memcpy(&h, img->buf + mb_off, hlen);
	if (h.flags & 0xffffu & ~MB_SUPPORTED_REQUIRED)
		return load_err(err, errlen, img, -ENOEXEC,
				"multiboot header requires features cove lacks (flags 0x%x%s)", h.flags,
				h.flags & MB_VIDEO_MODE ? ": a video mode" : "");
	if (h.flags & MB_AOUT_KLUDGE) {
		r = mb_load_kludge(img, m, mb_off, &h, &entry, &top, err, errlen);
	} else if (!elf) {
		if (elf_is_elf(img->buf, img->len)) {
			struct elf_image e;

			/* Reports why the ELF is unusable. */
			return elf_parse(img, &e, err, errlen);
		}
		return load_err(
		    err, errlen, img, -ENOEXEC,
		    "multiboot image is not ELF and has no a.out-kludge address fields (flag bit 16)");
	} else {
		r = mb_elf_entry(img, elf, &entry, err, errlen);
		if (r == 0)
			r = elf_load(img, elf, m, &top, err, errlen);
	}
	if (r < 0)
		return r;
	if (entry > UINT32_MAX || top > UINT32_MAX)
		return load_err(err, errlen, img, -ERANGE, "multiboot image must load below 4 GiB");

	nmods = load_modules(cfg, m, bus, top, mods, &cmdline, err, errlen);
	if (nmods < 0)
		return nmods;
	for (int i = 0; i < nmods; i++)
		mm[i] = (struct mb_mod){(uint32_t)mods[i].gpa, (uint32_t)(mods[i].gpa + mods[i].size),
					(uint32_t)mods[i].cmdline_gpa, 0};
	nmap = load_memmap(m, map, LOAD_MAX_MEMMAP);
	for (unsigned i = 0; i < nmap; i++) {
		mmap[i] = (struct mb_mmap){20, map[i].addr, map[i].size, map[i].type};
		/* mem_lower: RAM from 0 (at most 640 KiB); mem_upper: RAM from 1 MiB up to the first hole. */
		if (map[i].type == LOAD_E820_RAM && map[i].addr == 0)
			mi.mem_lower = (uint32_t)(map[i].size >> 10);
		if (map[i].type == LOAD_E820_RAM && map[i].addr == LOAD_LEGACY_HOLE_END)
			mi.mem_upper =
			    map[i].size >> 10 > UINT32_MAX ? UINT32_MAX : (uint32_t)(map[i].size >> 10);
	}

	mi.flags =
	    MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MEM_MAP | MB_INFO_BOOT_LOADER_NAME;
	mi.cmdline = (uint32_t)cmdline;
	mi.mods_count = (uint32_t)nmods;
	mi.mods_addr = LOAD_MODLIST_GPA;
	mi.mmap_length = nmap * (uint32_t)sizeof(mmap[0]);
	mi.mmap_addr = LOAD_MEMMAP_GPA;
	mi.boot_loader_name = MB_LOADER_NAME_GPA;
	if (mem_write(m, LOAD_MODLIST_GPA, mm, (size_t)nmods * sizeof(mm[0])) < 0 ||
	    mem_write(m, LOAD_MEMMAP_GPA, mmap, nmap * sizeof(mmap[0])) < 0 ||
	    mem_write(m, MB_LOADER_NAME_GPA, loader_name, sizeof(loader_name)) < 0 ||
	    mem_write(m, BOOT_START_INFO_GPA, &mi, sizeof(mi)) < 0)
		return load_err(err, errlen, img, -ENOSPC,
				"guest RAM (%llu KiB) has no room for the multiboot info",
				(unsigned long long)(m->ram_size >> 10));

	info->bsp = (struct boot_cpu){
	    .mode = BOOT_FLAT32,
	    .rip = entry,
	    .rax = MB_BOOTLOADER_MAGIC,
	    .rbx = BOOT_START_INFO_GPA,
	    .rflags = 0x2,
	};
	info->legacy_pc = false;
	info->kind = "multiboot";
	return 0;
}
