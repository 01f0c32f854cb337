/* devices: debug exit at port 0xf4, QEMU's isa-debug-exit convention: a
 * write of v (1, 2 or 4 bytes) ends the VM; cove exits (v << 1) | 1. The
 * range is 4 ports wide so a 32-bit outl to 0xf4 is one access, not a
 * straddle the bus would refuse. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"

#define DEBUGEXIT_LEN 4

struct debugexit {
	const struct vm_events *ev;
};

static void debugexit_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	(void)opaque;
	(void)off;
	memset(data, 0xff, len);
}

static void debugexit_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	struct debugexit *d = opaque;
	uint32_t v = 0;

	/* Only a write that starts at 0xf4 is the exit; 0xf5-0xf7 are padding. */
	if (off != 0 || len > sizeof(v))
		return;
	memcpy(&v, data, len);
	if (d->ev && d->ev->debug_exit)
		d->ev->debug_exit(d->ev->ctx, v);
}

static const struct bus_ops debugexit_ops = {debugexit_read, debugexit_write};

int debugexit_new(struct bus *b, const struct vm_events *ev)
{
	struct bus_dev_info info = {"debug-exit", NULL, NULL, -1};
	struct debugexit *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return -ENOMEM;
	d->ev = ev;
	rc = bus_register(b, BUS_PIO, DEBUGEXIT_PORT, DEBUGEXIT_LEN, &debugexit_ops, d, &info);
	if (rc == 0) {
		rc = bus_adopt(b, d, free);
		if (rc < 0)
			bus_unregister(b, BUS_PIO, DEBUGEXIT_PORT);
	}
	if (rc < 0)
		free(d);
	return rc;
}
