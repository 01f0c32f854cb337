/* devices: cove's power device, the ACPI hardware-reduced sleep control,
 * sleep status and reset registers (ACPI 6.4, 4.8.3.7 and 4.8.3.6).
 * SLP_EN with SLP_TYP 5 (S5) powers off. Other sleep types are not
 * supported: the system "wakes" at once, setting WAK_STS, so a guest that
 * polls for the wake does not spin forever. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "devices/devices.h"

#define POWER_LEN	   3
#define POWER_SLP_TYP_MASK 0x7u
#define POWER_WAK_STS	   0x80u

struct power {
	const struct vm_events *ev;
	atomic_uint sleep_sts;
};

static void power_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct power *p = opaque;
	uint8_t *d = data;
	unsigned i;

	for (i = 0; i < len; i++) {
		uint64_t port = POWER_SLEEP_CTL_PORT + off + i;

		/* SLP_EN is write-only and reads 0; so does the reset register. */
		d[i] = port == POWER_SLEEP_STS_PORT ? (uint8_t)atomic_load(&p->sleep_sts) : 0;
	}
}

static void power_write_reg(struct power *p, uint64_t port, uint8_t v)
{
	const struct vm_events *ev = p->ev;

	switch (port) {
	case POWER_SLEEP_CTL_PORT:
		if (!(v & POWER_SLP_EN))
			return;
		if (((v >> POWER_SLP_TYP_SHIFT) & POWER_SLP_TYP_MASK) == POWER_SLP_TYP_S5) {
			if (ev && ev->poweroff)
				ev->poweroff(ev->ctx);
		} else {
			atomic_fetch_or(&p->sleep_sts, POWER_WAK_STS);
		}
		return;
	case POWER_SLEEP_STS_PORT:
		atomic_fetch_and(&p->sleep_sts, ~(unsigned)(v & POWER_WAK_STS)); /* write 1 to clear */
		return;
	case POWER_RESET_PORT:
		if (v == POWER_RESET_VALUE && ev && ev->reset)
			ev->reset(ev->ctx);
		return;
	}
}

static void power_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	const uint8_t *d = data;
	unsigned i;

	for (i = 0; i < len; i++)
		power_write_reg(opaque, POWER_SLEEP_CTL_PORT + off + i, d[i]);
}

static const struct bus_ops power_ops = {power_read, power_write};

int power_new(struct bus *b, const struct vm_events *ev)
{
	struct bus_dev_info info = {"power", "cove,power", NULL, -1};
	struct power *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->ev = ev;
	atomic_init(&p->sleep_sts, 0);
	rc = bus_register(b, BUS_PIO, POWER_SLEEP_CTL_PORT, POWER_LEN, &power_ops, p, &info);
	if (rc == 0) {
		rc = bus_adopt(b, p, free);
		if (rc < 0)
			bus_unregister(b, BUS_PIO, POWER_SLEEP_CTL_PORT);
	}
	if (rc < 0)
		free(p);
	return rc;
}
