/* vmm: boot_load() reads the image, picks the boot protocol from its
 * contents and hands it to a loader; plus what the loaders share: the memory
 * map, range checks against guest RAM, and placing modules and the FDT. */
#include "vmm/boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/devices.h"
#include "vmm/fdt.h"
#include "vmm/load_bzimage.h"
#include "vmm/load_internal.h"

/* vmm/builtin.S: the hello guest, compiled into cove. */
extern const uint8_t cove_builtin_hello[];
extern const uint8_t cove_builtin_hello_end[];

#define PAGE_SIZE 4096ULL

const struct load_area load_boot_areas[] = {
    {BOOT_START_INFO_GPA, LOAD_STRINGS_END, "the boot information"},
    {BOOT_CMDLINE_GPA, BOOT_CMDLINE_GPA + BOOT_CMDLINE_MAX, "the command line"},
    {BOOT_FDT_GPA, BOOT_FDT_GPA + BOOT_FDT_MAX, "the device tree"},
    {LOAD_LEGACY_HOLE_START, LOAD_LEGACY_HOLE_END, "the legacy BIOS area"},
};
const unsigned load_nboot_areas = sizeof(load_boot_areas) / sizeof(load_boot_areas[0]);

int load_err(char *err, size_t errlen, const struct load_image *img, int ret, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!err || !errlen)
		return ret;
	if (img)
		n = snprintf(err, errlen, "%s '%s': ", img->what, img->name);
	if (n < 0)
		n = 0;
	if ((size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

int load_check_range(const struct load_image *img, const struct mem_map *m, uint64_t gpa, uint64_t len,
		     const char *what, char *err, size_t errlen)
{
	uint64_t end;

	if (add_overflow(gpa, len, &end))
		return load_err(err, errlen, img, -ERANGE, "%s at 0x%llx (size 0x%llx) wraps around", what,
				(unsigned long long)gpa, (unsigned long long)len);
	if (ranges_overlap(gpa, len, MEM_HOLE_START, MEM_HOLE_END - MEM_HOLE_START))
		return load_err(err, errlen, img, -ERANGE,
				"%s at 0x%llx-0x%llx is in the MMIO hole (0x%llx-0x%llx)", what,
				(unsigned long long)gpa, (unsigned long long)end,
				(unsigned long long)MEM_HOLE_START, (unsigned long long)MEM_HOLE_END);
	for (unsigned i = 0; i < load_nboot_areas; i++) {
		const struct load_area *a = &load_boot_areas[i];

		if (ranges_overlap(gpa, len, a->start, a->end - a->start))
			return load_err(err, errlen, img, -ERANGE,
					"%s at 0x%llx-0x%llx overlaps %s (0x%llx-0x%llx)", what,
					(unsigned long long)gpa, (unsigned long long)end, a->what,
					(unsigned long long)a->start, (unsigned long long)a->end);
	}
	if (!mem_gpa_to_hva(m, gpa, len, true)) {
		/* In KiB unless whole MiB: "1 MiB" for 1092K would hide why 1 MiB + 4K does not fit. */
		bool mib = !(m->ram_size & ((1ULL << 20) - 1));

		return load_err(err, errlen, img, -ERANGE, "%s at 0x%llx-0x%llx is outside RAM (%llu %s)",
				what, (unsigned long long)gpa, (unsigned long long)end,
				(unsigned long long)(m->ram_size >> (mib ? 20 : 10)), mib ? "MiB" : "KiB");
	}
	return 0;
}

static unsigned memmap_add(struct load_range *out, unsigned n, unsigned max, uint64_t addr, uint64_t size,
			   uint32_t type)
{
	unsigned i;

	if (!size || n >= max)
		return n;
	/* Insertion keeps the map sorted by address. */
	for (i = n; i > 0 && out[i - 1].addr > addr; i--)
		out[i] = out[i - 1];
	out[i] = (struct load_range){addr, size, type};
	return n + 1;
}

unsigned load_memmap(const struct mem_map *m, struct load_range *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < m->n; i++) {
		const struct mem_region *r = &m->r[i];
		uint64_t start = r->gpa, end = r->gpa + r->size;

		if (r->kind != MEM_RAM)
			continue;
		/* RAM under the legacy hole is there but not for the guest's use. */
		if (start < LOAD_LEGACY_HOLE_START)
			n = memmap_add(out, n, max, start,
				       (end < LOAD_LEGACY_HOLE_START ? end : LOAD_LEGACY_HOLE_START) - start,
				       LOAD_E820_RAM);
		if (end > LOAD_LEGACY_HOLE_END) {
			uint64_t s = start > LOAD_LEGACY_HOLE_END ? start : LOAD_LEGACY_HOLE_END;

			n = memmap_add(out, n, max, s, end - s, LOAD_E820_RAM);
		}
	}
	n = memmap_add(out, n, max, LOAD_LEGACY_HOLE_START, LOAD_LEGACY_HOLE_END - LOAD_LEGACY_HOLE_START,
		       LOAD_E820_RESERVED);
	n = memmap_add(out, n, max, MEM_HOLE_START, MEM_HOLE_END - MEM_HOLE_START, LOAD_E820_RESERVED);
	return n;
}

/* Opens path and checks it is a regular file; *size gets its size. */
static int file_open(const struct load_image *img, const char *path, uint64_t *size, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return load_err(err, errlen, img, -e, "no such file");
		return load_err(err, errlen, img, -e, "cannot open: %s", strerror(e));
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return load_err(err, errlen, img, -e, "cannot stat: %s", strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return load_err(err, errlen, img, -EINVAL, "not a regular file");
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/* Reads exactly len bytes from fd at offset 0 into dst. */
static int file_read_all(const struct load_image *img, int fd, void *dst, uint64_t len, char *err,
			 size_t errlen)
{
	uint64_t done = 0;

	while (done < len) {
		size_t chunk = len - done > (1u << 30) ? (1u << 30) : (size_t)(len - done);
		ssize_t r = pread(fd, (uint8_t *)dst + done, chunk, (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return load_err(err, errlen, img, -errno, "read failed: %s", strerror(errno));
		if (r == 0)
			return load_err(err, errlen, img, -EIO,
					"file shrank while reading (%llu of %llu bytes)",
					(unsigned long long)done, (unsigned long long)len);
		done += (uint64_t)r;
	}
	return 0;
}

/* Copies s (with its NUL) into the module-string area. */
static int put_string(struct mem_map *m, uint64_t *cursor, const char *s, uint64_t *gpa)
{
	size_t n = strlen(s) + 1;

	if (n > LOAD_STRINGS_END - *cursor)
		return -ENOSPC;
	if (mem_write(m, *cursor, s, n) < 0)
		return -EFAULT;
	*gpa = *cursor;
	*cursor += n;
	return 0;
}

/* The end of the RAM region at `from` that the modules may use. */
static uint64_t modules_limit(const struct mem_map *m, uint64_t from)
{
	const struct mem_region *r = mem_find(m, from);
	uint64_t end;

	if (!r || r->kind != MEM_RAM)
		return from;
	end = r->gpa + r->size;
	if (r->gpa < MEM_HOLE_START && end > MEM_HOLE_START)
		end = MEM_HOLE_START;
	return end;
}

static int load_one_module(struct mem_map *m, const char *what, const char *path, const char *string,
			   uint64_t *next, uint64_t *strings, struct load_module *mod, char *err,
			   size_t errlen)
{
	struct load_image img = {.what = what, .name = path};
	uint64_t size, limit, gpa = *next;
	void *hva;
	int fd, r;

	fd = file_open(&img, path, &size, err, errlen);
	if (fd < 0)
		return fd;
	limit = modules_limit(m, gpa);
	if (size > limit - gpa) {
		close(fd);
		return load_err(err, errlen, &img, -ENOSPC,
				"%llu bytes do not fit in guest RAM (%llu bytes free at 0x%llx)",
				(unsigned long long)size, (unsigned long long)(limit - gpa),
				(unsigned long long)gpa);
	}
	hva = mem_gpa_to_hva(m, gpa, size, true);
	if (!hva) {
		close(fd);
		return load_err(err, errlen, &img, -ENOSPC, "does not fit in guest RAM at 0x%llx",
				(unsigned long long)gpa);
	}
	r = file_read_all(&img, fd, hva, size, err, errlen);
	close(fd);
	if (r < 0)
		return r;
	mod->gpa = gpa;
	mod->size = size;
	if (put_string(m, strings, string ? string : path, &mod->cmdline_gpa) < 0)
		return load_err(err, errlen, &img, -ENOSPC,
				"module strings exceed the %llu bytes cove passes",
				(unsigned long long)(LOAD_STRINGS_END - LOAD_STRINGS_GPA));
	/* Page aligned, as multiboot flag bit 0 asks and PVH guests expect. */
	*next = (gpa + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	return 0;
}

int boot_install_reset_stub(struct mem_map *m)
{
	/* mov dx, POWER_RESET_PORT; mov al, POWER_RESET_VALUE; out dx, al;
	 * 1: hlt; jmp 1b (16-bit code: the CPU is in real mode there). */
	static const uint8_t stub[] = {0xba, POWER_RESET_PORT & 0xff, POWER_RESET_PORT >> 8,
				       0xb0, POWER_RESET_VALUE, 0xee, 0xf4, 0xeb, 0xfd};

	return mem_write(m, BOOT_RESET_VECTOR_GPA, stub, sizeof(stub));
}

int load_cmdline_append(struct mem_map *m, const char *extra, size_t max, const struct load_image *img, char *err,
			size_t errlen)
{
	size_t elen, clen;
	char *c;

	if (!extra || !*extra)
		return 0;
	elen = strlen(extra);
	c = mem_gpa_to_hva(m, BOOT_CMDLINE_GPA, BOOT_CMDLINE_MAX, true);
	if (!c)
		return load_err(err, errlen, img, -ENOSPC, "no RAM for the command line");
	clen = strnlen(c, BOOT_CMDLINE_MAX);
	if (clen + 1 + elen > max || clen + 1 + elen >= BOOT_CMDLINE_MAX)
		return load_err(err, errlen, img, -E2BIG,
				"command line: %zu bytes and this host's \"%s\" are more than the kernel takes (%zu)",
				clen, extra, max);
	if (clen)
		c[clen++] = ' ';
	memcpy(c + clen, extra, elen + 1);
	return 0;
}

int load_modules(const struct vm_config *cfg, struct mem_map *m, struct bus *bus, uint64_t top,
		 struct load_module *mods, uint64_t *cmdline_gpa, char *err, size_t errlen)
{
	const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
	size_t clen = strlen(cmdline);
	struct load_range map[LOAD_MAX_MEMMAP];
	uint64_t next, strings = LOAD_STRINGS_GPA, fdt_size;
	unsigned n = 0;
	int r;

	if (clen >= BOOT_CMDLINE_MAX)
		return load_err(err, errlen, NULL, -E2BIG,
				"command line: %zu bytes is too long (at most %llu)", clen,
				(unsigned long long)BOOT_CMDLINE_MAX - 1);
	if (mem_write(m, BOOT_CMDLINE_GPA, cmdline, clen + 1) < 0)
		return load_err(
		    err, errlen, NULL, -ENOSPC, "command line: guest RAM (%llu KiB) has no room at 0x%llx",
		    (unsigned long long)(m->ram_size >> 10), (unsigned long long)BOOT_CMDLINE_GPA);
	*cmdline_gpa = BOOT_CMDLINE_GPA;
	if (cfg->nmodules > VM_MAX_MODULES)
		return load_err(err, errlen, NULL, -EINVAL, "too many modules (%u, at most %u)",
				cfg->nmodules, VM_MAX_MODULES);

	if (add_overflow(top, PAGE_SIZE - 1, &next))
		return load_err(err, errlen, NULL, -ERANGE, "kernel ends at the top of the address space");
	next &= ~(PAGE_SIZE - 1);
	if (next < LOAD_LEGACY_HOLE_END)
		next = LOAD_LEGACY_HOLE_END;

	if (cfg->initrd) {
		r = load_one_module(m, "initrd", cfg->initrd, NULL, &next, &strings, &mods[n], err, errlen);
		if (r < 0)
			return r;
		n++;
	}
	for (unsigned i = 0; i < cfg->nmodules; i++) {
		r = load_one_module(m, "module", cfg->modules[i].path, cfg->modules[i].cmdline, &next,
				    &strings, &mods[n], err, errlen);
		if (r < 0)
			return r;
		n++;
	}

	struct vmfdt_params fp = {
	    .cmdline = cmdline,
	    .map = map,
	    .nmap = load_memmap(m, map, LOAD_MAX_MEMMAP),
	    .ncpus = cfg->cpus ? cfg->cpus : 1,
	    .bus = bus,
	};
	r = vmfdt_install(m, &fp, BOOT_FDT_GPA, BOOT_FDT_MAX, &fdt_size);
	mods[n].gpa = BOOT_FDT_GPA;
	if (r == -ENOSPC) {
		/* A long command line makes bootargs big: the tree moves up
		 * after the modules, where there is room. */
		uint64_t room = modules_limit(m, next) - next;

		if (room > BOOT_CMDLINE_MAX + BOOT_FDT_MAX)
			room = BOOT_CMDLINE_MAX + BOOT_FDT_MAX;
		r = vmfdt_install(m, &fp, next, room, &fdt_size);
		mods[n].gpa = next;
	}
	if (r == -EFAULT) /* built, but guest RAM ends before it */
		return load_err(err, errlen, NULL, -ENOSPC,
				"device tree: guest RAM (%llu KiB) has no room at 0x%llx",
				(unsigned long long)(m->ram_size >> 10), (unsigned long long)mods[n].gpa);
	if (r < 0)
		return load_err(err, errlen, NULL, r, "device tree: %s",
				r == -ENOSPC ? "no room in guest RAM" : strerror(-r));
	mods[n].size = fdt_size;
	if (put_string(m, &strings, LOAD_FDT_CMDLINE, &mods[n].cmdline_gpa) < 0)
		return load_err(err, errlen, NULL, -ENOSPC,
				"module strings exceed the %llu bytes cove passes",
				(unsigned long long)(LOAD_STRINGS_END - LOAD_STRINGS_GPA));
	return (int)n + 1;
}

/* Reads the whole file into a new buffer, refusing one larger than RAM. */
static int image_read(struct load_image *img, const char *path, uint64_t ram, uint8_t **out, char *err,
		      size_t errlen)
{
	uint64_t size;
	uint8_t *buf;
	int fd, r;

	fd = file_open(img, path, &size, err, errlen);
	if (fd < 0)
		return fd;
	if (size == 0) {
		close(fd);
		return load_err(err, errlen, img, -ENOEXEC, "file is empty");
	}
	if (size > ram || size > SIZE_MAX) {
		close(fd);
		return load_err(err, errlen, img, -EFBIG, "%llu bytes is larger than guest RAM (%llu bytes)",
				(unsigned long long)size, (unsigned long long)ram);
	}
	buf = malloc((size_t)size);
	if (!buf) {
		close(fd);
		return load_err(err, errlen, img, -ENOMEM, "no memory to read %llu bytes",
				(unsigned long long)size);
	}
	r = file_read_all(img, fd, buf, size, err, errlen);
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	img->buf = buf;
	img->len = (size_t)size;
	*out = buf;
	return 0;
}

int boot_load_image(const struct vm_config *cfg, struct mem_map *m, struct bus *bus,
		    const struct load_image *img, struct boot_info *info, char *err, size_t errlen)
{
	struct elf_image elf;
	const char *extra = info->linux_extra;
	long mb;

	memset(info, 0, sizeof(*info));
	info->linux_extra = extra;
	if (cfg->raw)
		return load_raw(cfg, m, img, info, err, errlen);
	mb = multiboot_find(img->buf, img->len);

	if (elf_is_elf(img->buf, img->len)) {
		int r = elf_parse(img, &elf, err, errlen);

		if (r == 0 && elf.has_pvh)
			return load_pvh(cfg, m, bus, img, &elf, info, err, errlen);
		if (mb >= 0)
			return load_multiboot(cfg, m, bus, img, (size_t)mb, r == 0 ? &elf : NULL, info, err,
					      errlen);
		if (r < 0)
			return r;
		return load_err(
		    err, errlen, img, -ENOEXEC,
		    "ELF has neither a PVH note (XEN_ELFNOTE_PHYS32_ENTRY) nor a multiboot header");
	}
	if (mb >= 0)
		return load_multiboot(cfg, m, bus, img, (size_t)mb, NULL, info, err, errlen);
	/* The Linux boot protocol (vmm/load_bzimage.c). */
	if (bzimage_is_bzimage(img->buf, img->len))
		return load_bzimage(cfg, m, bus, img, info, err, errlen);
	return load_err(err, errlen, img, -ENOEXEC, "not a PVH ELF, multiboot or bzImage image");
}

int boot_load(const struct vm_config *cfg, struct mem_map *m, struct bus *bus, struct boot_info *info,
	      char *err, size_t errlen)
{
	struct load_image img = {0};
	uint8_t *owned = NULL;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (cfg->raw) {
		img.what = "raw image";
		img.name = cfg->raw;
	} else if (cfg->kernel) {
		img.what = "kernel";
		img.name = cfg->kernel;
	} else {
		img.what = "built-in guest";
		img.name = "hello";
		img.buf = cove_builtin_hello;
		img.len = (size_t)(cove_builtin_hello_end - cove_builtin_hello);
	}
	if (!img.buf) {
		r = image_read(&img, img.name, m->ram_size, &owned, err, errlen);
		if (r < 0)
			return r;
	}
	r = boot_load_image(cfg, m, bus, &img, info, err, errlen);
	free(owned);
	return r;
}
