/* guests/a20: the A20 gate through port 0x92 (bit 1; bit 0 is fast reset,
 * so keep it clear), or, built with A20_KBC (a20-kbc.bin), through the
 * i8042's output port (command 0xd1, then the port byte: bit 1 is A20, bit 0
 * must stay set or the machine resets). With A20 off, ffff:0610 = 0x100600 wraps to 0x600;
 * with it on the two are different bytes. Prints a verdict; powers off when
 * both hold, else debug-exit code 5 (cove status 11). */
	.code16
	.text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0x7c00, %sp
	movw $0xffff, %ax
	movw %ax, %es
	cld

#ifdef A20_KBC
	movb $0xdd, %ah           /* output port: A20 off, no reset */
	call kbc_out
#else
	inb $0x92, %al
	andb $0xfc, %al
	outb %al, $0x92
#endif
	movb $0x11, 0x600
	movb $0x22, %es:0x610
	cmpb $0x22, 0x600
	jne off_bad

#ifdef A20_KBC
	movb $0xdf, %ah           /* output port: A20 on, no reset */
	call kbc_out
#else
	inb $0x92, %al
	andb $0xfe, %al
	orb $0x02, %al
	outb %al, $0x92
#endif
	movb $0x11, 0x600
	movb $0x22, %es:0x610
	cmpb $0x11, 0x600
	jne on_bad
	cmpb $0x22, %es:0x610
	jne on_bad

	movw $ok, %si
	movw $ok_end - ok, %cx
	call puts
	movw $0x600, %dx
	movb $0x34, %al           /* SLP_EN | SLP_TYP(5) */
	outb %al, %dx
	xorb %al, %al
	outb %al, $0xf4
	jmp halt
off_bad:
	movw $offmsg, %si
	movw $offmsg_end - offmsg, %cx
	jmp fail
on_bad:
	movw $onmsg, %si
	movw $onmsg_end - onmsg, %cx
fail:
	call puts
	movb $5, %al
	outb %al, $0xf4
halt:
	hlt
	jmp halt

puts:
	movw $0x3f8, %dx
	rep outsb
	ret

#ifdef A20_KBC
/* Writes AH to the i8042 output port: command 0xd1, then the byte, each
 * after the input buffer (status bit 1) has drained. */
kbc_out:
	call kbc_wait
	movb $0xd1, %al
	outb %al, $0x64
	call kbc_wait
	movb %ah, %al
	outb %al, $0x60
	call kbc_wait
	ret
kbc_wait:
	movw $0xffff, %cx
1:	inb $0x64, %al
	testb $0x02, %al
	loopnz 1b
	ret
#endif

ok:
	.ascii "a20: off wraps 0x100600 to 0x600, on keeps them apart: ok\n"
ok_end:
offmsg:
	.ascii "a20: BAD: with A20 off, 0x100600 does not wrap to 0x600\n"
offmsg_end:
onmsg:
	.ascii "a20: BAD: with A20 on, 0x100600 still wraps to 0x600\n"
onmsg_end:
	.section .note.GNU-stack, "", @progbits
