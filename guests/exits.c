/* guests/exits: ways for a guest to end, chosen on the command line, so the
 * tests can check what cove reports for each:
 *   code=N   main returns N: debug exit, cove status (N << 1) | 1
 *   fault=pf reads above the 4 GiB identity map: page fault, status 253
 *   fault=ud executes ud2: invalid opcode, status 253
 *   spin     never ends (for --timeout)
 * With none of these it powers off. */
#include "rt.h"

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
	unsigned code = (unsigned)rt_getarg_u64("code", 0);
	rt_printf("exits: code %u\n", code);
	return (int)code;
}
