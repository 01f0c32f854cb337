/* guests/realmode-serial*: a 16550 driver that sends the bytes i % 251 for
 * i = 0 .. COUNT-1 (COUNT 0: for ever), 16 at a time (the FIFO) whenever
 * the transmitter holding register is empty, then ends with debug exit
 * 0x21 (cove status 0x43) without waiting for the transmitter to drain:
 * what is still on its way is cove's to deliver. A lost or repeated byte
 * shows in the sequence. Two ways to learn that THR is empty:
 *   default: polling LSR.THRE, as firmware and Linux's console do;
 *   -DSERIAL_IRQ: the THRE interrupt (IER bit 1) through the 8259 PIC as
 *   IRQ 4 and hlt in between, as Linux's tty layer does: if THRE never
 *   comes back the guest sleeps for ever. */
	.code16
	.text
	.globl _start

#define COM1		0x3f8
#define UART_IER	(COM1 + 1)
#define UART_IIR	(COM1 + 2)
#define UART_FCR	(COM1 + 2)
#define UART_MCR	(COM1 + 4)
#define UART_LSR	(COM1 + 5)
#define LSR_THRE	0x20

_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0x7c00, %sp
	movw $UART_FCR, %dx
	movb $0x01, %al           /* FIFO on */
	outb %al, %dx
	movl $COUNT, %ebp         /* bytes left to send */
	xorb %bl, %bl             /* the next byte */
#ifndef SERIAL_IRQ
1:	movw $UART_LSR, %dx
2:	inb %dx, %al
	testb $LSR_THRE, %al
	jz 2b
	call send16
	testl %ebp, %ebp
	jnz 1b
	jmp done
#else
	movw $isr, 0x0c * 4       /* IRQ 4 is vector 0x0c with the PIC at 0x08 */
	movw $0, 0x0c * 4 + 2
	movb $0x11, %al           /* ICW1: edge triggered, cascade, ICW4 */
	outb %al, $0x20
	movb $0x08, %al           /* ICW2: vectors 0x08-0x0f */
	outb %al, $0x21
	movb $0x04, %al           /* ICW3: the slave on IR2 */
	outb %al, $0x21
	movb $0x01, %al           /* ICW4: 8086 mode */
	outb %al, $0x21
	movb $0xef, %al           /* OCW1: IRQ 4 alone */
	outb %al, $0x21
	movb $0xff, %al
	outb %al, $0xa1
	movw $UART_MCR, %dx
	movb $0x08, %al           /* OUT2: a PC's gate for the UART's IRQ */
	outb %al, %dx
	movw $UART_IER, %dx
	movb $0x02, %al           /* THRE interrupt: fires at once, THR is empty */
	outb %al, %dx
1:	cli
	testl %ebp, %ebp
	jz done
	sti                       /* sti; hlt: no interrupt slips in between */
	hlt
	jmp 1b

isr:
	pushw %ax
	pushw %dx
	movw $UART_IIR, %dx
	inb %dx, %al              /* reading IIR acknowledges THRE */
	andb $0x0f, %al
	cmpb $0x02, %al
	jne 1f
	call send16
	testl %ebp, %ebp
	jnz 1f
	movw $UART_IER, %dx
	xorb %al, %al
	outb %al, %dx
1:	movb $0x20, %al           /* EOI */
	outb %al, $0x20
	popw %dx
	popw %ax
	iret
#endif

/* Up to 16 bytes of the sequence into THR; %ebp counts down. */
send16:
	pushw %ax
	pushw %cx
	pushw %dx
	movw $COM1, %dx
	movw $16, %cx
1:	movb %bl, %al
	outb %al, %dx
	incb %bl
	cmpb $251, %bl
	jb 2f
	xorb %bl, %bl
2:	decl %ebp
	jz 3f
	loop 1b
3:	popw %dx
	popw %cx
	popw %ax
	ret

done:
	movb $0x21, %al
	outb %al, $0xf4
1:	hlt
	jmp 1b
	.section .note.GNU-stack, "", @progbits
