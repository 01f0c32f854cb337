/* guests/rt: starting application processors with INIT-SIPI-SIPI through
 * the local APIC's ICR (Intel SDM vol. 3, "MP Initialization"), all from
 * CPL3: the LAPIC page is mapped user-accessible. */
#include "rt.h"

#define LAPIC_ID 0x20
#define LAPIC_SVR 0xf0
#define SVR_APIC_ENABLED 0x100u
#define SVR_SPURIOUS_VECTOR 0xffu
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_INIT 0x00000500u
#define ICR_STARTUP 0x00000600u
#define ICR_LEVEL_ASSERT 0x00004000u
#define ICR_PENDING 0x00001000u
#define AP_STACK_PAGES 4

extern char rt_trampoline[], rt_trampoline_end[];
extern uint64_t rt_ap_ustack; /* entry.S: the AP's CPL3 stack top */

/* The boot CPU fills these before the SIPI; the AP reads them once. */
static void (*volatile ap_fn)(void *);
static void *volatile ap_arg;
static volatile unsigned ap_running;

unsigned rt_apic_id(void)
{
	return rt_mmio_read32(RT_LAPIC_BASE + LAPIC_ID) >> 24;
}

static void delay_cycles(uint64_t n)
{
	uint64_t t0 = rt_rdtsc();
	while (rt_rdtsc() - t0 < n)
		rt_pause();
}

static void icr_send(unsigned apic_id, uint32_t lo)
{
	rt_mmio_write32(RT_LAPIC_BASE + LAPIC_ICR_HI, apic_id << 24);
	rt_mmio_write32(RT_LAPIC_BASE + LAPIC_ICR_LO, lo);
	for (int i = 0; i < 1000 && (rt_mmio_read32(RT_LAPIC_BASE + LAPIC_ICR_LO) & ICR_PENDING); i++)
		rt_pause();
}

/* Entered from entry.S by iretq, at CPL3 on the AP's own stack. */
void rt_ap_main(void) __attribute__((noreturn));
void rt_ap_main(void)
{
	void (*fn)(void *) = ap_fn;
	void *arg = ap_arg;
	rt_mb();
	ap_running = 1;
	if (fn)
		fn(arg);
	for (;;)
		rt_pause();
}

int rt_start_ap(unsigned apic_id, void (*fn)(void *), void *arg, uint64_t timeout_cycles)
{
	uint8_t *stack = rt_alloc_pages(AP_STACK_PAGES);
	if (!stack)
		return -2;
	memcpy((void *)(uintptr_t)RT_TRAMPOLINE_GPA, rt_trampoline, (size_t)(rt_trampoline_end - rt_trampoline));
	rt_ap_ustack = (uintptr_t)(stack + AP_STACK_PAGES * RT_PAGE_SIZE);
	ap_fn = fn;
	ap_arg = arg;
	ap_running = 0;
	rt_mb();
	/* Software-enable this CPU's LAPIC first, as the SDM's MP start-up
	 * does. It also matters here: KVM then rebuilds its APIC-ID map, and
	 * until something does, an INIT/SIPI to an AP that was never touched
	 * is lost (seen with a split irqchip on this host). */
	uint32_t svr = rt_mmio_read32(RT_LAPIC_BASE + LAPIC_SVR);
	if (!(svr & SVR_APIC_ENABLED))
		rt_mmio_write32(RT_LAPIC_BASE + LAPIC_SVR, svr | SVR_APIC_ENABLED | SVR_SPURIOUS_VECTOR);
	icr_send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	/* The SDM's 10 ms and 200 us waits are for real hardware; a virtual
	 * CPU needs none, so keep them short. */
	delay_cycles(100000);
	for (int i = 0; i < 2 && !ap_running; i++) {
		icr_send(apic_id, ICR_STARTUP | ICR_LEVEL_ASSERT | (uint32_t)(RT_TRAMPOLINE_GPA >> 12));
		delay_cycles(20000);
	}
	uint64_t t0 = rt_rdtsc();
	while (!ap_running) {
		if (rt_rdtsc() - t0 > timeout_cycles)
			return -1;
		rt_pause();
	}
	return 0;
}
