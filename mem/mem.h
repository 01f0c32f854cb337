/* mem: the guest physical map. A small sorted array of regions (RAM,
 * read-only ROM, MMIO holes, framebuffer), registered with KVM as memslots;
 * every guest address a device or loader follows goes through
 * mem_gpa_to_hva(), which refuses anything that leaves one region. */
#ifndef COVE_MEM_H
#define COVE_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest RAM above MEM_HOLE_START is placed at 4 GiB and up: the hole holds
 * the virtio-mmio window, IOAPIC, LAPIC and firmware ROM. */
#define MEM_HOLE_START 0xc0000000ULL
#define MEM_HOLE_END 0x100000000ULL
#define MEM_MAX_REGIONS 16
/* Guest RAM is a whole number of pages (memslots and munmap work in pages)
 * and at most 64 TiB; cove's --mem refuses other sizes up front. */
#define MEM_PAGE_SIZE 4096ULL
#define MEM_MAX_RAM   (1ULL << 46)

enum mem_kind { MEM_RAM, MEM_ROM, MEM_MMIO, MEM_FB };

struct mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;   /* NULL for MEM_MMIO */
	enum mem_kind kind;
	uint32_t slot;  /* KVM memslot, or UINT32_MAX when not registered */
};

struct mem_map {
	struct mem_region r[MEM_MAX_REGIONS]; /* sorted by gpa, disjoint */
	unsigned n;
	uint64_t ram_size;  /* all RAM, below and above the hole */
	uint8_t *ram;       /* the one host mapping of all RAM */
	int vmfd;           /* -1 until mem_register() */
	/* Changes while the VM runs (A20 from a vCPU) must not tear a lookup
	 * on another thread (virtio on the I/O thread): writers take wlock
	 * and make seq odd while they edit r[]; mem_gpa_to_hva and
	 * mem_a20_enabled retry until seq is even and unchanged. mem_find's
	 * pointer is only stable while nothing changes the map. */
	unsigned seq;
	int wlock;
};

/* Maps ram_size bytes of anonymous memory, 2 MiB aligned, MADV_HUGEPAGE above
 * its first 2 MiB, and adds the RAM regions (split around the hole). 0 or
 * -errno: -EINVAL for a size of 0 or not a multiple of MEM_PAGE_SIZE,
 * -E2BIG above MEM_MAX_RAM. */
int mem_init(struct mem_map *m, uint64_t ram_size);
/* Adds a region; -EEXIST if it overlaps one, -ENOSPC when full. hva is the
 * backing for ROM/FB (NULL for MMIO). Registers it with KVM at once when
 * mem_register() has run. */
int mem_add(struct mem_map *m, uint64_t gpa, uint64_t size, enum mem_kind kind, void *hva);
/* Registers every RAM, ROM (KVM_MEM_READONLY) and FB region as a memslot. */
int mem_register(struct mem_map *m, int vmfd);
void mem_destroy(struct mem_map *m);

/* The region holding gpa, or NULL. O(log n). */
const struct mem_region *mem_find(const struct mem_map *m, uint64_t gpa);
/* The one checked translation: a host pointer to [gpa, gpa + len) when all
 * of it lies in one RAM region (or RAM/ROM/FB with want_write false), NULL
 * otherwise: holes, wrap-around, a range that crosses a region's end. len 0
 * is valid inside a region. */
void *mem_gpa_to_hva(const struct mem_map *m, uint64_t gpa, uint64_t len, bool want_write);
/* Copies through mem_gpa_to_hva; -EFAULT when the range is refused. */
int mem_read(const struct mem_map *m, uint64_t gpa, void *buf, size_t len);
int mem_write(const struct mem_map *m, uint64_t gpa, const void *buf, size_t len);
/* Bytes of RAM below the hole / at and above 4 GiB. */
uint64_t mem_ram_below_4g(const struct mem_map *m);
uint64_t mem_ram_above_4g(const struct mem_map *m);

/* Removes [gpa, gpa + size) from the RAM regions it overlaps (splitting
 * them, memslots too) so a ROM, MMIO or FB region can be added there, e.g.
 * the BIOS shadow at 0xe0000. -EEXIST if it overlaps a non-RAM region,
 * -ENOSPC when a split would need more than MEM_MAX_REGIONS. */
int mem_carve(struct mem_map *m, uint64_t gpa, uint64_t size);
/* A20 gate. Disabled: guest [1 MiB, 1 MiB + 64 KiB) aliases [0, 64 KiB),
 * as its own memslot on the low RAM's host pages (and in the region array,
 * so mem_gpa_to_hva agrees with the guest); enabled: the plain map. 0 or
 * -errno. Call from the vCPU that wrote the gate (other vCPUs may briefly
 * see the 64 KiB missing while the slot is swapped). */
int mem_set_a20(struct mem_map *m, bool enabled);
bool mem_a20_enabled(const struct mem_map *m);
/* The framebuffer region starting at gpa (registered with dirty logging):
 * fills bitmap, one bit per 4 KiB page written since the last call, and
 * clears the log. bitmap_bytes >= ceil(pages / 64) * 8. -EINVAL when gpa
 * starts no registered MEM_FB region, -ENOSPC for a short bitmap. */
int mem_dirty_log(struct mem_map *m, uint64_t gpa, void *bitmap, size_t bitmap_bytes);

#endif
