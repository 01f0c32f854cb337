/* guests/rt: the runtime every 64-bit test guest links against.
 *
 * The PVH entry (rt/entry.S) switches to long mode with prebuilt identity
 * page tables (0-4 GiB, 2 MiB pages, user-accessible; 3-4 GiB uncached),
 * loads a GDT, IDT and TSS, and drops to CPL3 with IOPL=3 before any C code
 * runs: on hosts where KVM emulates every CPL0 instruction (HOST.md) that is
 * what keeps a guest fast. At CPL3 port I/O, MMIO, the LAPIC and all of RAM
 * below 4 GiB are usable directly.
 *
 * rt_init() reads the PVH start info and cove's FDT (the last module, string
 * "cove-fdt"), then calls main(). main's return value ends the VM: 0 powers
 * off, anything else exits through the debug-exit port with that value.
 * Without an FDT (QEMU -M microvm -kernel) the runtime falls back to the
 * serial port at 0x3f8 and the debug-exit port 0xf4. */
#ifndef GUESTS_RT_H
#define GUESTS_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_PAGE_SIZE 4096UL
/* The most CPUs a guest starts (smp.c); rt_cpu_count() reports them all. */
#define RT_MAX_CPUS 64
/* "cpus=N" (no FDT, as under QEMU) above this is taken for a typo. */
#define RT_MAX_CPUS_ARG 1024
/* debug-exit value a CPU exception ends the guest with: cove exits
 * (0x7e << 1) | 1 = 253. */
#define RT_EXIT_FAULT 0x7e
#define RT_DEBUG_EXIT_PORT 0xf4
#define RT_LAPIC_BASE 0xfee00000ULL

/* The guest's entry point, called at CPL3 on the boot CPU. */
int main(void);

/* Port I/O (IOPL=3, so these work at CPL3). */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* MMIO accessors. The compiler barrier keeps device accesses in program
 * order; on x86 uncached accesses are not reordered with each other. Use
 * rt_wmb()/rt_rmb()/rt_mb() around accesses to RAM a device reads (rings). */
#define rt_barrier() __asm__ volatile("" ::: "memory")
static inline void rt_mb(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline void rt_rmb(void) { __asm__ volatile("lfence" ::: "memory"); }
static inline void rt_wmb(void) { __asm__ volatile("sfence" ::: "memory"); }
static inline uint8_t rt_mmio_read8(uint64_t a) { rt_barrier(); uint8_t v = *(volatile uint8_t *)a; rt_barrier(); return v; }
static inline uint16_t rt_mmio_read16(uint64_t a) { rt_barrier(); uint16_t v = *(volatile uint16_t *)a; rt_barrier(); return v; }
static inline uint32_t rt_mmio_read32(uint64_t a) { rt_barrier(); uint32_t v = *(volatile uint32_t *)a; rt_barrier(); return v; }
static inline uint64_t rt_mmio_read64(uint64_t a) { rt_barrier(); uint64_t v = *(volatile uint64_t *)a; rt_barrier(); return v; }
static inline void rt_mmio_write8(uint64_t a, uint8_t v) { rt_barrier(); *(volatile uint8_t *)a = v; rt_barrier(); }
static inline void rt_mmio_write16(uint64_t a, uint16_t v) { rt_barrier(); *(volatile uint16_t *)a = v; rt_barrier(); }
static inline void rt_mmio_write32(uint64_t a, uint32_t v) { rt_barrier(); *(volatile uint32_t *)a = v; rt_barrier(); }
static inline void rt_mmio_write64(uint64_t a, uint64_t v) { rt_barrier(); *(volatile uint64_t *)a = v; rt_barrier(); }

static inline uint64_t rt_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline void rt_pause(void) { __asm__ volatile("pause" ::: "memory"); }

/* A guest may define this: the boot CPU calls it at CPL0 in long mode,
 * before the start info is read and before main, with interrupts off. For
 * tests of instructions that only CPL0 runs (on PVM hosts KVM emulates every
 * CPL0 instruction, ~0.5 us each). It may not print: keep results in memory
 * and report them from main. */
void rt_cpl0_hook(void);

/* Console. Each call formats into a buffer on the caller's stack and sends it
 * with one `rep outsb` (one exit), so print whole lines per call; calls from
 * different CPUs do not interleave within a call. Formats: %s %c %d %u %x %p
 * %%, with l/ll (%ld %lu %lx), a width and 0 padding (%08x). Output longer
 * than 512 bytes is cut. */
void rt_puts(const char *s); /* no newline added */
void rt_write(const void *buf, size_t len);
int rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
int rt_snprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Ending the VM. */
void rt_poweroff(void) __attribute__((noreturn)); /* power port, then debug exit 0 */
void rt_exit(unsigned code) __attribute__((noreturn)); /* debug exit: cove status (code << 1) | 1 */

/* Command line: cove's -a string (start info, else FDT /chosen bootargs);
 * "" when there is none. rt_getarg returns the value of the first
 * "key=value" word, "" for a bare "key", NULL when key is absent.
 * rt_getarg_u64 parses the value as decimal or 0x-hex with an optional
 * K/M/G suffix, returning def when absent or malformed. */
const char *rt_cmdline(void);
const char *rt_getarg(const char *key);
uint64_t rt_getarg_u64(const char *key, uint64_t def);
/* Parses a number as rt_getarg_u64 does. 0 on success, -1 if malformed. */
int rt_parse_u64(const char *s, uint64_t *out);

/* PVH start info (struct hvm_start_info), NULL if the magic was wrong. */
struct hvm_start_info {
	uint32_t magic; /* 0x336ec578 */
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};
struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};
struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type; /* 1 = RAM (e820) */
	uint32_t reserved;
};
#define HVM_START_MAGIC 0x336ec578u
#define HVM_MEMMAP_TYPE_RAM 1
const struct hvm_start_info *rt_start_info(void);
/* Memory map entry i (from the start info); -1 past the end. */
int rt_memmap(unsigned i, uint64_t *addr, uint64_t *size, uint32_t *type);
/* Bytes of RAM: memmap type-1 entries, else the FDT memory nodes, else 0. */
uint64_t rt_mem_size(void);

/* cove's device tree, NULL when there is none (QEMU). Read it with libfdt. */
const void *rt_fdt(void);
struct rt_device {
	uint64_t base, size;
	int irq;  /* -1 when the node has no interrupts property */
	bool pio; /* reg is a port range (cove,pio) */
	int node; /* libfdt node offset */
};
/* The index'th node (0-based, in tree order) whose compatible list contains
 * compatible. 0 and *dev filled, or -1 when there is no such node. */
int rt_fdt_device(const char *compatible, unsigned index, struct rt_device *dev);
/* CPUs: the FDT's /cpus/cpu@N count (all of them, RT_MAX_CPUS or not),
 * else the cmdline "cpus=N" (1 to RT_MAX_CPUS_ARG), else 1. */
unsigned rt_cpu_count(void);
/* APIC ID of CPU i from the FDT (its reg), else i. */
unsigned rt_cpu_apic_id(unsigned i);

/* Pages from the RAM after the image, zeroed and page-aligned; NULL when
 * RAM runs out. Not thread-safe: allocate from the boot CPU. */
void *rt_alloc_pages(size_t n);

/* Extends the identity map past 4 GiB up to top (at most 512 GiB), with
 * 2 MiB pages from rt_alloc_pages, written at CPL3 (the tables are user
 * pages). 0, or -1 when top is too high or pages run out. */
int rt_map_high(uint64_t top);

/* SMP. rt_apic_id() reads this CPU's LAPIC ID. rt_start_ap() sends
 * INIT-SIPI-SIPI to apic_id through the LAPIC ICR; the AP goes from the
 * trampoline at RT_TRAMPOLINE_GPA through long mode to CPL3 on its own
 * stack and calls fn(arg) there (when fn returns the AP spins). Returns 0
 * once the AP runs C code, -1 if it did not within timeout_cycles TSC
 * cycles, -2 when out of memory. Call from the boot CPU, one AP at a time. */
#define RT_TRAMPOLINE_GPA 0x8000ULL
unsigned rt_apic_id(void);
int rt_start_ap(unsigned apic_id, void (*fn)(void *), void *arg, uint64_t timeout_cycles);

/* The freestanding C library the runtime and libfdt use. */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
unsigned long strtoul(const char *s, char **end, int base);

#endif
