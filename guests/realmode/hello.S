/* guests/realmode-hello: a raw real-mode image (entered at 0000:7c00, DL =
 * 0x80). One `rep outsb` prints the line, then cove's power port powers off
 * (debug exit 0 as the fallback under QEMU). */
	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0x7c00, %sp
	cld
	movw $msg, %si
	movw $msg_end - msg, %cx
	movw $0x3f8, %dx
	rep outsb
	movw $0x600, %dx
	movb $0x34, %al           /* SLP_EN | SLP_TYP(5) */
	outb %al, %dx
	xorb %al, %al
	outb %al, $0xf4
1:	hlt
	jmp 1b
msg:
	.ascii "Hello from real mode\n"
msg_end:
	.section .note.GNU-stack, "", @progbits
