/* vmm: ELF64 and ELF32 executables over an in-memory buffer (System V ABI,
 * "ELF header" and "Program header"; Xen's public/elfnote.h for the PVH
 * note). Every offset and size from the file is checked against the buffer
 * before it is used. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/load_internal.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define XEN_ELFNOTE_GUEST_OS	 6
#define ELF_MAX_PHDRS		 256

bool elf_is_elf(const uint8_t *buf, size_t len)
{
	return len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0;
}

/* [off, off + len) lies inside the image. */
static bool in_file(const struct load_image *img, uint64_t off, uint64_t len)
{
	uint64_t end;

	return !add_overflow(off, len, &end) && end <= img->len;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Looks for XEN_ELFNOTE_PHYS32_ENTRY (and GUEST_OS, which names Linux) in
 * the notes at [off, off + size). */
static int elf_scan_notes(const struct load_image *img, uint64_t off, uint64_t size, struct elf_image *elf,
			  char *err, size_t errlen)
{
	if (!in_file(img, off, size))
		return load_err(err, errlen, img, -ENOEXEC,
				"truncated: ELF notes at 0x%llx+0x%llx are beyond the file",
				(unsigned long long)off, (unsigned long long)size);
	while (size >= 12) {
		const uint8_t *n = img->buf + off;
		uint64_t namesz = rd32(n), descsz = rd32(n + 4), type = rd32(n + 8);
		/* Name and descriptor are each padded to 4 bytes. */
		uint64_t name_pad = (namesz + 3) & ~3ULL, desc_pad = (descsz + 3) & ~3ULL;
		uint64_t total = 12 + name_pad + desc_pad;

		if (total > size)
			return load_err(err, errlen, img, -ENOEXEC,
					"truncated: ELF note at 0x%llx runs past its segment",
					(unsigned long long)off);
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 && memcmp(n + 12, "Xen", 4) == 0) {
			const uint8_t *d = n + 12 + name_pad;

			if (descsz == 4)
				elf->pvh_entry = rd32(d);
			else if (descsz == 8)
				elf->pvh_entry = rd64(d);
			else
				return load_err(err, errlen, img, -ENOEXEC,
						"PVH entry note has a %llu-byte value (want 4 or 8)",
						(unsigned long long)descsz);
			if (elf->pvh_entry > UINT32_MAX)
				return load_err(err, errlen, img, -ENOEXEC, "PVH entry 0x%llx is above 4 GiB",
						(unsigned long long)elf->pvh_entry);
			elf->has_pvh = true;
		}
		if (type == XEN_ELFNOTE_GUEST_OS && namesz == 4 && memcmp(n + 12, "Xen", 4) == 0 && descsz >= 5 &&
		    memcmp(n + 12 + name_pad, "linux", 5) == 0)
			elf->is_linux = true;
		off += total;
		size -= total;
	}
	return 0;
}

int elf_parse(const struct load_image *img, struct elf_image *elf, char *err, size_t errlen)
{
	const uint8_t *b = img->buf;
	uint64_t phoff, phentsize, phnum;
	int r;

	memset(elf, 0, sizeof(*elf));
	if (!elf_is_elf(b, img->len))
		return load_err(err, errlen, img, -ENOEXEC, "bad ELF magic");
	if (img->len < EI_NIDENT)
		return load_err(err, errlen, img, -ENOEXEC, "truncated: ELF header is beyond the file");
	if (b[EI_DATA] != ELFDATA2LSB)
		return load_err(err, errlen, img, -ENOEXEC, "ELF is not little-endian");
	if (b[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;

		if (img->len < sizeof(eh))
			return load_err(err, errlen, img, -ENOEXEC,
					"truncated: ELF header is beyond the file");
		memcpy(&eh, b, sizeof(eh));
		if (eh.e_machine != EM_X86_64)
			return load_err(err, errlen, img, -ENOEXEC,
					"wrong machine %u for ELF64 (want x86-64, %u)", eh.e_machine,
					EM_X86_64);
		if (eh.e_type != ET_EXEC)
			return load_err(err, errlen, img, -ENOEXEC, "ELF type %u is not an executable",
					eh.e_type);
		elf->is64 = true;
		elf->entry = eh.e_entry;
		phoff = eh.e_phoff;
		phentsize = eh.e_phentsize;
		phnum = eh.e_phnum;
		if (phentsize < sizeof(Elf64_Phdr))
			return load_err(err, errlen, img, -ENOEXEC,
					"ELF program header size %llu is too small",
					(unsigned long long)phentsize);
	} else if (b[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;

		if (img->len < sizeof(eh))
			return load_err(err, errlen, img, -ENOEXEC,
					"truncated: ELF header is beyond the file");
		memcpy(&eh, b, sizeof(eh));
		if (eh.e_machine != EM_386)
			return load_err(err, errlen, img, -ENOEXEC,
					"wrong machine %u for ELF32 (want i386, %u)", eh.e_machine, EM_386);
		if (eh.e_type != ET_EXEC)
			return load_err(err, errlen, img, -ENOEXEC, "ELF type %u is not an executable",
					eh.e_type);
		elf->entry = eh.e_entry;
		phoff = eh.e_phoff;
		phentsize = eh.e_phentsize;
		phnum = eh.e_phnum;
		if (phentsize < sizeof(Elf32_Phdr))
			return load_err(err, errlen, img, -ENOEXEC,
					"ELF program header size %llu is too small",
					(unsigned long long)phentsize);
	} else {
		return load_err(err, errlen, img, -ENOEXEC, "wrong ELF class %u (want 32- or 64-bit)",
				b[EI_CLASS]);
	}
	if (phnum == 0)
		return load_err(err, errlen, img, -ENOEXEC, "ELF has no program headers");
	if (phnum > ELF_MAX_PHDRS)
		return load_err(err, errlen, img, -ENOEXEC, "ELF has %llu program headers (at most %u)",
				(unsigned long long)phnum, ELF_MAX_PHDRS);
	if (!in_file(img, phoff, phentsize * phnum))
		return load_err(err, errlen, img, -ENOEXEC,
				"truncated: ELF program headers at 0x%llx are beyond the file (%zu bytes)",
				(unsigned long long)phoff, img->len);

	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *p = b + phoff + i * phentsize;
		uint32_t type;
		struct elf_seg s;

		if (elf->is64) {
			Elf64_Phdr ph;

			memcpy(&ph, p, sizeof(ph));
			type = ph.p_type;
			s = (struct elf_seg){ph.p_offset, ph.p_paddr, ph.p_vaddr, ph.p_filesz, ph.p_memsz};
		} else {
			Elf32_Phdr ph;

			memcpy(&ph, p, sizeof(ph));
			type = ph.p_type;
			s = (struct elf_seg){ph.p_offset, ph.p_paddr, ph.p_vaddr, ph.p_filesz, ph.p_memsz};
		}
		if (type == PT_NOTE) {
			r = elf_scan_notes(img, s.offset, s.filesz, elf, err, errlen);
			if (r < 0)
				return r;
			continue;
		}
		if (type != PT_LOAD || s.memsz == 0)
			continue;
		if (s.filesz > s.memsz)
			return load_err(err, errlen, img, -ENOEXEC,
					"ELF segment at 0x%llx has filesz 0x%llx > memsz 0x%llx",
					(unsigned long long)s.paddr, (unsigned long long)s.filesz,
					(unsigned long long)s.memsz);
		/* A bss-only segment's offset is never read: it may be anywhere. */
		if (s.filesz && !in_file(img, s.offset, s.filesz))
			return load_err(
			    err, errlen, img, -ENOEXEC,
			    "truncated: ELF segment at 0x%llx has data at 0x%llx+0x%llx beyond the file",
			    (unsigned long long)s.paddr, (unsigned long long)s.offset,
			    (unsigned long long)s.filesz);
		if (elf->nseg == ELF_MAX_SEGS)
			return load_err(err, errlen, img, -ENOEXEC, "ELF has more than %u loadable segments",
					ELF_MAX_SEGS);
		/* Insertion keeps the segments sorted by physical address. */
		unsigned j = elf->nseg++;
		for (; j > 0 && elf->seg[j - 1].paddr > s.paddr; j--)
			elf->seg[j] = elf->seg[j - 1];
		elf->seg[j] = s;
	}
	if (elf->nseg == 0)
		return load_err(err, errlen, img, -ENOEXEC, "ELF has no loadable segments");
	for (unsigned i = 1; i < elf->nseg; i++) {
		const struct elf_seg *a = &elf->seg[i - 1], *c = &elf->seg[i];
		uint64_t aend;

		if (add_overflow(a->paddr, a->memsz, &aend) || aend > c->paddr)
			return load_err(err, errlen, img, -ENOEXEC,
					"ELF segments at 0x%llx and 0x%llx overlap",
					(unsigned long long)a->paddr, (unsigned long long)c->paddr);
	}
	return 0;
}

int elf_load(const struct load_image *img, const struct elf_image *elf, struct mem_map *m, uint64_t *top,
	     char *err, size_t errlen)
{
	char what[64];
	int r;

	*top = 0;
	for (unsigned i = 0; i < elf->nseg; i++) {
		const struct elf_seg *s = &elf->seg[i];

		snprintf(what, sizeof(what), "ELF segment %u", i);
		r = load_check_range(img, m, s->paddr, s->memsz, what, err, errlen);
		if (r < 0)
			return r;
	}
	for (unsigned i = 0; i < elf->nseg; i++) {
		const struct elf_seg *s = &elf->seg[i];

		/* Checked above; the tail (memsz - filesz) is left alone:
		 * guest RAM is fresh anonymous memory, already zero, and not
		 * touching it keeps cove's resident size small. */
		if (mem_write(m, s->paddr, img->buf + s->offset, s->filesz) < 0)
			return load_err(err, errlen, img, -EFAULT, "ELF segment at 0x%llx: write refused",
					(unsigned long long)s->paddr);
		if (s->paddr + s->memsz > *top)
			*top = s->paddr + s->memsz;
	}
	return 0;
}
