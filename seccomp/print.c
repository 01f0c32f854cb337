/* seccomp: --print-seccomp, generated from the same tables as the filters. */
#include <stdio.h>

#include "seccomp/policy.h"

static void print_check(FILE *out, const struct seccomp_check *c)
{
	switch (c->kind) {
	case SECCOMP_ARG_IN:
		fprintf(out, " %s (arg %u) one of:", c->arg_name, c->arg);
		for (unsigned k = 0; k < c->nvalues; k++)
			fprintf(out, " %s", c->values[k].name);
		break;
	case SECCOMP_ARG_NO_BITS:
		fprintf(out, " %s (arg %u) without %s", c->arg_name, c->arg, c->values[0].name);
		break;
	default:
		break;
	}
}

static void print_rule(FILE *out, const struct seccomp_rule *r)
{
	fprintf(out, "  %-16s", r->name);
	if (r->checks[0].kind == SECCOMP_ARG_ANY)
		fprintf(out, " any arguments");
	for (unsigned i = 0; i < SECCOMP_MAX_CHECKS && r->checks[i].kind != SECCOMP_ARG_ANY; i++) {
		if (i)
			fputc(';', out);
		print_check(out, &r->checks[i]);
	}
	fputc('\n', out);
}

void seccomp_print(FILE *out)
{
	fprintf(out,
		"seccomp: x86-64 ABI only (i386 and x32 calls kill the process);\n"
		"any other call kills the process (--seccomp log: reports it and fails it with ENOSYS);\n"
		"own_pid is cove's pid as it sees it (1 inside --jail), child_pid the jailed child\n");
	for (unsigned role = 0; role < SECCOMP_NROLES; role++) {
		const struct seccomp_table *t = seccomp_table((enum seccomp_role)role);

		fprintf(out, "%s thread: %u syscalls (%s)\n", t->role, t->nrules, t->what);
		for (unsigned i = 0; i < t->nrules; i++)
			print_rule(out, &t->rules[i]);
	}
	fprintf(out, "io ring: %u opcodes:", seccomp_nring_ops);
	for (unsigned i = 0; i < seccomp_nring_ops; i++)
		fprintf(out, " %s", seccomp_ring_ops[i].name);
	fprintf(out, "; no register operations after start\n");
}
