/* guests/exits: ways for a guest to end, chosen on the command line, so the
 * tests can check what cove reports for each:
 *   code=N   main returns N: debug exit, cove status (N << 1) | 1
 *   fault=pf reads above the 4 GiB identity map: page fault, status 253
 *   fault=ud executes ud2: invalid opcode, status 253
 *   fault=triple clears the IDT (its page is user-writable), then ud2: with
 *            no gate the #UD becomes a double then a triple fault
 *   reset=kbd  i8042 command 0xfe, reset=power  cove's reset register:
 *            cove ends with its reset status 8
 *   spin     never ends (for --timeout)
 * With none of these it powers off. */
#include "rt.h"

#define I8042_CMD_PORT 0x64
#define I8042_CMD_RESET 0xfe
#define POWER_RESET_PORT 0x602
#define POWER_RESET_VALUE 0x1

extern uint8_t rt_idt[]; /* entry.S: 32 gates of 16 bytes */

int main(void)
{
	const char *fault = rt_getarg("fault");
	if (rt_getarg("spin")) {
		rt_printf("exits: spinning\n");
		for (;;)
			rt_pause();
	}
	if (fault && !strcmp(fault, "pf")) {
		rt_printf("exits: reading 0x100000000\n");
		return (int)*(volatile uint32_t *)0x100000000ULL;
	}
	if (fault && !strcmp(fault, "ud")) {
		rt_printf("exits: ud2\n");
		__asm__ volatile("ud2");
	}
	if (fault && !strcmp(fault, "triple")) {
		rt_printf("exits: clearing the IDT, then ud2\n");
		memset(rt_idt, 0, 32 * 16);
		__asm__ volatile("ud2");
	}
	const char *reset = rt_getarg("reset");
	if (reset && !strcmp(reset, "kbd")) {
		rt_printf("exits: i8042 reset\n");
		outb(I8042_CMD_PORT, I8042_CMD_RESET);
	} else if (reset && !strcmp(reset, "power")) {
		rt_printf("exits: power reset register\n");
		outb(POWER_RESET_PORT, POWER_RESET_VALUE);
	}
	if (reset) {
		rt_printf("exits: still running after reset\n");
		return 1;
	}
	unsigned code = (unsigned)rt_getarg_u64("code", 0);
	rt_printf("exits: code %u\n", code);
	return (int)code;
}
