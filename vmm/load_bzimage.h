/* vmm: the Linux bzImage loader (64-bit boot protocol), called from
 * boot_load() when the image has a "HdrS" setup header. */
#ifndef COVE_VMM_LOAD_BZIMAGE_H
#define COVE_VMM_LOAD_BZIMAGE_H

#include "vmm/load_internal.h"

bool bzimage_is_bzimage(const uint8_t *buf, size_t len);
int load_bzimage(const struct vm_config *cfg, struct mem_map *m, struct bus *bus, const struct load_image *img,
		 struct boot_info *info, char *err, size_t errlen);

#endif
