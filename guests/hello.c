/* guests/hello: cove's built-in guest. One greeting line (one exit), then
 * power off. */
#include "rt.h"

int main(void)
{
	unsigned cpus = rt_cpu_count();
	rt_printf("Hello from cove: %u vCPU%s, %lu MiB, cmdline \"%s\"\n", cpus, cpus == 1 ? "" : "s",
		  (unsigned long)((rt_mem_size() + (1 << 20) - 1) >> 20), rt_cmdline());
	return 0;
}
