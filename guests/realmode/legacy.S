/* guests/realmode-legacy: is there a PC's 8259A PIC and 8254 PIT? The PIC
 * is there when the mask register (OCW1) reads back what was written after
 * an ICW1-4 initialisation; the PIT is there when counter 0, started at
 * 0x1000, latches a count of at most 0x1000 (nothing at the ports reads
 * 0xffff). Prints "legacy: pic yes|no, pit yes|no" and powers off. cove
 * attaches both for --raw guests (and not for PVH ones: see ports.c). */
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

	movb $0x11, %al           /* ICW1: edge triggered, cascade, ICW4 follows */
	outb %al, $0x20
	movb $0x08, %al           /* ICW2: vectors 8-15 */
	outb %al, $0x21
	movb $0x04, %al           /* ICW3: the slave is on IR2 */
	outb %al, $0x21
	movb $0x01, %al           /* ICW4: 8086 mode */
	outb %al, $0x21
	movb $0xa5, %al           /* OCW1: the mask; IR0 (the PIT) stays masked */
	outb %al, $0x21
	inb $0x21, %al
	movw $pic_no, %si
	cmpb $0xa5, %al
	jne 1f
	movw $pic_yes, %si
1:	call puts

	movb $0x34, %al           /* counter 0, low then high byte, mode 2 */
	outb %al, $0x43
	xorb %al, %al
	outb %al, $0x40
	movb $0x10, %al
	outb %al, $0x40
	xorb %al, %al             /* counter latch command for counter 0 */
	outb %al, $0x43
	inb $0x40, %al
	movb %al, %bl
	inb $0x40, %al
	movb %al, %bh
	movw $pit_no, %si
	cmpw $0x1000, %bx
	ja 2f
	movw $pit_yes, %si
2:	call puts

	movw $0x600, %dx
	movb $0x34, %al           /* SLP_EN | SLP_TYP(5) */
	outb %al, %dx
	xorb %al, %al
	outb %al, $0xf4
3:	hlt
	jmp 3b

/* puts: the NUL-terminated string at DS:SI to COM1. */
puts:
	movw $0x3f8, %dx
4:	lodsb
	testb %al, %al
	jz 5f
	outb %al, %dx
	jmp 4b
5:	ret

pic_yes:
	.asciz "legacy: pic yes, "
pic_no:
	.asciz "legacy: pic no, "
pit_yes:
	.asciz "pit yes\n"
pit_no:
	.asciz "pit no\n"
	.section .note.GNU-stack, "", @progbits
