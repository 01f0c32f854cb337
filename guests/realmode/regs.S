/* guests/realmode-regs: prints how it was entered (DL, CS, IP, the boot-
 * sector convention cove's --raw follows), as "regs: dl=80 cs=0000
 * ip=7c00", then powers off. */
	.code16
	.text
	.globl _start
_start:
	cli
	movw %cs, %bx             /* before anything changes them */
	call 1f
1:	popw %bp
	subw $(1b - _start), %bp  /* IP of _start */
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7c00, %sp
	cld
	movw $out_dl, %di
	movb %dl, %al
	call hex8
	movw $out_cs, %di
	movw %bx, %ax
	call hex16
	movw $out_ip, %di
	movw %bp, %ax
	call hex16
	movw $line, %si
	movw $line_end - line, %cx
	movw $0x3f8, %dx
	rep outsb
	movw $0x600, %dx
	movb $0x34, %al           /* SLP_EN | SLP_TYP(5) */
	outb %al, %dx
	xorb %al, %al
	outb %al, $0xf4
2:	hlt
	jmp 2b

/* hex16: AX as 4 hex digits at ES:DI; hex8: AL as 2. */
hex16:
	pushw %ax
	movb %ah, %al
	call hex8
	popw %ax
hex8:
	pushw %ax
	shrb $4, %al
	call nibble
	popw %ax
nibble:
	andb $0xf, %al
	addb $'0', %al
	cmpb $'9', %al
	jbe 3f
	addb $('a' - '0' - 10), %al
3:	stosb
	ret

line:
	.ascii "regs: dl="
out_dl:
	.ascii "?? cs="
out_cs:
	.ascii "???? ip="
out_ip:
	.ascii "????\n"
line_end:
	.section .note.GNU-stack, "", @progbits
