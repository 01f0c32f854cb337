/* guests/rt: start-up at CPL3, console, command line, boot information,
 * page allocator and the exception report. */
#include <libfdt.h>

#include "rt.h"

#define UART_DEFAULT_PORT 0x3f8
#define POWER_DEFAULT_PORT 0x600
#define POWER_S5 ((1u << 5) | (5u << 2)) /* SLP_EN | SLP_TYP(5) */
#define CMDLINE_MAX 1024
#define PRINT_MAX 512

extern uint64_t rt_start_info_paddr; /* entry.S: EBX at entry */
extern char _end[];                  /* guest.ld: end of the image */

static uint16_t uart_port = UART_DEFAULT_PORT;
static uint16_t power_port = POWER_DEFAULT_PORT;
static const struct hvm_start_info *start_info;
static const void *fdt;
static char cmdline[CMDLINE_MAX];
static char args[CMDLINE_MAX]; /* cmdline with each word NUL-terminated */
static uint64_t heap_next, heap_end;

/* Held around each write: KVM splits a string OUT at a page boundary, so
 * without it two CPUs' lines can interleave mid-line. */
static volatile int console_lock;

/* cove's console port (FDT "cove,console"): a record's address in one
 * 32-bit OUT sends the whole record; 0 when there is none (QEMU). RAM is
 * identity-mapped, so the record's address is its physical address. */
#define CONPORT_CHUNK 2048
static uint16_t con_port;
static struct {
	uint32_t len;
	char bytes[CONPORT_CHUNK];
} con_rec __attribute__((aligned(8)));

static void con_write(const char *p, size_t len)
{
	while (len) {
		size_t n = len < CONPORT_CHUNK ? len : CONPORT_CHUNK;
		uint32_t sent;

		memcpy(con_rec.bytes, p, n);
		con_rec.len = (uint32_t)n;
		outl(con_port, (uint32_t)(uintptr_t)&con_rec);
		sent = inl(con_port);
		if (sent > n)
			return; /* not cove's port after all */
		while (!sent && n) {
			rt_pause(); /* the transmit FIFO is full: let it drain */
			outl(con_port, (uint32_t)(uintptr_t)&con_rec);
			sent = inl(con_port);
		}
		p += sent;
		len -= sent;
	}
}

void rt_write(const void *buf, size_t len)
{
	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		rt_pause();
	if (con_port)
		con_write(buf, len);
	else /* One string OUT: KVM hands over up to a page boundary at once,
	      * or (where it emulates I/O instructions) a byte an exit. */
		__asm__ volatile("rep outsb" : "+S"(buf), "+c"(len) : "d"(uart_port) : "memory");
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void rt_puts(const char *s)
{
	rt_write(s, strlen(s));
}

static size_t fmt_uint(char *tmp, uint64_t v, unsigned base)
{
	size_t n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	return n;
}

int rt_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t o = 0;
#define PUT(c)                        \
	do {                          \
		if (o + 1 < len)      \
			buf[o] = (c); \
		o++;                  \
	} while (0)
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			PUT(*fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		unsigned width = 0, lng = 0;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l')
			lng++, fmt++;
		char tmp[24];
		size_t n = 0;
		bool neg = false;
		const char *s = NULL;
		switch (*fmt) {
		case 'd': {
			int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);
			neg = v < 0;
			n = fmt_uint(tmp, neg ? -(uint64_t)v : (uint64_t)v, 10);
			break;
		}
		case 'u':
			n = fmt_uint(tmp, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10);
			break;
		case 'x':
			n = fmt_uint(tmp, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16);
			break;
		case 'p':
			PUT('0');
			PUT('x');
			n = fmt_uint(tmp, (uintptr_t)va_arg(ap, void *), 16);
			break;
		case 'c':
			tmp[n++] = (char)va_arg(ap, int);
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			n = strlen(s);
			break;
		case '%':
			tmp[n++] = '%';
			break;
		case '\0':
			fmt--;
			continue;
		default:
			PUT('%');
			PUT(*fmt);
			continue;
		}
		size_t total = n + neg;
		if (neg && pad == '0')
			PUT('-');
		for (; width > total; width--)
			PUT(pad);
		if (neg && pad != '0')
			PUT('-');
		if (s)
			for (size_t i = 0; i < n; i++)
				PUT(s[i]);
		else
			while (n) {
				n--; /* not inside PUT: it skips its argument once full */
				PUT(tmp[n]);
			}
	}
	if (len)
		buf[o < len ? o : len - 1] = '\0';
#undef PUT
	return (int)o;
}

int rt_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = rt_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

int rt_printf(const char *fmt, ...)
{
	char buf[PRINT_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rt_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

void rt_exit(unsigned code)
{
	outb(RT_DEBUG_EXIT_PORT, (uint8_t)code);
	for (;;)
		rt_pause();
}

void rt_poweroff(void)
{
	outb(power_port, POWER_S5);
	rt_exit(0); /* QEMU without cove's power device */
}

/* Called at CPL0 from the exception stubs. */
void rt_fault(uint64_t vector, uint64_t error, uint64_t rip, uint64_t cr2) __attribute__((noreturn));
void rt_fault(uint64_t vector, uint64_t error, uint64_t rip, uint64_t cr2)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE); /* it may have faulted holding it */
	rt_printf("rt: exception %lu error 0x%lx rip 0x%lx cr2 0x%lx\n", vector, error, rip, cr2);
	rt_exit(RT_EXIT_FAULT);
}

const char *rt_cmdline(void)
{
	return cmdline;
}

const char *rt_getarg(const char *key)
{
	size_t klen = strlen(key);
	/* args holds the words, one NUL between them, ending in "\0\0". */
	for (size_t i = 0; i < sizeof(args) && args[i]; i += strlen(&args[i]) + 1) {
		const char *w = &args[i];
		if (!strncmp(w, key, klen) && (w[klen] == '=' || w[klen] == '\0'))
			return w[klen] ? w + klen + 1 : w + klen;
	}
	return NULL;
}

int rt_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s < '0' || *s > '9')
		return -1;
	uint64_t v = strtoul(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end != '\0')
		return -1;
	*out = v << shift;
	return 0;
}

uint64_t rt_getarg_u64(const char *key, uint64_t def)
{
	uint64_t v;
	return rt_parse_u64(rt_getarg(key), &v) ? def : v;
}

static void cmdline_set(const char *s)
{
	size_t n = strnlen(s, sizeof(cmdline) - 1);
	memcpy(cmdline, s, n);
	cmdline[n] = '\0';
	memset(args, 0, sizeof(args));
	/* Words separated by one or more spaces; each ends in NUL, and the
	 * list ends at a double NUL, so skip leading spaces. */
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (cmdline[i] == ' ' || cmdline[i] == '\t') {
			if (o && args[o - 1] != '\0')
				args[o++] = '\0';
			continue;
		}
		args[o++] = cmdline[i];
	}
}

const struct hvm_start_info *rt_start_info(void)
{
	return start_info;
}

int rt_memmap(unsigned i, uint64_t *addr, uint64_t *size, uint32_t *type)
{
	if (!start_info || start_info->version < 1 || !start_info->memmap_paddr || i >= start_info->memmap_entries)
		return -1;
	const struct hvm_memmap_entry *e = (const void *)(uintptr_t)start_info->memmap_paddr;
	*addr = e[i].addr;
	*size = e[i].size;
	*type = e[i].type;
	return 0;
}

static uint64_t fdt_read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;
	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

static uint64_t fdt_mem_size(void)
{
	uint64_t total = 0;
	if (!fdt)
		return 0;
	for (int node = fdt_first_subnode(fdt, 0); node >= 0; node = fdt_next_subnode(fdt, node)) {
		int len;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		if (!type || strcmp(type, "memory"))
			continue;
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
		for (int i = 0; reg && i + 16 <= len; i += 16)
			total += fdt_read_cells(reg + i / 4 + 2, 2);
	}
	return total;
}

uint64_t rt_mem_size(void)
{
	uint64_t total = 0, addr, size;
	uint32_t type;
	for (unsigned i = 0; !rt_memmap(i, &addr, &size, &type); i++)
		if (type == HVM_MEMMAP_TYPE_RAM)
			total += size;
	return total ? total : fdt_mem_size();
}

const void *rt_fdt(void)
{
	return fdt;
}

int rt_fdt_device(const char *compatible, unsigned index, struct rt_device *dev)
{
	if (!fdt)
		return -1;
	int node = fdt_node_offset_by_compatible(fdt, -1, compatible);
	for (; node >= 0 && index; index--)
		node = fdt_node_offset_by_compatible(fdt, node, compatible);
	if (node < 0)
		return -1;
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len < 16)
		return -1;
	dev->base = fdt_read_cells(reg, 2);
	dev->size = fdt_read_cells(reg + 2, 2);
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	dev->irq = irq && len >= 4 ? (int)fdt32_to_cpu(irq[0]) : -1;
	dev->pio = fdt_getprop(fdt, node, "cove,pio", &len) != NULL;
	dev->node = node;
	return 0;
}

/* The i'th /cpus/cpu@N node, or -1; *count gets the number of CPU nodes
 * seen (all of them when i is out of range). */
static int fdt_cpu_node(unsigned i, unsigned *count)
{
	int cpus = fdt ? fdt_path_offset(fdt, "/cpus") : -1;
	*count = 0;
	if (cpus < 0)
		return -1;
	for (int node = fdt_first_subnode(fdt, cpus); node >= 0; node = fdt_next_subnode(fdt, node)) {
		const char *name = fdt_get_name(fdt, node, NULL);
		if (!name || strncmp(name, "cpu@", 4))
			continue;
		if ((*count)++ == i)
			return node;
	}
	return -1;
}

unsigned rt_cpu_count(void)
{
	unsigned n;
	fdt_cpu_node(~0u, &n); /* no such node: counts them all */
	if (n)
		return n;
	uint64_t arg = rt_getarg_u64("cpus", 1);
	return arg >= 1 && arg <= RT_MAX_CPUS_ARG ? (unsigned)arg : 1;
}

unsigned rt_cpu_apic_id(unsigned i)
{
	unsigned n;
	int node = fdt_cpu_node(i, &n);
	int len;
	const fdt32_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
	return reg && len >= 4 ? fdt32_to_cpu(reg[0]) : i;
}

void *rt_alloc_pages(size_t n)
{
	uint64_t bytes = (uint64_t)n * RT_PAGE_SIZE;
	if (n == 0 || bytes / RT_PAGE_SIZE != n || heap_end - heap_next < bytes)
		return NULL;
	void *p = (void *)(uintptr_t)heap_next;
	heap_next += bytes;
	memset(p, 0, bytes);
	return p;
}

#define PTE_P_RW_US 0x7ULL
#define PTE_PS 0x80ULL
#define GIB (1ULL << 30)
extern uint64_t rt_pdpt[512]; /* entry.S: entries 0-3 map 0-4 GiB */

int rt_map_high(uint64_t top)
{
	if (top > 512 * GIB)
		return -1;
	for (uint64_t g = 4; g * GIB < top; g++) {
		if (rt_pdpt[g])
			continue;
		uint64_t *pd = rt_alloc_pages(1);
		if (!pd)
			return -1;
		for (uint64_t i = 0; i < 512; i++)
			pd[i] = (g * GIB + (i << 21)) | PTE_P_RW_US | PTE_PS;
		rt_wmb();
		/* A not-present entry is never cached, so no flush is needed. */
		rt_pdpt[g] = (uintptr_t)pd | PTE_P_RW_US;
	}
	return 0;
}

static void heap_init(void)
{
	uint64_t start = ((uintptr_t)_end + RT_PAGE_SIZE - 1) & ~(RT_PAGE_SIZE - 1);
	uint64_t addr, size;
	uint32_t type;
	for (unsigned i = 0; !rt_memmap(i, &addr, &size, &type); i++) {
		if (type != HVM_MEMMAP_TYPE_RAM || start < addr || start >= addr + size)
			continue;
		heap_next = start;
		heap_end = addr + size;
	}
	if (!heap_next) {
		/* No memmap (or the image is outside it): the FDT's total, or
		 * the smallest VM we run in, from 0. */
		uint64_t top = fdt_mem_size();
		heap_next = start;
		heap_end = top > start ? top : start + (8ULL << 20);
	}
	/* The runtime maps only 0-3 GiB as RAM. */
	if (heap_end > 0xc0000000ULL)
		heap_end = 0xc0000000ULL;
	if (heap_next > heap_end)
		heap_next = heap_end;
}

static void fdt_init(void)
{
	if (!start_info || !start_info->nr_modules || !start_info->modlist_paddr)
		return;
	const struct hvm_modlist_entry *m = (const void *)(uintptr_t)start_info->modlist_paddr;
	const struct hvm_modlist_entry *last = &m[start_info->nr_modules - 1];
	const char *name = (const char *)(uintptr_t)last->cmdline_paddr;
	const void *blob = (const void *)(uintptr_t)last->paddr;
	if (!name || strcmp(name, "cove-fdt") || !blob || last->size < sizeof(struct fdt_header))
		return;
	if (fdt_check_header(blob) || fdt_totalsize(blob) > last->size)
		return;
	fdt = blob;
}

static void devices_init(void)
{
	struct rt_device d;
	if (!rt_fdt_device("ns16550a", 0, &d) && d.pio)
		uart_port = (uint16_t)d.base;
	if (!rt_fdt_device("cove,power", 0, &d) && d.pio)
		power_port = (uint16_t)d.base;
	if (!rt_fdt_device("cove,console", 0, &d) && d.pio)
		con_port = (uint16_t)d.base;
}

/* Entered from entry.S by iretq, at CPL3 on the boot stack. */
void rt_init(void) __attribute__((noreturn));
void rt_init(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)rt_start_info_paddr;
	if (si && si->magic == HVM_START_MAGIC)
		start_info = si;
	fdt_init();
	devices_init();
	const char *c = NULL;
	if (start_info && start_info->cmdline_paddr)
		c = (const char *)(uintptr_t)start_info->cmdline_paddr;
	if ((!c || !*c) && fdt) {
		int chosen = fdt_path_offset(fdt, "/chosen");
		if (chosen >= 0)
			c = fdt_getprop(fdt, chosen, "bootargs", NULL);
	}
	cmdline_set(c ? c : "");
	heap_init();
	int r = main();
	if (r == 0)
		rt_poweroff();
	rt_exit((unsigned)r);
}
