/* cove: command line -> struct vm_config -> vm_run(). Nothing else. */
#include <stdio.h>

#include "seccomp/seccomp.h"
#include "vmm/vmm.h"

int main(int argc, char **argv)
{
	struct vm_config cfg;
	enum cmdline_action action;
	char err[256];

	if (cmdline_parse(argc, argv, &cfg, &action, err, sizeof(err))) {
		fprintf(stderr, "cove: %s\n", err);
		return COVE_EXIT_USAGE;
	}
	switch (action) {
	case CMDLINE_HELP:
		cmdline_usage(stdout);
		return 0;
	case CMDLINE_VERSION:
		printf("cove %s\n", COVE_VERSION);
		return 0;
	case CMDLINE_PRINT_SECCOMP:
		seccomp_print(stdout);
		return 0;
	case CMDLINE_RUN:
		break;
	}
	return vm_run(&cfg);
}
