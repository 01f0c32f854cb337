/* guests/multiboot: multiboot v1 header and entry (32-bit protected mode,
 * paging off, EAX = 0x2BADB002, EBX = multiboot info). */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x1              /* modules page-aligned */
	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	movl $stack_top, %esp
	pushl %ebx
	pushl %eax
	call mb_main
1:	hlt
	jmp 1b

	.bss
	.align 16
	.space 4096
stack_top:
	.section .note.GNU-stack, "", @progbits
