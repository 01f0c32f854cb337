/* Unit tests for the boot loaders (vmm/boot.c, vmm/load_*.c): images built
 * here by hand are loaded into a real mem_map and the boot_info and guest
 * memory are checked field by field; each malformation gives its error. */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/bus.h"
#include "mem/mem.h"
#include "vmm/boot.h"
#include "vmm/load_internal.h"

#define MIB (1024ULL * 1024)

static struct mem_map m;
static struct bus *bus;
static char err[256];
static char tmpdir[64];

static void dev_read(void *o, uint64_t off, void *d, unsigned l)
{
	(void)o, (void)off;
	memset(d, 0, l);
}
static void dev_write(void *o, uint64_t off, const void *d, unsigned l)
{
	(void)o, (void)off, (void)d, (void)l;
}
static const struct bus_ops dev_ops = {dev_read, dev_write};

static void setup_mem(uint64_t size)
{
	cr_assert_eq(mem_init(&m, size), 0, "mem_init(%llu)", (unsigned long long)size);
	bus = bus_new();
	cr_assert_not_null(bus);
	struct bus_dev_info uart = {.name = "serial", .fdt_compatible = "ns16550a", .irq = 4};
	cr_assert_eq(bus_register(bus, BUS_PIO, 0x3f8, 8, &dev_ops, NULL, &uart), 0);
	strcpy(tmpdir, "/tmp/test_load.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	err[0] = 0;
}

static void setup(void)
{
	setup_mem(64 * MIB);
}

static void teardown(void)
{
	char cmd[128];

	bus_free(bus);
	mem_destroy(&m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

/* Writes buf to a new file in tmpdir; returns its path (static storage per slot). */
static const char *write_file(const char *name, const void *buf, size_t len)
{
	static char paths[8][128];
	static unsigned next;
	char *p = paths[next++ % 8];
	FILE *f;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	f = fopen(p, "wb");
	cr_assert_not_null(f);
	if (len)
		cr_assert_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
	return p;
}

/* ---- image builders ---- */

struct tseg {
	uint32_t type;
	uint64_t paddr, vaddr, filesz, memsz;
	const void *data; /* filesz bytes; NULL: a pattern */
	uint64_t offset;  /* filled in by build_elf */
};

struct img {
	uint8_t *buf;
	size_t len;
};

/* An ELF with the given segments, their data after the program headers. */
static struct img build_elf(bool is64, uint64_t entry, struct tseg *segs, unsigned n)
{
	size_t ehsz = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t phsz = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t off = ehsz + n * phsz, len;
	uint8_t *b;

	for (unsigned i = 0; i < n; i++) {
		off = (off + 15) & ~(size_t)15;
		segs[i].offset = off;
		off += segs[i].filesz;
	}
	len = off;
	b = calloc(1, len);
	cr_assert_not_null(b);
	if (is64) {
		Elf64_Ehdr eh = {0};

		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS64;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		eh.e_ident[EI_VERSION] = EV_CURRENT;
		eh.e_type = ET_EXEC;
		eh.e_machine = EM_X86_64;
		eh.e_version = EV_CURRENT;
		eh.e_entry = entry;
		eh.e_phoff = ehsz;
		eh.e_ehsize = (uint16_t)ehsz;
		eh.e_phentsize = (uint16_t)phsz;
		eh.e_phnum = (uint16_t)n;
		memcpy(b, &eh, sizeof(eh));
		for (unsigned i = 0; i < n; i++) {
			Elf64_Phdr ph = {.p_type = segs[i].type,
					 .p_offset = segs[i].offset,
					 .p_vaddr = segs[i].vaddr,
					 .p_paddr = segs[i].paddr,
					 .p_filesz = segs[i].filesz,
					 .p_memsz = segs[i].memsz,
					 .p_align = 16};
			memcpy(b + ehsz + i * phsz, &ph, sizeof(ph));
		}
	} else {
		Elf32_Ehdr eh = {0};

		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS32;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		eh.e_ident[EI_VERSION] = EV_CURRENT;
		eh.e_type = ET_EXEC;
		eh.e_machine = EM_386;
		eh.e_version = EV_CURRENT;
		eh.e_entry = (uint32_t)entry;
		eh.e_phoff = (uint32_t)ehsz;
		eh.e_ehsize = (uint16_t)ehsz;
		eh.e_phentsize = (uint16_t)phsz;
		eh.e_phnum = (uint16_t)n;
		memcpy(b, &eh, sizeof(eh));
		for (unsigned i = 0; i < n; i++) {
			Elf32_Phdr ph = {.p_type = segs[i].type,
					 .p_offset = (uint32_t)segs[i].offset,
					 .p_vaddr = (uint32_t)segs[i].vaddr,
					 .p_paddr = (uint32_t)segs[i].paddr,
					 .p_filesz = (uint32_t)segs[i].filesz,
					 .p_memsz = (uint32_t)segs[i].memsz,
					 .p_align = 16};
			memcpy(b + ehsz + i * phsz, &ph, sizeof(ph));
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (segs[i].data)
			memcpy(b + segs[i].offset, segs[i].data, segs[i].filesz);
		else
			for (uint64_t j = 0; j < segs[i].filesz; j++)
				b[segs[i].offset + j] = (uint8_t)(j * 7 + i + 1);
	}
	return (struct img){b, len};
}

/* A Xen PHYS32_ENTRY note (descsz 4). */
struct pvh_note {
	uint32_t namesz, descsz, type;
	char name[4];
	uint32_t entry;
};

static struct pvh_note note_for(uint32_t entry)
{
	return (struct pvh_note){4, 4, 18, "Xen", entry};
}

/* The standard good PVH image: 0x3000 bytes of code/data at 1 MiB (0x1000
 * of them bss), entry at 1 MiB + 0x10. */
static struct pvh_note good_note;
static struct tseg good_segs[2];
static struct img good_pvh(bool is64)
{
	good_note = note_for(0x100010);
	good_segs[0] = (struct tseg){PT_LOAD, 0x100000, 0x100000, 0x2000, 0x3000, NULL, 0};
	good_segs[1] = (struct tseg){PT_NOTE, 0, 0, sizeof(good_note), sizeof(good_note), &good_note, 0};
	return build_elf(is64, 0x100010, good_segs, 2);
}

static struct load_image limg(struct img i)
{
	return (struct load_image){.buf = i.buf, .len = i.len, .what = "kernel", .name = "k.elf"};
}

static struct vm_config base_cfg(void)
{
	struct vm_config c = {0};

	c.mem_size = m.ram_size;
	c.cpus = 1;
	return c;
}

static int load_buf(const struct vm_config *cfg, struct img i, struct boot_info *info)
{
	struct load_image li = limg(i);

	return boot_load_image(cfg, &m, bus, &li, info, err, sizeof(err));
}

#define assert_err(r, code, text)                                                                            \
	do {                                                                                                 \
		cr_assert_eq((r), (code), "return %d, want %d (err: %s)", (r), (code), err);                 \
		cr_assert(strstr(err, (text)) != NULL, "err '%s' should mention '%s'", err, (text));         \
		cr_assert(strchr(err, '\n') == NULL, "err is one line: '%s'", err);                          \
	} while (0)

struct hvm_start_info_t {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};
struct hvm_mod_t {
	uint64_t paddr, size, cmdline_paddr, reserved;
};
struct hvm_mm_t {
	uint64_t addr, size;
	uint32_t type, reserved;
};

static void read_str(uint64_t gpa, char *out, size_t max)
{
	cr_assert_eq(mem_read(&m, gpa, out, max), 0);
	out[max - 1] = 0;
}

/* ================= raw ================= */

TestSuite(raw, .init = setup, .fini = teardown);

Test(raw, blob_loads_at_7c00_and_enters_real_mode_like_a_boot_sector)
{
	static const uint8_t blob[] = {0xb0, 0x41, 0xba, 0xf8, 0x03, 0xee, 0xb0, 0x00, 0xe6, 0xf4};
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	uint8_t back[sizeof(blob)];

	cfg.raw = write_file("blob.bin", blob, sizeof(blob));
	cfg.raw_load = 0x7c00;
	cfg.raw_seg = 0;
	cfg.raw_off = 0x7c00;
	cr_assert_eq(boot_load(&cfg, &m, bus, &info, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(mem_read(&m, 0x7c00, back, sizeof(back)), 0);
	cr_assert_arr_eq(back, blob, sizeof(blob));
	cr_assert_eq(info.bsp.mode, BOOT_REAL16);
	cr_assert_eq(info.bsp.cs, 0);
	cr_assert_eq(info.bsp.rip, 0x7c00);
	cr_assert_eq(info.bsp.rdx & 0xff, 0x80, "DL is the boot drive 0x80");
	cr_assert_eq(info.bsp.rsp, 0x7c00);
	cr_assert_eq(info.bsp.ds, 0);
	cr_assert(info.legacy_pc);
	cr_assert_str_eq(info.kind, "raw");
}

Test(raw, load_address_and_entry_come_from_the_config)
{
	uint8_t blob[300];
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	uint8_t back[sizeof(blob)];

	for (unsigned i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)i;
	cfg.raw = write_file("fw.bin", blob, sizeof(blob));
	cfg.raw_load = 0xf0000;
	cfg.raw_seg = 0xf000;
	cfg.raw_off = 0x0010;
	cr_assert_eq(boot_load(&cfg, &m, bus, &info, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(mem_read(&m, 0xf0000, back, sizeof(back)), 0);
	cr_assert_arr_eq(back, blob, sizeof(blob));
	cr_assert_eq(info.bsp.cs, 0xf000);
	cr_assert_eq(info.bsp.rip, 0x10);
}

Test(raw, image_reaching_past_1mib_plus_64k_is_refused)
{
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	uint8_t *big = calloc(1, 0x20000);
	int r;

	cfg.raw = write_file("big.bin", big, 0x20000);
	cfg.raw_load = 0xf8000;
	r = boot_load(&cfg, &m, bus, &info, err, sizeof(err));
	assert_err(r, -ERANGE, "do not fit below 0x10fff0");
	cr_assert(strstr(err, "raw image '") == err, "names the file: %s", err);
	free(big);
}

Test(raw, image_ending_exactly_at_the_real_mode_limit_loads)
{
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	uint8_t *img = calloc(1, 0x10000);
	int r;

	img[0xffff] = 0xa5;
	cfg.raw = write_file("top.bin", img, 0x10000);
	cfg.raw_load = 0x10fff0 - 0x10000;
	cr_assert_eq(boot_load(&cfg, &m, bus, &info, err, sizeof(err)), 0, "%s", err);
	uint8_t last = 0;
	cr_assert_eq(mem_read(&m, 0x10ffef, &last, 1), 0);
	cr_assert_eq(last, 0xa5);
	cfg.raw_load++;
	r = boot_load(&cfg, &m, bus, &info, err, sizeof(err));
	assert_err(r, -ERANGE, "do not fit");
	free(img);
}

Test(raw, image_outside_guest_ram_is_refused)
{
	static const uint8_t blob[16] = {0xf4};
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	int r;

	teardown();
	setup_mem(256 * 1024);
	cfg = base_cfg();
	cfg.raw = write_file("blob.bin", blob, sizeof(blob));
	cfg.raw_load = 0x80000;
	r = boot_load(&cfg, &m, bus, &info, err, sizeof(err));
	assert_err(r, -ERANGE, "not in guest RAM");
}

Test(raw, missing_empty_directory_and_oversized_files_are_refused)
{
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	char dir[128];
	int r;

	cfg.raw = "/nonexistent/cove-test.bin";
	r = boot_load(&cfg, &m, bus, &info, err, sizeof(err));
	assert_err(r, -ENOENT, "no such file");
	cr_assert(strstr(err, "/nonexistent/cove-test.bin") != NULL);

	cfg.raw = write_file("empty.bin", NULL, 0);
	r = boot_load(&cfg, &m, bus, &info, err, sizeof(err));
	assert_err(r, -ENOEXEC, "empty");

	snprintf(dir, sizeof(dir), "%s/sub", tmpdir);
	cr_assert_eq(mkdir(dir, 0700), 0);
	cfg.raw = dir;
	r = boot_load(&cfg, &m, bus, &info, err, sizeof(err));
	assert_err(r, -EINVAL, "not a regular file");

	teardown();
	setup_mem(64 * 1024);
	uint8_t *big = calloc(1, 128 * 1024);
	cfg = base_cfg();
	cfg.raw = write_file("big.bin", big, 128 * 1024);
	r = boot_load(&cfg, &m, bus, &info, err, sizeof(err));
	assert_err(r, -EFBIG, "larger than guest RAM");
	free(big);
}

Test(raw, unreadable_file_is_refused_with_the_reason)
{
	static const uint8_t blob[4] = {0xf4};
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	int r;

	if (geteuid() == 0)
		cr_skip_test("root reads any file");
	cfg.raw = write_file("noread.bin", blob, sizeof(blob));
	cr_assert_eq(chmod(cfg.raw, 0), 0);
	r = boot_load(&cfg, &m, bus, &info, err, sizeof(err));
	assert_err(r, -EACCES, "cannot open");
}

/* ================= PVH ================= */

TestSuite(pvh, .init = setup, .fini = teardown);

/* Linux's vmlinux: the entry note and XEN_ELFNOTE_GUEST_OS "linux". */
struct linux_notes {
	struct pvh_note entry;
	uint32_t namesz, descsz, type;
	char name[4];
	char desc[8];
};

static void pvh_cmdline(bool is_linux, const char *extra, char *out, size_t len)
{
	static struct linux_notes notes;
	struct tseg segs[2];
	struct vm_config cfg = base_cfg();
	struct boot_info info = {.linux_extra = extra};
	struct hvm_start_info_t si;

	notes = (struct linux_notes){note_for(0x100010), 4, 6, is_linux ? 6 : 0x99, "Xen", "linux"};
	segs[0] = (struct tseg){PT_LOAD, 0x100000, 0x100000, 0x2000, 0x3000, NULL, 0};
	segs[1] = (struct tseg){PT_NOTE, 0, 0, sizeof(notes), sizeof(notes), &notes, 0};
	struct img i = build_elf(true, 0x100010, segs, 2);
	cfg.cmdline = "console=ttyS0";
	cr_assert_eq(load_buf(&cfg, i, &info), 0, "%s", err);
	cr_assert_eq(mem_read(&m, BOOT_START_INFO_GPA, &si, sizeof(si)), 0);
	read_str(si.cmdline_paddr, out, len);
	free(i.buf);
}

Test(pvh, linux_vmlinux_gets_the_host_words_and_a_unikernel_does_not)
{
	char s[64];

	pvh_cmdline(true, "noxsave", s, sizeof(s));
	cr_assert_str_eq(s, "console=ttyS0 noxsave", "a vmlinux (GUEST_OS linux) gets the host's words");
	pvh_cmdline(false, "noxsave", s, sizeof(s));
	cr_assert_str_eq(s, "console=ttyS0", "a unikernel's command line is its own");
	pvh_cmdline(true, NULL, s, sizeof(s));
	cr_assert_str_eq(s, "console=ttyS0", "no host words, nothing added");
}

static void check_good_pvh(bool is64)
{
	struct img i = good_pvh(is64);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	struct hvm_start_info_t si;
	struct hvm_mod_t mod;
	struct hvm_mm_t mm[8];
	char s[64];
	uint8_t seg[0x2000];

	cfg.kernel = write_file("k.elf", i.buf, i.len);
	cfg.cmdline = "console=ttyS0 quiet";
	cr_assert_eq(boot_load(&cfg, &m, bus, &info, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(info.kind, "pvh");
	cr_assert_eq(info.bsp.mode, BOOT_FLAT32);
	cr_assert_eq(info.bsp.rip, 0x100010);
	cr_assert_eq(info.bsp.rbx, BOOT_START_INFO_GPA);
	cr_assert_not(info.legacy_pc);

	cr_assert_eq(mem_read(&m, 0x100000, seg, sizeof(seg)), 0);
	cr_assert_arr_eq(seg, i.buf + good_segs[0].offset, sizeof(seg), "segment contents at its paddr");

	cr_assert_eq(mem_read(&m, BOOT_START_INFO_GPA, &si, sizeof(si)), 0);
	cr_assert_eq(si.magic, 0x336ec578);
	cr_assert_eq(si.version, 1);
	/* ACPI for kernels that boot through PVH (Linux's vmlinux). */
	char sig[8];
	cr_assert_neq(si.rsdp_paddr, 0, "PVH start info without an RSDP");
	cr_assert_eq(mem_read(&m, si.rsdp_paddr, sig, sizeof(sig)), 0);
	cr_assert_arr_eq(sig, "RSD PTR ", 8, "rsdp_paddr does not point at the RSDP");
	read_str(si.cmdline_paddr, s, sizeof(s));
	cr_assert_str_eq(s, "console=ttyS0 quiet");

	cr_assert_eq(si.nr_modules, 1, "only the FDT");
	cr_assert_eq(mem_read(&m, si.modlist_paddr, &mod, sizeof(mod)), 0);
	read_str(mod.cmdline_paddr, s, sizeof(s));
	cr_assert_str_eq(s, "cove-fdt");
	uint8_t *fdt = mem_gpa_to_hva(&m, mod.paddr, mod.size, false);
	cr_assert_not_null(fdt);
	cr_assert_eq(fdt_check_header(fdt), 0);
	cr_assert_eq(fdt_totalsize(fdt), mod.size);
	int chosen = fdt_path_offset(fdt, "/chosen");
	cr_assert_geq(chosen, 0);
	cr_assert_str_eq(fdt_getprop(fdt, chosen, "bootargs", NULL), "console=ttyS0 quiet");
	cr_assert_geq(fdt_path_offset(fdt, "/serial@3f8"), 0);

	cr_assert_eq(si.memmap_entries, 4);
	cr_assert_eq(mem_read(&m, si.memmap_paddr, mm, 4 * sizeof(mm[0])), 0);
	cr_assert(mm[0].addr == 0 && mm[0].size == 0xa0000 && mm[0].type == 1, "RAM below 640K");
	cr_assert(mm[1].addr == 0xa0000 && mm[1].size == 0x60000 && mm[1].type == 2, "legacy hole reserved");
	cr_assert(mm[2].addr == MIB && mm[2].size == 63 * MIB && mm[2].type == 1, "RAM from 1M");
	cr_assert(mm[3].addr == MEM_HOLE_START && mm[3].size == MEM_HOLE_END - MEM_HOLE_START &&
		      mm[3].type == 2,
		  "MMIO hole reserved");
	/* The FDT's memory nodes are the memmap's RAM entries, no more. */
	for (unsigned k = 0; k < 4; k++) {
		char path[40];
		int len = 0, off;

		snprintf(path, sizeof(path), "/memory@%llx", (unsigned long long)mm[k].addr);
		off = fdt_path_offset(fdt, path);
		if (mm[k].type != 1) {
			cr_assert_lt(off, 0, "%s is not memory", path);
			continue;
		}
		const uint64_t *reg = fdt_getprop(fdt, off, "reg", &len);
		cr_assert(reg && len == 16, "%s has reg", path);
		cr_assert_eq(fdt64_to_cpu(reg[0]), mm[k].addr);
		cr_assert_eq(fdt64_to_cpu(reg[1]), mm[k].size);
	}
	free(i.buf);
}

Test(pvh, elf64_with_note_loads_and_gets_start_info_memmap_and_fdt_last)
{
	check_good_pvh(true);
}

Test(pvh, elf32_with_note_loads_the_same_way)
{
	check_good_pvh(false);
}

Test(pvh, memmap_has_ram_above_4g_when_guest_ram_crosses_the_hole)
{
	struct img i = good_pvh(true);
	struct vm_config cfg;
	struct boot_info info = {0};
	struct hvm_start_info_t si;
	struct hvm_mm_t mm[8];

	teardown();
	setup_mem(4096 * MIB);
	cfg = base_cfg();
	cr_assert_eq(load_buf(&cfg, i, &info), 0, "%s", err);
	cr_assert_eq(mem_read(&m, BOOT_START_INFO_GPA, &si, sizeof(si)), 0);
	cr_assert_eq(si.memmap_entries, 5);
	cr_assert_eq(mem_read(&m, si.memmap_paddr, mm, 5 * sizeof(mm[0])), 0);
	cr_assert_eq(mm[2].size, MEM_HOLE_START - MIB);
	cr_assert(mm[4].addr == MEM_HOLE_END && mm[4].size == 4096 * MIB - MEM_HOLE_START && mm[4].type == 1,
		  "RAM above 4 GiB: %llx+%llx", (unsigned long long)mm[4].addr,
		  (unsigned long long)mm[4].size);
	free(i.buf);
}

Test(pvh, initrd_then_modules_then_fdt_page_aligned_above_the_kernel)
{
	struct img i = good_pvh(true);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	struct hvm_start_info_t si;
	struct hvm_mod_t mod[4];
	char s[64];
	uint8_t data[3][5000], back[5000];
	static const size_t sizes[3] = {5000, 17, 4096};

	for (unsigned k = 0; k < 3; k++)
		for (unsigned j = 0; j < 5000; j++)
			data[k][j] = (uint8_t)(j * (k + 3));
	cfg.initrd = write_file("initrd", data[0], sizes[0]);
	cfg.modules[0].path = write_file("mod1", data[1], sizes[1]);
	cfg.modules[0].cmdline = "first module";
	cfg.modules[1].path = write_file("mod2", data[2], sizes[2]);
	cfg.modules[1].cmdline = NULL;
	cfg.nmodules = 2;
	cr_assert_eq(load_buf(&cfg, i, &info), 0, "%s", err);
	cr_assert_eq(mem_read(&m, BOOT_START_INFO_GPA, &si, sizeof(si)), 0);
	cr_assert_eq(si.nr_modules, 4);
	cr_assert_eq(mem_read(&m, si.modlist_paddr, mod, sizeof(mod)), 0);
	uint64_t prev_end = 0x103000; /* the kernel's top, bss included */
	for (unsigned k = 0; k < 3; k++) {
		cr_assert_eq(mod[k].paddr & 0xfff, 0, "module %u page aligned", k);
		cr_assert_geq(mod[k].paddr, prev_end, "module %u above what precedes it", k);
		cr_assert_eq(mod[k].size, sizes[k]);
		cr_assert_eq(mem_read(&m, mod[k].paddr, back, sizes[k]), 0);
		cr_assert_arr_eq(back, data[k], sizes[k], "module %u contents", k);
		prev_end = mod[k].paddr + mod[k].size;
	}
	cr_assert_eq(mod[0].paddr, 0x103000, "first module right after the kernel");
	read_str(mod[0].cmdline_paddr, s, sizeof(s));
	cr_assert_str_eq(s, cfg.initrd);
	read_str(mod[1].cmdline_paddr, s, sizeof(s));
	cr_assert_str_eq(s, "first module");
	read_str(mod[2].cmdline_paddr, s, sizeof(s));
	cr_assert_str_eq(s, cfg.modules[1].path, "no string: the path");
	read_str(mod[3].cmdline_paddr, s, sizeof(s));
	cr_assert_str_eq(s, "cove-fdt", "the FDT is last");
	cr_assert_eq(mod[3].paddr, BOOT_FDT_GPA);
	free(i.buf);
}

Test(pvh, a_thousand_cpus_get_a_node_each)
{
	struct img i = good_pvh(true);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	struct hvm_start_info_t si;
	struct hvm_mod_t mod;

	cfg.cpus = VM_MAX_CPUS;
	cr_assert_eq(load_buf(&cfg, i, &info), 0, "%s", err);
	cr_assert_eq(mem_read(&m, BOOT_START_INFO_GPA, &si, sizeof(si)), 0);
	cr_assert_eq(mem_read(&m, si.modlist_paddr, &mod, sizeof(mod)), 0);
	const void *fdt = mem_gpa_to_hva(&m, mod.paddr, mod.size, false);
	cr_assert_eq(fdt_check_header(fdt), 0);
	cr_assert_geq(fdt_path_offset(fdt, "/cpus/cpu@3ff"), 0);
	cr_assert_lt(fdt_path_offset(fdt, "/cpus/cpu@400"), 0);
	free(i.buf);
}

Test(pvh, bss_only_segment_loads_whatever_its_file_offset)
{
	struct pvh_note n = note_for(0x100010);
	struct tseg segs[3] = {{PT_LOAD, 0x100000, 0x100000, 0x100, 0x100, NULL, 0},
			       {PT_LOAD, 0x200000, 0x200000, 0, 0x10000, NULL, 0},
			       {PT_NOTE, 0, 0, sizeof(n), sizeof(n), &n, 0}};
	struct img i = build_elf(true, 0x100010, segs, 3);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	struct hvm_start_info_t si;
	struct hvm_mod_t mod;
	uint64_t far = 0x7fffffff;

	memcpy(i.buf + sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + offsetof(Elf64_Phdr, p_offset), &far, 8);
	cr_assert_eq(load_buf(&cfg, i, &info), 0, "%s", err);
	cr_assert_eq(mem_read(&m, BOOT_START_INFO_GPA, &si, sizeof(si)), 0);
	cr_assert_eq(mem_read(&m, si.modlist_paddr, &mod, sizeof(mod)), 0);
	cr_assert_eq(mod.paddr, BOOT_FDT_GPA);
	free(i.buf);
}

Test(pvh, entry_note_with_8_byte_value_is_accepted)
{
	struct {
		uint32_t namesz, descsz, type;
		char name[4];
		uint64_t entry;
	} n8 = {4, 8, 18, "Xen", 0x100020};
	struct tseg segs[2] = {{PT_LOAD, 0x100000, 0xffffffff80100000ULL, 0x100, 0x100, NULL, 0},
			       {PT_NOTE, 0, 0, sizeof(n8), sizeof(n8), &n8, 0}};
	struct img i = build_elf(true, 0xffffffff80100000ULL, segs, 2);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};

	cr_assert_eq(load_buf(&cfg, i, &info), 0, "%s", err);
	cr_assert_eq(info.bsp.rip, 0x100020, "the note's physical entry, not e_entry");
	free(i.buf);
}

/* ---- malformed ELF images ---- */

static int load_good_modified(void (*mod)(struct img *), struct boot_info *info)
{
	struct img i = good_pvh(true);
	struct vm_config cfg = base_cfg();
	int r;

	mod(&i);
	r = load_buf(&cfg, i, info);
	free(i.buf);
	return r;
}

static void trunc_ehdr(struct img *i)
{
	i->len = 40;
}
static void bad_class(struct img *i)
{
	i->buf[EI_CLASS] = 7;
}
static void wrong_machine(struct img *i)
{
	uint16_t mach = EM_AARCH64;
	memcpy(i->buf + offsetof(Elf64_Ehdr, e_machine), &mach, 2);
}
static void phdrs_beyond_file(struct img *i)
{
	uint64_t off = i->len - 8;
	memcpy(i->buf + offsetof(Elf64_Ehdr, e_phoff), &off, 8);
}
static void notes_beyond_file(struct img *i)
{
	uint64_t off = 0x100000;
	memcpy(i->buf + sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + offsetof(Elf64_Phdr, p_offset), &off, 8);
}
static void data_beyond_file(struct img *i)
{
	i->len -= sizeof(good_note) + 0x100;
}
static void filesz_gt_memsz(struct img *i)
{
	uint64_t memsz = 0x1000;
	memcpy(i->buf + sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_memsz), &memsz, 8);
}
static void set_paddr(struct img *i, uint64_t pa)
{
	memcpy(i->buf + sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_paddr), &pa, 8);
}
static void seg_outside_ram(struct img *i)
{
	set_paddr(i, 0x8000000);
}
static void seg_in_hole(struct img *i)
{
	set_paddr(i, 0xd0000000);
}
static void seg_over_boot_info(struct img *i)
{
	set_paddr(i, 0x5000);
}
static void seg_in_legacy_hole(struct img *i)
{
	set_paddr(i, 0xa0000);
}
static void entry_outside(struct img *i)
{
	uint32_t e = 0x200000;
	size_t noff = good_segs[1].offset + offsetof(struct pvh_note, entry);
	memcpy(i->buf + noff, &e, 4);
}
static void seg_wraps(struct img *i)
{
	set_paddr(i, 0xfffffffffffff000ULL);
}
static void not_exec(struct img *i)
{
	uint16_t t = ET_DYN;
	memcpy(i->buf + offsetof(Elf64_Ehdr, e_type), &t, 2);
}

Test(pvh, each_malformation_gives_its_one_line_error)
{
	static const struct {
		void (*mod)(struct img *);
		int code;
		const char *text;
	} cases[] = {
	    {trunc_ehdr, -ENOEXEC, "truncated: ELF header"},
	    {bad_class, -ENOEXEC, "wrong ELF class"},
	    {wrong_machine, -ENOEXEC, "wrong machine"},
	    {phdrs_beyond_file, -ENOEXEC, "truncated: ELF program headers"},
	    {notes_beyond_file, -ENOEXEC, "truncated: ELF notes"},
	    {data_beyond_file, -ENOEXEC, "truncated"},
	    {filesz_gt_memsz, -ENOEXEC, "filesz 0x2000 > memsz 0x1000"},
	    {seg_outside_ram, -ERANGE, "outside RAM"},
	    {seg_in_hole, -ERANGE, "MMIO hole"},
	    {seg_over_boot_info, -ERANGE, "overlaps the boot information"},
	    {seg_wraps, -ERANGE, "wraps around"},
	    {seg_in_legacy_hole, -ERANGE, "overlaps the legacy BIOS area"},
	    {entry_outside, -ENOEXEC, "PVH entry 0x200000 is not inside a loaded segment"},
	    {not_exec, -ENOEXEC, "not an executable"},
	};
	struct boot_info info = {0};

	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		int r;

		err[0] = 0;
		r = load_good_modified(cases[k].mod, &info);
		cr_assert_eq(r, cases[k].code, "case %u: return %d, want %d (%s)", k, r, cases[k].code, err);
		cr_assert(strstr(err, cases[k].text), "case %u: err '%s' should mention '%s'", k, err,
			  cases[k].text);
		cr_assert(strncmp(err, "kernel 'k.elf': ", 16) == 0, "case %u: names the file: %s", k, err);
	}
}

Test(pvh, overlapping_segments_are_refused)
{
	struct pvh_note n = note_for(0x100010);
	struct tseg segs[3] = {{PT_LOAD, 0x100000, 0x100000, 0x100, 0x2000, NULL, 0},
			       {PT_LOAD, 0x101000, 0x101000, 0x100, 0x100, NULL, 0},
			       {PT_NOTE, 0, 0, sizeof(n), sizeof(n), &n, 0}};
	struct img i = build_elf(true, 0x100010, segs, 3);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	int r = load_buf(&cfg, i, &info);

	assert_err(r, -ENOEXEC, "ELF segments at 0x100000 and 0x101000 overlap");
	free(i.buf);
}

Test(pvh, elf_without_note_or_multiboot_header_is_refused)
{
	struct tseg segs[1] = {{PT_LOAD, 0x100000, 0x100000, 0x100, 0x100, NULL, 0}};
	struct img i = build_elf(true, 0x100000, segs, 1);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	int r = load_buf(&cfg, i, &info);

	assert_err(r, -ENOEXEC, "neither a PVH note");
	free(i.buf);
}

Test(pvh, command_line_longer_than_the_limit_is_refused)
{
	struct img i = good_pvh(true);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	char *longline = malloc(BOOT_CMDLINE_MAX + 1);
	int r;

	memset(longline, 'a', BOOT_CMDLINE_MAX);
	longline[BOOT_CMDLINE_MAX] = 0;
	cfg.cmdline = longline;
	r = load_buf(&cfg, i, &info);
	assert_err(r, -E2BIG, "command line: 65536 bytes is too long");
	longline[BOOT_CMDLINE_MAX - 1] = 0; /* 65535 bytes + NUL fits exactly */
	r = load_buf(&cfg, i, &info);
	cr_assert_eq(r, 0, "%s", err);
	/* Such a tree outgrows BOOT_FDT_MAX and moves above the kernel. */
	struct hvm_start_info_t si;
	struct hvm_mod_t mod;
	int len = 0;

	cr_assert_eq(mem_read(&m, BOOT_START_INFO_GPA, &si, sizeof(si)), 0);
	cr_assert_eq(mem_read(&m, si.modlist_paddr, &mod, sizeof(mod)), 0);
	cr_assert_geq(mod.paddr, 0x103000);
	const void *fdt = mem_gpa_to_hva(&m, mod.paddr, mod.size, false);
	cr_assert_eq(fdt_check_header(fdt), 0);
	const char *args = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "bootargs", &len);
	cr_assert_eq(len, BOOT_CMDLINE_MAX, "bootargs with its NUL");
	cr_assert_eq(strlen(args), BOOT_CMDLINE_MAX - 1);
	free(longline);
	free(i.buf);
}

Test(pvh, initrd_or_module_that_does_not_fit_is_refused)
{
	struct img i = good_pvh(true);
	struct vm_config cfg;
	struct boot_info info = {0};
	uint8_t *big = calloc(1, 3 * MIB);
	int r;

	teardown();
	setup_mem(4 * MIB);
	cfg = base_cfg();
	cfg.initrd = write_file("initrd", big, 3 * MIB);
	r = load_buf(&cfg, i, &info);
	assert_err(r, -ENOSPC, "do not fit in guest RAM");
	cr_assert(strstr(err, "initrd '") == err, "names the initrd: %s", err);

	cfg.initrd = NULL;
	cfg.modules[0].path = write_file("mod", big, 3 * MIB);
	cfg.nmodules = 1;
	r = load_buf(&cfg, i, &info);
	assert_err(r, -ENOSPC, "do not fit in guest RAM");
	cr_assert(strstr(err, "module '") == err, "names the module: %s", err);

	cfg.modules[0].path = "/nonexistent/mod";
	r = load_buf(&cfg, i, &info);
	assert_err(r, -ENOENT, "module '/nonexistent/mod': no such file");
	free(big);
	free(i.buf);
}

Test(pvh, module_strings_that_overflow_their_area_are_refused)
{
	struct img i = good_pvh(true);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	static char longs[VM_MAX_MODULES][1200];
	int r;

	for (unsigned k = 0; k < VM_MAX_MODULES; k++) {
		memset(longs[k], 'a' + k, sizeof(longs[k]) - 1);
		cfg.modules[k].path = write_file("mod", "x", 1);
		cfg.modules[k].cmdline = longs[k];
	}
	cfg.nmodules = VM_MAX_MODULES;
	r = load_buf(&cfg, i, &info);
	assert_err(r, -ENOSPC, "module strings exceed");

	cfg.nmodules = VM_MAX_MODULES + 1;
	r = load_buf(&cfg, i, &info);
	assert_err(r, -EINVAL, "too many modules");
	free(i.buf);
}

Test(dispatch, bzimage_goes_to_its_loader_and_unknown_images_are_refused_by_name, .init = setup,
     .fini = teardown)
{
	uint8_t bz[0x400] = {0};
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	int r;

	memcpy(bz + 0x202, "HdrS", 4);
	cfg.kernel = write_file("bzImage", bz, sizeof(bz));
	r = boot_load(&cfg, &m, bus, &info, err, sizeof(err));
	/* Handed to the bzImage loader, which checks the setup header. */
	assert_err(r, -ENOEXEC, "bzImage boot flag is not 0xaa55");
	cr_assert(strstr(err, "bzImage'") != NULL, "names the file: %s", err);

	cfg.kernel = write_file("text", "hello, world\n", 13);
	r = boot_load(&cfg, &m, bus, &info, err, sizeof(err));
	assert_err(r, -ENOEXEC, "not a PVH ELF, multiboot or bzImage image");
}

Test(dispatch, no_image_boots_the_built_in_hello_as_pvh, .init = setup, .fini = teardown)
{
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	struct hvm_start_info_t si;

	cr_assert_eq(boot_load(&cfg, &m, bus, &info, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(info.kind, "pvh");
	cr_assert_eq(info.bsp.mode, BOOT_FLAT32);
	cr_assert_eq(mem_read(&m, BOOT_START_INFO_GPA, &si, sizeof(si)), 0);
	cr_assert_eq(si.magic, 0x336ec578);
	cr_assert(mem_gpa_to_hva(&m, info.bsp.rip, 1, false) != NULL, "entry is in RAM");
}

/* ================= multiboot ================= */

TestSuite(multiboot, .init = setup, .fini = teardown);

struct mb_info_t {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table, boot_loader_name;
};
struct mb_mod_t {
	uint32_t start, end, string, reserved;
};
struct __attribute__((packed)) mb_mmap_t {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
};

static void put_mb_header(uint8_t *p, uint32_t flags, const uint32_t *kludge)
{
	uint32_t h[8] = {0x1BADB002, flags, (uint32_t) - (0x1BADB002u + flags)};

	if (kludge)
		memcpy(h + 3, kludge, 5 * 4);
	memcpy(p, h, kludge ? 32 : 12);
}

Test(multiboot, elf32_kernel_gets_eax_magic_and_a_complete_info)
{
	uint8_t code[0x200] = {0};
	struct tseg segs[1] = {{PT_LOAD, 0x100000, 0x100000, sizeof(code), 0x1000, code, 0}};
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	struct mb_info_t mi;
	struct mb_mod_t mods[2];
	struct mb_mmap_t mm[4];
	char s[64];

	put_mb_header(code + 0x40, 0x3, NULL);
	struct img i = build_elf(false, 0x100000, segs, 1);
	cfg.cmdline = "mb args";
	cfg.modules[0].path = write_file("m1", "MODULE-ONE", 10);
	cfg.modules[0].cmdline = "one";
	cfg.nmodules = 1;
	cr_assert_eq(load_buf(&cfg, i, &info), 0, "%s", err);
	cr_assert_str_eq(info.kind, "multiboot");
	cr_assert_eq(info.bsp.mode, BOOT_FLAT32);
	cr_assert_eq(info.bsp.rax, 0x2BADB002);
	cr_assert_eq(info.bsp.rbx, BOOT_START_INFO_GPA);
	cr_assert_eq(info.bsp.rip, 0x100000);

	cr_assert_eq(mem_read(&m, info.bsp.rbx, &mi, sizeof(mi)), 0);
	cr_assert_eq(mi.flags & 0x24d, 0x24d, "mem, cmdline, mods, mmap, loader name: 0x%x", mi.flags);
	cr_assert_eq(mi.mem_lower, 640);
	cr_assert_eq(mi.mem_upper, 63 * 1024);
	read_str(mi.cmdline, s, sizeof(s));
	cr_assert_str_eq(s, "mb args");
	read_str(mi.boot_loader_name, s, sizeof(s));
	cr_assert_str_eq(s, "cove");
	cr_assert_eq(mi.mods_count, 2);
	cr_assert_eq(mem_read(&m, mi.mods_addr, mods, sizeof(mods)), 0);
	cr_assert_eq(mods[0].end - mods[0].start, 10);
	cr_assert_eq(mods[0].start & 0xfff, 0);
	cr_assert_geq(mods[0].start, 0x101000);
	cr_assert_eq(mem_read(&m, mods[0].start, s, 10), 0);
	cr_assert_eq(memcmp(s, "MODULE-ONE", 10), 0);
	read_str(mods[0].string, s, sizeof(s));
	cr_assert_str_eq(s, "one");
	read_str(mods[1].string, s, sizeof(s));
	cr_assert_str_eq(s, "cove-fdt");
	cr_assert_eq(mods[1].start, BOOT_FDT_GPA);
	cr_assert_eq(fdt_check_header(mem_gpa_to_hva(&m, mods[1].start, mods[1].end - mods[1].start, false)),
		     0);
	cr_assert_eq(mi.mmap_length, 4 * sizeof(struct mb_mmap_t));
	cr_assert_eq(mem_read(&m, mi.mmap_addr, mm, sizeof(mm)), 0);
	cr_assert(mm[0].size == 20 && mm[0].addr == 0 && mm[0].len == 0xa0000 && mm[0].type == 1);
	cr_assert(mm[1].addr == 0xa0000 && mm[1].type == 2);
	cr_assert(mm[2].addr == MIB && mm[2].len == 63 * MIB && mm[2].type == 1);
	cr_assert(mm[3].addr == MEM_HOLE_START && mm[3].type == 2);
	free(i.buf);
}

Test(multiboot, elf64_multiboot_kernel_loads_too)
{
	uint8_t code[0x100] = {0};
	struct tseg segs[1] = {{PT_LOAD, 0x300000, 0x300000, sizeof(code), sizeof(code), code, 0}};
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	uint8_t back[sizeof(code)];

	put_mb_header(code + 8, 0x2, NULL);
	struct img i = build_elf(true, 0x300004, segs, 1);
	cr_assert_eq(load_buf(&cfg, i, &info), 0, "%s", err);
	cr_assert_str_eq(info.kind, "multiboot");
	cr_assert_eq(info.bsp.rip, 0x300004);
	cr_assert_eq(mem_read(&m, 0x300000, back, sizeof(back)), 0);
	cr_assert_arr_eq(back, code, sizeof(code));
	free(i.buf);
}

Test(multiboot, higher_half_elf_entry_is_translated_to_its_physical_address)
{
	uint8_t code[0x100] = {0};
	struct tseg segs[1] = {{PT_LOAD, 0x200000, 0xc0200000, sizeof(code), sizeof(code), code, 0}};
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};

	put_mb_header(code, 0, NULL);
	struct img i = build_elf(false, 0xc0200010, segs, 1);
	cr_assert_eq(load_buf(&cfg, i, &info), 0, "%s", err);
	cr_assert_eq(info.bsp.rip, 0x200010);
	free(i.buf);
}

/* A flat a.out-kludge image: header at offset 16, loaded at 0x100000. */
static struct img kludge_image(const uint32_t *fields)
{
	struct img i = {calloc(1, 0x1000), 0x1000};

	for (unsigned k = 0; k < 0x1000; k++)
		i.buf[k] = (uint8_t)(k ^ 0x5a);
	put_mb_header(i.buf + 16, 1u << 16, fields);
	return i;
}

Test(multiboot, aout_kludge_image_loads_from_the_header_addresses)
{
	/* header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr */
	const uint32_t f[5] = {0x100010, 0x100000, 0x100800, 0x102000, 0x100040};
	struct img i = kludge_image(f);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	uint8_t back[0x800];
	struct mb_info_t mi;
	struct mb_mod_t mod;

	cr_assert_eq(load_buf(&cfg, i, &info), 0, "%s", err);
	cr_assert_eq(info.bsp.rip, 0x100040);
	cr_assert_eq(mem_read(&m, 0x100000, back, sizeof(back)), 0);
	cr_assert_arr_eq(back, i.buf, sizeof(back), "file bytes 0..load_end at load_addr");
	cr_assert_eq(mem_read(&m, 0x100800, back, 16), 0);
	for (unsigned k = 0; k < 16; k++)
		cr_assert_eq(back[k], 0, "bytes after load_end are not copied");
	cr_assert_eq(mem_read(&m, info.bsp.rbx, &mi, sizeof(mi)), 0);
	cr_assert_eq(mi.mods_count, 1);
	cr_assert_eq(mem_read(&m, mi.mods_addr, &mod, sizeof(mod)), 0);
	cr_assert_eq(mod.start, BOOT_FDT_GPA, "only the FDT");
	free(i.buf);
}

Test(multiboot, bad_kludge_fields_and_unsupported_flags_are_refused)
{
	static const struct {
		uint32_t f[5];
		uint32_t flags;
		const char *text;
	} cases[] = {
	    {{0x100000, 0x100010, 0, 0, 0x100040}, 1u << 16, "do not match its offset"},
	    {{0x100010, 0x100000, 0x100000 + 0x2000, 0, 0x100040}, 1u << 16, "beyond the file"},
	    {{0x100010, 0x100000, 0x0ff000, 0, 0x100040}, 1u << 16, "load_end_addr"},
	    {{0x100010, 0x100000, 0, 0x100800, 0x100040}, 1u << 16, "bss_end_addr"},
	    {{0x100010, 0x100000, 0, 0, 0x200000}, 1u << 16, "entry 0x200000 is not inside"},
	    {{0x8000010, 0x8000000, 0, 0, 0x8000040}, 1u << 16, "outside RAM"},
	    {{0x100010, 0x100000, 0, 0, 0x100040}, (1u << 16) | (1u << 2), "a video mode"},
	    {{0x100010, 0x100000, 0, 0, 0x100040}, 0, "no a.out-kludge"},
	};
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};

	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct img i = kludge_image(cases[k].f);
		int r;

		/* header_addr - load_addr must be <= offset 16 for valid cases */
		put_mb_header(i.buf + 16, cases[k].flags, cases[k].f);
		err[0] = 0;
		r = load_buf(&cfg, i, &info);
		cr_assert_lt(r, 0, "case %u loads", k);
		cr_assert(strstr(err, cases[k].text), "case %u: err '%s' should mention '%s'", k, err,
			  cases[k].text);
		free(i.buf);
	}
}

Test(multiboot, header_past_8k_or_with_a_bad_checksum_is_not_multiboot)
{
	struct img i = {calloc(1, 0x4000), 0x4000};
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	int r;

	put_mb_header(i.buf + 0x2000, 0, NULL);
	cr_assert_eq(multiboot_find(i.buf, i.len), -1);
	put_mb_header(i.buf + 0x1ff4, 0, NULL);
	cr_assert_eq(multiboot_find(i.buf, i.len), 0x1ff4, "last slot of the first 8 KiB");
	memset(i.buf + 0x1ff4, 0, 12);
	put_mb_header(i.buf + 0x100, 0, NULL);
	i.buf[0x108] ^= 1;
	r = load_buf(&cfg, i, &info);
	assert_err(r, -ENOEXEC, "not a PVH ELF, multiboot or bzImage image");
	free(i.buf);
}

/* ================= fuzz ================= */

static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

/* Loads a buffer copied to its exact size, so ASan sees any read past it. */
static unsigned fuzz_loaded, fuzz_refused;
static void fuzz_one(const uint8_t *src, size_t len, bool raw)
{
	uint8_t *b = malloc(len ? len : 1);
	struct vm_config cfg = base_cfg();
	struct boot_info info = {0};
	struct load_image li = {.buf = b, .len = len, .what = "kernel", .name = "fuzz"};
	int r;

	memcpy(b, src, len);
	if (raw) {
		cfg.raw = "fuzz";
		cfg.raw_load = rnd() % 0x120000;
	}
	err[0] = 0;
	r = boot_load_image(&cfg, &m, bus, &li, &info, err, sizeof(err));
	if (r == 0) {
		fuzz_loaded++;
		cr_assert_not_null(info.kind);
		if (info.bsp.mode == BOOT_FLAT32)
			cr_assert(mem_gpa_to_hva(&m, info.bsp.rip, 1, false) != NULL, "entry 0x%llx in RAM",
				  (unsigned long long)info.bsp.rip);
	} else {
		fuzz_refused++;
		cr_assert_lt(r, 0);
		cr_assert(err[0] != 0, "a failure says why");
		cr_assert(strncmp(err, "kernel 'fuzz': ", 15) == 0 || strncmp(err, "command line", 12) == 0 ||
			      strncmp(err, "device tree", 11) == 0,
			  "error names the image: %s", err);
	}
	free(b);
}

Test(fuzz, random_buffers_never_crash_and_fail_cleanly, .init = setup, .fini = teardown)
{
	uint8_t buf[4096];

	rng_state = 0xc0fe;
	for (unsigned it = 0; it < 3000; it++) {
		size_t len = rnd() % sizeof(buf);

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd();
		/* Some with a valid ELF, multiboot or bzImage start, to get past the magic. */
		if (it % 3 == 1 && len >= 4)
			memcpy(buf, ELFMAG, 4);
		if (it % 5 == 4 && len >= 0x210) {
			memcpy(buf + 0x202, "HdrS", 4);
			buf[0x1fe] = 0x55;
			buf[0x1ff] = 0xaa;
		}
		if (it % 3 == 2 && len >= 64)
			put_mb_header(buf + 4 * (rnd() % 4), rnd() & 0x10003, NULL);
		fuzz_one(buf, len, it % 7 == 0);
	}
}

static void mutate_and_load(struct img base, unsigned iters, uint64_t seed)
{
	uint8_t *b = malloc(base.len);

	rng_state = seed;
	fuzz_loaded = fuzz_refused = 0;
	for (unsigned it = 0; it < iters; it++) {
		size_t len = base.len;

		memcpy(b, base.buf, base.len);
		unsigned flips = 1 + rnd() % 8;
		for (unsigned k = 0; k < flips; k++) {
			/* Most flips in the headers, where the parsing is. */
			size_t at = rnd() % 2 ? rnd() % (len < 256 ? len : 256) : rnd() % len;
			b[at] ^= (uint8_t)(1u << (rnd() % 8));
		}
		if (rnd() % 4 == 0)
			len = rnd() % base.len;
		fuzz_one(b, len, false);
	}
	/* Both outcomes happen, so the mutations reach past the first check. */
	cr_assert_gt(fuzz_loaded, 0, "some mutants still load");
	cr_assert_gt(fuzz_refused, 0, "some mutants are refused");
	free(b);
}

Test(fuzz, bit_flips_and_truncations_of_valid_pvh_images, .init = setup, .fini = teardown)
{
	struct img i64 = good_pvh(true);
	mutate_and_load(i64, 2000, 1);
	struct img i32 = good_pvh(false);
	mutate_and_load(i32, 2000, 2);
	free(i64.buf);
	free(i32.buf);
}

Test(fuzz, bit_flips_and_truncations_of_valid_multiboot_images, .init = setup, .fini = teardown)
{
	const uint32_t f[5] = {0x100010, 0x100000, 0x100800, 0x102000, 0x100040};
	struct img k = kludge_image(f);
	uint8_t code[0x200] = {0};
	struct tseg segs[1] = {{PT_LOAD, 0x100000, 0x100000, sizeof(code), 0x1000, code, 0}};

	put_mb_header(code + 0x40, 0x3, NULL);
	struct img e = build_elf(false, 0x100000, segs, 1);
	mutate_and_load(k, 2000, 3);
	mutate_and_load(e, 2000, 4);
	free(k.buf);
	free(e.buf);
}

/* ================= guest RAM too small for the boot protocol ================= */

/* Replaces the suite's 64 MiB with a tiny RAM; teardown frees it. */
static void shrink_ram(uint64_t size)
{
	mem_destroy(&m);
	cr_assert_eq(mem_init(&m, size), 0, "mem_init(%llu)", (unsigned long long)size);
}

TestSuite(tiny_ram, .init = setup, .fini = teardown);

Test(tiny_ram, pvh_kernel_past_the_end_names_the_size_in_kib)
{
	struct img i = good_pvh(true); /* 0x100000-0x103000 */
	struct boot_info info = {0};

	shrink_ram(MIB + 8 * 1024);
	struct vm_config cfg = base_cfg();
	/* "(1 MiB)" would hide why 1 MiB + 8 KiB cannot hold 1 MiB + 12 KiB. */
	assert_err(load_buf(&cfg, i, &info), -ERANGE, "0x100000-0x103000 is outside RAM (1032 KiB)");
	free(i.buf);
}

Test(tiny_ram, multiboot_kernel_past_the_end_is_refused_the_same_way)
{
	uint8_t code[0x200] = {0};
	struct tseg segs[1] = {{PT_LOAD, 0x100000, 0x100000, sizeof(code), 0x2000, code, 0}};
	struct boot_info info = {0};

	put_mb_header(code + 0x40, 0x3, NULL);
	struct img i = build_elf(false, 0x100000, segs, 1);
	shrink_ram(MIB + 4 * 1024);
	struct vm_config cfg = base_cfg();
	assert_err(load_buf(&cfg, i, &info), -ERANGE, "is outside RAM (1028 KiB)");
	free(i.buf);
}

/* A PVH kernel low in RAM fits where its boot structures do not: each one
 * that has no room is named, with the RAM size. */
Test(tiny_ram, pvh_boot_structures_without_room_are_named)
{
	static struct pvh_note note;
	struct tseg segs[2];
	struct boot_info info = {0};

	note = note_for(0x8010);
	segs[0] = (struct tseg){PT_LOAD, 0x8000, 0x8000, 0x1000, 0x1000, NULL, 0};
	segs[1] = (struct tseg){PT_NOTE, 0, 0, sizeof(note), sizeof(note), &note, 0};
	struct img i = build_elf(true, 0x8010, segs, 2);

	shrink_ram(64 * 1024); /* the command line goes at 0x20000 */
	struct vm_config cfg = base_cfg();
	assert_err(load_buf(&cfg, i, &info), -ENOSPC,
		   "command line: guest RAM (64 KiB) has no room at 0x20000");

	shrink_ram(0x21000); /* the command line fits; the device tree (0x30000) does not */
	cfg = base_cfg();
	assert_err(load_buf(&cfg, i, &info), -ENOSPC,
		   "device tree: guest RAM (132 KiB) has no room at 0x30000");
	free(i.buf);
}

Test(tiny_ram, raw_image_past_the_end_names_the_size)
{
	static const uint8_t blob[] = {0xf4};
	struct boot_info info = {0};

	shrink_ram(16 * 1024);
	struct vm_config cfg = base_cfg();
	cfg.raw = write_file("blob.bin", blob, sizeof(blob));
	cfg.raw_load = 0x7c00;
	cfg.raw_off = 0x7c00;
	assert_err(boot_load(&cfg, &m, bus, &info, err, sizeof(err)), -ERANGE,
		   "is not in guest RAM (16 KiB)");
}
