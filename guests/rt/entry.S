/* guests/rt: PVH entry, long mode, CPL3. Every instruction here runs at CPL0,
 * which KVM emulates one by one on PVM hosts (~0.5 us each, HOST.md), so this
 * is straight-line code: page tables, GDT, IDT and TSS are prebuilt data, and
 * the first C code already runs at CPL3. PVH boot: xen/include/public/
 * arch-x86/hvm/start_info.h (32-bit flat protected mode, paging off, EBX =
 * start info). */

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x23
#define SEL_UCODE 0x2b
#define SEL_TSS 0x30
#define CR4_BITS 0x620        /* PAE | OSFXSR | OSXMMEXCPT */
#define CR0_BITS 0x80010033   /* PG | WP | NE | ET | MP | PE */
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define MSR_FS_BASE 0xc0000100
#define USER_RFLAGS 0x3002    /* IOPL=3, IF=0 */

	.section .note.Xen, "a"
	.align 4
	.long 4, 4, 18            /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long rt_entry32

	.weak rt_cpl0_hook

	.section .text.entry, "ax"
	.code32
	.globl rt_entry32
rt_entry32:
	movl %ebx, rt_start_info_paddr
	lgdt rt_gdtr
	movl $CR4_BITS, %eax
	movl %eax, %cr4
	movl $rt_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	movl $EFER_LME, %eax
	xorl %edx, %edx
	wrmsr
	movl $CR0_BITS, %eax
	movl %eax, %cr0
	ljmp $SEL_KCODE, $rt_entry64

	.code64
rt_entry64:
	movq $rt_kstack_top, %rsp
	movl $SEL_KDATA, %eax
	movl %eax, %ss
	/* libfdt.a is built with -fstack-protector: its canary is at %fs:0x28. */
	xorl %eax, %eax
	movl %eax, %fs
	movl $MSR_FS_BASE, %ecx
	movl $rt_tls, %eax
	wrmsr
	lidt rt_idtr
	movl $SEL_TSS, %eax
	ltr %ax
	/* A guest that must run something at CPL0 defines rt_cpl0_hook. */
	movq $rt_cpl0_hook, %rax
	testq %rax, %rax
	jz 1f
	call *%rax
1:	pushq $SEL_UDATA
	pushq $rt_ustack_top
	pushq $USER_RFLAGS
	pushq $SEL_UCODE
	pushq $rt_init
	iretq

/* An AP arrives here from the trampoline, in long mode at CPL0. APs share
 * the boot CPU's TSS (only the fault path uses it), so clear its busy bit
 * before loading it. rt_ap_ustack was set by the boot CPU. */
	.globl rt_ap_entry64
rt_ap_entry64:
	movq $rt_ap_kstack_top, %rsp
	movl $SEL_KDATA, %eax
	movl %eax, %ss
	movl %eax, %ds
	movl %eax, %es
	xorl %eax, %eax
	movl %eax, %fs
	movl $MSR_FS_BASE, %ecx
	movl $rt_tls, %eax
	xorl %edx, %edx
	wrmsr
	lidt rt_idtr
	andb $0xfd, rt_gdt + SEL_TSS + 5
	movl $SEL_TSS, %eax
	ltr %ax
	pushq $SEL_UDATA
	pushq rt_ap_ustack
	pushq $USER_RFLAGS
	pushq $SEL_UCODE
	pushq $rt_ap_main
	iretq

/* Exception stubs, 16 bytes each at rt_isr_stubs + 16 * vector, so the IDT
 * can be prebuilt (guest.ld splits the address into the gate's fields). */
	.align 512
	.globl rt_isr_stubs
rt_isr_stubs:
	.set vec, 0
	.rept 32
	.align 16
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp rt_isr_common
	.set vec, vec + 1
	.endr

rt_isr_common:
	movq (%rsp), %rdi         /* vector */
	movq 8(%rsp), %rsi        /* error code */
	movq 16(%rsp), %rdx       /* rip */
	movq %cr2, %rcx
	andq $-16, %rsp
	call rt_fault
1:	hlt
	jmp 1b

/* The AP trampoline, copied to RT_TRAMPOLINE_GPA (0x8000, SIPI vector 8) by
 * rt_start_ap. Real mode runs natively; from here straight to long mode. */
	.globl rt_trampoline, rt_trampoline_end
	.code16
rt_trampoline:
	cli
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdtr - rt_trampoline
	movl $CR4_BITS, %eax
	movl %eax, %cr4
	movl $rt_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	movl $EFER_LME, %eax
	xorl %edx, %edx
	wrmsr
	movl $CR0_BITS, %eax
	movl %eax, %cr0
	ljmpl $SEL_KCODE, $rt_ap_entry64
	.align 4
tramp_gdtr:
	.word rt_gdt_end - rt_gdt - 1
	.long rt_gdt
rt_trampoline_end:
	.code64

	.data
	.align 16
	.globl rt_gdt
rt_gdt:
	.quad 0
	.quad 0x00af9a000000ffff  /* 0x08 kernel code, 64-bit */
	.quad 0x00cf92000000ffff  /* 0x10 kernel data */
	.quad 0x00cf9a000000ffff  /* 0x18 kernel code, 32-bit */
	.quad 0x00cff2000000ffff  /* 0x20 user data, DPL3 */
	.quad 0x00affa000000ffff  /* 0x28 user code, 64-bit, DPL3 */
	/* 0x30: 64-bit TSS, available (type 9); base split by guest.ld */
	.word rt_tss_end - rt_tss - 1
	.word rt_tss_b0
	.byte rt_tss_b2
	.byte 0x89
	.byte 0
	.byte rt_tss_b3
	.long 0
	.long 0
rt_gdt_end:

	.align 8
	.word 0
rt_gdtr:
	.word rt_gdt_end - rt_gdt - 1
	.quad rt_gdt

	.align 16
	.globl rt_idt
rt_idt:
	.set vec, 0
	.rept 32
	.word rt_isr_b0 + 16 * vec
	.word SEL_KCODE
	.byte 0
	.byte 0x8e                /* present, DPL0, interrupt gate */
	.word rt_isr_b2
	.long 0
	.long 0
	.set vec, vec + 1
	.endr
rt_idt_end:

	.align 8
	.word 0
rt_idtr:
	.word rt_idt_end - rt_idt - 1
	.quad rt_idt

	.align 16
	.globl rt_tss
rt_tss:
	.long 0
	.quad rt_kstack_top       /* rsp0 */
	.fill 90, 1, 0
	.word rt_tss_iomap - rt_tss
rt_tss_iomap:
	/* Every port allowed at CPL3. IOPL=3 alone is not enough: KVM PVM
	 * runs CPL3 with IOPL 0 and honours only this bitmap (HOST.md). */
	.fill 8192, 1, 0
	.byte 0xff
rt_tss_end:

	/* %fs:0x28 is the stack-protector canary. */
	.align 64
	.globl rt_tls
rt_tls:
	.quad rt_tls
	.fill 4, 8, 0
	.quad 0x2f8c1e5b9a6d4370
	.fill 2, 8, 0

/* Identity map of 0-4 GiB with 2 MiB pages, user-accessible so CPL3 code
 * reaches RAM, the MMIO window and the LAPIC; 3-4 GiB (MMIO) uncached. */
	.align 4096
	.globl rt_pml4
rt_pml4:
	.quad rt_pdpt + 0x7
	.fill 511, 8, 0
	.globl rt_pdpt
rt_pdpt:
	.quad rt_pd + 0x7
	.quad rt_pd + 0x1000 + 0x7
	.quad rt_pd + 0x2000 + 0x7
	.quad rt_pd + 0x3000 + 0x7
	.fill 508, 8, 0
rt_pd:
	.set addr, 0
	.rept 1536
	.quad addr + 0x87         /* P | RW | US | PS */
	.set addr, addr + 0x200000
	.endr
	.rept 512
	.quad addr + 0x9f         /* P | RW | US | PWT | PCD | PS */
	.set addr, addr + 0x200000
	.endr

	.bss
	.align 16
	.globl rt_start_info_paddr, rt_ap_ustack
rt_start_info_paddr:
	.quad 0
rt_ap_ustack:
	.quad 0
	.align 4096
	.space 8192
rt_kstack_top:
	.space 4096
rt_ap_kstack_top:
	.space 16384
rt_ustack_top:

	.section .note.GNU-stack, "", @progbits
