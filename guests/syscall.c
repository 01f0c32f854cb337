/* guests/syscall: SYSCALL from CPL3 into a CPL0 entry and SYSRET back, the
 * way every 64-bit kernel takes system calls. rt_cpl0_hook points LSTAR at
 * the entry and sets STAR and EFER.SCE; main makes three calls. The entry
 * notes the CS it runs on: at CPL0 (CS 0x08) it returns with SYSRET; at any
 * other privilege the host did not enter the guest's kernel mode, SYSRET
 * would fault, and it jumps back to the caller instead, so the guest can say
 * so. Prints "syscall: N of 3 arrived at cplP (cs 0xC)"; exits 0 when all
 * three arrived at CPL0, debug-exit code 3 (status 7) when they came at
 * CPL3 (the kvm_pvm hosts of HOST.md: Linux's init dies at its first
 * system call there), 1 otherwise. */
#include "rt.h"

#define MSR_EFER	   0xc0000080u
#define MSR_STAR	   0xc0000081u
#define MSR_LSTAR	   0xc0000082u
#define MSR_FMASK	   0xc0000084u
#define EFER_SCE	   1u
#define SYSCALL_EXIT_CPL3 3

volatile uint64_t syscall_count, syscall_cs;
void syscall_entry(void);

/* SYSCALL does not switch stacks: this runs on the caller's. */
__asm__(".text\n"
	".globl syscall_entry\n"
	"syscall_entry:\n"
	"	incq syscall_count(%rip)\n"
	"	movq %cs, %rax\n"
	"	movq %rax, syscall_cs(%rip)\n"
	"	testb $3, %al\n"
	"	jnz 1f\n"
	"	sysretq\n"
	"1:	jmp *%rcx\n");

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | (uint64_t)hi << 32;
}

void rt_cpl0_hook(void)
{
	/* SYSCALL: CS 0x08, SS 0x10; SYSRET: CS 0x1b + 16 = 0x2b, SS 0x23. */
	wrmsr(MSR_STAR, (0x1bULL << 48) | (0x08ULL << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_FMASK, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

int main(void)
{
	for (int i = 0; i < 3; i++)
		__asm__ volatile("syscall" : : : "rax", "rcx", "r11", "memory");
	rt_printf("syscall: %lu of 3 arrived at cpl%lu (cs 0x%lx)\n", (unsigned long)syscall_count,
		  (unsigned long)(syscall_cs & 3), (unsigned long)syscall_cs);
	if (syscall_count != 3)
		return 1;
	return syscall_cs & 3 ? SYSCALL_EXIT_CPL3 : 0;
}
