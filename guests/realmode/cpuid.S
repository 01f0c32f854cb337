/* guests/realmode-cpuid: prints what CPUID says about the hypervisor, as
 * "cpuid: 40000000 <ebx ecx edx as text>" for cove's leaf and the same for
 * KVM's leaf at 0x40000100, then "cpuid: kvm features <eax of 0x40000101
 * in hex>", and powers off. Real mode runs natively on every host, and the
 * hypervisor range is the one KVM answers from the VMM's table even where
 * the standard leaves come from the processor (HOST.md). */
	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7c00, %sp
	cld
	movl $0x40000000, %eax
	call signature
	movl $0x40000100, %eax
	call signature
	movl $0x40000101, %eax
	cpuid
	movl %eax, %edi
	movw $features, %si
	call puts
	movl %edi, %eax
	call hex32
	movb $'\n', %al
	call putc
	movw $0x600, %dx
	movb $0x34, %al           /* SLP_EN | SLP_TYP(5) */
	outb %al, %dx
	xorb %al, %al
	outb %al, $0xf4
2:	hlt
	jmp 2b

/* signature: CPUID leaf EAX; prints "cpuid: <leaf> <ebx><ecx><edx>\n". */
signature:
	pushl %eax
	movw $prefix, %si
	call puts
	popl %eax
	pushl %eax
	call hex32
	movb $' ', %al
	call putc
	popl %eax
	cpuid
	movl %ebx, regs
	movl %ecx, regs + 4
	movl %edx, regs + 8
	movl regs, %eax
	call put4
	movl regs + 4, %eax
	call put4
	movl regs + 8, %eax
	call put4
	movb $'\n', %al
	jmp putc

/* put4: the four bytes of EAX as characters, low byte first; NULs (the
 * padding of "KVMKVMKVM") are left out. */
put4:
	movw $4, %cx
3:	testb %al, %al
	jz 7f
	call putc
7:	shrl $8, %eax
	loop 3b
	ret

/* hex32: EAX as 8 hex digits. */
hex32:
	movw $8, %cx
4:	roll $4, %eax
	pushl %eax
	andb $0xf, %al
	addb $'0', %al
	cmpb $'9', %al
	jbe 5f
	addb $('a' - '0' - 10), %al
5:	call putc
	popl %eax
	loop 4b
	ret

puts:
	lodsb
	testb %al, %al
	jz 6f
	call putc
	jmp puts
6:	ret

putc:
	pushw %dx
	movw $0x3f8, %dx
	outb %al, %dx
	popw %dx
	ret

	.balign 4
regs:
	.long 0, 0, 0
prefix:
	.asciz "cpuid: "
features:
	.asciz "cpuid: kvm features "
