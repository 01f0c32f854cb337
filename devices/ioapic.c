/* devices: I/O APIC (Intel 82093AA datasheet, order 290566), 24 pins, for
 * a split irqchip: the local APICs are in KVM, so each redirection entry
 * becomes an MSI (address, data) that KVM can deliver, either through a GSI
 * route an irqfd uses (ops->route, on every RTE write) or at once
 * (ops->deliver, KVM_SIGNAL_MSI). The MSI layout is the one the Intel SDM
 * gives for message signalled interrupts (vol. 3, 11.11). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/legacy.h"

#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN	0x10

#define IOAPIC_REG_ID	  0x00
#define IOAPIC_REG_VER	  0x01
#define IOAPIC_REG_ARB	  0x02
#define IOAPIC_REG_REDTBL 0x10 /* 0x10 + 2n: low dword of RTE n, + 1: high */

#define IOAPIC_VERSION	0x11
#define IOAPIC_ID_SHIFT 24
#define IOAPIC_ID_MASK	0x0f000000u

#define RTE_VECTOR	    0x00000000000000ffULL
#define RTE_DELIVERY_SHIFT  8
#define RTE_DELIVERY_MASK   0x7ULL
#define RTE_DEST_LOGICAL    (1ULL << 11)
#define RTE_DELIVERY_STATUS (1ULL << 12)
#define RTE_POLARITY_LOW    (1ULL << 13)
#define RTE_REMOTE_IRR	    (1ULL << 14)
#define RTE_TRIGGER_LEVEL   (1ULL << 15)
#define RTE_MASKED	    (1ULL << 16)
#define RTE_DEST_SHIFT	    56
#define RTE_RO_BITS	    (RTE_DELIVERY_STATUS | RTE_REMOTE_IRR)
#define RTE_WRITABLE                                                                                         \
	(RTE_VECTOR | (RTE_DELIVERY_MASK << RTE_DELIVERY_SHIFT) | RTE_DEST_LOGICAL | RTE_POLARITY_LOW |      \
	 RTE_TRIGGER_LEVEL | RTE_MASKED | (0xffULL << RTE_DEST_SHIFT))

#define MSI_ADDR_BASE		0xfee00000ULL
#define MSI_ADDR_DEST_SHIFT	12
#define MSI_ADDR_DEST_LOGICAL	(1u << 2)
#define MSI_DATA_DELIVERY_SHIFT 8
#define MSI_DATA_LEVEL_ASSERT	(1u << 14)
#define MSI_DATA_TRIGGER_LEVEL	(1u << 15)

struct ioapic {
	pthread_mutex_t lock;
	uint32_t id;
	uint32_t regsel;
	uint64_t rte[IOAPIC_PINS];
	uint32_t lines; /* pin levels as devices drive them */
	const struct ioapic_ops *ops;
};

static void ioapic_msi(uint64_t rte, uint64_t *addr, uint32_t *data)
{
	uint64_t dest = rte >> RTE_DEST_SHIFT;

	*addr = MSI_ADDR_BASE | dest << MSI_ADDR_DEST_SHIFT |
		((rte & RTE_DEST_LOGICAL) ? MSI_ADDR_DEST_LOGICAL : 0);
	*data = (uint32_t)(rte & RTE_VECTOR) | (uint32_t)((rte >> RTE_DELIVERY_SHIFT) & RTE_DELIVERY_MASK)
						   << MSI_DATA_DELIVERY_SHIFT;
	if (rte & RTE_TRIGGER_LEVEL)
		*data |= MSI_DATA_TRIGGER_LEVEL | MSI_DATA_LEVEL_ASSERT;
}

/* Sends pin's interrupt now. Lock held. */
static void ioapic_fire(struct ioapic *io, unsigned pin)
{
	uint64_t addr;
	uint32_t data;

	ioapic_msi(io->rte[pin], &addr, &data);
	if (io->rte[pin] & RTE_TRIGGER_LEVEL)
		io->rte[pin] |= RTE_REMOTE_IRR; /* until the EOI for this vector */
	if (io->ops && io->ops->deliver)
		io->ops->deliver(io->ops->ctx, addr, data);
}

/* A level pin that is asserted, unmasked and not waiting for an EOI fires. */
static void ioapic_service_level(struct ioapic *io, unsigned pin)
{
	uint64_t r = io->rte[pin];

	if ((r & RTE_TRIGGER_LEVEL) && !(r & (RTE_MASKED | RTE_REMOTE_IRR)) && (io->lines & (1u << pin)))
		ioapic_fire(io, pin);
}

static void ioapic_route(struct ioapic *io, unsigned pin)
{
	uint64_t addr;
	uint32_t data;

	ioapic_msi(io->rte[pin], &addr, &data);
	if (io->ops && io->ops->route)
		io->ops->route(io->ops->ctx, pin, addr, data, io->rte[pin] & RTE_MASKED);
}

static uint32_t ioapic_reg_read(struct ioapic *io)
{
	uint32_t r = io->regsel, pin;

	switch (r) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return io->id;
	case IOAPIC_REG_VER:
		return IOAPIC_VERSION | (IOAPIC_PINS - 1) << 16;
	default:
		if (r < IOAPIC_REG_REDTBL || r >= IOAPIC_REG_REDTBL + 2 * IOAPIC_PINS)
			return 0; /* reserved registers read 0 */
		pin = (r - IOAPIC_REG_REDTBL) / 2;
		return (r & 1) ? (uint32_t)(io->rte[pin] >> 32) : (uint32_t)io->rte[pin];
	}
}

static void ioapic_reg_write(struct ioapic *io, uint32_t v)
{
	uint32_t r = io->regsel, pin;
	uint64_t old, nv;

	if (r == IOAPIC_REG_ID) {
		io->id = v & IOAPIC_ID_MASK;
		return;
	}
	if (r < IOAPIC_REG_REDTBL || r >= IOAPIC_REG_REDTBL + 2 * IOAPIC_PINS)
		return; /* VER, ARB and reserved registers are read-only */
	pin = (r - IOAPIC_REG_REDTBL) / 2;
	old = io->rte[pin];
	if (r & 1)
		nv = (old & 0xffffffffULL) | (uint64_t)v << 32;
	else
		nv = (old & ~0xffffffffULL) | v;
	nv = (nv & RTE_WRITABLE) | (old & RTE_RO_BITS);
	if (!(nv & RTE_TRIGGER_LEVEL))
		nv &= ~RTE_REMOTE_IRR; /* Remote IRR is undefined for edge pins; keep it clear */
	io->rte[pin] = nv;
	ioapic_route(io, pin);
	/* Unmasking (or switching to level) an asserted level pin fires it. */
	ioapic_service_level(io, pin);
}

/* The window is 32-bit registers at 0x00 and 0x10; any other width or
 * offset reads or merges bytes of the dword it falls in. */
static uint32_t ioapic_dword_read(struct ioapic *io, uint64_t dw)
{
	if (dw == IOAPIC_IOREGSEL)
		return io->regsel;
	if (dw == IOAPIC_IOWIN)
		return ioapic_reg_read(io);
	return 0;
}

static void ioapic_dword_write(struct ioapic *io, uint64_t dw, uint32_t v)
{
	if (dw == IOAPIC_IOREGSEL)
		io->regsel = v & 0xff;
	else if (dw == IOAPIC_IOWIN)
		ioapic_reg_write(io, v);
}

static void ioapic_mmio_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct ioapic *io = opaque;
	uint8_t *d = data;
	uint64_t dw = UINT64_MAX;
	uint32_t v = 0;
	unsigned i;

	pthread_mutex_lock(&io->lock);
	for (i = 0; i < len; i++) {
		uint64_t o = off + i;

		if ((o & ~3ULL) != dw) {
			dw = o & ~3ULL;
			v = ioapic_dword_read(io, dw);
		}
		d[i] = (uint8_t)(v >> ((o & 3) * 8));
	}
	pthread_mutex_unlock(&io->lock);
}

static void ioapic_mmio_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	struct ioapic *io = opaque;
	const uint8_t *d = data;
	unsigned i = 0;

	pthread_mutex_lock(&io->lock);
	while (i < len) {
		uint64_t o = off + i, dw = o & ~3ULL;
		uint32_t v = 0;

		/* Bytes of one dword: merge with the current value when partial,
		 * so a byte write to IOREGSEL works as guests expect. */
		if ((o & 3) != 0 || len - i < 4)
			v = ioapic_dword_read(io, dw);
		while (i < len && ((off + i) & ~3ULL) == dw) {
			unsigned sh = (unsigned)((off + i) & 3) * 8;

			v = (v & ~(0xffu << sh)) | (uint32_t)d[i] << sh;
			i++;
		}
		ioapic_dword_write(io, dw, v);
	}
	pthread_mutex_unlock(&io->lock);
}

static const struct bus_ops ioapic_ops_mmio = {ioapic_mmio_read, ioapic_mmio_write};

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	uint32_t bit;
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	bit = 1u << pin;
	pthread_mutex_lock(&io->lock);
	was = io->lines & bit;
	if (level)
		io->lines |= bit;
	else
		io->lines &= ~bit;
	if (io->rte[pin] & RTE_TRIGGER_LEVEL)
		ioapic_service_level(io, pin);
	else if (level && !was && !(io->rte[pin] & RTE_MASKED))
		ioapic_fire(io, pin); /* edge: rising only; an edge while masked is lost */
	pthread_mutex_unlock(&io->lock);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	unsigned pin;

	pthread_mutex_lock(&io->lock);
	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t r = io->rte[pin];

		if ((r & RTE_VECTOR) != vector || !(r & RTE_TRIGGER_LEVEL) || !(r & RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		ioapic_service_level(io, pin); /* still asserted: again */
	}
	pthread_mutex_unlock(&io->lock);
}

struct ioapic *ioapic_new(struct bus *b, const struct ioapic_ops *ops)
{
	struct bus_dev_info info = {"ioapic", NULL, NULL, -1};
	struct ioapic *io = calloc(1, sizeof(*io));
	unsigned pin;
	int rc;

	if (!io)
		return NULL;
	pthread_mutex_init(&io->lock, NULL);
	io->ops = ops;
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		io->rte[pin] = RTE_MASKED; /* 82093AA reset state */
	rc = bus_register(b, BUS_MMIO, IOAPIC_BASE, IOAPIC_SIZE, &ioapic_ops_mmio, io, &info);
	if (rc < 0) {
		ioapic_free(io);
		errno = -rc;
		return NULL;
	}
	return io;
}

void ioapic_free(struct ioapic *io)
{
	if (!io)
		return;
	pthread_mutex_destroy(&io->lock);
	free(io);
}
