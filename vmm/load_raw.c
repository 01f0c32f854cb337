/* vmm: raw real-mode images (--raw FILE[,load=ADDR][,entry=SEG:OFF]). The
 * image is copied to its load address and entered like a boot sector: real
 * mode, DL = 0x80 (first hard disk), SS:SP = 0000:7c00. */
#include <errno.h>
#include <string.h>

#include "vmm/load_internal.h"

/* Real mode reaches 1 MiB + 64 KiB - 16 (0xffff:0xffff) with A20 on. */
#define RAW_LIMIT      0x10fff0ULL
#define RAW_BOOT_DRIVE 0x80
#define RAW_STACK      0x7c00

int load_raw(const struct vm_config *cfg, struct mem_map *m, const struct load_image *img,
	     struct boot_info *info, char *err, size_t errlen)
{
	uint64_t load = cfg->raw_load, end;
	void *hva;

	if (img->len == 0)
		return load_err(err, errlen, img, -ENOEXEC, "file is empty");
	if (add_overflow(load, (uint64_t)img->len, &end) || end > RAW_LIMIT)
		return load_err(err, errlen, img, -ERANGE,
				"%zu bytes at 0x%llx do not fit below 0x%llx, the top of real-mode memory",
				img->len, (unsigned long long)load, (unsigned long long)RAW_LIMIT);
	hva = mem_gpa_to_hva(m, load, img->len, true);
	if (!hva)
		return load_err(err, errlen, img, -ERANGE, "0x%llx-0x%llx is not in guest RAM (%llu KiB)",
				(unsigned long long)load, (unsigned long long)end,
				(unsigned long long)(m->ram_size >> 10));
	memcpy(hva, img->buf, img->len);

	info->bsp = (struct boot_cpu){
	    .mode = BOOT_REAL16,
	    .cs = cfg->raw_seg,
	    .rip = cfg->raw_off,
	    .ds = 0,
	    .rsp = RAW_STACK,
	    .rdx = RAW_BOOT_DRIVE,
	    .rflags = 0x2,
	};
	info->legacy_pc = true;
	info->kind = "raw";
	return 0;
}
