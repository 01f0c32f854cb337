/* guests/smp: the boot CPU starts every other CPU (rt_start_ap: INIT-SIPI-
 * SIPI), each reports its APIC ID, and the boot CPU counts them with a
 * TSC-bounded wait at CPL3. Prints "smp: N cpus up" and powers off when all
 * came up; otherwise exits with debug-exit code 2 (cove status 5). */
#include "rt.h"

#define AP_TIMEOUT_CYCLES (20ULL * 1000 * 1000 * 1000) /* seconds even at 10 GHz */
#define SMP_EXIT_MISSING 2

static volatile unsigned cpus_up = 1;

static void ap_report(void *arg)
{
	unsigned index = (unsigned)(uintptr_t)arg;
	rt_printf("smp: cpu %u apic id %u\n", index, rt_apic_id());
	__atomic_fetch_add(&cpus_up, 1, __ATOMIC_SEQ_CST);
}

int main(void)
{
	unsigned n = rt_cpu_count();
	rt_printf("smp: cpu 0 apic id %u (boot), %u cpus\n", rt_apic_id(), n);
	if (n > RT_MAX_CPUS) {
		rt_printf("smp: starting %u of them (the runtime's limit)\n", RT_MAX_CPUS);
		n = RT_MAX_CPUS;
	}
	for (unsigned i = 1; i < n; i++) {
		unsigned id = rt_cpu_apic_id(i);
		int r = rt_start_ap(id, ap_report, (void *)(uintptr_t)i, AP_TIMEOUT_CYCLES);
		if (r) {
			rt_printf("smp: cpu %u (apic id %u) did not start (%d)\n", i, id, r);
			return SMP_EXIT_MISSING;
		}
	}
	uint64_t t0 = rt_rdtsc();
	while (__atomic_load_n(&cpus_up, __ATOMIC_SEQ_CST) < n && rt_rdtsc() - t0 < AP_TIMEOUT_CYCLES)
		rt_pause();
	unsigned up = __atomic_load_n(&cpus_up, __ATOMIC_SEQ_CST);
	if (up != n) {
		rt_printf("smp: only %u of %u cpus up\n", up, n);
		return SMP_EXIT_MISSING;
	}
	rt_printf("smp: %u cpus up\n", up);
	return 0;
}
