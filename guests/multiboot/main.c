/* guests/multiboot: prints its command line and each module's string, size
 * and first bytes, one line each (one `rep outsb` per line), then powers
 * off. This runs at CPL0 (emulated instruction by instruction on PVM
 * hosts), so it does little. Multiboot 0.6.96, "Boot information format". */
#include <stdint.h>

#define MB_BOOT_MAGIC 0x2badb002u
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_EXIT_BAD 6 /* cove status 13 */
#define DUMP_BYTES 8

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
};
struct mb_module {
	uint32_t start, end, string, reserved;
};

static char line[256];
static unsigned len;

static void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void put(const char *s)
{
	while (*s && len < sizeof(line) - 1)
		line[len++] = *s++;
}

static void put_hex(uint32_t v, int digits)
{
	while (digits-- && len < sizeof(line) - 1)
		line[len++] = "0123456789abcdef"[(v >> (digits * 4)) & 0xf];
}

static void put_dec(uint32_t v)
{
	char tmp[10];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 10);
	while (n && len < sizeof(line) - 1)
		line[len++] = tmp[--n];
}

static void flush(void)
{
	line[len++] = '\n';
	const char *p = line;
	__asm__ volatile("rep outsb" : "+S"(p), "+c"(len) : "d"(0x3f8) : "memory");
	len = 0;
}

void mb_main(uint32_t magic, const struct mb_info *info)
{
	if (magic != MB_BOOT_MAGIC) {
		put("multiboot: bad magic 0x");
		put_hex(magic, 8);
		flush();
		outb(0xf4, MB_EXIT_BAD);
		return;
	}
	put("multiboot: cmdline \"");
	if (info->flags & MB_INFO_CMDLINE)
		put((const char *)info->cmdline);
	put("\"");
	flush();
	uint32_t n = info->flags & MB_INFO_MODS ? info->mods_count : 0;
	const struct mb_module *m = (const struct mb_module *)info->mods_addr;
	for (uint32_t i = 0; i < n; i++) {
		put("multiboot: module ");
		put_dec(i);
		put(" \"");
		put(m[i].string ? (const char *)m[i].string : "");
		put("\" ");
		put_dec(m[i].end - m[i].start);
		put(" bytes:");
		const uint8_t *b = (const uint8_t *)m[i].start;
		for (uint32_t j = 0; j < DUMP_BYTES && m[i].start + j < m[i].end; j++) {
			put(" ");
			put_hex(b[j], 2);
		}
		flush();
	}
	outb(0x600, 0x34); /* cove's power port: SLP_EN | SLP_TYP(5) */
	outb(0xf4, 0);     /* QEMU: isa-debug-exit */
}
