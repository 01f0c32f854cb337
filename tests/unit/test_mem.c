/* mem: the guest physical map, the one checked translation, A20 aliasing,
 * and memslots on the real /dev/kvm. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mem/mem.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static struct mem_map m;

static void fini(void)
{
	mem_destroy(&m);
}

Test(mem, ram_is_2mib_aligned_and_at_gpa_0, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 64 * MiB), 0);
	cr_assert_eq((uintptr_t)m.ram % (2 * MiB), 0, "host RAM at %p is not 2 MiB aligned", (void *)m.ram);
	cr_assert_eq(m.n, 1);
	cr_assert_eq(m.r[0].gpa, 0);
	cr_assert_eq(m.r[0].size, 64 * MiB);
	cr_assert_eq(m.r[0].kind, MEM_RAM);
	cr_assert_eq(mem_ram_below_4g(&m), 64 * MiB);
	cr_assert_eq(mem_ram_above_4g(&m), 0);
	/* the whole mapping is usable */
	m.ram[0] = 1;
	m.ram[64 * MiB - 1] = 2;
	cr_assert_eq(*(uint8_t *)mem_gpa_to_hva(&m, 64 * MiB - 1, 1, false), 2);
}

/* The VmFlags line of the /proc/self/smaps entry that starts at addr. */
static void vma_flags(const void *addr, char *flags, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "r");
	bool in = false;

	flags[0] = '\0';
	cr_assert(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long start;

		if (sscanf(line, "%lx-", &start) == 1 && strchr(line, '-') && strchr(line, ' '))
			in = start == (uintptr_t)addr;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(flags, len, "%s", line + 8);
			break;
		}
	}
	fclose(f);
}

/* Huge pages (MADV_HUGEPAGE, "hg") for all RAM but the first 2 MiB, which a
 * small guest touches only a few pages of ("nh": a huge page there would be
 * zeroed whole at the guest's first write). */
Test(mem, huge_pages_are_advised_above_the_first_2mib_only, .fini = fini)
{
	char lo[256], hi[256];

	cr_assert_eq(mem_init(&m, 64 * MiB), 0);
	vma_flags(m.ram, lo, sizeof(lo));
	vma_flags(m.ram + 2 * MiB, hi, sizeof(hi));
	cr_assert(lo[0] && hi[0], "no smaps entries at %p and %p: the low 2 MiB is not its own mapping",
		  (void *)m.ram, (void *)(m.ram + 2 * MiB));
	cr_expect(strstr(lo, " nh"), "first 2 MiB: VmFlags%s has no nh (MADV_NOHUGEPAGE)", lo);
	cr_expect_null(strstr(lo, " hg"), "first 2 MiB: VmFlags%s has hg", lo);
	cr_expect(strstr(hi, " hg"), "above 2 MiB: VmFlags%s has no hg (MADV_HUGEPAGE)", hi);
}

Test(mem, zero_size_and_partial_pages_are_refused)
{
	cr_assert_eq(mem_init(&m, 0), -EINVAL);
	cr_assert_eq(mem_init(&m, 4096 * 3 + 1), -EINVAL);
	cr_assert_null(m.ram);
}

Test(mem, carve_that_needs_a_free_entry_fails_cleanly_when_full, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	for (unsigned i = 0; m.n < MEM_MAX_REGIONS; i++)
		cr_assert_eq(mem_add(&m, 0x10000000ULL + i * 0x10000ULL, 0x1000, MEM_MMIO, NULL), 0);
	cr_assert_eq(mem_carve(&m, 0xe0000, 0x20000), -ENOSPC);
	cr_assert_eq(m.n, MEM_MAX_REGIONS);
	cr_assert_eq(mem_gpa_to_hva(&m, 0, 16 * MiB, true), m.ram, "RAM untouched");
	cr_assert_eq(mem_carve(&m, 15 * MiB, 1 * MiB), 0, "trimming the end needs no entry");
	cr_assert_null(mem_gpa_to_hva(&m, 15 * MiB, 1, false));
}

Test(mem, absurd_size_is_refused_not_mapped)
{
	cr_assert_eq(mem_init(&m, UINT64_MAX), -E2BIG);
	cr_assert_eq(mem_init(&m, UINT64_MAX - 4 * GiB), -E2BIG);
	cr_assert_null(m.ram);
}

Test(mem, ram_above_the_hole_goes_to_4g, .fini = fini)
{
	/* MAP_NORESERVE: 4 GiB of address space, untouched, costs nothing */
	cr_assert_eq(mem_init(&m, 4 * GiB), 0);
	cr_assert_eq(m.n, 2);
	cr_assert_eq(m.r[0].gpa, 0);
	cr_assert_eq(m.r[0].size, MEM_HOLE_START);
	cr_assert_eq(m.r[1].gpa, MEM_HOLE_END);
	cr_assert_eq(m.r[1].size, 4 * GiB - MEM_HOLE_START);
	cr_assert_eq(m.r[1].hva, m.ram + MEM_HOLE_START);
	cr_assert_eq(mem_ram_below_4g(&m), MEM_HOLE_START);
	cr_assert_eq(mem_ram_above_4g(&m), 4 * GiB - MEM_HOLE_START);
	/* the hole translates to nothing */
	cr_assert_null(mem_gpa_to_hva(&m, MEM_HOLE_START, 1, false));
	cr_assert_null(mem_gpa_to_hva(&m, MEM_HOLE_END - 1, 1, false));
	cr_assert_null(mem_find(&m, MEM_HOLE_START + 12345));
	/* last byte below the hole and first byte at 4 GiB are RAM, but not
	 * as one range */
	cr_assert_not_null(mem_gpa_to_hva(&m, MEM_HOLE_START - 1, 1, true));
	cr_assert_eq(mem_gpa_to_hva(&m, MEM_HOLE_END, 1, true), m.ram + MEM_HOLE_START);
	cr_assert_null(mem_gpa_to_hva(&m, MEM_HOLE_START - 1, 2, false));
	/* last byte of RAM, then one past */
	cr_assert_not_null(mem_gpa_to_hva(&m, MEM_HOLE_END + m.r[1].size - 1, 1, true));
	cr_assert_null(mem_gpa_to_hva(&m, MEM_HOLE_END + m.r[1].size, 1, false));
}

Test(mem, region_boundaries_last_byte_in_one_past_out, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert_eq(mem_gpa_to_hva(&m, 16 * MiB - 1, 1, true), m.ram + 16 * MiB - 1);
	cr_assert_null(mem_gpa_to_hva(&m, 16 * MiB, 1, false));
	cr_assert_eq(mem_gpa_to_hva(&m, 0, 16 * MiB, true), m.ram, "the whole region is one valid range");
	cr_assert_null(mem_gpa_to_hva(&m, 0, 16 * MiB + 1, false));
	cr_assert_null(mem_gpa_to_hva(&m, 16 * MiB - 4, 8, false), "a range crossing the end is refused");
}

Test(mem, zero_length_is_valid_only_inside_a_region, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert_eq(mem_gpa_to_hva(&m, 100, 0, true), m.ram + 100);
	cr_assert_eq(mem_gpa_to_hva(&m, 16 * MiB - 1, 0, false), m.ram + 16 * MiB - 1);
	cr_assert_null(mem_gpa_to_hva(&m, 16 * MiB, 0, false));
	cr_assert_null(mem_gpa_to_hva(&m, UINT64_MAX, 0, false));
	cr_assert_eq(mem_read(&m, 5, NULL, 0), 0);
}

Test(mem, wrap_around_at_2_to_the_64_is_refused, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	/* gpa + len wraps to a small number that would look in range */
	cr_assert_null(mem_gpa_to_hva(&m, 0x1000, UINT64_MAX, false));
	cr_assert_null(mem_gpa_to_hva(&m, UINT64_MAX, 2, false));
	cr_assert_null(mem_gpa_to_hva(&m, UINT64_MAX - 0xfff, 0x2000, false));
	cr_assert_null(mem_gpa_to_hva(&m, 1, UINT64_MAX, false));
	cr_assert_null(mem_gpa_to_hva(&m, 0, UINT64_MAX, false));
	/* a region at the very top of the address space: last byte ok, one more wraps */
	static uint8_t top[4096];
	cr_assert_eq(mem_add(&m, UINT64_MAX - 4095, 4096, MEM_RAM, top), 0);
	cr_assert_eq(mem_gpa_to_hva(&m, UINT64_MAX, 1, true), top + 4095);
	cr_assert_null(mem_gpa_to_hva(&m, UINT64_MAX, 2, true));
	cr_assert_eq(mem_add(&m, UINT64_MAX - 4095 - 8192, 8193 + 4096, MEM_ROM, top), -EINVAL,
		     "a region that wraps is refused");
}

Test(mem, huge_lengths_are_refused, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert_null(mem_gpa_to_hva(&m, 0, 1ULL << 63, false));
	cr_assert_null(mem_gpa_to_hva(&m, 16 * MiB - 1, UINT64_MAX / 2, false));
	char buf[16];
	cr_assert_eq(mem_read(&m, 16 * MiB - 8, buf, sizeof(buf)), -EFAULT);
	cr_assert_eq(mem_write(&m, 16 * MiB - 8, buf, sizeof(buf)), -EFAULT);
}

Test(mem, rom_reads_but_refuses_writes, .fini = fini)
{
	static uint8_t rom[64 * 1024];
	memset(rom, 0xea, sizeof(rom));
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert_eq(mem_add(&m, 0xffff0000ULL, sizeof(rom), MEM_ROM, rom), 0);
	cr_assert_eq(mem_gpa_to_hva(&m, 0xfffffff0ULL, 16, false), rom + 0xfff0);
	cr_assert_null(mem_gpa_to_hva(&m, 0xfffffff0ULL, 16, true), "ROM must not be writable");
	uint8_t b = 0;
	cr_assert_eq(mem_read(&m, 0xfffffff0ULL, &b, 1), 0);
	cr_assert_eq(b, 0xea);
	cr_assert_eq(mem_write(&m, 0xfffffff0ULL, &b, 1), -EFAULT);
	cr_assert_eq(mem_find(&m, 0xffffffffULL)->kind, MEM_ROM);
}

Test(mem, mmio_never_translates, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert_eq(mem_add(&m, 0xd0000000ULL, 0x1000, MEM_MMIO, NULL), 0);
	const struct mem_region *r = mem_find(&m, 0xd0000800ULL);
	cr_assert_not_null(r);
	cr_assert_eq(r->kind, MEM_MMIO);
	cr_assert_null(r->hva);
	cr_assert_null(mem_gpa_to_hva(&m, 0xd0000000ULL, 4, false));
	cr_assert_null(mem_gpa_to_hva(&m, 0xd0000000ULL, 0, false));
}

Test(mem, framebuffer_is_writable, .fini = fini)
{
	static uint8_t fb[8192];
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert_eq(mem_add(&m, 0xe0000000ULL, sizeof(fb), MEM_FB, fb), 0);
	cr_assert_eq(mem_gpa_to_hva(&m, 0xe0001000ULL, 4096, true), fb + 4096);
	cr_assert_eq(mem_add(&m, 0xe1000000ULL, 4096, MEM_FB, NULL), -EINVAL, "FB needs backing");
}

Test(mem, overlapping_add_is_refused, .fini = fini)
{
	static uint8_t rom[8192];
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert_eq(mem_add(&m, 16 * MiB - 1, 2, MEM_MMIO, NULL), -EEXIST, "overlaps RAM's last byte");
	cr_assert_eq(mem_add(&m, 0xfe000000ULL, 8192, MEM_ROM, rom), 0);
	cr_assert_eq(mem_add(&m, 0xfe001fffULL, 1, MEM_MMIO, NULL), -EEXIST);
	cr_assert_eq(mem_add(&m, 0xfdfff000ULL, 0x1001, MEM_MMIO, NULL), -EEXIST);
	cr_assert_eq(mem_add(&m, 0xfdf00000ULL, 0x200000, MEM_MMIO, NULL), -EEXIST, "covers it entirely");
	/* touching exactly at either end is fine */
	cr_assert_eq(mem_add(&m, 0xfdfff000ULL, 0x1000, MEM_MMIO, NULL), 0);
	cr_assert_eq(mem_add(&m, 0xfe002000ULL, 0x1000, MEM_MMIO, NULL), 0);
	cr_assert_eq(mem_add(&m, 16 * MiB, 0x1000, MEM_MMIO, NULL), 0);
	cr_assert_eq(mem_add(&m, 32 * MiB, 0, MEM_MMIO, NULL), -EINVAL, "size 0");
}

Test(mem, regions_stay_sorted_and_lookup_finds_each, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	/* add out of order */
	uint64_t gpas[] = {0xd0000000, 0x80000000, 0xb0000000, 0x40000000, 0x20000000, 0xa0000000};
	for (unsigned i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++)
		cr_assert_eq(mem_add(&m, gpas[i], 0x1000, MEM_MMIO, NULL), 0);
	for (unsigned i = 1; i < m.n; i++)
		cr_assert_gt(m.r[i].gpa, m.r[i - 1].gpa, "region %u out of order", i);
	for (unsigned i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
		cr_assert_eq(mem_find(&m, gpas[i])->gpa, gpas[i]);
		cr_assert_eq(mem_find(&m, gpas[i] + 0xfff)->gpa, gpas[i]);
		cr_assert_null(mem_find(&m, gpas[i] + 0x1000));
		cr_assert_null(mem_find(&m, gpas[i] - 1));
	}
}

Test(mem, more_than_max_regions_is_refused, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	unsigned added = 0;
	int rc = 0;
	for (unsigned i = 0; i < MEM_MAX_REGIONS + 4; i++) {
		rc = mem_add(&m, 0x10000000ULL + i * 0x10000ULL, 0x1000, MEM_MMIO, NULL);
		if (rc)
			break;
		added++;
	}
	cr_assert_eq(rc, -ENOSPC);
	cr_assert_eq(added, MEM_MAX_REGIONS - 1, "RAM takes one region");
	cr_assert_eq(m.n, MEM_MAX_REGIONS);
}

Test(mem, carve_splits_ram_for_a_rom, .fini = fini)
{
	static uint8_t bios[128 * 1024];
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert_eq(mem_add(&m, 0xe0000, sizeof(bios), MEM_ROM, bios), -EEXIST);
	cr_assert_eq(mem_carve(&m, 0xe0000, sizeof(bios)), 0);
	cr_assert_eq(mem_add(&m, 0xe0000, sizeof(bios), MEM_ROM, bios), 0);
	cr_assert_eq(m.n, 3);
	cr_assert_eq(mem_gpa_to_hva(&m, 0xdffff, 1, true), m.ram + 0xdffff);
	cr_assert_eq(mem_gpa_to_hva(&m, 0xe0000, 1, false), bios);
	cr_assert_null(mem_gpa_to_hva(&m, 0xe0000, 1, true));
	cr_assert_eq(mem_gpa_to_hva(&m, 0x100000, 1, true), m.ram + 0x100000,
		     "RAM after the ROM keeps its pages");
	cr_assert_eq(mem_carve(&m, 0xf0000, 0x20000), -EEXIST, "cannot carve a ROM");
	cr_assert_eq(mem_carve(&m, 0, 0), -EINVAL);
}

Test(mem, a20_off_aliases_1mib_onto_0, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert(mem_a20_enabled(&m));
	m.ram[0x1234] = 0x5a;
	m.ram[0x101234] = 0xa5;
	cr_assert_eq(mem_set_a20(&m, false), 0);
	cr_assert_not(mem_a20_enabled(&m));
	cr_assert_eq(*(uint8_t *)mem_gpa_to_hva(&m, 0x101234, 1, false), 0x5a, "1 MiB + x must read x");
	cr_assert_eq(mem_gpa_to_hva(&m, 0x100000, 0x10000, true), m.ram);
	/* the alias is exactly 64 KiB: the byte after is plain RAM again */
	cr_assert_eq(mem_gpa_to_hva(&m, 0x110000, 1, true), m.ram + 0x110000);
	cr_assert_eq(mem_gpa_to_hva(&m, 0xfffff, 1, true), m.ram + 0xfffff);
	cr_assert_null(mem_gpa_to_hva(&m, 0xffff0, 0x20, false), "a range across the alias edge");
	cr_assert_eq(mem_set_a20(&m, false), 0, "disabling twice is harmless");
	cr_assert_eq(m.n, 3);

	cr_assert_eq(mem_set_a20(&m, true), 0);
	cr_assert(mem_a20_enabled(&m));
	cr_assert_eq(*(uint8_t *)mem_gpa_to_hva(&m, 0x101234, 1, false), 0xa5);
	cr_assert_eq(m.n, 1, "the low RAM is one region again");
	cr_assert_eq(mem_gpa_to_hva(&m, 0, 16 * MiB, true), m.ram);
}

Test(mem, a20_with_less_than_1mib_of_ram, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 512 * 1024), 0);
	cr_assert_eq(mem_set_a20(&m, false), 0);
	cr_assert_eq(mem_gpa_to_hva(&m, 0x100010, 1, false), m.ram + 0x10);
	cr_assert_eq(mem_set_a20(&m, true), 0);
	cr_assert_null(mem_gpa_to_hva(&m, 0x100010, 1, false), "no RAM at 1 MiB once A20 is on");
	cr_assert_eq(m.n, 1);
}

Test(mem, a20_with_ram_ending_inside_the_alias, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 0x108000), 0);
	cr_assert_eq(mem_set_a20(&m, false), 0);
	cr_assert_eq(mem_gpa_to_hva(&m, 0x10c000, 1, false), m.ram + 0xc000);
	cr_assert_eq(mem_set_a20(&m, true), 0);
	cr_assert_eq(m.n, 1);
	cr_assert_eq(m.r[0].size, 0x108000);
	cr_assert_null(mem_gpa_to_hva(&m, 0x10c000, 1, false));
}

Test(mem, a20_off_refused_when_the_window_is_not_plain_ram, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert_eq(mem_carve(&m, 0x104000, 0x1000), 0);
	cr_assert_eq(mem_set_a20(&m, false), -EBUSY, "a hole there could not be restored");
	cr_assert_eq(mem_add(&m, 0x104000, 0x1000, MEM_MMIO, NULL), 0);
	cr_assert_eq(mem_set_a20(&m, false), -EBUSY);
	cr_assert(mem_a20_enabled(&m));
}

Test(mem, carving_the_a20_alias_is_refused, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	cr_assert_eq(mem_set_a20(&m, false), 0);
	cr_assert_eq(mem_carve(&m, 0x108000, 0x1000), -EBUSY);
	cr_assert_eq(mem_carve(&m, 0x200000, 0x1000), 0, "elsewhere is fine");
	cr_assert_eq(mem_set_a20(&m, true), 0);
	cr_assert_eq(mem_gpa_to_hva(&m, 0x100000, 0x100000, true), m.ram + 0x100000);
}

Test(mem, a20_refused_without_64k_of_ram, .fini = fini)
{
	cr_assert_eq(mem_init(&m, 4096), 0);
	cr_assert_eq(mem_set_a20(&m, false), -EINVAL);
}

/* A vCPU toggles A20 while the I/O thread translates: every lookup sees
 * one whole map or the other, never a half-edited region array. */
static atomic_bool toggling_done;

static void *a20_toggler(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++)
		cr_assert_eq(mem_set_a20(&m, i & 1), 0);
	atomic_store(&toggling_done, true);
	return NULL;
}

Test(mem, translation_is_consistent_while_a20_toggles, .fini = fini, .timeout = 60)
{
	cr_assert_eq(mem_init(&m, 16 * MiB), 0);
	pthread_t t;
	atomic_store(&toggling_done, false);
	cr_assert_eq(pthread_create(&t, NULL, a20_toggler, NULL), 0);
	unsigned bad = 0, aliased = 0, plain = 0;
	while (!atomic_load(&toggling_done)) {
		uint8_t *p = mem_gpa_to_hva(&m, 0x100000, 0x10000, true);
		if (p == m.ram)
			aliased++;
		else if (p == m.ram + 0x100000)
			plain++;
		else
			bad++;
		if (mem_gpa_to_hva(&m, 0x200000, 0x1000, true) != m.ram + 0x200000)
			bad++;
		if (mem_gpa_to_hva(&m, 0xff000, 0x1000, true) != m.ram + 0xff000)
			bad++;
	}
	pthread_join(t, NULL);
	cr_assert_eq(bad, 0, "%u lookups saw a torn map (%u aliased, %u plain)", bad, aliased, plain);
	cr_assert(mem_a20_enabled(&m), "the last toggle enabled A20");
}

/* Real KVM: the memslots mem_register creates must be what the guest sees.
 * A real-mode guest reads gpa 0x100100 (ffff:0110) and writes the byte to
 * port 0x80; with A20 off it must read gpa 0x100 instead. */
static int kvm_open_vm(int *kvm)
{
	*kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cr_assert_geq(*kvm, 0, "/dev/kvm: %s", strerror(errno));
	int vm = ioctl(*kvm, KVM_CREATE_VM, 0);
	cr_assert_geq(vm, 0, "KVM_CREATE_VM: %s", strerror(errno));
	return vm;
}

static uint8_t guest_read_1mib_plus_0x100(int kvm, int vcpu)
{
	int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	cr_assert_neq(run, MAP_FAILED);
	struct kvm_sregs s;
	cr_assert_eq(ioctl(vcpu, KVM_GET_SREGS, &s), 0);
	s.cs.base = 0;
	s.cs.selector = 0;
	cr_assert_eq(ioctl(vcpu, KVM_SET_SREGS, &s), 0);
	struct kvm_regs r = {.rip = 0x1000, .rflags = 2};
	cr_assert_eq(ioctl(vcpu, KVM_SET_REGS, &r), 0);
	uint8_t v = 0;
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0, "KVM_RUN: %s", strerror(errno));
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x80) {
			v = *((uint8_t *)run + run->io.data_offset);
			break;
		}
		cr_assert_fail("unexpected exit %u", run->exit_reason);
	}
	munmap(run, (size_t)sz);
	return v;
}

static const uint8_t a20_probe[] = {
    0xb8, 0xff, 0xff, /* mov ax, 0xffff */
    0x8e, 0xd8,	      /* mov ds, ax */
    0xa0, 0x10, 0x01, /* mov al, [0x0110] -> linear 0x100100 */
    0xe6, 0x80,	      /* out 0x80, al */
    0xf4,	      /* hlt */
};

Test(mem, kvm_guest_sees_the_a20_alias, .fini = fini)
{
	int kvm, vm = kvm_open_vm(&kvm);
	cr_assert_eq(mem_init(&m, 4 * MiB), 0);
	memcpy(m.ram + 0x1000, a20_probe, sizeof(a20_probe));
	m.ram[0x100] = 0x11;
	m.ram[0x100100] = 0x22;
	cr_assert_eq(mem_register(&m, vm), 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	cr_assert_geq(vcpu, 0, "KVM_CREATE_VCPU: %s", strerror(errno));
	cr_assert_eq(guest_read_1mib_plus_0x100(kvm, vcpu), 0x22, "A20 on: the guest reads 1 MiB + 0x100");
	cr_assert_eq(mem_set_a20(&m, false), 0);
	cr_assert_eq(guest_read_1mib_plus_0x100(kvm, vcpu), 0x11, "A20 off: the guest must read 0x100");
	cr_assert_eq(mem_set_a20(&m, true), 0);
	cr_assert_eq(guest_read_1mib_plus_0x100(kvm, vcpu), 0x22, "A20 back on");
	close(vcpu);
	close(vm);
	close(kvm);
}

/* A guest write to ROM must not change it: KVM hands it to us as MMIO. */
static const uint8_t rom_poke[] = {
    0xb8, 0x00, 0xf0,		  /* mov ax, 0xf000 */
    0x8e, 0xd8,			  /* mov ds, ax */
    0xc6, 0x06, 0x10, 0x00, 0x55, /* mov byte [0x0010], 0x55 -> gpa 0xf0010 */
    0xa0, 0x10, 0x00,		  /* mov al, [0x0010] */
    0xe6, 0x80,			  /* out 0x80, al */
    0xf4,
};

Test(mem, kvm_guest_write_to_carved_rom_is_refused, .fini = fini)
{
	int kvm, vm = kvm_open_vm(&kvm);
	cr_assert_eq(ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM), 1);
	cr_assert_eq(mem_init(&m, 4 * MiB), 0);
	uint8_t *rom = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(rom, MAP_FAILED);
	rom[0x10] = 0xaa;
	cr_assert_eq(mem_carve(&m, 0xf0000, 0x10000), 0);
	cr_assert_eq(mem_add(&m, 0xf0000, 0x10000, MEM_ROM, rom), 0);
	memcpy(m.ram + 0x1000, rom_poke, sizeof(rom_poke));
	cr_assert_eq(mem_register(&m, vm), 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	cr_assert_geq(vcpu, 0);
	int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	struct kvm_sregs s;
	cr_assert_eq(ioctl(vcpu, KVM_GET_SREGS, &s), 0);
	s.cs.base = 0;
	s.cs.selector = 0;
	cr_assert_eq(ioctl(vcpu, KVM_SET_SREGS, &s), 0);
	struct kvm_regs r = {.rip = 0x1000, .rflags = 2};
	cr_assert_eq(ioctl(vcpu, KVM_SET_REGS, &r), 0);
	cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(run->exit_reason, KVM_EXIT_MMIO, "a ROM write exits as MMIO, got %u", run->exit_reason);
	cr_assert(run->mmio.is_write);
	cr_assert_eq(run->mmio.phys_addr, 0xf0010);
	cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(run->exit_reason, KVM_EXIT_IO);
	cr_assert_eq(*((uint8_t *)run + run->io.data_offset), 0xaa, "the guest reads the ROM unchanged");
	cr_assert_eq(rom[0x10], 0xaa);
	munmap(run, (size_t)sz);
	close(vcpu);
	close(vm);
	close(kvm);
	munmap(rom, 0x10000);
}

/* The VGA window as a framebuffer: the guest writes pages 1 and 3 of it. */
static const uint8_t fb_poke[] = {
    0xb8, 0x00, 0xa0,			/* mov ax, 0xa000 */
    0x8e, 0xc0,				/* mov es, ax */
    0x26, 0xc6, 0x06, 0x00, 0x10, 0x01, /* mov byte [es:0x1000], 1 */
    0x26, 0xc6, 0x06, 0x34, 0x32, 0x01, /* mov byte [es:0x3234], 1 */
    0xe6, 0x80,				/* out 0x80, al */
    0xf4,
};

Test(mem, kvm_framebuffer_dirty_log_shows_written_pages, .fini = fini)
{
	int kvm, vm = kvm_open_vm(&kvm);
	cr_assert_eq(mem_init(&m, 4 * MiB), 0);
	uint8_t *fb = mmap(NULL, 0x20000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(fb, MAP_FAILED);
	cr_assert_eq(mem_carve(&m, 0xa0000, 0x20000), 0);
	cr_assert_eq(mem_add(&m, 0xa0000, 0x20000, MEM_FB, fb), 0);
	memcpy(m.ram + 0x1000, fb_poke, sizeof(fb_poke));
	uint64_t bits = ~0ULL;
	cr_assert_eq(mem_dirty_log(&m, 0xa0000, &bits, sizeof(bits)), -EINVAL, "not registered yet");
	cr_assert_eq(mem_register(&m, vm), 0);
	cr_assert_eq(mem_dirty_log(&m, 0xa0000, &bits, sizeof(bits)), 0);
	cr_assert_eq(bits, 0, "nothing written yet");
	cr_assert_eq(mem_dirty_log(&m, 0x0, &bits, sizeof(bits)), -EINVAL, "RAM keeps no log");
	cr_assert_eq(mem_dirty_log(&m, 0xa1000, &bits, sizeof(bits)), -EINVAL, "must name the region start");
	cr_assert_eq(mem_dirty_log(&m, 0xa0000, &bits, 4), -ENOSPC);

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	cr_assert_geq(vcpu, 0);
	int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	struct kvm_sregs s;
	cr_assert_eq(ioctl(vcpu, KVM_GET_SREGS, &s), 0);
	s.cs.base = 0;
	s.cs.selector = 0;
	cr_assert_eq(ioctl(vcpu, KVM_SET_SREGS, &s), 0);
	struct kvm_regs r = {.rip = 0x1000, .rflags = 2};
	cr_assert_eq(ioctl(vcpu, KVM_SET_REGS, &r), 0);
	cr_assert_eq(ioctl(vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(run->exit_reason, KVM_EXIT_IO, "exit %u", run->exit_reason);
	cr_assert_eq(fb[0x1000], 1);
	cr_assert_eq(fb[0x3234], 1);

	cr_assert_eq(mem_dirty_log(&m, 0xa0000, &bits, sizeof(bits)), 0);
	cr_assert_eq(bits, (1ULL << 1) | (1ULL << 3), "dirty pages %#llx", (unsigned long long)bits);
	cr_assert_eq(mem_dirty_log(&m, 0xa0000, &bits, sizeof(bits)), 0);
	cr_assert_eq(bits, 0, "reading the log clears it");
	munmap(run, (size_t)sz);
	close(vcpu);
	close(vm);
	close(kvm);
	munmap(fb, 0x20000);
}

Test(mem, kvm_rom_is_a_readonly_memslot_and_added_regions_register, .fini = fini)
{
	int kvm, vm = kvm_open_vm(&kvm);
	cr_assert_eq(mem_init(&m, 4 * MiB), 0);
	cr_assert_eq(mem_register(&m, vm), 0);
	cr_assert_neq(m.r[0].slot, UINT32_MAX);
	cr_assert_eq(mem_register(&m, vm), -EBUSY);
	/* after registration, mem_add registers at once */
	uint8_t *rom = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(rom, MAP_FAILED);
	cr_assert_eq(mem_add(&m, 0xffff0000ULL, 65536, MEM_ROM, rom), 0);
	const struct mem_region *r = mem_find(&m, 0xffff0000ULL);
	cr_assert_neq(r->slot, UINT32_MAX);
	cr_assert_neq(r->slot, m.r[0].slot);
	/* KVM refuses an overlapping slot, so a second slot over the ROM fails */
	struct kvm_userspace_memory_region kr = {.slot = 100,
						 .guest_phys_addr = 0xffff0000ULL,
						 .memory_size = 4096,
						 .userspace_addr = (uintptr_t)rom};
	cr_assert_lt(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &kr), 0, "the ROM slot should exist in KVM");
	/* MMIO gets no slot */
	cr_assert_eq(mem_add(&m, 0xd0000000ULL, 4096, MEM_MMIO, NULL), 0);
	cr_assert_eq(mem_find(&m, 0xd0000000ULL)->slot, UINT32_MAX);
	close(vm);
	close(kvm);
	munmap(rom, 65536);
}

/* The reference: a linear scan with the rules spelled out. */
static void *ref_translate(const struct mem_map *mm, uint64_t gpa, uint64_t len, bool w)
{
	if (len && gpa + len - 1 < gpa)
		return NULL;
	for (unsigned i = 0; i < mm->n; i++) {
		const struct mem_region *r = &mm->r[i];
		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (r->kind == MEM_MMIO || (w && r->kind == MEM_ROM))
			return NULL;
		if (len > r->size - (gpa - r->gpa))
			return NULL;
		return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

static uint64_t rnd64(void)
{
	return ((uint64_t)(unsigned)rand() << 33) ^ ((uint64_t)(unsigned)rand() << 2) ^
	       (uint64_t)(rand() & 3);
}

Test(mem, random_edits_keep_the_map_sound_and_lookups_agree_with_a_scan, .fini = fini, .timeout = 60)
{
	static uint8_t backing[4096];
	cr_assert_eq(mem_init(&m, 8 * MiB), 0);
	srand(4242);
	for (int it = 0; it < 3000; it++) {
		uint64_t gpa = (rnd64() % (16 * GiB)) & ~0xfffULL;
		uint64_t size = ((rnd64() % (64 * MiB)) & ~0xfffULL) + 0x1000;
		switch (rand() % 6) {
		case 0:
			(void)mem_add(&m, gpa, size, MEM_MMIO, NULL);
			break;
		case 1:
			(void)mem_add(&m, gpa, size, (rand() & 1) ? MEM_ROM : MEM_FB, backing);
			break;
		case 2:
			(void)mem_carve(&m, gpa % (16 * MiB), size % (4 * MiB) + 0x1000);
			break;
		case 3:
			if (rand() & 1) {
				cr_assert_eq(mem_set_a20(&m, true), 0);
			} else {
				struct mem_region before[MEM_MAX_REGIONS];
				unsigned nb = m.n;
				memcpy(before, m.r, sizeof(before));
				int rc = mem_set_a20(&m, false);
				cr_assert(rc == 0 || rc == -EBUSY || rc == -ENOSPC || rc == -EINVAL,
					  "A20 off: %d", rc);
				if (rc) {
					cr_assert_eq(m.n, nb);
					cr_assert_eq(memcmp(before, m.r, sizeof(before)), 0,
						     "a refused A20 off changed the map");
				}
			}
			break;
		case 4:
			/* start over now and then, so the map is not always full */
			mem_destroy(&m);
			cr_assert_eq(mem_init(&m, (uint64_t)(rand() % 64 + 1) * MiB), 0);
			break;
		default:
			(void)mem_add(&m, rnd64(), rnd64(), MEM_MMIO, NULL); /* mostly nonsense */
			break;
		}
		cr_assert_leq(m.n, MEM_MAX_REGIONS);
		for (unsigned i = 0; i < m.n; i++) {
			const struct mem_region *r = &m.r[i];
			cr_assert_gt(r->size, 0);
			cr_assert_geq(r->gpa + (r->size - 1), r->gpa, "region %u wraps", i);
			if (i)
				cr_assert_gt(r->gpa, m.r[i - 1].gpa + (m.r[i - 1].size - 1),
					     "regions %u and %u overlap", i - 1, i);
			if (r->kind == MEM_RAM) {
				/* the safety property: RAM always points into the one mapping */
				cr_assert_geq(r->hva, m.ram);
				cr_assert_leq((uint64_t)(r->hva - m.ram) + r->size, m.ram_size,
					      "RAM region %u leaves the mapping", i);
			}
		}
		for (int q = 0; q < 40; q++) {
			uint64_t g, len;
			if (q & 1 && m.n) {
				/* near a region edge */
				const struct mem_region *r = &m.r[(unsigned)rand() % m.n];
				g = r->gpa + r->size - 8 + (uint64_t)(rand() % 16);
				len = (uint64_t)(rand() % 32);
			} else {
				g = rnd64();
				len = (q % 3 == 0) ? rnd64() : (uint64_t)(rand() % 0x3000);
			}
			bool w = rand() & 1;
			cr_assert_eq(mem_gpa_to_hva(&m, g, len, w), ref_translate(&m, g, len, w),
				     "gpa %#llx len %#llx write %d", (unsigned long long)g,
				     (unsigned long long)len, w);
		}
	}
}
