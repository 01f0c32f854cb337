/* guests/echo: reads one line from the console (16550 receive buffer,
 * polled through LSR.DR) and prints it back as "echo: LINE", then powers
 * off. Proves host input reaches the guest (cove: stdin to COM1). Gives up
 * after "wait=SECONDS" (default 10, counted with a 1 GHz TSC lower bound)
 * and exits with debug-exit code 8 (status 17). */
#include "rt.h"

#define UART_RBR 0
#define UART_LSR 5
#define UART_LSR_DR 0x01
#define ECHO_EXIT_TIMEOUT 8
#define LINE_MAX 128

int main(void)
{
	struct rt_device d;
	uint16_t port = !rt_fdt_device("ns16550a", 0, &d) && d.pio ? (uint16_t)d.base : 0x3f8;
	uint64_t limit = rt_getarg_u64("wait", 10) * 1000000000ULL;
	char line[LINE_MAX];
	size_t n = 0;
	rt_printf("echo: ready\n");
	uint64_t t0 = rt_rdtsc();
	while (n < sizeof(line) - 1) {
		if (!(inb(port + UART_LSR) & UART_LSR_DR)) {
			if (rt_rdtsc() - t0 > limit) {
				line[n] = '\0';
				rt_printf("echo: timed out after \"%s\"\n", line);
				return ECHO_EXIT_TIMEOUT;
			}
			continue;
		}
		char c = (char)inb(port + UART_RBR);
		if (c == '\n' || c == '\r')
			break;
		line[n++] = c;
	}
	line[n] = '\0';
	rt_printf("echo: %s\n", line);
	return 0;
}
