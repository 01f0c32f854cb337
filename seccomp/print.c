/* seccomp: --print-seccomp, generated from the same tables as the filters. */
#include <stdio.h>

#include "seccomp/policy.h"

static void print_rule(FILE *out, const struct seccomp_rule *r)
{
	fprintf(out, "  %-16s", r->name);
	switch (r->kind) {
	case SECCOMP_ARG_IN:
		fprintf(out, " %s (arg %u) one of:", r->arg_name, r->arg);
		for (unsigned k = 0; k < r->nvalues; k++)
			fprintf(out, " %s", r->values[k].name);
		break;
	case SECCOMP_ARG_NO_BITS:
		fprintf(out, " %s (arg %u) without %s", r->arg_name, r->arg, r->values[0].name);
		break;
	default:
		fprintf(out, " any arguments");
		break;
	}
	fputc('\n', out);
}

void seccomp_print(FILE *out)
{
	fprintf(out,
		"seccomp: x86-64 ABI only (i386 and x32 calls kill the process);\n"
		"any other call kills the process (--seccomp log: reports it and fails it with ENOSYS)\n");
	for (unsigned role = 0; role < SECCOMP_NROLES; role++) {
		const struct seccomp_table *t = seccomp_table((enum seccomp_role)role);

		fprintf(out, "%s thread: %u syscalls\n", t->role, t->nrules);
		for (unsigned i = 0; i < t->nrules; i++)
			print_rule(out, &t->rules[i]);
	}
	fprintf(out, "io ring: %u opcodes:", seccomp_nring_ops);
	for (unsigned i = 0; i < seccomp_nring_ops; i++)
		fprintf(out, " %s", seccomp_ring_ops[i].name);
	fprintf(out, "; no register operations after start\n");
}
