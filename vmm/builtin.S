/* vmm: the built-in hello guest, embedded in cove so that `cove` with no
 * image boots something. COVE_HELLO_ELF is the path of $b/guests/hello.elf,
 * passed by vmm/load.ninja. */
	.section .rodata.cove_builtin_hello, "a"
	.balign 16
	.globl cove_builtin_hello
cove_builtin_hello:
	.incbin COVE_HELLO_ELF
	.globl cove_builtin_hello_end
cove_builtin_hello_end:

	.section .note.GNU-stack, "", @progbits
